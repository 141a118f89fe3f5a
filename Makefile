# Quick start: `make run` serves the app, `make test` runs the whole suite.
# Both create .venv and install the locked dependencies (requirements.lock) first.
PYTHON ?= python3
# `make test PYTHON=python3.13 VENV=.venv-3.13` tests another admitted Python beside the default (.ci/run does)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench screenshots lock lint clean

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13) and "Python 3.11 to 3.13 is needed, found " + sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/streamlit run app.py

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/bench_plan.py
	$(BIN)/python bench/bench_app.py
	$(BIN)/python bench/bench_cli.py

# rewrite docs/screenshots/*.png from the browser tests (needs Debian's chromium)
screenshots: $(STAMP)
	UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest tests/test_browser.py tests/test_browser_track.py

lint: $(STAMP)
	$(BIN)/ruff check planner tests app.py app_pages bench
	$(BIN)/mypy

# regenerate the lock from pyproject.toml (needs the network)
lock:
	$(BIN)/python -m pip install --quiet uv
	# one version of every package for every Python admitted (--fork-strategy fewest; no new file as a preference,
	# which would keep old forks): tests/test_lock.py fails on any per-Python marker
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --universal --fork-strategy fewest -q -o /tmp/inmail-planner.lock
	sed 's#-o /tmp/inmail-planner.lock#-o requirements.lock#' /tmp/inmail-planner.lock > requirements.lock

clean:
	rm -rf .venv .venv-*
