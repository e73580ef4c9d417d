# Two commands set everything up on a fresh machine with Python 3.11+:
#   make up     run jikenbo (embedded broker, default feeds)
#   make test   run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: up demo test install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

up: $(STAMP)
	$(BIN)/jikenbo up

demo: $(STAMP)
	$(BIN)/jikenbo up --demo

test: $(STAMP)
	$(BIN)/ruff check services schemas bench tests tools
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
