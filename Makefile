# Two commands on a fresh machine: `make run` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SYSTEM_STAMP := var/.system-deps
# Debian packages: Chromium for browser tests, Noto fonts (Nastaliq Urdu,
# Bengali) and HarfBuzz subsetting for certificates, gettext for catalogues.
DEBIAN_PACKAGES := chromium fonts-noto-core libharfbuzz-subset0 gettext libpango-1.0-0 libpangoft2-1.0-0
# Wait (up to 10 min) for another apt or unattended-upgrades to release its lock.
APT_WAIT := -o DPkg::Lock::Timeout=600
# `make run` serves here; honcho gives the worker and beat the next hundreds.
RUN_PORT ?= 8000

.PHONY: run test install system-deps migrate messages seed lint format bench clean

$(STAMP): requirements.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

install: $(STAMP) system-deps

# Installs what is missing when we are root on Debian; otherwise says what to install.
system-deps:
	@mkdir -p var
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian packages: $$missing"; \
		(apt-get $(APT_WAIT) update -qq \
			&& DEBIAN_FRONTEND=noninteractive apt-get $(APT_WAIT) install -y -qq $$missing) >/dev/null \
		|| echo "WARNING: could not install $$missing"; \
	else \
		echo "WARNING: please install these Debian packages: $$missing"; \
	fi

messages: $(STAMP)
	@if [ -d locale ]; then $(PY) manage.py compilemessages --ignore=.venv -v 0; fi

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput -v 0

seed: migrate
	$(PY) manage.py seed_demo

run: install messages seed
	@echo "Serving on http://127.0.0.1:$(RUN_PORT) with a Celery worker and beat (Ctrl-C stops all)."
	@PATH="$(CURDIR)/$(VENV)/bin:$$PATH" exec $(VENV)/bin/honcho -f config/Procfile.dev start -p $(RUN_PORT)

test: install messages
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: install
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) var db.sqlite3 .pytest_cache
