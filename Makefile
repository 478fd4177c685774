# Two commands for a new user: `make up` and `make test`. Everything else is set up on the way.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
EMULATOR_PORT ?= 8124
EMULATOR_URL := http://127.0.0.1:$(EMULATOR_PORT)

# Offline-friendly Pulumi: no update check, no plugin downloads, state in a file backend in the clone.
export PULUMI_SKIP_UPDATE_CHECK := true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION := true
export PULUMI_BACKEND_URL ?= file://$(CURDIR)/.pulumi
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
# The language hosts' sources (see README "Toolchain"). Without the Python one the Automation API is
# used; without the Node.js or YAML one that host is absent.
SHARED_TOOLS := $(CURDIR)/../shared/tools
PULUMI_LANGUAGE_PYTHON_SRC ?= $(if $(wildcard $(SHARED_TOOLS)/pulumi-language-python/build.sh),$(SHARED_TOOLS)/pulumi-language-python)
PULUMI_LANGUAGE_NODEJS_SRC ?= $(if $(wildcard $(SHARED_TOOLS)/pulumi-language-nodejs/build.sh),$(SHARED_TOOLS)/pulumi-language-nodejs)
PULUMI_LANGUAGE_YAML_SRC ?= $(if $(wildcard $(SHARED_TOOLS)/pulumi-language-yaml/build.sh),$(SHARED_TOOLS)/pulumi-language-yaml)
export PULUMI_LANGUAGE_PYTHON_SRC PULUMI_LANGUAGE_NODEJS_SRC PULUMI_LANGUAGE_YAML_SRC

.PHONY: help setup up down test lint bench mutants dist sdks emulator emulator-stop clean

help:
	@echo "make up     start the local control plane and deploy the root stack (Pulumi.yaml + __main__.py)"
	@echo "make test   set everything up and run every test"
	@echo "make down   destroy the root stack and stop the local control plane"
	@echo "make lint   ruff + mypy    |  make bench   benchmarks (ratios)"
	@echo "make dist   the plugin's release archive (offline installs) and wheel, in dist/"
	@echo "make sdks   regenerate the plugin's committed SDKs (sdk/nodejs, sdk/python, sdk/go) from its schema"
	@echo "make mutants  mutation testing of the provider's pure core (mutmut; score per module)"

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[emulator,dev]'
	@touch $(STAMP)

setup: $(STAMP)
	@test -e plugin/venv || ln -s ../$(VENV) plugin/venv
	@bash scripts/build-pulumi.sh

emulator: setup
	@bash scripts/emulator.sh start $(EMULATOR_PORT)

emulator-stop:
	@bash scripts/emulator.sh stop $(EMULATOR_PORT)

up: setup
	@if [ -z "$$LANGSMITH_CONTROL_PLANE_URL" ]; then bash scripts/emulator.sh start $(EMULATOR_PORT); fi
	$(PY) scripts/stack.py up

down: setup
	@if [ -z "$$LANGSMITH_CONTROL_PLANE_URL" ]; then bash scripts/emulator.sh start $(EMULATOR_PORT); fi
	$(PY) scripts/stack.py destroy
	@bash scripts/emulator.sh stop $(EMULATOR_PORT)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# Agent environments (real builds of local-source revisions) are cached by content across runs.
export LANGSMITH_EMULATOR_AGENT_CACHE ?= $(CURDIR)/.emulator/agents
# The whole suite against the local control plane's current API and, side by side with it, the
# end-to-end and provider-host tests against `--api spec` (exactly the official spec's paths and
# fields, as issue 12 requires): scripts/run_tests.py says why and how.
test: setup lint
	$(PY) scripts/run_tests.py

bench: setup
	$(PY) -m tests.bench
	$(PY) -m tests.bench_agents

# Mutation testing (pyproject [tool.mutmut]): a fresh mutants/ every run, one mutmut worker per core.
mutants: setup
	$(PY) scripts/mutants.py --max-children $$(nproc)

# The plugin's release archive (dist/pulumi-resource-langsmith-vX.Y.Z-<os>-<arch>.tar.gz) and wheel:
# README "Install", offline.
dist: setup
	$(PY) scripts/dist.py

# The plugin's SDKs, generated from plugin/schema.json into sdk/<language> (committed; tests/test_sdks.py).
sdks: setup
	$(PY) scripts/gen_sdks.py

clean: emulator-stop
	rm -rf .pulumi .emulator
