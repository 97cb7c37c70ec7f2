# Informatics Portal — `make run` serves the demo on 127.0.0.1:8000; `make test` runs the suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Extra pytest arguments, quoted for the shell, e.g. make test PYTEST_ARGS='-m "not browser" -x'
PYTEST_ARGS ?=
# Test processes (pytest-xdist, one database each): auto = one per core; 0 = this process only.
TEST_WORKERS ?= auto
# The commit whose database `make survival` builds, then migrates with this checkout (default:
# SURVIVAL_BASE in .ci/run, the one CI checks).
BASE ?= $(shell sed -n 's/^SURVIVAL_BASE=//p' .ci/run)

.PHONY: help run test lint format install lock clean python ci survival bench contract

help:
	@echo "make run    install, migrate, load the demo health system, serve on 127.0.0.1:$(PORT)"
	@echo "make test   run the test suite in parallel (SQLite by default; DATABASE_URL selects PostgreSQL;"
	@echo "            TEST_NOW=2028-02-29T23:30 moves the clock; TEST_WORKERS=0 runs in one process)"
	@echo "make lint   ruff, ruff format --check, mypy, makemigrations --check"
	@echo "make survival  build the database of BASE=<commit> (default: SURVIVAL_BASE in .ci/run),"
	@echo "            migrate it with this checkout on SQLite and PostgreSQL; every row must stay"
	@echo "make bench  seed PostgreSQL with seed_scale (BENCH_SIZE=small|full|tiny; DATABASE_URL,"
	@echo "            default postgres://postgres@127.0.0.1:5432/portal_bench), serve it with gunicorn"
	@echo "            and time every page that grows with the data; table + var/bench/<size>.json"
	@echo "make contract  fuzz the whole API against its OpenAPI schema (schemathesis, every check)"
	@echo "            as the CMIO and as a champion on PostgreSQL: CONTRACT_EXAMPLES=200 a operation,"
	@echo "            a fresh CONTRACT_SEED (printed; set it to replay); DATABASE_URL as for bench"
	@echo "make ci     what CI runs (.ci/run): installs system packages, starts services, all tests"

# Find a Python >= 3.12: PATH first, then pyenv's installed versions. Prints its path.
python:
	@scripts/find-python

$(VENV)/.installed: requirements/base.txt requirements/dev.txt requirements/lock.txt
	@set -e; \
	if [ ! -x "$(PY)" ]; then \
		interpreter=$$(scripts/find-python); \
		echo "Creating $(VENV) with $$interpreter"; \
		"$$interpreter" -m venv "$(VENV)"; \
	fi; \
	$(PY) -m pip install --quiet --upgrade pip; \
	$(PY) -m pip install --quiet -c requirements/lock.txt -r requirements/dev.txt; \
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo --skip-accounts
	@echo "Serving on http://127.0.0.1:$(PORT)/ (Ctrl-C stops)"
	$(PY) manage.py serve_demo 127.0.0.1:$(PORT)

# worksteal: each process starts with half the tests and takes from the other when it runs dry,
# so the run ends together even when a few files (browser tests) take much longer than the rest.
# A shell's REDIS_URL or CELERY_BROKER_URL (docker-compose's, a deployment's) is not the suite's:
# tests run tasks at once and cache in memory, and those that need Redis name their own database.
test: install
	env -u REDIS_URL -u CELERY_BROKER_URL $(VENV)/bin/pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

# Data survives the migrations: a database built by BASE, on SQLite and on PostgreSQL
# (127.0.0.1:5432, user postgres), migrated by this checkout, keeps every row of every table.
survival: install
	@test -n "$(BASE)" || { echo "make survival BASE=<commit>: no base commit given" >&2; exit 2; }
	$(PY) scripts/migration-survival --base $(BASE) --database sqlite
	$(PY) scripts/migration-survival --base $(BASE) --database postgres

# Not in CI (tests/ops/test_bench.py runs it at the tiny size). BENCH_SIZE=small|full|tiny;
# BENCH_ROUNDS, BENCH_REQUESTS, BENCH_CLIENTS, BENCH_PER_CLIENT, BENCH_WORKERS tune the run.
BENCH_SIZE ?= small
bench: install
	BENCH_SIZE=$(BENCH_SIZE) $(PY) scripts/bench

# CI runs tests/test_contract.py with a fixed seed, a few examples and the examples and fuzzing
# phases; this looks deeper: every phase (coverage and stateful too), 200 examples, a fresh seed.
CONTRACT_EXAMPLES ?= 200
CONTRACT_PHASES ?= examples,coverage,fuzzing,stateful
# Drawn once (`:=`): the seed printed is the seed the run uses.
ifndef CONTRACT_SEED
CONTRACT_SEED := $(shell od -An -N4 -tu4 /dev/urandom | tr -d ' ')
endif
contract: install
	@echo "contract: seed $(CONTRACT_SEED), $(CONTRACT_EXAMPLES) examples an operation, phases $(CONTRACT_PHASES)"
	env -u REDIS_URL -u CELERY_BROKER_URL CONTRACT_SEED=$(CONTRACT_SEED) \
	  CONTRACT_EXAMPLES=$(CONTRACT_EXAMPLES) CONTRACT_PHASES=$(CONTRACT_PHASES) \
	  DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/portal_contract} \
	  $(VENV)/bin/pytest -n 0 -p no:randomly -s tests/test_contract.py $(PYTEST_ARGS)

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Regenerate the pinned lock from requirements/*.txt in a throw-away environment.
lock:
	@set -e; tmp=$$(mktemp -d); interpreter=$$(scripts/find-python); \
	"$$interpreter" -m venv "$$tmp"; "$$tmp/bin/pip" install --quiet -r requirements/dev.txt; \
	{ echo "# Full pinned set, used as pip constraints (make lock regenerates it)."; \
	  "$$tmp/bin/pip" freeze --exclude-editable; } > requirements/lock.txt; rm -rf "$$tmp"

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
