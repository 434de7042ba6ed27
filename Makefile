# Two commands for a fresh machine with Python 3.11+, Java 17+ and Maven:
#   make demo   the bundled sample, searchable at http://127.0.0.1:8050
#   make test   the whole suite, against a real Spark, Elasticsearch and Chromium
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The catalogue, reports and the local node's data stay inside the checkout.
export SHELFMAP_HOME ?= $(CURDIR)/var

.PHONY: demo test install browser clean

$(BIN)/shelfmap: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(BIN)/shelfmap

demo: install
	$(BIN)/shelfmap demo

# Browser tests drive Debian's Chromium; install it when it is missing and we may.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
	    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; \
	  else echo "chromium is missing: sudo apt-get install chromium" >&2; exit 1; fi; }

test: install browser
	$(BIN)/python -m pytest

clean:
	-$(BIN)/shelfmap es stop
	rm -rf $(VENV) var
