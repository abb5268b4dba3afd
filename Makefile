# Two commands do all the set-up on a fresh machine:
#   make serve   -> virtual environment, store with demo units, Voilà on http://127.0.0.1:8866
#   make test    -> virtual environment, every test
#   make lint    -> ruff (danvan_kit, tests, bench) and mypy (danvan_kit); settings in pyproject.toml
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip >/dev/null
	$(BIN)/python -m pip install -e '.[test]'
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/danvan init --demo
	$(BIN)/danvan serve

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check danvan_kit tests bench
	$(BIN)/mypy danvan_kit

bench: $(STAMP)
	$(BIN)/python bench/form_import.py
	$(BIN)/python bench/store.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
