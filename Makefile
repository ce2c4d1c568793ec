# The two commands of the README: `make build` (the main job) and `make test` (the whole suite).
# Each installs what it needs on a fresh Debian machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: build test lint system-deps clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

build: $(VENV)/.installed
	$(BIN)/govcat build

# No bytecode files in the checkout: the suite must leave it as it found it (.ci/run checks).
test: $(VENV)/.installed system-deps
	PYTHONDONTWRITEBYTECODE=1 $(BIN)/pytest

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
	rm -rf $(VENV) build site dist
