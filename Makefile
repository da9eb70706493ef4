# Watchkeeper. `make demo` and `make test` work on a fresh machine: they install what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: demo test bench install browser lint registry screenshots clean-demo

$(BIN)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip==25.3"
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(BIN)/.installed node_modules/.installed

# Browser tests drive Debian's Chromium (never a downloaded browser).
browser:
	@$(BIN)/python scripts/ensure_chromium.py

demo: install
	$(BIN)/watchkeeper demo --port $(PORT)

test: install browser
	$(BIN)/python scripts/run_tests.py

bench: install
	$(BIN)/watchkeeper bench all

# The same steps scripts/run_tests.py runs first (see LINT there): style, layers, types, migrations.
lint: install
	$(BIN)/python scripts/run_tests.py --lint-only

# Refresh the safeguard registry's test list from the @pytest.mark.safeguard markers.
registry: install
	$(BIN)/pytest --collect-only -q -p no:cacheprovider --safeguard-map src/watchkeeper/safeguards/tests.json tests >/dev/null

screenshots: install browser
	WATCHKEEPER_SCREENSHOTS=docs/screenshots $(BIN)/pytest tests/e2e -q -p no:cacheprovider

clean-demo:
	rm -f var/watchkeeper.sqlite3 var/watchkeeper.sqlite3-wal var/watchkeeper.sqlite3-shm
