# Two entry points, each doing all of its own set-up: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt 2>/dev/null | sha256sum | cut -c1-12)

.PHONY: demo test lint types unit integration kafka-up kafka-down bench contracts clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ needed")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip
	@$(BIN)/python -m pip install -q -c constraints.txt -e ".[dev]"
	@rm -f $(VENV)/.installed-* && touch $@

demo: venv
	$(BIN)/hub demo

test: venv lint types
	$(BIN)/python -m pytest -q

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
