# casework — two commands: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
CASEWORK_DB ?= $(CURDIR)/var/casework.db
export CASEWORK_DB

.PHONY: setup system-deps run test lint format pytest bench clean

# Debian packages the apps and tests need: PostgreSQL (the shared store), Chromium and CJK fonts
# (browser tests and PDF reports). Installed once; skipped when already present.
SYSTEM_PACKAGES := postgresql chromium fonts-noto-cjk
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

setup: system-deps $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test,postgres]'
	touch $@

lint: setup
	$(BIN)/ruff check casework tests bench
	$(BIN)/ruff format --check casework tests bench
	$(BIN)/mypy

format: setup
	$(BIN)/ruff format casework tests bench
	$(BIN)/ruff check --fix casework tests bench

# The whole suite on SQLite, plus the PostgreSQL-marked tests against a throw-away server.
pytest: setup
	url=$$(scripts/pg-test-server start) && trap 'scripts/pg-test-server stop' EXIT && \
	CASEWORK_TEST_PG_URL=$$url $(BIN)/pytest

test: lint pytest

run: setup
	mkdir -p $(dir $(CASEWORK_DB))
	test -f $(CASEWORK_DB) || $(BIN)/casework demo --db sqlite:///$(CASEWORK_DB)
	$(BIN)/casework serve --db sqlite:///$(CASEWORK_DB)

bench: setup
	for b in bench/*.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
