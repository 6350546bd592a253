# The two commands of the README are the contract: `make serve` and `make test`.
# Everything else here is what they are made of.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install serve test lint typecheck unit schema bench lock clean

# A virtual environment with the pinned, hash-checked dependencies and the
# project itself (editable). Re-run whenever the lock or pyproject changes.
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

## Run the hub on 127.0.0.1:8000 with the simulated sources, on SQLite.
serve: install
	$(BIN)/ssis-hub serve --with-sources

## Lint, type-check and run the whole test suite.
test: lint typecheck unit

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest

## Re-export the committed GraphQL SDL after a catalog or schema change.
schema: install
	$(BIN)/ssis-hub schema > schema.graphql

## Benchmarks (print a table; compare against an in-run baseline).
bench: install
	$(BIN)/python -m bench

## Re-pin dependencies after editing pyproject.toml (needs `uv`).
lock:
	uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
