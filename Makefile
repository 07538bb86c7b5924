# eocic: reproducible rebuild of the EOCIC 2019 regional policy briefings.
# `make all` sets everything up, runs every pilot region and builds every edition.
# `make test` sets up what it needs and runs the test suite.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_BOOT ?= $(shell command -v python3.11 || command -v python3)
VENV        := .venv
PY          := $(VENV)/bin/python
EOCIC       := $(VENV)/bin/eocic
STAMP       := $(VENV)/.installed
REGION      ?= centre-val-de-loire
JOBS        ?= 2
RAW         ?= ../shared/data/raw

# Debian packages: TeX for the PDF editions, poppler-utils for the PDF checks,
# chromium and chromium-driver for the browser test of the HTML editions.
DEB_PACKAGES := texlive-xetex latexmk texlive-latex-extra texlive-fonts-recommended \
                chromium chromium-driver \
                fonts-freefont-otf poppler-utils

.PHONY: help all setup sysdeps venv run region book atlas lab serve lock test check lint bench snapshot clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}'

all: setup run book ## Set up, run every pilot region and build every edition (HTML + PDF)

setup: sysdeps venv ## Create .venv from the lock and install the Debian packages (when root)

$(STAMP): requirements.lock pyproject.toml
	@test -x "$(PY)" || $(PYTHON_BOOT) -m venv $(VENV)
	@# uv, at the version the lock pins, installs the lock in seconds (pip takes about a minute);
	@# where uv cannot reach the index, pip installs it
	$(PY) -m pip install --quiet --disable-pip-version-check "$$(grep -m1 '^uv==' requirements.lock)"
	$(VENV)/bin/uv pip install --quiet --python $(PY) -r requirements.lock \
	  || $(PY) -m pip install --quiet --disable-pip-version-check --no-compile -r requirements.lock
	@# jsonschema imports rfc3987-syntax, when present, to check IRI formats, and it builds
	@# 38 parsers at import (0.8 to 3 s) in every process that reads a notebook (workers,
	@# kernels, book builds, pytest); nothing here checks an IRI format (jsonschema#1428)
	$(VENV)/bin/uv pip uninstall --quiet --python $(PY) rfc3987-syntax lark
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@# byte-compile on every core (pip compiles one file after another)
	$(PY) -m compileall -q -j 0 $(VENV)/lib >/dev/null
	$(PY) -m ipykernel install --prefix $(VENV) --name python3 --display-name "Python 3 (eocic)" >/dev/null
	@touch $(STAMP)

venv: $(STAMP)

sysdeps: ## Install TeX, poppler and Chromium (root only; otherwise print the command)
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian packages:$$missing"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing) >/dev/null \
	    || { echo "apt-get install failed for:$$missing"; exit 1; }; \
	else \
	  echo "missing Debian packages (PDF editions and browser tests are skipped); install them with: sudo apt-get install$$missing"; \
	fi

run: venv ## Run the study for every pilot region (parallel, cached)
	$(EOCIC) run --jobs $(JOBS)

region: venv ## Run one region and build its edition: make region REGION=<id>
	$(EOCIC) run $(REGION) --jobs $(JOBS)
	$(EOCIC) book $(REGION)

book: venv ## Build every edition (HTML, and PDF when xelatex is present)
	$(EOCIC) book all

atlas: venv ## The atlas of every NUTS 2 region (HTML), with the map and search on the landing page
	$(EOCIC) run --all-nuts2 --jobs $(JOBS)
	$(EOCIC) book --all-nuts2

lab: venv ## Open JupyterLab on the notebooks
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks

serve: ## Serve the HTML editions on http://127.0.0.1:8000
	$(PY) -m http.server --bind 127.0.0.1 --directory build/site 8000

lock: ## Regenerate requirements.lock (exact pins) from pyproject.toml
	@test -x "$(PY)" || $(PYTHON_BOOT) -m venv $(VENV)
	$(PY) -m pip install --quiet pip-tools
	$(VENV)/bin/pip-compile --quiet --strip-extras --extra dev --no-emit-index-url \
	  --no-emit-find-links -o requirements.lock pyproject.toml

snapshot: venv ## Rebuild data/snapshot from the raw files: make snapshot RAW=<dir>
	$(EOCIC) data snapshot --raw $(RAW)

test: setup ## Set up, then run ruff (package, tests, notebooks) and the whole test suite
	$(VENV)/bin/ruff check eocic_helpers tests bench notebooks
	$(VENV)/bin/pytest

check: venv ## The inner loop (under a minute): ruff and the tests marked unit or cli
	$(VENV)/bin/ruff check eocic_helpers tests bench notebooks
	@# two pytest processes, each on every other test file (pytest is one process, the
	@# machine has 2 cores); each one's report is printed whole, then the exit code of both
	@a=$$(mktemp); b=$$(mktemp); \
	ls tests/test_*.py | awk 'NR % 2 == 1' | xargs $(VENV)/bin/pytest -m "unit or cli" -q -p no:cacheprovider >$$a 2>&1 & pa=$$!; \
	ls tests/test_*.py | awk 'NR % 2 == 0' | xargs $(VENV)/bin/pytest -m "unit or cli" -q -p no:cacheprovider >$$b 2>&1 & pb=$$!; \
	wait $$pa; ra=$$?; wait $$pb; rb=$$?; cat $$a $$b; rm -f $$a $$b; \
	test $$ra -eq 0 -a $$rb -eq 0

lint: venv ## Run ruff on the package, the tests, the bench and the notebooks' code cells
	$(VENV)/bin/ruff check eocic_helpers tests bench notebooks

bench: venv ## Print the speed figures
	$(PY) bench/run_bench.py

clean: ## Remove build outputs (keeps .venv)
	rm -rf build
