# gongxin — `make demo` and `make test` work on a fresh machine (Python 3.11, Node.js/npm).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
JS_STAMP := node_modules/.installed
VENDOR := src/gongxin/static/vendor
PG_URL ?= postgres://postgres@127.0.0.1:5432/gongxin
PYTEST_ARGS ?=
export GONGXIN_VAR_DIR ?= $(CURDIR)/var

.PHONY: install demo serve test lint migrations-check test-sqlite test-postgres browser bench bench-chains bench-demands bench-match messages clean

install: $(PY_STAMP) $(VENDOR)/.copied

$(PY_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

$(JS_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENDOR)/.copied: $(JS_STAMP)
	mkdir -p $(VENDOR)
	cp node_modules/echarts/dist/echarts.min.js node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	touch $@

## demo: install everything, build the Nanchang demo database and serve it on :8000
demo: install
	$(BIN)/gongxin demo

serve: install
	$(BIN)/gongxin serve

## test: install everything, then lint, check migrations and run the suite on SQLite and PostgreSQL
test: install browser lint migrations-check test-sqlite test-postgres

lint:
	$(BIN)/ruff check .

migrations-check:
	$(BIN)/gongxin makemigrations --check --dry-run

test-sqlite:
	env -u DATABASE_URL $(BIN)/pytest -n 2 -q $(PYTEST_ARGS)

test-postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -n 2 -q $(PYTEST_ARGS)

# Browser tests drive Debian's chromium (a test tool's own browser download is not used).
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

bench: install
	$(BIN)/python bench/import/run.py

bench-chains: install
	$(BIN)/python bench/chains/run.py

bench-demands: install
	$(BIN)/python bench/demands/run.py

bench-match: install
	$(BIN)/python bench/match/run.py

messages: install
	cd src/gongxin && ../../$(BIN)/gongxin makemessages -l zh_Hans -l en --no-obsolete \
		--ignore 'static/vendor/*' && ../../$(BIN)/gongxin compilemessages

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var
