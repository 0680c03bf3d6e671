# The README promises two commands on a fresh machine: `make lab` and `make test`.
# Everything they need is installed here; nothing else is assumed but Python 3.10+ and Debian's apt.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LABEXT := workbench/labextension/package.json
# every file under these folders, at any depth (widgets/<name>/, widgets/lib/, test/**/*.spec.ts)
EXT_SOURCES := $(shell find extensions/src extensions/widgets extensions/test extensions/scripts \
		extensions/style extensions/schema -type f 2>/dev/null) \
	extensions/package.json extensions/yarn.lock extensions/tsconfig.json extensions/.yarnrc.yml
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PORT ?= 8888
# jlpm runs package.json scripts that call jlpm again: it must be on PATH, not just invoked by path.
JLPM := PATH="$(abspath $(BIN)):$$PATH" jlpm

.PHONY: install lab dashboard test bench lint format chromium node clean

install: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The extension is built with the venv's jlpm (it ships with jupyterlab) before the editable
# install, whose build hook then finds it fresh and does not build it a second time.
$(LABEXT): $(BIN)/python $(EXT_SOURCES) | node
	$(BIN)/python -m pip install --quiet "jupyterlab>=4.6,<5"
	@# yarn lists every package it fetches (~2,000 lines): keep them in a log, show it on failure
	cd extensions && ($(JLPM) install --immutable > ../$(VENV)/jlpm-install.log 2>&1 || \
		(tail -n 40 ../$(VENV)/jlpm-install.log; exit 1)) && $(JLPM) build
	touch $(LABEXT)

$(STAMP): pyproject.toml $(LABEXT)
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	# an editable install links the Python code, not the built extension: link that too, so a
	# rebuild shows after a browser reload
	$(BIN)/jupyter-builder develop --overwrite . >/dev/null
	$(BIN)/jupyter server extension enable workbench --sys-prefix >/dev/null
	$(BIN)/workbench kernel install --sys-prefix
	touch $(STAMP)

# The tutorials run in a work copy (workspace/, git-ignored): running them leaves the committed
# notebooks clean, and a tutorial edited there is kept (only missing files are copied).
lab: install
	$(BIN)/workbench lab --port $(PORT) --root workspace --copy-from notebooks \
		--open tutorials/00_welcome.ipynb

# the training monitor (Voila) of LOGDIR on 127.0.0.1:DASHBOARD_PORT; prints its URL with a token
LOGDIR ?= workspace/tutorials/runs
DASHBOARD_PORT ?= 8866
dashboard: install
	$(BIN)/workbench dashboard --logdir $(LOGDIR) --port $(DASHBOARD_PORT)

test: install chromium lint
	cd extensions && $(JLPM) test
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python -m tests.bench

lint: install
	$(BIN)/ruff check workbench tests
	$(BIN)/ruff format --check workbench tests
	$(BIN)/mypy
	cd extensions && $(JLPM) lint:check

# Mutation score of the core against its fast tests (tests/mutation/): minutes per module on two
# cores, so not part of `make test`. MUTATE="workbench/curves/store.py ..." picks modules.
.PHONY: mutate
mutate: install
	$(BIN)/python -m tests.mutation $(MUTATE)
	$(BIN)/python -m tests.mutation.deliberate

format: install
	$(BIN)/ruff format workbench tests
	$(BIN)/ruff check --fix workbench tests
	cd extensions && $(JLPM) lint

# Browser tests drive Debian's Chromium (Playwright cannot download browsers here).
chromium:
	@test -x /usr/bin/chromium || ($(SUDO) apt-get update -qq && \
		$(SUDO) apt-get install -y -qq chromium >/dev/null)

node:
	@command -v node >/dev/null || ($(SUDO) apt-get update -qq && \
		$(SUDO) apt-get install -y -qq nodejs npm >/dev/null)

clean:
	rm -rf $(VENV) extensions/node_modules extensions/lib workbench/labextension \
		extensions/tsconfig.tsbuildinfo bench-results
