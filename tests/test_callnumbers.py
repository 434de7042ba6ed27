"""Shelf keys (ingest.callnumbers): real LoC call numbers must sort as a shelf sorts
them, written out here by hand in shelf order; LC's shelving numbers that are not
classification, and blanks, have no key."""

from __future__ import annotations

import random

import pytest

from ingest.callnumbers import ddc_key, lcc_key, scheme, shelf_key

# LC call numbers of mixed-10000 (control numbers beside them), in the order they stand
# on the shelf. Each neighbouring pair shows one rule.
LCC_SHELF = [
    "D1065. U5 A64 2000",        # 00051993  "D" before "DS": a shorter run of letters first
    "DS916 .C47815 1998",        # 00314264  Korean
    "DS916 .K416 1999",          # 00314284
    "DS916 .K48785 1963",        # 00505537  cutters as decimals: .416 < .48785
    "DS916 . Y51828 2000",       # 00692971  a space after the cutter's period
    "DS916.25 .H42 2000",        # 00422151  class number 916 < 916.25
    "DS916.26 .H34 1972",        # 00505206
    "DS916.26 .H368 1999",       # 00314026  .34 < .368
    "DS916.5.A485 A75 2000",     # 00321308  916.26 < 916.5: decimals, not whole numbers
    "DS916.53 .A125 2000",       # 00322180
    "DS916.593 .C48 1966",       # 00505517
    "DS916.593 .H335 1998",      # 00314350
    "DS916.593 .H3643 2000",     # 00321549
    "DS916.593 .H3654 1998",     # 00314283
    "DS916.594.C43 C47 2000",    # 00438019
    "DS916.594.C43 K36 1998",    # 00314275  second cutters compare when the first tie
    "DS916.594.C5 S56 1999",     # 00314252  .C43 < .C5
    "DS917 .H2284 1998",         # 00314344
    "DS935.5",                   # the example: nothing before something...
    "DS935.5 .K56 1999",         # ...so the bare class number stands first
    "E505.5 77th .W55 2001",     # 00012718  an ordinal inside the call number
    "HV6661.A6 1889 .B35 2000",  # 00026670  a date between two cutters
    "PL991.3 .K56 1999",
    "PZ7. M335855 2001",         # 00021804  a space after the period of the cutter
    "PZ7.R79835 Hal 2000b",      # 00047922  work letters ("Hal"), a year with a letter
    "QA3 .A57 no. 694",          # 00036257
    "QA3 .A57 no. 698",          # 00034996
    "QA3 .A57 no. 713",          # 00053585  numbers in the rest as whole numbers
    "QA76.73.C153 M865 2000",    # 00037306
    "QA76.73.J38 C37 2001",      # 00029315
    "QA76.73.J38 D345 2001",     # 00050650
    "QA76.73.J38 M35255 2001",   # 00132776
    "QA76.73.P98 B43 2010",      # the example
    "QA76.73.R2 T86 1999",       # 00500692
]


def test_lc_call_numbers_sort_as_the_shelf_stands():
    shuffled = LCC_SHELF[:]
    random.Random(11).shuffle(shuffled)
    assert sorted(shuffled, key=lcc_key) == LCC_SHELF


# Dewey numbers of mixed-10000 as catalogued in 082 $a, in shelf order.
DDC_SHELF = ["005.13/3", "005.2/45", "005.2/762", "006.6/6", "510 s", "553.7/0973 s",
             "572.8/028", "650/.0285/52762", "891.7/3", "951.9/04"]


def test_dewey_numbers_sort_as_decimals():
    shuffled = DDC_SHELF[::-1]
    assert sorted(shuffled, key=ddc_key) == DDC_SHELF
    assert ddc_key("891.7/3") == ddc_key("891.73") == "ddc 891.73"
    assert ddc_key("951.9/04") == "ddc 951.904"


def test_exact_keys():
    assert lcc_key("QA76.73.P98 B43 2010") == "lcc QA 0076.73 P98 B43 002010"
    assert lcc_key("PL991.3 .K56 1999") == "lcc PL 0991.3 K56 001999"
    assert lcc_key("DS935.5") == "lcc DS 0935.5"
    assert lcc_key("  Z 699 .A1") == "lcc Z 0699 A1"          # a space inside the class
    assert lcc_key("CLC Ser DS894.39.Y34f") is None
    # Work letters stand apart from the cutter's digits: .Y34 < .Y34f < .Y345.
    assert lcc_key("DS894.39.Y34") < lcc_key("DS894.39.Y34f") < lcc_key("DS894.39.Y345")


@pytest.mark.parametrize("lcc", [
    "MLCS 92/08321",                       # LC's minimal-level shelving numbers
    "MLCM 2004/01234 (P)",
    "MLCSA 2001/00123",
    "CPB Box no. 1955 vol. 12",            # 00111222
    "Microfiche 2002/63817 (R)",           # 00280232
    "Microfilm 2008/30 item 2",            # 00687686
    "UNCLASSIFIED 1706 (C)",               # 00378574
    "Collection Level Cataloging",         # 00378398
    "CLC Ser DS894.39.Y34f nos. 1-2, 1440",  # 00505977: a separate collection's shelf
    "LAW",                                 # 01024935
    "*",                                   # 00265996
    "", "   ", None,
])
def test_no_lc_key(lcc):
    assert lcc_key(lcc) is None


@pytest.mark.parametrize("ddc", ["[E]", "[Fic]", "B", "", " ", None])
def test_no_dewey_key(ddc):
    assert ddc_key(ddc) is None


def test_lc_first_else_dewey():
    assert shelf_key("HD53 .C483 1999", "658.4/038") == lcc_key("HD53 .C483 1999")
    # An MLC record with a Dewey number stands on the Dewey shelf.
    assert shelf_key("MLCS 92/08321", "891.7/3") == "ddc 891.73"
    assert shelf_key(None, "572.8/028") == "ddc 572.8028"     # 00265552: Dewey only
    assert shelf_key("MLCS 92/08321", "[E]") is None
    assert shelf_key(None, None) is None


def test_each_scheme_is_a_shelf_of_its_own():
    keys = [shelf_key(v, None) for v in LCC_SHELF] + [shelf_key(None, v) for v in DDC_SHELF]
    assert {scheme(k) for k in keys} == {"lcc", "ddc"}
    # Sorted together, the schemes do not interleave.
    schemes = [scheme(k) for k in sorted(keys)]
    assert schemes == sorted(schemes)
