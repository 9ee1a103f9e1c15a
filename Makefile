# `make demo` and `make test` work on a fresh machine with Python 3.11+:
# they create .venv and install the project into it first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint venv clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,pdf,postgres]'
	touch $(STAMP)

venv: $(STAMP)

# The script is named by its path, not put on PATH: the demo's closing hint
# then names the command as you can type it (.venv/bin/statusbot).
demo: $(STAMP)
	STATUSBOT=$(BIN)/statusbot scripts/demo.sh

# Tests run in parallel (pytest-xdist, one worker per core); the few that
# measure a latency run alone afterwards (marker `serial`).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest -n auto --dist loadgroup -m "not serial"
	$(BIN)/pytest -m serial

clean:
	rm -rf $(VENV) statusbot-demo
