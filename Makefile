# Digest: `make run` serves the demo, `make test` runs lint and the whole suite.
# Both set up everything they need on a fresh machine (virtualenv, locked packages, database).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium

.PHONY: install node-deps test-tools db migrate demo static run worker test lint format check bench bench-newsletter eval lock db-stop reset

# Re-install only when the lock changes. requirements-dev.lock: what the site runs on
# (requirements.lock, all the production image installs) plus the embedded PostgreSQL and the
# test tools; both compiled from pyproject.toml by `make lock`.
$(VENV)/.installed: requirements-dev.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	touch $@

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Node is for the browser tests' accessibility checks only (axe-core): `make run` needs none.
node-deps: node_modules/.installed

install: $(VENV)/.installed

# Debian's chromium for the Playwright tests (Playwright cannot download browsers here), and a
# CJK font so that Chinese names show in the screenshots the tests save.
# redis-server: the test that runs two gunicorn workers sharing one Redis cache starts its own.
# nginx: the front proxy's tests run deploy/nginx/digest.conf.template in front of gunicorn.
TEST_PACKAGES := chromium fonts-wqy-zenhei redis-server nginx
test-tools:
	@test -x $(CHROMIUM) -a -d /usr/share/fonts/truetype/wqy -a -x /usr/bin/redis-server \
		-a -x /usr/sbin/nginx || { \
		echo "Installing $(TEST_PACKAGES) (Debian packages)..."; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(TEST_PACKAGES) >/dev/null) \
		|| { echo "Could not install them: run 'sudo apt-get install $(TEST_PACKAGES)'"; exit 1; }; }

# Starts the embedded PostgreSQL (var/pgdata) unless DATABASE_URL is set.
db: install
	$(MANAGE) check --database default >/dev/null

migrate: db
	$(MANAGE) migrate --noinput

demo: migrate
	$(MANAGE) load_demo
	$(MANAGE) make_renditions

static: install
	$(MANAGE) collectstatic --noinput --verbosity 0

# The web server and a queue worker together (the worker sends the newsletter and workflow
# mail; without EMAIL_HOST it prints them here). The worker runs in the background and stops
# when runserver does, Ctrl-C included.
run: demo static
	@echo ""
	@echo "Digest is at http://$(HOST):$(PORT)/  (editors' workspace: http://$(HOST):$(PORT)/admin/)"
	@echo "A queue worker runs alongside: mail is printed here unless EMAIL_HOST is set."
	@echo ""
	@$(MANAGE) procrastinate worker & worker=$$!; \
		trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
		$(MANAGE) runserver $(HOST):$(PORT)

# A queue worker alone (another terminal, or a second machine pointed at the same database).
worker: migrate
	$(MANAGE) procrastinate worker

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The deployment checks with production settings (HTTPS, cookies, HSTS, a real secret): a
# throwaway key here, the real one comes from the environment in production.
check: db
	$(MANAGE) makemigrations --check --dry-run
	$(MANAGE) check
	DJANGO_SETTINGS_MODULE=digest_site.settings.production \
	SECRET_KEY=ci-only-deploy-check-key-Wq8Zr3Lp6Tn1Vb4Xk7Hs2Jd9Gf5Mc0Ya \
		$(MANAGE) check --deploy --fail-level WARNING

test: install node-deps test-tools lint check
	$(BIN)/pytest

bench: install db
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)
	@command -v valgrind >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null)
	$(BIN)/python scripts/bench.py
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null)
	$(BIN)/python scripts/bench.py --proxy
	$(BIN)/python scripts/eval_suggest.py --only-bench
	$(BIN)/python scripts/bench_newsletter.py

# Suggestions: precision and recall on the labelled sets (tests/data/suggest_*.jsonl) in a
# throwaway database holding the demo registry, and the speed with 10,000 more registry rows.
eval: install db
	$(BIN)/python scripts/eval_suggest.py --bench

# Newsletter sending alone: 10,000 subscribers to a local SMTP server, one and two workers.
bench-newsletter: install db
	$(BIN)/python scripts/bench_newsletter.py

# Regenerate both locks from pyproject.toml (pinned versions with hashes; no index addresses,
# which are the machine's business). The dev lock is held to the runtime lock's versions.
LOCK_FLAGS := --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links
lock: install
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet $(LOCK_FLAGS) -o requirements.lock pyproject.toml
	$(BIN)/pip-compile --quiet $(LOCK_FLAGS) --extra local --extra test -c requirements.lock \
		-o requirements-dev.lock pyproject.toml

# Stop the embedded PostgreSQL (it keeps running between commands).
# SIGINT is PostgreSQL's "fast shutdown": it closes connections and stops cleanly.
db-stop:
	@if [ -f var/pgdata/postmaster.pid ]; then \
		kill -INT $$(head -1 var/pgdata/postmaster.pid) 2>/dev/null || true; \
		for i in 1 2 3 4 5 6 7 8 9 10; do [ -f var/pgdata/postmaster.pid ] || break; sleep 0.5; done; \
		echo "Embedded PostgreSQL stopped."; \
	fi

# Throw away the embedded database and uploaded files; the next `make run` starts afresh.
reset: db-stop
	rm -rf var/pgdata var/media var/staticfiles
