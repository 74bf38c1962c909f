# Headway: `make demo` and `make test` are all a newcomer needs.
PYTHON ?= python3.11
VENV := .venv
DFE_VENV := .venv-dfe
BIN := $(VENV)/bin
DEMO_DIR ?= demo

ASSETS := src/headway/web/assets

.PHONY: demo test lint bench install assets dfe-env docs clean

install: $(VENV)/.installed $(DFE_VENV)/.installed $(ASSETS)/.built

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Headway needs Python 3.11 or newer as '$(PYTHON)' (set PYTHON=...)"; exit 1; }
	@$(PYTHON) -c "import ctypes.util, sys; sys.exit(not ctypes.util.find_library('pangoft2-1.0'))" || { echo "Headway writes PDFs with WeasyPrint, which needs Pango: apt-get install libpango-1.0-0 libpangoft2-1.0-0 (.ci/run does this)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

# The web app's front end: GOV.UK Frontend (the version govuk-frontend-jinja targets) and
# htmx from npm, and axe-core for the accessibility tests; copied into the package's assets
# folder, which git ignores. Nothing from npm is committed.
assets: $(ASSETS)/.built
$(ASSETS)/.built: package.json package-lock.json $(wildcard src/headway/web/static/*)
	@command -v npm >/dev/null || { echo "The web app needs Node.js and npm to install GOV.UK Frontend: apt-get install nodejs npm (.ci/run does this)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(ASSETS) && mkdir -p $(ASSETS)
	cp -r node_modules/govuk-frontend/dist/govuk/assets/. $(ASSETS)/
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $(ASSETS)/
	cp node_modules/htmx.org/dist/htmx.min.js $(ASSETS)/
	cp src/headway/web/static/* $(ASSETS)/
	@touch $@

# The D2I validators pin pandas<2 and numpy<2, so they live in their own environment,
# driven by Headway through a subprocess (src/headway/quality/dfe.py).
dfe-env: $(DFE_VENV)/.installed
$(DFE_VENV)/.installed: requirements-dfe.txt
	$(PYTHON) -m venv $(DFE_VENV)
	$(DFE_VENV)/bin/pip install --quiet --upgrade pip
	$(DFE_VENV)/bin/pip install --quiet -r requirements-dfe.txt
	@touch $@

demo: install
	$(BIN)/headway demo --out $(DEMO_DIR)

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

test: install lint
	$(BIN)/pytest

# `make bench SECTIONS=desk` runs only the named sections (foundation, desk, ...).
bench: install
	$(BIN)/python -m bench.run $(SECTIONS)

# Generated reference docs (tests check they are current).
docs: $(VENV)/.installed
	$(BIN)/python -m headway.ingest.docs > docs/standard-model.md
	$(BIN)/python -m headway.packs.schema > docs/pack.schema.json
	$(BIN)/typer headway.cli utils docs --name headway --output docs/cli.md

clean:
	rm -rf $(VENV) $(DFE_VENV) $(DEMO_DIR) bench/out test-output node_modules $(ASSETS)
