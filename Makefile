# The two set-up commands: `make demo` and `make test`. Each creates .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

demo: $(VENV)/.installed
	@for diff in examples/*.diff; do \
		echo "=== archbot review --diff $$diff"; \
		$(BIN)/archbot review --no-llm --diff $$diff --fail-on never; \
		echo; \
	done

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check bot tests bench
	$(BIN)/ruff format --check bot tests bench
	$(BIN)/mypy

test: $(VENV)/.installed-dev lint
	$(BIN)/pytest -q

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/realworld.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
