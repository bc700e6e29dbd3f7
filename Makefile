# Deep Learning, Verified: every command a contributor or CI needs.
# `make serve` and `make test` set everything up themselves on a fresh machine
# (Python 3.11 and Node.js on the PATH): virtual environments, pinned packages, KaTeX.

SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= python3
BACKENDS ?= tensorflow jax torch
PIP_FLAGS ?= --quiet --disable-pip-version-check
export NO_MKDOCS_2_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 3
export TF_ENABLE_ONEDNN_OPTS := 0
export PYTHONDONTWRITEBYTECODE := 1

# One virtual environment per Keras backend; the TensorFlow one also builds the site.
venv_tensorflow := .venv
venv_jax := .venv-jax
venv_torch := .venv-torch
SITE_PY := $(venv_tensorflow)/bin/python
# The browser tests drive this Chromium; Debian's package by default (GitHub's runners
# set CHROMIUM to their preinstalled Chrome).
export CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help serve site test test-fast test-pages test-tooling update page clean
help:
	@echo "make serve        build and serve the site on http://127.0.0.1:8000 (live reload)"
	@echo "make test         the whole verification: every page on every backend, site, links, lint, machinery"
	@echo "make test-fast    every page on TensorFlow only, then the site and machinery checks"
	@echo "make update       rewrite shown outputs and figures from real runs (TensorFlow, seed 0)"
	@echo "make page PAGE=docs/foundations/neuron.md [UPDATE=1] [BACKENDS=jax]   one page"

# --- environments --------------------------------------------------------------------
define venv_rule
$(1)/.installed: requirements/base.txt requirements/$(2).txt
	@echo "setting up $(1) (Keras on $(2))"
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version'
	$(PYTHON) -m venv $(1)
	$(1)/bin/python -m pip install $(PIP_FLAGS) -r requirements/$(2).txt 2>&1 | { grep -v "^WARNING: Location" || true; }
	$(1)/bin/python -m pip check > /dev/null
	touch $$@
endef
$(foreach b,tensorflow jax torch,$(eval $(call venv_rule,$(venv_$(b)),$(b))))

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CHROMIUM):
	@echo "installing Debian's chromium for the browser tests"
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null

# --- the site ------------------------------------------------------------------------
serve: .venv/.installed node_modules/.installed
	$(venv_tensorflow)/bin/mkdocs serve --dev-addr 127.0.0.1:8000

site: .venv/.installed node_modules/.installed
	DLV_REQUIRE_STAMPS=$(DLV_REQUIRE_STAMPS) $(venv_tensorflow)/bin/mkdocs build --strict

# --- verification --------------------------------------------------------------------
test: test-pages test-tooling

test-fast:
	$(MAKE) test BACKENDS=tensorflow

# Every block of every page, once per backend, each in its own environment.
test-pages: $(foreach b,$(BACKENDS),$(venv_$(b))/.installed)
	@set -e; for backend in $(BACKENDS); do \
	  case $$backend in tensorflow) venv=$(venv_tensorflow);; *) venv=.venv-$$backend;; esac; \
	  echo "=== pages on $$backend ==="; \
	  KERAS_BACKEND=$$backend $$venv/bin/python -m pytest docs -q; \
	done

# The machinery: the verifier's own tests, the strict site build with stamps and link
# checks, and the workflow linters. Stamps must cover the backends that were just run.
test-tooling: .venv/.installed node_modules/.installed $(CHROMIUM)
	DLV_EXPECT_BACKENDS="$(BACKENDS)" $(SITE_PY) -m pytest tests -q

update: .venv/.installed
	KERAS_BACKEND=tensorflow DLV_SEED=0 $(SITE_PY) -m pytest docs -q --update-outputs

page: $(foreach b,$(BACKENDS),$(venv_$(b))/.installed)
	@test -n "$(PAGE)" || { echo "usage: make page PAGE=docs/<part>/<page>.md [UPDATE=1]"; exit 2; }
	@set -e; for backend in $(if $(UPDATE),tensorflow,$(BACKENDS)); do \
	  case $$backend in tensorflow) venv=$(venv_tensorflow);; *) venv=.venv-$$backend;; esac; \
	  KERAS_BACKEND=$$backend $$venv/bin/python -m pytest $(PAGE) -q $(if $(UPDATE),--update-outputs); \
	done

clean:
	rm -rf site .verification
