# The two commands of a fresh machine: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev

.PHONY: install demo test test-fast lint typecheck pytest generate bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	rm -f demo.db demo.db-wal demo.db-shm
	$(BIN)/tokarc --sandbox hashtag magic --days 30 --db demo.db
	$(BIN)/tokarc stats --db demo.db

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/python scripts/generate_methods.py --check

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -n 2

test: lint typecheck pytest

# The fast subset: no servers, subprocesses, browser or PostgreSQL.
test-fast: $(STAMP)
	TOKARC_CHECK_FAST=1 $(BIN)/pytest -m "not slow" -n 2

generate: $(STAMP)
	$(BIN)/python scripts/generate_methods.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
