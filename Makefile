# casework — two commands: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
CASEWORK_DB ?= $(CURDIR)/var/casework.db
export CASEWORK_DB
# Let Python cache bytecode: the suite starts hundreds of interpreters (workers, kernels,
# Voilà, the hub); with PYTHONDONTWRITEBYTECODE set each of them recompiles casework and tests.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: setup system-deps hub-deps hub run test lint format pytest pytest-postgres bench load clean

# Debian packages the apps and tests need: PostgreSQL (the shared store), Chromium and CJK fonts
# (browser tests and PDF reports). Installed once; skipped when already present.
SYSTEM_PACKAGES := postgresql chromium fonts-noto-cjk libreoffice-writer-nogui poppler-utils
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

setup: system-deps $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	# uv installs the same range-pinned set several times faster than pip, with pip and setuptools
	# above their published advisories in the same step (plain pip if uv cannot be had: upgraded
	# first, before anything is installed with it). Bytecode is written on first import (the venv
	# is writable and PYTHONDONTWRITEBYTECODE is unexported), not for all 20,000 files up front:
	# that alone took 20-30 s of the first `make run`.
	$(PY) -m pip install -q uv && $(BIN)/uv pip install -q --python $(PY) \
	  'pip>=25.3' 'setuptools>=78.1.1' -e '.[test,postgres,hub]' || \
	  { $(PY) -m pip install -q --upgrade 'pip>=25.3' 'setuptools>=78.1.1' && \
	    $(PY) -m pip install -q -e '.[test,postgres,hub]'; }
	touch $@

lint: setup
	$(BIN)/ruff check casework tests bench
	$(BIN)/ruff format --check casework tests bench
	$(BIN)/mypy

format: setup
	$(BIN)/ruff format casework tests bench
	$(BIN)/ruff check --fix casework tests bench

# JupyterHub's proxy comes from npm; without npm the hub tests skip (and `make hub` says why).
hub-deps: setup
	@command -v configurable-http-proxy >/dev/null || \
	  { command -v npm >/dev/null && npm install -g -s configurable-http-proxy >/dev/null; } || \
	  echo "npm is missing: configurable-http-proxy not installed, hub tests will skip"

# Many named users: JupyterHub, one hardened Voilà per signed-in user (docs/deployment.md).
CASEWORK_HUB_PASSWORD ?= casework-demo
hub: hub-deps
	mkdir -p $(dir $(CASEWORK_DB))
	test -f $(CASEWORK_DB) || $(BIN)/casework --db sqlite:///$(CASEWORK_DB) demo
	CASEWORK_DB=sqlite:///$(CASEWORK_DB) CASEWORK_HUB_PASSWORD=$(CASEWORK_HUB_PASSWORD) \
	  $(BIN)/jupyterhub -f deploy/jupyterhub/jupyterhub_config.py

# The whole suite on SQLite (with the PostgreSQL-only store tests), then every test that opens a
# store again on PostgreSQL (tests/backend.py), both against one throw-away server and on both
# cores, one worker per test file; then the browser tests on their own (Playwright's sync API
# refuses to start in a worker where an earlier test left an asyncio loop running). Running the
# browser tests beside the PostgreSQL run was tried: on two cores it made both slower.
# A few files run once although inside STORE_TESTS (the wheel test, in the SQLite run, tries
# the installed wheel on the PostgreSQL server itself) and the cross-case checks read a sample
# of each case kind on PostgreSQL: tests/test_backends.py lists them and holds them to it.
STORE_TESTS := tests/registry tests/intake tests/ui tests/dashboard tests/documents tests/reports \
  tests/archive tests/e2e tests/hub tests/load tests/release tests/records tests/ops tests/security \
  tests/queries tests/demo tests/test_extension.py
PYTEST_PARALLEL := $(BIN)/pytest -n 2 --dist loadfile -m "not browser"
pytest: setup hub-deps
	url=$$(scripts/pg-test-server start) && trap 'scripts/pg-test-server stop' EXIT && \
	CASEWORK_TEST_PG_URL=$$url $(PYTEST_PARALLEL) && \
	CASEWORK_TEST_PG_URL=$$url CASEWORK_TEST_BACKEND=postgresql $(PYTEST_PARALLEL) $(STORE_TESTS) && \
	CASEWORK_TEST_PG_URL=$$url $(BIN)/pytest -m browser -p no:cacheprovider -n 2 --dist loadfile

# Only the PostgreSQL run (a developer's shortcut; `make test` runs it too).
pytest-postgres: setup hub-deps
	url=$$(scripts/pg-test-server start) && trap 'scripts/pg-test-server stop' EXIT && \
	CASEWORK_TEST_PG_URL=$$url CASEWORK_TEST_BACKEND=postgresql $(PYTEST_PARALLEL) $(STORE_TESTS)

test: lint pytest

run: setup
	mkdir -p $(dir $(CASEWORK_DB))
	test -f $(CASEWORK_DB) || $(BIN)/casework --db sqlite:///$(CASEWORK_DB) demo
	$(BIN)/casework --db sqlite:///$(CASEWORK_DB) serve $(if $(CASEWORK_PORT),--port $(CASEWORK_PORT))

bench: setup
	for b in bench/*.py; do $(PY) $$b || exit 1; done

# 20 evaluators scoring at once on real kernels, on SQLite (and PostgreSQL when it can start).
load: setup
	$(PY) bench/load_evaluators.py --evaluators 20
	url=$$(scripts/pg-test-server start) && trap 'scripts/pg-test-server stop' EXIT && \
	$(PY) bench/load_evaluators.py --evaluators 20 --db $$url

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
