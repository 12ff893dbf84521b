# The CMPP portal's two everyday commands: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# runserver listens on PORT and the settings read it for SITE_URL, the address in emails.
export PORT
PYTEST_ARGS ?=

.PHONY: run test smoke lint install assets migrate seed format worker beat

# Python packages come from uv.lock (exact versions with their hashes), installed by uv. uv sits
# in a folder of its own inside .venv, not in .venv's packages: `uv sync` keeps those exactly as
# the lock says. It comes from PyPI through this Python's pip, or, where this Python has none,
# through a throwaway venv's. After changing dependencies in pyproject.toml run `$(UV) lock`
# and commit uv.lock: `--locked` refuses a lock that no longer matches pyproject.toml.
UV_VERSION := 0.13.9
UV_DIR := $(VENV)/uv-$(UV_VERSION)
UV := $(UV_DIR)/bin/uv

$(BIN)/python:
	$(PYTHON) -m venv --without-pip $(VENV)

$(UV): | $(BIN)/python
	PIP_ROOT_USER_ACTION=ignore $(PYTHON) -m pip install --quiet --disable-pip-version-check \
		--target $(UV_DIR) uv==$(UV_VERSION) \
		|| { $(PYTHON) -m venv $(VENV)/uv-bootstrap \
			&& $(VENV)/uv-bootstrap/bin/pip install --quiet --target $(UV_DIR) uv==$(UV_VERSION) \
			&& rm -rf $(VENV)/uv-bootstrap; }

# The portal's own packages are enough to run it; tests and lint need the dev extra too. Syncing
# the portal's alone leaves the dev extra in place (--inexact) if a `make test` put it there, and
# the next full sync removes what the lock dropped. Where PYTHONDONTWRITEBYTECODE is set Python
# keeps no .pyc files and every command would compile the packages again: there uv compiles
# them once, as it installs.
UV_SYNC := $(UV) sync --locked --quiet $(if $(PYTHONDONTWRITEBYTECODE),--compile-bytecode)

$(VENV)/.runtime: pyproject.toml uv.lock | $(UV)
	$(UV_SYNC) --inexact
	touch $@

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV_SYNC) --extra dev
	touch $@ $(VENV)/.runtime

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

var/static-build/css/cmpp.css: node_modules/.package-lock.json $(wildcard static/scss/*.scss)
	mkdir -p var/static-build/css
	npm run --silent build

install: $(VENV)/.installed node_modules/.package-lock.json

assets: var/static-build/css/cmpp.css

migrate: $(VENV)/.runtime
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo --if-empty

# The stylesheet builds while the portal's Python packages install and the database migrates and
# seeds: a fresh machine serves sooner.
run:
	$(MAKE) --jobs=2 assets seed
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install assets
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The whole stack as docker-compose.yml runs it (tests/stack): needs a PostgreSQL DATABASE_URL
# and a REDIS_URL, as in CI.
smoke: install assets
	$(BIN)/python -m pytest -m stack tests/stack -v

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/bandit --configfile pyproject.toml --recursive . --severity-level medium --quiet

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: $(VENV)/.runtime
	$(BIN)/celery -A cmpp worker --queues emails,reports --loglevel=INFO

beat: $(VENV)/.runtime
	$(BIN)/celery -A cmpp beat --loglevel=INFO
