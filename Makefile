# Two commands on a fresh machine with Python 3.11: `make run` and `make test` (GNU make).
PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app surveyapp
# Written once the pinned requirements are installed, so a failed install is retried.
INSTALLED := $(VENV)/.installed
MUTATION_INSTALLED := $(VENV)/.mutation-installed
# Mutants to run (fnmatch patterns of mutmut's names, e.g. 'scoring.*'); empty = all of them.
MUTANTS ?=
NODE_INSTALLED := tests/browser/node_modules/.installed
PO_FILES := $(wildcard surveyapp/translations/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: install run test lint mutation translations clean

# Creates .venv, installs the pinned requirements and compiles the translation catalogues;
# with npm, also axe-core for the browser tests' accessibility checks.
install: $(INSTALLED) $(MO_FILES) $(NODE_INSTALLED)

$(INSTALLED): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "surveyapp needs Python 3.11 or newer: make PYTHON=python3.11 ..." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# axe-core at the version pinned in tests/browser/package-lock.json. Without npm the
# accessibility tests are skipped (and fail when REQUIRE_BROWSER=1, as in CI).
$(NODE_INSTALLED): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix tests/browser --no-audit --no-fund && touch $@; \
	else \
		echo "npm is missing: the accessibility tests of tests/browser will be skipped" >&2; \
	fi

%.mo: %.po $(INSTALLED)
	$(BIN)/pybabel compile --statistics -i $< -o $@

# Creates a random secret key once (instance/secret_key, owner-only), applies the migrations
# to the database (SQLite in instance/ unless DATABASE_URL is set), loads the demo (nothing
# changes if it is there already; its random passwords are in instance/demo-accounts.txt) and
# serves it with gunicorn.
run: install
	$(BIN)/python -m surveyapp.instance_files
	$(FLASK) init-db
	$(FLASK) load-demo
	@echo "Serving the demo at http://$(HOST):$(PORT)/ (log in at /login; demo accounts in instance/demo-accounts.txt)"
	$(BIN)/gunicorn --workers 2 --bind $(HOST):$(PORT) --no-control-socket wsgi:app

# Runs every test on a temporary SQLite database, then again on the database DATABASE_URL
# names, when it is set. Any non-zero exit of pytest fails make, including 5 (no test ran).
test: install
	env -u DATABASE_URL $(BIN)/python -m pytest -ra
	@if [ -n "$$DATABASE_URL" ]; then \
		echo "== The same tests on the database DATABASE_URL names"; \
		$(BIN)/python -m pytest -ra; \
	else \
		echo "== DATABASE_URL is not set: the suite ran on SQLite only"; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Mutation testing of the pure packages with mutmut (not in CI; README "Mutation testing"):
# mutates scoring/ and sampling/ in mutants/ and runs tests/scoring and tests/sampling
# against each mutant, then lists the mutants no test killed. Takes long: see the README.
mutation: $(MUTATION_INSTALLED)
	env -u DATABASE_URL $(BIN)/mutmut run --max-children $$(nproc) $(foreach pattern,$(MUTANTS),'$(pattern)')
	$(BIN)/mutmut results

$(MUTATION_INSTALLED): requirements-mutation.txt $(INSTALLED)
	$(BIN)/pip install --quiet -r requirements-mutation.txt
	touch $@

# Refreshes the English catalogue after user-facing texts changed; then translate the new ones.
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o messages.pot .
	$(BIN)/pybabel update -i messages.pot -d surveyapp/translations --no-fuzzy-matching --ignore-obsolete
	rm messages.pot

# Removes what install and the tests build. Keeps instance/ (the SQLite database and its data).
clean:
	rm -rf $(VENV) mutants .pytest_cache .ruff_cache .hypothesis tests/browser/screenshots tests/browser/node_modules $(MO_FILES)
	find . -name __pycache__ -type d -prune -not -path './.git/*' -exec rm -rf {} +
