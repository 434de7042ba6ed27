# Two commands for a fresh machine with Python 3.11+, Java 17+ and Maven:
#   make demo   the bundled sample, searchable at http://127.0.0.1:8050
#   make test   the whole suite, against a real Spark, Elasticsearch and Chromium
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The catalogue, reports and the local node's data stay inside the checkout.
export SHELFMAP_HOME ?= $(CURDIR)/var

.PHONY: demo test install browser clean messages

$(BIN)/shelfmap: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(BIN)/shelfmap

demo: install
	$(BIN)/shelfmap demo

# Browser tests drive Debian's Chromium (through Playwright's Python package), with the
# Noto CJK fonts so that Hangul renders in screenshots; install them when missing and we may.
browser:
	@missing=""; command -v chromium >/dev/null 2>&1 || missing="chromium"; \
	  [ -d /usr/share/fonts/opentype/noto ] && fc-list 2>/dev/null | grep -qi "Noto Sans CJK" \
	    || missing="$$missing fonts-noto-cjk"; \
	  [ -z "$$missing" ] || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null \
	    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; }; \
	  else echo "missing: $$missing (sudo apt-get install $$missing)" >&2; exit 1; fi; }

# The interface's messages: every _(), ngettext(), pieces() and N_() text of viz/ and the
# facet labels, into the template and the Korean catalogue (new ones untranslated, for
# the translator; tests/test_i18n.py fails until they are). The app compiles the .po
# when it starts: no compiled file to keep.
messages: install
	$(BIN)/pybabel extract --no-default-keywords -k _ -k N_ -k pieces -k ngettext:1,2 \
	  --add-location=file --sort-by-file --project=shelfmap --no-wrap \
	  -o viz/locales/shelfmap.pot viz index/facets.py index/queries.py
	$(BIN)/pybabel update -i viz/locales/shelfmap.pot -d viz/locales -D shelfmap -l ko \
	  --no-wrap --ignore-obsolete --no-fuzzy-matching

test: install browser
	$(BIN)/python -m pytest

clean:
	-$(BIN)/shelfmap es stop
	rm -rf $(VENV) var
