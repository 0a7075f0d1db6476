# Two commands on a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app surveyapp

.PHONY: install run test lint translations clean

$(BIN)/activate: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(BIN)/activate

# Installs the pinned dependencies and compiles the translation catalogues.
install: $(BIN)/activate
	$(BIN)/pybabel compile --statistics -d surveyapp/translations

# Sets up the embedded SQLite database with the demo and serves it with gunicorn.
run: install
	$(FLASK) init-db
	$(FLASK) load-demo
	@echo "Serving the demo at http://$(HOST):$(PORT)/  (staff log-in: canbo / canbo-demo-2022)"
	$(BIN)/gunicorn --workers 2 --bind $(HOST):$(PORT) --no-control-socket --access-logfile - wsgi:app

# Runs every test on SQLite, then again on the database DATABASE_URL names, when it is set.
# pytest exits 5 when no test ran: make stops on any non-zero exit, so that fails too.
test: install
	env -u DATABASE_URL $(BIN)/python -m pytest -q
	if [ -n "$$DATABASE_URL" ]; then $(BIN)/python -m pytest -q; fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Refreshes the English catalogue after user-facing texts changed; then translate the new ones.
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o messages.pot .
	$(BIN)/pybabel update -i messages.pot -d surveyapp/translations --no-fuzzy-matching --ignore-obsolete
	rm messages.pot

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache instance tests/browser/screenshots
