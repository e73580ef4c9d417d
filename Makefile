# Two commands set everything up on a fresh machine with Python 3.11+:
#   make up     run jikenbo (embedded broker, default feeds)
#   make test   run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: up demo test install clean browser

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

# Unit and integration tests run on TEST_WORKERS processes (pytest-xdist): most of an
# integration test is waiting for a consumer group to form. The fault-injection suite
# then runs alone, as its timing assumes. Both run even if the first fails.
TEST_WORKERS ?= 2

test: $(STAMP) browser
	$(BIN)/ruff check services schemas bench tests tools
	@status=0; \
	$(BIN)/python -m pytest -n $(TEST_WORKERS) tests/unit tests/integration || status=1; \
	$(BIN)/python -m pytest tests/faults || status=1; \
	exit $$status

# The web view's browser tests drive Debian's chromium (with a Japanese font); installed once if missing.
browser:
	@[ -x /usr/bin/chromium ] && [ -d /usr/share/fonts/opentype/ipafont-gothic ] || { \
	  echo "make: installing Debian's chromium and fonts-ipafont-gothic for tests/integration/test_web_browser.py"; \
	  $(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq && \
	  $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq chromium fonts-ipafont-gothic; }

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
