# The README's two set-up commands are `make serve` and `make test`; both install what they need.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)

.PHONY: serve test lint check install lock clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

## Install, migrate the SQLite default (./clicktrail.db) and serve on http://127.0.0.1:8000
serve: $(STAMP)
	$(BIN)/clicktrail serve $(ARGS)

## Install and run the whole test suite (PostgreSQL/Redis too when CLICKTRAIL_TEST_* are set)
test: $(STAMP)
	$(BIN)/pytest $(ARGS)

## ruff and mypy --strict
lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

check: lint test

## Re-pin constraints.txt after changing dependencies in pyproject.toml
lock:
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --quiet -o constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
