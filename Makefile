# Gongkai: two commands for a new user (see README).
#   make run   - install into .venv and serve the demo on http://127.0.0.1:8000
#   make federation - three counties and a prefecture that mirrors them
#   make test  - install dev tools, make sure PostgreSQL is up, run every test
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | sha1sum | cut -c1-12)
# The exact versions (and hashes) the image installs; the venv takes the same
# versions, so the tests run against what ships. Refresh with `make lock`.
LOCK := requirements.lock
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run federation test unit integration e2e browser lint typecheck bench bench-quick bench-audit bench-relay bench-http bench-province postgres fonts browser-deps asyncapi-deps wrk clean install lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml $(LOCK)
	sed -e '/--hash=/d' -e 's/ *\\$$//' $(LOCK) > $(VENV)/constraints.txt
	$(BIN)/pip install --quiet -e '.[dev]' -c $(VENV)/constraints.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# Re-resolve the runtime dependencies of pyproject.toml for the image (Linux,
# Python 3.11) to their newest allowed versions, with hashes; then `make test`.
lock: $(BIN)/python
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --python-platform linux \
	  --generate-hashes --upgrade --quiet -o $(LOCK)

run: install
	$(BIN)/gongkai serve --host $(HOST) --port $(PORT) --demo-if-empty

# Three county installations and a prefecture that mirrors them, on 127.0.0.1
# from FEDERATION_PORT (docs/federation.md); Ctrl-C stops all four.
FEDERATION_PORT ?= 8100
federation: install postgres
	$(BIN)/gongkai federation --base-port $(FEDERATION_PORT)

postgres:
	@bash .ci/postgres-up

fonts:
	@bash .ci/cjk-font

browser-deps:
	@bash .ci/browser

# npm's AsyncAPI parser, which tests/e2e/test_asyncapi.py runs with node.
asyncapi-deps:
	@bash .ci/asyncapi $(VENV)/node

wrk:
	@bash .ci/wrk

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check domain infra projections services
	$(BIN)/mypy --strict domain
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy --strict domain

# Unit, integration and fault tests run one at a time; the end-to-end and page
# tests, which mostly wait on servers and a browser, in two processes (pytest-xdist):
# 13 min in one process on a 2-core machine, about 10 this way. loadgroup keeps
# the tests of one xdist_group (test_federation.py's four installations) together.
test: install postgres fonts browser-deps asyncapi-deps lint
	$(BIN)/pytest -q --durations=10 tests/unit tests/integration tests/faults
	$(BIN)/pytest -q --durations=10 -n 2 --dist loadgroup tests/e2e tests/browser

unit: install
	$(BIN)/pytest -q tests/unit

integration: install postgres
	$(BIN)/pytest -q tests/integration

e2e: install postgres asyncapi-deps
	$(BIN)/pytest -q tests/e2e

browser: install browser-deps
	$(BIN)/pytest -q tests/browser

bench: install postgres wrk
	$(BIN)/python bench/run_all.py

bench-quick: install postgres wrk
	$(BIN)/python bench/run_all.py --quick

# Only the HTTP reads (bench/http.py); its section of latest.md is replaced, the
# others kept.
bench-http: install postgres wrk
	$(BIN)/python bench/run_all.py --only http

bench-audit: install postgres
	PYTHONSAFEPATH=1 $(BIN)/python bench/audit.py

bench-relay: install postgres
	PYTHONSAFEPATH=1 $(BIN)/python bench/relay.py

bench-province: install postgres
	PYTHONSAFEPATH=1 $(BIN)/python bench/province.py  # bench/http.py would shadow the http package

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
