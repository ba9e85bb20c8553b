# One target per habit. Every target sets up what it needs, so a fresh clone only needs Python 3.12+.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Prefer the Lambda runtime's Python (3.13); fall back to 3.12, then whatever python3 is.
PYTHON ?= $(shell for c in python3.13 $(HOME)/.pyenv/versions/3.13*/bin/python3.13 python3.12 \
            $(HOME)/.pyenv/versions/3.12*/bin/python3.12 python3; do \
            if $$c -c 'import sys; assert sys.version_info >= (3, 12)' >/dev/null 2>&1; then echo $$c; break; fi; done)
VENV := .venv
BIN := $(VENV)/bin
SAM_VENV := .venv-sam
CHECKOV_VENV := .venv-checkov
CHECKOV_VERSION := 3.3.30
EXPANDED := build/expanded-template.json
STAMP := $(VENV)/.installed

.PHONY: help venv test unit integration contract e2e lint format demo bench validate build sam clean \
        checkov infra browser bench-webhook bench-meta bench-triage bench-sims bench-coldstart bench-spikes \
        config-shapes

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml shared/requirements.txt
	@test -n "$(PYTHON)" || { echo "error: Python 3.12 or newer is needed (python3.13 preferred)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP) ## create .venv with the package, the local runtime and the test tools

test: $(STAMP) $(SAM_VENV)/bin/sam ## run every test (unit, integration, contract, end-to-end, infrastructure)
	$(BIN)/python -m pytest -q

unit: $(STAMP) ## pure domain tests, no AWS
	$(BIN)/python -m pytest -q tests/unit

integration: $(STAMP) ## handlers against moto
	$(BIN)/python -m pytest -q tests/integration

contract: $(STAMP) ## requests and responses against the official API descriptions
	$(BIN)/python -m pytest -q tests/contract

e2e: $(STAMP) ## replays through the real handlers
	$(BIN)/python -m pytest -q tests/e2e

lint: $(STAMP) ## ruff and cfn-lint
	$(BIN)/ruff check shared infra functions tests
	$(BIN)/ruff format --check shared infra functions tests
	$(BIN)/cfn-lint template.yaml

format: $(STAMP) ## format the code
	$(BIN)/ruff format shared infra functions tests
	$(BIN)/ruff check --fix shared infra functions tests

demo: $(STAMP) ## replay a morning on X, Facebook and Instagram against moto and simulated networks, as a timeline
	$(BIN)/socialcare demo

bench: $(STAMP) ## requests and request units per mention, dense and sparse replays, the monthly AWS cost table
	$(BIN)/python -m socialcare_local.bench

bench-webhook: $(STAMP) ## seconds from a Meta webhook's delivery to our acknowledgement
	$(BIN)/python -m socialcare_local.bench_webhook

bench-redaction: $(STAMP) ## redaction recall per category, false positives and throughput
	$(BIN)/python -m socialcare_local.bench_redaction

bench-fanout: $(STAMP) ## 500 accounts polled fanned out per account vs in series, on a slow network
	$(BIN)/python -m socialcare_local.bench_fanout

bench-triage: $(STAMP) ## triage accuracy, precision and recall per class on 333 labelled mentions
	$(BIN)/python -m socialcare_local.bench_triage

bench-meta: $(STAMP) ## Graph calls, time and cursor size of polling a Facebook page and an Instagram account
	$(BIN)/python -m socialcare_local.bench_meta_adapters

bench-sims: $(STAMP) ## ms per request against the simulated X and Meta, with and without Nagle's stall
	$(BIN)/python -m socialcare_local.bench_sims

config-shapes: $(STAMP) ## regenerate shared/socialcare/generated/config_shapes.json after changing the configuration's schema
	$(BIN)/python -m socialcare.config.shapes

bench-coldstart: $(STAMP) ## each function's cold import and wiring, as a ratio to a bare `import boto3`
	$(BIN)/python -m socialcare_local.bench_coldstart

bench-spikes: $(STAMP) ## spike detection on generated traffic: detection delay per outage, false incidents a week
	$(BIN)/python -m socialcare_local.bench_spikes

$(SAM_VENV)/bin/sam:
	@test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/python -m pip install --quiet aws-sam-cli==1.170.0

sam: $(SAM_VENV)/bin/sam ## install the SAM CLI in its own virtual environment (.venv-sam)

validate: $(SAM_VENV)/bin/sam ## sam validate --lint
	$(SAM_VENV)/bin/sam validate --lint --template template.yaml --region us-east-1

# The template as CloudFormation receives it (SAM transform applied offline; see the script).
$(EXPANDED): template.yaml tests/infrastructure/expand_template.py $(SAM_VENV)/bin/sam
	@mkdir -p $(dir $@)
	$(SAM_VENV)/bin/python tests/infrastructure/expand_template.py template.yaml > $@.tmp && mv $@.tmp $@

infra: $(STAMP) $(SAM_VENV)/bin/sam ## template and IAM tests (the expanded template needs .venv-sam)
	$(BIN)/python -m pytest -q tests/infrastructure

$(CHECKOV_VENV)/bin/checkov:
	@test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/python -m pip install --quiet checkov==$(CHECKOV_VERSION)

# Offline (--skip-download): no platform account, no guideline download. Each finding not fixed
# is skipped in its resource's Metadata with the reason; any other finding fails.
CHECKOV := $(CHECKOV_VENV)/bin/checkov --framework cloudformation --skip-download --compact --quiet

checkov: $(CHECKOV_VENV)/bin/checkov $(EXPANDED) ## checkov on template.yaml and on the expanded template
	$(CHECKOV) --file template.yaml
	$(CHECKOV) --file $(EXPANDED)

# The directory of a python3.13 that really runs (pyenv's shims can loop when 3.13 isn't selected).
PY313_DIR := $(shell for c in $(HOME)/.pyenv/versions/3.13*/bin/python3.13 python3.13; do \
            if $$c -c 'import sys; assert sys.version_info[:2] == (3, 13)' >/dev/null 2>&1; then \
              dirname "$$(command -v $$c)"; break; fi; done)

build: $(SAM_VENV)/bin/sam ## sam build (needs python3.13, the runtime's version)
	@test -n "$(PY313_DIR)" || { echo "error: sam build needs python3.13 (the Lambda runtime); install it"; exit 1; }
	PATH="$(PY313_DIR):$$PATH" $(SAM_VENV)/bin/sam build --template template.yaml

clean: ## remove the virtual environments and build output
	rm -rf $(VENV) $(SAM_VENV) .aws-sam .pytest_cache .ruff_cache

browser: ## Debian's Chromium and chromedriver for the claim page's browser test (apt-get, when missing)
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then exit 0; fi; \
	  command -v apt-get >/dev/null || { echo "error: make browser needs apt-get (Debian) to install chromium"; exit 1; }; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null || \
	  { echo "error: installing chromium and chromium-driver with apt-get failed"; exit 1; }; \
	  [ -x /usr/bin/chromium ] || { echo "error: /usr/bin/chromium missing after the install"; exit 1; }

.PHONY: botocore-data
botocore-data: $(STAMP) ## regenerate the layer's trimmed botocore data (after changing its services or botocore)
	$(BIN)/python -m socialcare.runtime.botocore_data shared/botocore_data
