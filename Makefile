# The README's two set-up commands are `make serve` and `make test`; both install what they need.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)

# Dub's SDKs as clients of the contract tests (tests/contract/): the older Python generations,
# each in its own virtualenv with every package pinned, the current npm `dub` from its
# package-lock.json, and the older npm generations each from its own lock file under
# $(NODE_SDK)/generations/. (dub 0.39.0, the current Python generation, is in $(VENV).)
SDK_VENVS := .venv-sdk
OLD_PYTHON_SDKS := 0.16.1 0.14.0
NODE_SDK := tests/contract/node
OLD_NODE_SDKS := 0.33.1 0.46.7 0.64.1
SDKS := $(OLD_PYTHON_SDKS:%=$(SDK_VENVS)/dub-%/.installed) $(NODE_SDK)/node_modules/.installed \
	$(OLD_NODE_SDKS:%=$(NODE_SDK)/generations/dub-%/node_modules/.installed)

# The dashboard's browser tests drive Debian's Chromium (tests/dashboard/browser.py); installed
# with apt-get when missing (as root, or through sudo), never downloaded by Playwright.
CHROMIUM := /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: serve test lint check install sdks lock clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

$(SDK_VENVS)/dub-%/.installed: tests/contract/requirements/dub-%.txt
	rm -rf $(@D)
	$(PYTHON) -m venv $(@D)
	$(@D)/bin/python -m pip install --quiet -r $<
	touch $@

$(NODE_SDK)/node_modules/.installed: $(NODE_SDK)/package.json $(NODE_SDK)/package-lock.json
	cd $(NODE_SDK) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(NODE_SDK)/generations/dub-%/node_modules/.installed: \
		$(NODE_SDK)/generations/dub-%/package.json $(NODE_SDK)/generations/dub-%/package-lock.json
	cd $(dir $(@D)) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium

## Install the SDKs the contract tests run as clients (make test does this too)
sdks: $(SDKS)

## Install, migrate the SQLite default (./clicktrail.db) and serve on http://127.0.0.1:8000
serve: $(STAMP)
	$(BIN)/clicktrail serve $(ARGS)

## Install and run the whole test suite (PostgreSQL/Redis too when CLICKTRAIL_TEST_* are set)
test: $(STAMP) $(SDKS) $(CHROMIUM)
	$(BIN)/pytest $(ARGS)

## ruff and mypy --strict
lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

check: lint test

## Re-pin constraints.txt after changing dependencies in pyproject.toml
lock:
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --quiet -o constraints.txt

clean:
	rm -rf $(VENV) $(SDK_VENVS) $(NODE_SDK)/node_modules $(NODE_SDK)/generations/*/node_modules \
		.pytest_cache .mypy_cache .ruff_cache
