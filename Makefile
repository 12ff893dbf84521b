# The CMPP portal's two everyday commands: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# runserver listens on PORT and the settings read it for SITE_URL, the address in emails.
export PORT
PYTEST_ARGS ?=

.PHONY: run test lint install assets migrate seed format worker beat

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

var/static-build/css/cmpp.css: node_modules/.package-lock.json $(wildcard static/scss/*.scss)
	mkdir -p var/static-build/css
	npm run --silent build

install: $(VENV)/.installed node_modules/.package-lock.json

assets: install var/static-build/css/cmpp.css

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo --if-empty

run: assets seed
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: assets
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: install
	$(BIN)/celery -A cmpp worker -Q celery,reports --loglevel=INFO

beat: install
	$(BIN)/celery -A cmpp beat --loglevel=INFO
