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

.PHONY: help venv server-venv demo run migrate seed test test-clock chromium desktop-libs faketime \
        lint deploy-check format desktop bench clean

help:
	@echo "make demo       - install, migrate SQLite, load demo data, serve on $(SERVER)"
	@echo "make test       - install and run the whole test suite (DATABASE_URL selects the DB)"
	@echo "make test-clock - the date-sensitive tests with the clock at a Sunday 23:58 (faketime)"
	@echo "make lint       - ruff, import layers, and the deployment files (deploy-check)"
	@echo "make run        - serve without reloading demo data"
	@echo "make migrate    - apply migrations"
	@echo "make desktop    - start the desktop client against SERVER=$(SERVER)"

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
# break the pytest-asyncio tests that follow it in the same process. They run even when the
# first process failed, so one run shows every failure; make fails if either did.
test: venv chromium desktop-libs
	@status=0; e2e_status=0; set -x; \
	$(BIN)/pytest -p no:cacheprovider -n 2 -m "not e2e" $(PYTEST_ARGS) || status=$$?; \
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -p no:cacheprovider -m e2e \
	  backend/hms/web/tests/e2e $(E2E_ARGS) || e2e_status=$$?; \
	{ set +x; } 2>/dev/null; \
	if [ $$status != 0 ] || [ $$e2e_status != 0 ]; then \
	  echo "make test: tests exited $$status, browser tests exited $$e2e_status"; exit 1; \
	fi

# The tests that depend most on the date, again with the clock started at a Sunday 23:58 local
# time (libfaketime; the clock runs on, across midnight): the desktop tests (with their own
# servers) and the appointment, inpatient (drug rounds) and pharmacy tests. TZ is the local
# zone and, as in the test settings, the hospital's. PostgreSQL's now() is not faked.
CLOCK_START ?= 2026-12-13 23:58:00
CLOCK_TZ    ?= UTC
CLOCK_TESTS ?= desktop/tests backend/hms/appointments backend/hms/inpatient backend/hms/pharmacy
test-clock: venv faketime desktop-libs
	TZ=$(CLOCK_TZ) faketime '$(CLOCK_START)' $(BIN)/pytest -p no:cacheprovider -n 2 -m "not e2e" \
	  $(CLOCK_TESTS) $(PYTEST_ARGS)

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

# The system libraries Qt's xcb platform plugin loads (the desktop on an X display; the tests
# run offscreen). Installed the same way: only the missing ones, only when root with apt-get.
DESKTOP_LIBS := libegl1 libgl1 libfontconfig1 libfreetype6 libglib2.0-0 libdbus-1-3 \
  libx11-6 libx11-xcb1 libxkbcommon0 libxkbcommon-x11-0 libxcb1 libxcb-cursor0 libxcb-icccm4 \
  libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render0 libxcb-render-util0 \
  libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-util1 libxcb-xfixes0 libxcb-xkb1
desktop-libs:
	@if command -v dpkg-query >/dev/null; then \
	  missing=""; \
	  for pkg in $(DESKTOP_LIBS); do \
	    dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "ok installed" \
	      || missing="$$missing $$pkg"; \
	  done; \
	  if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	    else \
	      echo "The desktop client needs Qt's system libraries: sudo apt-get install$$missing"; \
	    fi; \
	  fi; \
	fi

# libfaketime for test-clock; installed the same way, and test-clock stops without it.
faketime:
	@if ! command -v faketime >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime; \
	  else \
	    echo "make test-clock needs libfaketime: sudo apt-get install faketime"; exit 1; \
	  fi; \
	fi

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PYTHONPATH=backend:desktop $(BIN)/lint-imports
	$(MAKE) --no-print-directory deploy-check

# The deployment files, validated offline (nothing is built or pulled): the Dockerfile with
# hadolint, the Compose file against the Compose specification's schema, the Kubernetes
# manifests against the API schemas kubernetes-validate ships.
deploy-check: venv
	$(BIN)/hadolint deploy/Dockerfile
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec deploy/docker-compose.yml
	$(BIN)/kubernetes-validate --strict --quiet deploy/k8s/*.yaml

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

desktop: venv desktop-libs
	$(PY) -m hms_desktop --server $(SERVER)

clean:
	rm -rf $(VENV) data/*.sqlite3 .pytest_cache
