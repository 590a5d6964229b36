# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run test test-sqlite test-postgres lint setup browser messages clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed
	mkdir -p var
	$(PY) manage.py compilemessages --ignore='.venv*' -v0
	$(PY) manage.py migrate --no-input -v0
	$(PY) manage.py createcachetable

## make run: set up, seed the demo and run the portal with its worker on http://127.0.0.1:$(PORT)
run: export DEBUG ?= 1
run: setup
	$(PY) manage.py seed_demo
	$(PY) manage.py run_dev --port $(PORT)

# Debian's Chromium for the browser tests (Playwright cannot download its own browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

## make test: set up and run every test (SQLite; `make test-postgres` runs them on PostgreSQL too)
test: $(VENV)/.installed browser
	DEBUG=1 $(PY) manage.py compilemessages --ignore='.venv*' -v0
	$(PY) -m ruff check .
	$(PY) -m pytest

test-postgres: $(VENV)/.installed browser
	DEBUG=1 $(PY) manage.py compilemessages --ignore='.venv*' -v0
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} $(PY) -m pytest

lint: $(VENV)/.installed
	$(PY) -m ruff check .

messages: $(VENV)/.installed
	DEBUG=1 $(PY) manage.py makemessages -l de --ignore='.venv*' --ignore=var --no-obsolete

clean:
	rm -rf $(VENV) var .pytest_cache
