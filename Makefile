# 金点子 — two commands: `make run` and `make test`.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app app
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 3
DEMO ?= 1
MODEL := instance/models/suggestion_router.joblib

.PHONY: run test install keys model db test-sqlite test-postgres system-test-deps bench clean-instance

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --disable-pip-version-check -q -r requirements.txt
	@touch $@

# The keys file: SECRETS_FILE (keep it outside instance/ so that a backup of the data does not hold the key to it,
# e.g. `SECRETS_FILE=$HOME/.config/jindianzi/secrets.toml make run`), else instance/secrets.toml.  Created once,
# never overwritten; the app, the CLI and gunicorn read the same SECRETS_FILE from the environment.
export SECRETS_FILE

keys: | $(VENV)/.installed
	@$(PY) -m suggestions.keys

db: $(VENV)/.installed keys
	$(FLASK) db upgrade

# Trains when no model exists, or when the artifact format (classifier/config.py) or the pinned libraries
# (requirements.txt, via .installed) changed, because the old file would then refuse to load.
# Without the data the site still runs and routes by hand.
model: $(MODEL)

$(MODEL): $(VENV)/.installed classifier/config.py
	@$(PY) -m classifier train --out $(MODEL) \
	  || echo "WARNING: could not train the classifier; every suggestion will go to manual dispatch"

run: db model
	$(FLASK) suggestions setup $(if $(filter 0,$(DEMO)),--no-demo,--demo)
	@echo "serving on http://$(HOST):$(PORT)/"
	@# gunicorn.conf.py (read automatically) preloads the app and puts the control socket under instance/.
	FLASK_CLASSIFIER_PRELOAD=true exec $(VENV)/bin/gunicorn --workers $(WORKERS) \
	  --bind $(HOST):$(PORT) --access-logfile - "app:create_app()"

system-test-deps:
	@tests/scripts/install_system_deps.sh

# Two worker processes (this machine has two cores); --dist loadfile keeps a file's tests (and the module-scoped
# servers they share) in one worker.
PYTEST_PARALLEL ?= -n 2 --dist loadfile

test: $(VENV)/.installed system-test-deps
	$(VENV)/bin/pytest $(PYTEST_PARALLEL)
	tests/scripts/with_postgres.sh $(VENV)/bin/pytest $(PYTEST_PARALLEL)

bench: $(VENV)/.installed
	$(PY) -m bench.classifier
