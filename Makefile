# Two entry points, each doing all of its own set-up: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt 2>/dev/null | sha256sum | cut -c1-12)

.PHONY: demo test lint types unit integration kafka-up kafka-down bench contracts clean venv browser oidc-deps oidc-up oidc-down

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ needed")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip
	@$(BIN)/python -m pip install -q -c constraints.txt -e ".[dev]"
	@rm -f $(VENV)/.installed-* && touch $@

demo: venv oidc-deps
	$(BIN)/hub demo

test: venv lint types browser oidc-deps
	$(BIN)/python -m pytest -q

# The loket's browser tests drive Debian's chromium (no Playwright browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the loket's browser tests"; \
	  $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y chromium || \
	  { $(if $(filter 0,$(shell id -u)),,sudo) apt-get update && \
	    $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y chromium; }; }

# The local OIDC provider (panva/oidc-provider) and axe-core, from the committed lock file.
oidc-deps:
	@command -v npm >/dev/null 2>&1 || { echo "npm is needed: apt-get install -y nodejs npm"; exit 1; }
	@test deploy/local-oidc/node_modules/.package-lock.json -nt deploy/local-oidc/package-lock.json \
	  || (cd deploy/local-oidc && npm ci --no-audit --no-fund --loglevel=error)

oidc-up: venv oidc-deps
	$(BIN)/hub oidc up

oidc-down: venv
	$(BIN)/hub oidc down

lint: venv
	$(BIN)/ruff check hub tests bench
	$(BIN)/ruff format --check hub tests bench

types: venv
	$(BIN)/mypy --strict hub

unit: venv
	$(BIN)/python -m pytest -q tests/unit

integration: venv
	$(BIN)/python -m pytest -q tests/integration

contracts: venv
	$(BIN)/hub contracts export
	$(BIN)/hub contracts check

bench: venv
	$(BIN)/python -m bench

kafka-up: venv
	$(BIN)/hub kafka up

kafka-down: venv
	$(BIN)/hub kafka down

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
