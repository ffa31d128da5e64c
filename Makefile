# Two commands matter: `make run` (bring the platform up) and `make test` (the whole suite).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup lint format schema bench check-schema audit

setup:
	@scripts/setup.sh

run: setup
	@HOST=$(HOST) PORT=$(PORT) scripts/run.sh

test:
	@WITH_DEMO=0 scripts/setup.sh
	@$(PY) manage.py makemigrations --check --dry-run -v 0 || (echo "error: models and migrations differ: run makemigrations" >&2; exit 1)
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@$(VENV)/bin/lint-imports --no-logo --cache-dir var/import-linter-cache  # the apps' layering: docs/architecture.md
	@$(VENV)/bin/mypy  # types: gradual, strict on services, selectors, rules and lifecycles (pyproject.toml)
	@$(PY) manage.py spectacular --validate --fail-on-warn --file var/schema.yml
	@diff -q schema.yml var/schema.yml || (echo "error: the API changed: run make schema and commit schema.yml" >&2; exit 1)
	@$(MAKE) --no-print-directory audit
	@# Fresh test databases each run (cloned from the template, then migrated): a run stopped half-way
	@# leaves rows behind that a reused database would trip over. Two groups in parallel: scripts/test.sh.
	@scripts/test.sh $(PYTEST_ARGS)

# Known vulnerabilities in the pinned requirements (pip-audit in a venv of its own). Not reaching the
# advisory database, or PyPI to install pip-audit, is reported and does not fail the run.
AUDIT_VENV := var/audit-venv
audit:
	@stamp="$(AUDIT_VENV)/.req-$$(sha256sum requirements-audit.txt | cut -c1-16)"; \
	if [ ! -f "$$stamp" ]; then \
	  rm -rf $(AUDIT_VENV) && python3 -m venv $(AUDIT_VENV) \
	  && $(AUDIT_VENV)/bin/pip install -q --disable-pip-version-check -r requirements-audit.txt >var/audit-pip.log 2>&1 \
	  && touch "$$stamp" || { echo "dependency audit: could not install pip-audit (see var/audit-pip.log); not audited"; exit 0; }; \
	fi; \
	$(AUDIT_VENV)/bin/python scripts/audit_dependencies.py $(AUDIT_VENV)/bin/pip-audit

lint:
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/lint-imports --no-logo --cache-dir var/import-linter-cache && $(VENV)/bin/mypy

format:
	$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

schema:
	$(PY) manage.py spectacular --validate --fail-on-warn --file schema.yml

bench:
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done
