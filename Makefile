# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app app
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test lint test-sqlite test-postgres install install-dev migrate seed bench messages \
	translations check-messages translations-status clean vnu

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# The load run's tool (locust, with gevent): installed by `make bench` only.
$(VENV)/.installed-bench: requirements-bench.txt $(VENV)/.installed-dev
	$(BIN)/pip install --quiet -r requirements-bench.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed-demo

# Email flows with no extra step: the outbox sender and, without MAIL_SERVER, the local
# SMTP sink (instance/mail/*.eml) run in the background and stop with the server.
run: seed translations
	@pids=""; trap 'kill $$pids 2>/dev/null' EXIT; trap 'exit 130' INT TERM; \
	if [ -z "$$MAIL_SERVER" ]; then $(FLASK) mail-sink & pids="$$!"; fi; \
	$(FLASK) outbox send --watch & pids="$$pids $$!"; \
	$(FLASK) run --host 127.0.0.1 --port 5000

# The linter first (its rules: pyproject.toml), then the whole suite on SQLite (with the
# one real-browser run), then again on PostgreSQL; the PostgreSQL pass also runs
# tests/deploy/test_load_balanced.py (two gunicorn servers behind a real nginx, one Redis):
# skipped without nginx or Redis, an error with CI=true.
test: lint check-messages
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

lint: install-dev
	$(BIN)/ruff check --quiet .

# The Nu Html Checker (tests/html/): the npm package vnu-jar, pinned, into .cache/vnu (not
# committed); it runs with Java.  .ci/run installs Java and npm when missing, then this.
VNU_VERSION := 26.9.27
VNU_JAR     := .cache/vnu/node_modules/vnu-jar/build/dist/vnu.jar

vnu: $(VNU_JAR)

$(VNU_JAR):
	npm install --prefix .cache/vnu --no-save --no-audit --no-fund --ignore-scripts vnu-jar@$(VNU_VERSION)
	@test -f $@

# The checker's jar comes with the tests wherever Java and npm are there to fetch and run it
# (without them tests/html skips, and fails with CI=true).
test-sqlite: translations
	@if command -v java >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory vnu; fi
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: translations
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(subst +psycopg,,$(PG_URL))', connect_timeout=3).close()" 2>/dev/null; then \
		TEST_DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest -m "not e2e" $(PYTEST_ARGS); \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL at $(PG_URL) is unreachable, and CI requires it." >&2; exit 1; \
	else \
		echo "PostgreSQL skipped: nothing reachable at $(PG_URL) (CI=true makes this an error)."; \
	fi

# bench/run.py drives wrk (Debian's package): installed here when missing and apt-get can.
bench: install-dev $(VENV)/.installed-bench
	@command -v wrk >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			apt-get install -y wrk || { apt-get update && apt-get install -y wrk; }; \
		else echo "make bench needs wrk: sudo apt-get install -y wrk" >&2; exit 1; fi; }
	$(BIN)/python bench/run.py
	$(BIN)/python bench/queue_speed.py
	$(BIN)/python bench/load.py

# Languages (README "Languages"; translations/catalogs.py does the work).
# messages: extract every string, update each language's .po (new strings untranslated,
# never guessed); translations: compile the .mo files (not committed); check-messages:
# fail when a .po is behind the sources; translations-status: what is left to translate.
messages: install
	$(BIN)/python translations/catalogs.py update

translations: install
	$(BIN)/python translations/catalogs.py compile

check-messages: install
	$(BIN)/python translations/catalogs.py check

translations-status: install
	$(BIN)/python translations/catalogs.py status

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .cache
