# The two commands of the README: `make run` and `make test`. Everything else is a helper.
# With DATABASE_URL set (postgres://…) the same targets use PostgreSQL instead of SQLite.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install migrate data fixtures lint format lock admin clean bench-import bench load-test bench-scale

# The virtualenv is rebuilt whenever the lock file changes.
$(BIN)/.installed: requirements-dev.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

install: $(BIN)/.installed

migrate: install
	$(BIN)/python manage.py migrate --no-input

data: migrate
	$(BIN)/python manage.py load_initial_data

# Rebuild the data files in fixtures/ from the documents in fixtures/sources/ (see
# tools/README.md). The committed files are the reviewed records: check the diff.
fixtures: install
	$(BIN)/python tools/build_recommendations_fixture.py
	$(BIN)/python tools/build_boards_fixture.py

# Serves the site and, beside it, the task worker (db_worker) that sends the emails and builds
# the report PDFs, as in production (docs/background-tasks.md). Stopping the server (Ctrl-C)
# stops the worker too.
run: data
	@echo ""
	@echo "Serving the Harris Review Tracker on http://$(HOST):$(PORT)/"
	@echo "Admin: http://$(HOST):$(PORT)/admin/ (first time: make admin)"
	@echo "Background tasks (emails, report PDFs): a db_worker runs beside the server."
	@echo ""
	@$(BIN)/python manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest

# Serve the site with gunicorn against a copy of the data and measure its main pages.
bench: install
	$(BIN)/python bench/site.py

# Each page and download at 1x and 80x the data on PostgreSQL (DATABASE_URL names the server,
# default postgres://postgres@127.0.0.1:5432); builds the two databases the first time.
# See docs/benchmark-scale.md.
bench-scale: install
	$(BIN)/python bench/scale.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Create an admin user; Django asks for the password, which is never written anywhere.
admin: migrate
	$(BIN)/python manage.py createsuperuser

# Re-resolve the pinned dependencies of pyproject.toml into the two hashed lock files.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv==0.13.8
	$(BIN)/uv pip compile --quiet --generate-hashes --python-version 3.11 pyproject.toml -o requirements.lock
	$(BIN)/uv pip compile --quiet --generate-hashes --python-version 3.11 --extra dev pyproject.toml -o requirements-dev.lock

# Import 10,000 updates and export 10,000 recommendations in a scratch database (SQLite
# unless DATABASE_URL names a PostgreSQL database); prints rows/second and peak memory.
# Load and fault test on PostgreSQL (needs root to restart it); see bench/load_fault.py.
load-test: install
	$(BIN)/python bench/load_fault.py

bench-import: install
	$(BIN)/python bench/import_export.py

clean:
	rm -rf $(VENV) staticfiles
