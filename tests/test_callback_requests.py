"""viz.callback_requests.check: which bodies may reach a Dash callback, as dicts."""

from __future__ import annotations

import re

import pytest

from viz.callback_requests import BadCallback, check

CALLBACKS = {
    "search-nav.href": {
        "callback": object(),
        "inputs": [{"id": "search-q", "property": "n_submit"},
                   {"id": "search-go", "property": "n_clicks"}],
        "state": [{"id": "search-q", "property": "value"},
                  {"id": "search-nav", "property": "search"}]},
    "cards.children": {
        "callback": object(),
        "inputs": [{"id": {"type": "card", "index": "ALL"}, "property": "n_clicks"}],
        "state": []},
    "_pages_dummy.children": {"inputs": [{"id": "_pages_store", "property": "data"}],
                              "state": []},  # clientside: no function here
}

SUBMIT = {"output": "search-nav.href",
          "outputs": {"id": "search-nav", "property": "href"},
          "inputs": [{"id": "search-q", "property": "n_submit", "value": 1},
                     {"id": "search-go", "property": "n_clicks", "value": None}],
          "state": [{"id": "search-q", "property": "value", "value": "한국 경제"},
                    {"id": "search-nav", "property": "search", "value": "?q=x"}],
          "changedPropIds": ["search-q.n_submit"]}


def test_what_the_renderer_sends_passes():
    check(SUBMIT, CALLBACKS)
    check({**SUBMIT, "state": [SUBMIT["state"][0] | {"value": 1950}, SUBMIT["state"][1]]},
          CALLBACKS)
    check({"output": "cards.children", "outputs": {"id": "cards", "property": "children"},
           "inputs": [[{"id": {"type": "card", "index": 1}, "property": "n_clicks",
                        "value": 2}]], "changedPropIds": []}, CALLBACKS)


@pytest.mark.parametrize("body,message", [
    ([], "JSON object"),
    ({}, "output: missing"),
    ({"output": "nope.children"}, "no callback updates 'nope.children'"),
    ({"output": "_pages_dummy.children", "inputs": [{"id": "_pages_store",
                                                     "property": "data"}]},
     "no callback updates"),
    ({**SUBMIT, "inputs": SUBMIT["inputs"][:1]}, "inputs: expected 2 item(s)"),
    ({**SUBMIT, "inputs": [SUBMIT["inputs"][1], SUBMIT["inputs"][0]]},
     "inputs[0]: expected search-q.n_submit"),
    ({**SUBMIT, "inputs": [SUBMIT["inputs"][0] | {"value": "1"}, SUBMIT["inputs"][1]]},
     "inputs[0]: n_submit cannot be str"),
    ({**SUBMIT, "state": [SUBMIT["state"][0] | {"value": {"$gt": ""}}, SUBMIT["state"][1]]},
     "state[0]: value cannot be dict"),
    ({**SUBMIT, "state": [SUBMIT["state"][0] | {"value": [["x"]]}, SUBMIT["state"][1]]},
     "list of plain values"),
    ({**SUBMIT, "state": [SUBMIT["state"][0], SUBMIT["state"][1] | {"value": 3}]},
     "state[1]: search cannot be int"),
    ({**SUBMIT, "outputs": [{"id": "x"}]}, "outputs: each must be"),
    ({**SUBMIT, "changedPropIds": [1]}, "changedPropIds"),
    ({"output": "cards.children", "inputs": [["card"]]}, "expected the pattern"),
])
def test_anything_else_is_refused_naming_the_part(body, message):
    with pytest.raises(BadCallback, match=re.escape(message)):
        check(body, CALLBACKS)
