# Gongkai: two commands for a new user (see README).
#   make run   - install into .venv and serve the demo on http://127.0.0.1:8000
#   make test  - install dev tools, make sure PostgreSQL is up, run every test
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test unit integration e2e browser lint typecheck bench bench-quick bench-audit bench-relay postgres fonts browser-deps clean install

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/gongkai serve --host $(HOST) --port $(PORT) --demo-if-empty

postgres:
	@bash .ci/postgres-up

fonts:
	@bash .ci/cjk-font

browser-deps:
	@bash .ci/browser

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check domain infra projections services
	$(BIN)/mypy --strict domain
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy --strict domain

# Unit, integration and fault tests run one at a time; the end-to-end and page
# tests, which mostly wait on servers and a browser, in two processes (pytest-xdist):
# 13 min in one process on a 2-core machine, about 10 this way.
test: install postgres fonts browser-deps lint
	$(BIN)/pytest -q --durations=10 tests/unit tests/integration tests/faults
	$(BIN)/pytest -q --durations=10 -n 2 tests/e2e tests/browser

unit: install
	$(BIN)/pytest -q tests/unit

integration: install postgres
	$(BIN)/pytest -q tests/integration

e2e: install postgres
	$(BIN)/pytest -q tests/e2e

browser: install browser-deps
	$(BIN)/pytest -q tests/browser

bench: install postgres
	$(BIN)/python bench/run_all.py

bench-quick: install postgres
	$(BIN)/python bench/run_all.py --quick

bench-audit: install postgres
	$(BIN)/python bench/audit.py

bench-relay: install postgres
	$(BIN)/python bench/relay.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
