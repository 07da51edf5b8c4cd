# Osservatorio. A fresh machine needs only Python 3.11 and make: uv is bootstrapped into
# .tools/ and the environment is installed from uv.lock into .venv/.
PYTHON ?= python3
UV_VERSION := 0.13.8
UV := .tools/bin/uv
VENV := .venv
BIN := $(VENV)/bin

export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Dagster's runs, event logs and ticks: files in dagster_home/, or PostgreSQL when
# OSSERVATORIO_DAGSTER_PG_URL names a database (postgresql+psycopg2://..., see
# dagster_home/postgres/dagster.yaml).
export DAGSTER_HOME ?= $(CURDIR)/dagster_home$(if $(OSSERVATORIO_DAGSTER_PG_URL),/postgres)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := false

.PHONY: setup system-deps demo test dev lint manifest docs bench bench-l clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --all-groups --compile-bytecode
	touch $@

dbt_project/target/manifest.json: $(VENV)/.synced $(shell find dbt_project/models dbt_project/macros seeds -type f 2>/dev/null) dbt_project/dbt_project.yml
	cd dbt_project && OSSERVATORIO_WAREHOUSE=target/parse.duckdb ../$(BIN)/dbt parse --quiet --profiles-dir .

setup: $(VENV)/.synced manifest

manifest: dbt_project/target/manifest.json

## The main job on the embedded default: synthetic drops -> ingestion -> warehouse.
demo: setup
	$(BIN)/osservatorio demo

## Debian packages the reports and tests need: Chromium (HTML -> PDF, rendering tests, the
## portal's browser tests), poppler-utils (pdftoppm, pdftotext), LibreOffice Calc (the template
## and partner files as a partner's spreadsheet writes them) and npm for axe-core (the portal's
## accessibility test, package-lock.json) and PostgreSQL 15 (the throw-away server of the
## PostgreSQL tests, tests/postgres.py). Installed only when missing (the CI runs as root).
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	command -v soffice >/dev/null 2>&1 || missing="$$missing libreoffice-calc-nogui"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	[ -x /usr/lib/postgresql/15/bin/initdb ] || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
		echo "Installing$$missing with apt-get"; \
		apt-get update && apt-get install -y --no-install-recommends $$missing; \
	fi
	@[ -f node_modules/axe-core/axe.min.js ] || npm ci --no-audit --no-fund

## The whole test suite (real DuckDB, dbt, Dagster, GX), after lint, format and type checks.
test: setup system-deps lint
	$(BIN)/pytest

## The Dagster UI on 127.0.0.1:3000 with the daemon (sensors and schedules run), and the
## warm pre-check server that `osservatorio check` asks first.
dev: setup
	$(BIN)/osservatorio check --serve & pid=$$!; trap 'kill $$pid 2>/dev/null' EXIT INT TERM; \
	$(BIN)/dg dev --host 127.0.0.1 --port 3000

LINTED := pipelines tests bench seeds/scripts

lint: setup
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy pipelines

## The dbt docs site, built after the warehouse (it opens the database read-write).
docs: setup
	cd dbt_project && OSSERVATORIO_WAREHOUSE=$(CURDIR)/data/warehouse.duckdb ../$(BIN)/dbt docs generate --profiles-dir .
	@echo "Open dbt_project/target/index.html"

bench: setup
	$(BIN)/python -m bench.run S M
	$(BIN)/python -m bench.portal
	$(BIN)/python -m bench.check

bench-l: setup
	$(BIN)/python -m bench.run L

clean:
	rm -rf .tools $(VENV) dbt_project/target dbt_project/logs
