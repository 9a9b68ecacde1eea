# Two commands on a fresh machine with Python 3.11+: `make demo` and `make test` (see README.md).
# Each sets up .venv itself the first time; later runs reuse it until a pyproject or requirements change.

PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { echo $$p; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.newsflow-installed
PACKAGES := -e shared -e services/fetcher -e services/extractor -e services/store
MANIFESTS := requirements-dev.txt shared/pyproject.toml $(wildcard services/*/pyproject.toml)

.PHONY: demo test lint install clean fault chromium

demo: $(STAMP)  ## Run the pipeline on the bundled demo site; Ctrl-C stops it (DEMO_ARGS=--exit to stop at once)
	$(PY) -m demo.run $(DEMO_ARGS)

test: $(STAMP) chromium  ## Run the whole test suite against real Redis and PostgreSQL
	$(PY) -m pytest $(PYTEST_ARGS)

# The browser tests drive Debian's Chromium (Playwright downloads no browser here); as root we install it.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
	  else echo "The browser tests need Chromium: sudo apt-get install chromium (they fail without it)." >&2; fi; }

fault: $(STAMP)  ## Long fault and load runs (5,000 articles, kill -9, Redis restart, 20 s PostgreSQL outage); prints figures
	$(PY) -m pytest -m fault_long tests/fault -s $(PYTEST_ARGS)

lint: $(STAMP)
	$(PY) -m ruff check shared services demo tests

install: $(STAMP)

$(PY):
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed (none found on PATH)." >&2; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); echo "Could not create $(VENV) with $(PYTHON). On Debian/Ubuntu: apt-get install python3-venv" >&2; exit 1; }

# pip is upgraded first: an old pip (23.x) cannot resolve trafilatura's lxml extras.
$(STAMP): $(PY) $(MANIFESTS)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(PACKAGES) -r requirements-dev.txt
	@touch $@

clean:
	rm -rf .demo .pytest_cache .ruff_cache
