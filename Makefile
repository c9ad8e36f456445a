# HMS — one command runner. `make demo` runs it, `make test` tests it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
MANAGE := $(PY) backend/manage.py
HOST   ?= 127.0.0.1
PORT   ?= 8000
SERVER ?= http://$(HOST):$(PORT)
# The demo always uses the embedded SQLite file unless DATABASE_URL is exported on purpose.
DEMO_ENV := DJANGO_SETTINGS_MODULE=config.settings.dev

.PHONY: help venv server-venv demo run migrate seed test chromium lint format desktop bench clean

help:
	@echo "make demo     - install, migrate SQLite, load demo data, serve on $(SERVER)"
	@echo "make test     - install and run the whole test suite (DATABASE_URL selects the DB)"
	@echo "make lint     - ruff check + format check"
	@echo "make run      - serve without reloading demo data"
	@echo "make migrate  - apply migrations"
	@echo "make desktop  - start the desktop client against SERVER=$(SERVER)"

# The stamp is rebuilt whenever pyproject.toml changes, so `make test` also updates the venv.
# Two stamps: the server alone (enough for `make demo`), and everything for tests and the
# desktop client (Qt is a large download the demo does not need). Each is redone whenever
# pyproject.toml changes, so `make test` also updates the venv.
$(VENV)/.installed-server: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed: pyproject.toml $(VENV)/.installed-server
	$(PY) -m pip install --quiet -e ".[dev,desktop]"
	@touch $@

server-venv: $(VENV)/.installed-server

venv: $(VENV)/.installed

migrate: server-venv
	$(DEMO_ENV) $(MANAGE) migrate --noinput

seed: migrate
	$(DEMO_ENV) $(MANAGE) seed_demo

demo: seed
	@$(DEMO_ENV) $(MANAGE) demo_logins --url $(SERVER)
	$(DEMO_ENV) $(MANAGE) runserver $(HOST):$(PORT)

run: migrate
	$(DEMO_ENV) $(MANAGE) runserver $(HOST):$(PORT)

# Browser tests (marked e2e) run in a second pytest process: Playwright's event loop would
# break the pytest-asyncio tests that follow it in the same process.
test: venv chromium
	$(BIN)/pytest -p no:cacheprovider -n 2 -m "not e2e" $(PYTEST_ARGS)
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -p no:cacheprovider -m e2e backend/hms/web/tests/e2e $(E2E_ARGS)

# Debian's Chromium for the browser tests; installed only when missing and when root (otherwise
# the browser tests skip and say how to install it).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "Browser tests need Debian's chromium: sudo apt-get install chromium"; \
	  fi; \
	fi

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

desktop: venv
	$(PY) -m hms_desktop --server $(SERVER)

clean:
	rm -rf $(VENV) data/*.sqlite3 .pytest_cache
