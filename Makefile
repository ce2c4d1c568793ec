# The two commands of the README: `make build` (the main job) and `make test` (the whole suite).
# Each installs what it needs on a fresh Debian machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Exact versions of everything the suite was run with: CI installs what was tested. `pip install
# govcat` for users keeps the ranges of pyproject.toml. `make lock` refreshes it.
LOCK := requirements/dev.lock
PIP_VERSION := 26.3

.PHONY: build test lint lock system-deps clean

$(VENV)/.installed: pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q pip==$(PIP_VERSION)
	$(BIN)/pip install -q -c $(LOCK) -e '.[dev]'
	touch $@

build: $(VENV)/.installed
	$(BIN)/govcat build

# No bytecode files in the checkout: the suite must leave it as it found it (.ci/run checks).
test: $(VENV)/.installed system-deps
	PYTHONDONTWRITEBYTECODE=1 $(BIN)/pytest

# A fresh resolution of pyproject.toml's ranges, frozen: run it when a dependency changes, then run
# the suite and commit requirements/dev.lock with the change.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv && .lock-venv/bin/pip install -q pip==$(PIP_VERSION)
	.lock-venv/bin/pip install -q -e '.[dev]'
	mkdir -p requirements
	{ echo "# Exact versions CI installs (make lock regenerates this file; pyproject.toml keeps the ranges)."; \
	  .lock-venv/bin/pip freeze --exclude-editable; } > $(LOCK)
	rm -rf .lock-venv

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests
	$(BIN)/mypy src

# Debian packages the tests use: a real PostgreSQL server, headless Chromium and a CJK font,
# and a Java runtime for the Spark engine of `govcat data`.
system-deps:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! command -v chromium >/dev/null \
	    || ! fc-list 2>/dev/null | grep -qi "wenquanyi" || ! command -v java >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    postgresql chromium fonts-wqy-microhei openjdk-17-jre-headless >/dev/null; \
	fi

clean:
	rm -rf $(VENV) .lock-venv build site dist
