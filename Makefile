# Bianmin — every developer and CI route goes through these targets. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install db migrate messages seed static demo prod serve stop test check lint bench bench-scale reliability jobs clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-12s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed ## Install everything into .venv

db: install ## Start the embedded PostgreSQL (only when DATABASE_URL is unset)
	@if [ -z "$$DATABASE_URL" ]; then $(PY) -m portal.devdb start; else echo "Using DATABASE_URL"; fi

messages: install ## Compile translations (committed .mo files are used when gettext is missing)
	@if command -v msgfmt >/dev/null; then $(PY) manage.py compilemessages --ignore '.venv' -v 0; \
	else echo "msgfmt not found: using the committed .mo files"; fi

migrate: db ## Migrate the head office, every center and the center template
	$(PY) manage.py migrate --noinput -v 0

seed: migrate ## Create or refresh the demo head office and centers
	$(PY) manage.py seed_demo --port $(PORT)

static: install ## Collect static files into var/static (served by WhiteNoise in the demo and production)
	DJANGO_SETTINGS_MODULE=portal.settings.demo $(PY) manage.py collectstatic --noinput -v 0

demo: seed static ## Install, start PostgreSQL, migrate, seed, serve as production would (gunicorn, DEBUG off) on port 8000 or PORT
	@mkdir -p var
	@echo "Serving on http://localhost:$(PORT)/ (Ctrl-C or 'make stop' to stop)"
	@DJANGO_SETTINGS_MODULE=portal.settings.demo SITE_PORT=$(PORT) PORT=$(PORT) VENV=$(VENV) bin/demo-serve

prod: install ## Production: check --deploy (must be clean), migrate, collectstatic, then web + worker + beat (bin/prod)
	bin/prod

serve: db ## Development server (runserver, DEBUG on) without seeding
	@mkdir -p var
	@bash -c 'echo $$$$ > var/server.pid; exec $(PY) manage.py runserver 0.0.0.0:$(PORT) --noreload'

stop: ## Stop the demo or development server and the embedded PostgreSQL
	@if [ -f var/server.pid ]; then kill $$(cat var/server.pid) 2>/dev/null && echo "Server stopped." || true; rm -f var/server.pid; fi
	@for p in worker beat; do if [ -f var/$$p.pid ]; then kill $$(cat var/$$p.pid) 2>/dev/null && echo "Celery $$p stopped." || true; rm -f var/$$p.pid; fi; done
	@if [ -x $(PY) ]; then $(PY) -m portal.devdb stop; fi

check: install ## Django system checks and missing migrations
	DJANGO_SETTINGS_MODULE=portal.settings.test $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=portal.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports

lint: install ## ruff
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: install check ## The whole suite (with the checks); PYTEST_ARGS to pass more
	$(VENV)/bin/pytest --ds=portal.settings.test --reuse-db $(PYTEST_ARGS)

bench: install ## Benchmarks (tests/bench) in scratch databases; prints medians and ratios
	DJANGO_SETTINGS_MODULE=portal.settings.test $(PY) tests/bench/bench_provisioning.py $(BENCH_ARGS)
	DJANGO_SETTINGS_MODULE=portal.settings.test $(PY) tests/bench/bench_service_desk.py
	DJANGO_SETTINGS_MODULE=portal.settings.test $(PY) tests/bench/bench_lending.py
	DJANGO_SETTINGS_MODULE=portal.settings.test $(PY) tests/bench/bench_site.py $(if $(REDIS_URL),--redis $(REDIS_URL))
	DJANGO_SETTINGS_MODULE=portal.settings.test $(PY) tests/bench/bench_site_baseline.py $(if $(REDIS_URL),--redis $(REDIS_URL))
	DJANGO_SETTINGS_MODULE=portal.settings.test $(PY) tests/bench/bench_elders.py
	DJANGO_SETTINGS_MODULE=portal.settings.test $(PY) tests/bench/bench_dashboard.py
	DJANGO_SETTINGS_MODULE=portal.settings.test $(PY) tests/bench/bench_migrate.py --centers 200 --standard-sample 50

bench-scale: install ## 1,000 centers on this machine: provisioning, residents' site, migrate, dashboard (about an hour; SCALE_ARGS to pass more)
	DJANGO_SETTINGS_MODULE=portal.settings.test $(PY) tests/bench/bench_scale.py $(SCALE_ARGS)

reliability: install ## Load and faults (not in make test): 50 centers under locust, PostgreSQL/Redis outages, SIGKILLed provisioning
	$(PY) tests/reliability/load_faults.py
	$(PY) tests/reliability/provisioning_kill.py --scratch

jobs: db ## Run the periodic jobs of every center once (deadline reminders, overdue complaints)
	$(PY) manage.py run_center_jobs

clean: stop ## Remove the virtualenv and var/ (the embedded database too)
	rm -rf $(VENV) var
