# Two commands matter: `make run` (bring the platform up) and `make test` (the whole suite).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup lint format schema bench check-schema

setup:
	@scripts/setup.sh

run: setup
	@HOST=$(HOST) PORT=$(PORT) scripts/run.sh

test:
	@WITH_DEMO=0 scripts/setup.sh
	@$(PY) manage.py makemigrations --check --dry-run -v 0 || (echo "error: models and migrations differ: run makemigrations" >&2; exit 1)
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@$(PY) manage.py spectacular --validate --fail-on-warn --file var/schema.yml
	@diff -q schema.yml var/schema.yml || (echo "error: the API changed: run make schema and commit schema.yml" >&2; exit 1)
	@$(VENV)/bin/pytest $(PYTEST_ARGS)

lint:
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

format:
	$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

schema:
	$(PY) manage.py spectacular --validate --fail-on-warn --file schema.yml

bench:
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done
