# client-insights: `make demo` and `make test` are the quick start; each builds .venv when needed.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
EXTRAS  := lab,test
KERNEL  := client-insights
# The first Python 3.11+ on PATH (override with `make PYTHON=/path/to/python3.12 ...`).
PYTHON  ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
             command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
             && { command -v $$p; break; }; done)

.PHONY: help setup demo lint test test-fast lab bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "error: client-insights needs Python 3.11 or newer on PATH (or make PYTHON=...)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[$(EXTRAS)]'
	@touch $(STAMP)

setup: $(STAMP) ## Create .venv with every extra (quick when nothing changed)

demo: setup ## Render the reports of the bundled sample into reports/demo and print the index path
	$(VENV)/bin/insights validate data/sample/responses.csv --survey data/sample/survey.toml
	$(VENV)/bin/insights run data/sample/responses.csv --out reports/demo \
	  --events data/sample/events.csv --contacts data/sample/contacts.csv \
	  --self-assessment data/sample/self_assessment.csv --survey data/sample/survey.toml \
	  --accounts data/sample/accounts.csv

# What `make lint` checks; the rules and the line length are in pyproject.toml ([tool.ruff]).
LINTED  := src tests benchmarks
# `make test-fast`: no notebook rendering, browser or cluster tests (markers: tests/conftest.py), no
# nbval (so none of its --nbval-lax from addopts); on all cores when pytest-xdist is installed.
FAST    := -m "not slow and not browser and not cluster" -p no:nbval -o addopts=-ra
XDIST    = $(shell $(PY) -c 'import xdist' 2>/dev/null && echo "-n auto --dist loadfile")

lint: setup ## Check style: ruff check and ruff format --check
	$(PY) -m ruff check $(LINTED)
	$(PY) -m ruff format --check $(LINTED)

test: setup ## Run the whole test suite (notebooks, browser and cluster tests included)
	$(PY) -m pytest

test-fast: setup ## The quick tests only (under a minute): no notebook rendering, browser or cluster
	$(PY) -m pytest tests $(FAST) $(XDIST)

lab: setup ## JupyterLab with a registered kernel for the project
	$(PY) -m ipykernel install --user --name $(KERNEL) --display-name "Python (client-insights)"
	$(VENV)/bin/jupyter lab notebooks/

bench: setup ## Run the benchmarks and print their figures
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean: ## Remove .venv, caches and generated reports (keeps reports/README.md)
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find reports -mindepth 1 ! -name README.md -exec rm -rf {} + 2>/dev/null || true
