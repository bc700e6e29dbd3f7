# Deep Learning, Verified: every command a contributor or CI needs.
# `make serve` and `make test` set everything up themselves on a fresh machine
# (Python 3.11 and Node.js on the PATH): virtual environments, pinned packages, Temml.

SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= python3
BACKENDS ?= tensorflow jax torch
PIP_FLAGS ?= --quiet --disable-pip-version-check
export NO_MKDOCS_2_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 3
export TF_ENABLE_ONEDNN_OPTS := 0
export PYTHONDONTWRITEBYTECODE := 1
# JAX compiles every new model with XLA, most of its pages' time; compiled programs are kept
# in .cache/jax and reused by the next run (the same program, so the same numbers).
export JAX_COMPILATION_CACHE_DIR ?= $(CURDIR)/.cache/jax
export JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS ?= 0
export JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES ?= 0

# One virtual environment per Keras backend; the TensorFlow one also builds the site.
venv_tensorflow := .venv
venv_jax := .venv-jax
venv_torch := .venv-torch
SITE_PY := $(venv_tensorflow)/bin/python
# The browser tests drive this Chromium; Debian's package by default (GitHub's runners
# set CHROMIUM to their preinstalled Chrome).
export CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# `make test` sums every backend's floats as another machine would. `make update` writes the shown
# outputs and figures with each backend's own settings; a reader's machine (another CPU, thread
# count or kernel library) sums the same floats in another order, and the page must still hold:
#   TensorFlow  update: oneDNN off, every core   tests: oneDNN on (its default on x86), one thread per process
#   JAX         update: XLA's default code        tests: XLA without LLVM's optimisations (compiles faster)
#   PyTorch     update: every core                tests: one thread per process
# (one thread per process: a worker on each core). In a shell loop over $$backend: sets the bash
# array $$arithmetic to that backend's settings for the tests. XLA's older elemental emitters
# (fusion emitters off) compile about a third faster, and a fresh clone's JAX pages compile every
# program anew (one run: 165 s with the fusion emitters, of which about 67 s compiling).
tf_one_thread := TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1 OMP_NUM_THREADS=1
other_machine = case $$backend in \
  tensorflow) arithmetic=(TF_ENABLE_ONEDNN_OPTS=1 $(tf_one_thread));; \
  jax) arithmetic=("XLA_FLAGS=--xla_backend_optimization_level=0 --xla_cpu_use_fusion_emitters=false");; \
  torch) arithmetic=(OMP_NUM_THREADS=1 MKL_NUM_THREADS=1);; esac
SEEDS ?= 1 2 3 4
# Pages run in parallel, one page per pytest-xdist worker, each paying the Keras import once.
# JAX and PyTorch keep both cores busy with two workers (three were slower). TensorFlow's
# single-threaded workers, the notebooks' kernels and the machinery's tests (browser, builds)
# wait part of the time, so they get a third worker (on 2 cores: TensorFlow pages 191 -> 171 s,
# notebooks and labs 240 -> 197 s with one thread per kernel, machinery 256 -> 213 s).
WORKERS ?= 2
WAITING_WORKERS ?= 3
workers_of = case $$backend in tensorflow) workers=$(WAITING_WORKERS);; *) workers=$(WORKERS);; esac

.PHONY: help lock notebooks labs test-notebooks mathfont lighthouse section-heights serve site test test-fast test-pages test-tooling test-seeds test-fresh test-latest spread bench update page clean
help:
	@echo "make serve        build and serve the site on http://127.0.0.1:8000 (live reload)"
	@echo "make test         the whole verification: every page on every backend, site, links, lint, machinery"
	@echo "make test-fast    every page on TensorFlow only, then the site and machinery checks"
	@echo "make update       rewrite shown outputs and figures from real runs (seed 0, each backend its own tabs)"
	@echo "make test-seeds   every page on every backend under seeds 1-4 (SEEDS=..., BACKENDS=...)"
	@echo "make test-fresh   every chain of blocks in a new Python process, as pasted (slow)"
	@echo "make test-latest  the pages against the newest Keras, backend and NumPy (LATEST_BACKEND=jax ...)"
	@echo "make bench        time the pages per backend, the slowest blocks, the builds"
	@echo "make spread       record every output under seeds 0-4 on every backend and report how far each moved"
	@echo "make lighthouse   Lighthouse mobile scores, bytes, DOM size, LCP, TBT per page (PAGES=\"/ /foundations/neuron/\" RUNS=3)"
	@echo "make section-heights  fit the weights of the sections' height estimates to their drawn heights"
	@echo "make mathfont     re-cut the site's math font to the characters the formulas use"
	@echo "make labs         re-execute the labs (docs/labs/*.ipynb) and store their outputs (LAB=cnn-on-digits)"
	@echo "make lock         re-resolve requirements/*.lock (hashed) from the pins in requirements/*.txt"
	@echo "make page PAGE=docs/foundations/neuron.md [UPDATE=1] [BACKENDS=jax]   one page"

# --- environments --------------------------------------------------------------------
# Each environment installs exactly its lock file, every package checked against its hash, and
# compiled to bytecode: uv does not compile by default, and with PYTHONDONTWRITEBYTECODE (above)
# every process, kernel and build then compiled Keras and TensorFlow anew (`import keras` 8-9 s
# instead of 4 s on TensorFlow). The lock file:
# requirements/<backend>.txt holds the top-level pins, `make lock` resolves them into
# requirements/<backend>.lock with uv. uv itself comes from pip, hash-checked (requirements/tools.lock).
# uv reads find-links from UV_FIND_LINKS; machines that keep local wheels for pip (PIP_FIND_LINKS,
# for example PyTorch's CPU build) pass them on. CI on GitHub names PyTorch's CPU index instead.
UV_VENV := .venv-uv
UV := $(UV_VENV)/bin/uv
export UV_FIND_LINKS ?= $(PIP_FIND_LINKS)
# The locks are resolved for this Python and platform (pymdown-extensions needs 3.11.5 or newer).
LOCK_PYTHON := 3.11.7
LOCK_PLATFORM := x86_64-manylinux_2_28

$(UV_VENV)/.installed: requirements/tools.lock
	$(PYTHON) -m venv $(UV_VENV)
	$(UV_VENV)/bin/python -m pip install $(PIP_FLAGS) --require-hashes -r requirements/tools.lock 2>&1 \
	  | { grep -v "^WARNING: Location" || true; }
	touch $@

define venv_rule
$(1)/.installed: requirements/$(2).lock $(UV_VENV)/.installed
	@echo "setting up $(1) (Keras on $(2))"
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version'
	$(PYTHON) -m venv $(1)
	$(UV) pip install --quiet --compile-bytecode --python $(1)/bin/python --require-hashes -r requirements/$(2).lock
	$(UV) pip check --quiet --python $(1)/bin/python
	touch $$@
endef
$(foreach b,tensorflow jax torch,$(eval $(call venv_rule,$(venv_$(b)),$(b))))

# Re-resolve the locks after a change to the pins in requirements/*.txt (versions already
# locked are kept unless a pin moves them; UPGRADE=1 moves every package to its newest release).
lock: $(UV_VENV)/.installed
	@set -e; for name in tensorflow jax torch tools; do \
	  $(UV) pip compile --quiet requirements/$$name.txt --generate-hashes $(if $(UPGRADE),--upgrade) \
	    --python-version $(LOCK_PYTHON) --python-platform $(LOCK_PLATFORM) \
	    --custom-compile-command "make lock" -o requirements/$$name.lock; \
	done

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CHROMIUM):
	@echo "installing Debian's chromium for the browser tests"
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null

# --- the site ------------------------------------------------------------------------
# Live reload without the search index, most of a rebuild; after an edit only the edited
# page is rebuilt (--dirty; restart after a change to the nav). `make serve FULL=1` builds
# everything each time. `make test` and CI check the rendered links (tests/test_links.py).
# Not strict while dirty: a dirty build always warns that its navigation may be stale.
serve: .venv/.installed node_modules/.installed
	$(if $(FULL),,SEARCH_INDEX=false) $(venv_tensorflow)/bin/mkdocs serve --dev-addr 127.0.0.1:8000 $(if $(FULL),,--dirty --no-strict)

site: .venv/.installed node_modules/.installed
	DLV_REQUIRE_STAMPS=$(DLV_REQUIRE_STAMPS) $(venv_tensorflow)/bin/mkdocs build --strict

# The site ships Latin Modern Math cut to the characters its formulas draw
# (docs/assets/math/latinmodern-math.woff2, committed). A build that needs a character the
# cut lacks fails and names this command, which builds the site and re-cuts the font.
mathfont: .venv/.installed node_modules/.installed
	DLV_WRITE_MATHFONT=1 SEARCH_INDEX=false $(venv_tensorflow)/bin/mkdocs build --strict --site-dir $$(mktemp -d)

# Lighthouse (mobile, median of RUNS) over the built site served with gzip: a benchmark, not a
# test (bench/lighthouse.py). Lighthouse lives in bench/, apart from what builds the site.
bench/node_modules/.installed: bench/package.json bench/package-lock.json
	npm ci --prefix bench --no-audit --no-fund --loglevel=error
	touch $@

lighthouse: .venv/.installed node_modules/.installed bench/node_modules/.installed $(CHROMIUM)
	@site=$$(mktemp -d) && $(venv_tensorflow)/bin/mkdocs build --strict --quiet --site-dir $$site \
	  && $(SITE_PY) bench/lighthouse.py $$site --runs $(or $(RUNS),3) $(if $(PAGES),--pages $(PAGES))

# The weights of the sections' height estimates (site_hooks/lazy_sections.py), fitted to their drawn heights.
section-heights: .venv/.installed $(CHROMIUM)
	@site=$$(mktemp -d) && $(venv_tensorflow)/bin/mkdocs build --strict --quiet --site-dir $$site \
	  && $(SITE_PY) bench/section_heights.py $$site

# --- verification --------------------------------------------------------------------
test: test-pages test-tooling test-notebooks

test-fast:
	$(MAKE) test BACKENDS=tensorflow

# Every block of every page, once per backend, each in its own environment; every backend
# runs even when one fails, so that one run shows every failure. The heaviest pages start first
# (by recorded seconds, verifier/shards.py), in that order: --no-loadscope-reorder. SHARD=2/3 runs the second
# third of the pages (whole pages; CI splits each backend across jobs this way).
test-pages: $(foreach b,$(BACKENDS),$(venv_$(b))/.installed)
	@failed=; for backend in $(BACKENDS); do \
	  case $$backend in tensorflow) venv=$(venv_tensorflow);; *) venv=.venv-$$backend;; esac; \
	  $(other_machine); $(workers_of); \
	  echo "=== pages on $$backend, seed offset $${DLV_SEED:-0}, $$workers workers, as another machine sums: $${arithmetic[*]}"; \
	  env KERAS_BACKEND=$$backend "$${arithmetic[@]}" $$venv/bin/python -m pytest docs -q -n $$workers --dist loadfile --no-loadscope-reorder $(if $(SHARD),--shard $(SHARD)) $(PYTEST_ARGS) \
	    || failed="$$failed $$backend"; \
	done; \
	if [ -n "$$failed" ]; then echo "pages failed on:$$failed"; exit 1; fi

# Every assertion must hold for seeds 0-4 (CONTRIBUTING.md); the weekly workflow runs this.
test-seeds:
	@set -e; for seed in $(SEEDS); do DLV_SEED=$$seed $(MAKE) --no-print-directory test-pages; done

# Every chain of blocks in a new Python, as a reader pastes it (weekly; one Keras import per chain).
test-fresh:
	$(MAKE) --no-print-directory test-pages PYTEST_ARGS="--fresh-process"

# The book against the newest releases of Keras, the backend and NumPy (unpinned; weekly in CI):
# what a reader who installs today gets. The pages that fail are listed at the end.
LATEST_BACKEND ?= tensorflow
test-latest:
	rm -rf .venv-latest
	$(PYTHON) -m venv .venv-latest
	.venv-latest/bin/python -m pip install $(PIP_FLAGS) -r requirements/base.txt
	.venv-latest/bin/python -m pip install $(PIP_FLAGS) --upgrade keras numpy \
	  $$(case $(LATEST_BACKEND) in tensorflow) echo tensorflow-cpu;; jax) echo jax jaxlib;; torch) echo torch;; esac)
	@.venv-latest/bin/python -m pip list 2>/dev/null | grep -iE "^(keras|numpy|tensorflow[-_]cpu|jax|jaxlib|torch) " \
	  | tee .latest.log || true
	KERAS_BACKEND=$(LATEST_BACKEND) .venv-latest/bin/python -m pytest docs -q -n $(WORKERS) --dist loadfile \
	  2>&1 | tee -a .latest.log | tail -40; \
	  status=$${PIPESTATUS[0]}; echo "pages that fail with the newest releases:"; \
	  grep -oE "^FAILED docs/[^:]+\.md" .latest.log | sort | uniq -c || echo "  none"; exit $$status

# Times: pages per backend against their lower bound, slowest blocks, seconds per page, builds.
bench: $(foreach b,$(BACKENDS),$(venv_$(b))/.installed) node_modules/.installed
	$(SITE_PY) -m verifier.benchmark $(BACKENDS)

# How far shown outputs and figures move across backends and seeds: the data for a tolerance.
spread:
	rm -rf .spread
	@set -e; for seed in 0 $(SEEDS); do \
	  DLV_SEED=$$seed $(MAKE) --no-print-directory test-pages PYTEST_ARGS="--record-outputs .spread" || true; \
	done
	$(SITE_PY) -m verifier.spread .spread docs

# The machinery: the verifier's own tests, the strict site build with stamps and link
# checks, and the workflow linters. Stamps must cover the backends that were just run.
test-tooling: .venv/.installed node_modules/.installed $(CHROMIUM)
	DLV_EXPECT_BACKENDS="$(BACKENDS)" $(SITE_PY) -m pytest tests -q -n $(WAITING_WORKERS) --ignore=tests/test_notebooks.py --ignore=tests/test_labs.py

# Every chapter's notebook (docs/notebooks/, generated and committed): current with its page,
# and run top to bottom on a fresh Jupyter kernel, on TensorFlow, three kernels at a time. The labs
# (docs/labs/, written by hand) too, each compared with the outputs it stores (tests/test_labs.py).
# Each kernel sums with one thread, where `make labs` wrote the labs' outputs with every core.
# The longest start first (the labs, then the chapters by their pages' recorded seconds): with
# the labs last, the run ended on one lab (205 -> 190 s).
test-notebooks: .venv/.installed
	$(tf_one_thread) $(SITE_PY) -m pytest tests/test_labs.py tests/test_notebooks.py -q -n $(WAITING_WORKERS)

# Re-executes the labs (docs/labs/*.ipynb) on a fresh kernel and stores their outputs, which their
# pages show (LAB=cnn-on-digits for one); read the diff and commit it.
labs: .venv/.installed
	$(SITE_PY) -m site_hooks.labs $(LAB)

# Writes docs/notebooks/ from the chapters (site_hooks/notebook.py); commit what it writes.
notebooks: .venv/.installed
	$(SITE_PY) -m site_hooks.notebook

# TensorFlow writes the shared outputs and figures; then each backend writes its own tabs
# (and checks the shared outputs against what TensorFlow just wrote), with each backend's own
# settings: the tests then run them as another machine would (other_machine, above).
update: $(foreach b,$(BACKENDS),$(venv_$(b))/.installed)
	@set -e; for backend in $(BACKENDS); do \
	  case $$backend in tensorflow) venv=$(venv_tensorflow);; *) venv=.venv-$$backend;; esac; \
	  env KERAS_BACKEND=$$backend DLV_SEED=0 $$venv/bin/python -m pytest $(or $(PAGE),docs) -q --update-outputs; \
	done
	$(SITE_PY) -m site_hooks.notebook

page: $(foreach b,$(BACKENDS),$(venv_$(b))/.installed)
	@test -n "$(PAGE)" || { echo "usage: make page PAGE=docs/<part>/<page>.md [UPDATE=1]"; exit 2; }
	@set -e; for backend in $(BACKENDS); do \
	  case $$backend in tensorflow) venv=$(venv_tensorflow);; *) venv=.venv-$$backend;; esac; \
	  $(if $(UPDATE),arithmetic=(),$(other_machine)); \
	  env KERAS_BACKEND=$$backend "$${arithmetic[@]}" $$venv/bin/python -m pytest $(PAGE) -q $(if $(UPDATE),--update-outputs) $(PYTEST_ARGS); \
	done
	$(if $(UPDATE),$(SITE_PY) -m site_hooks.notebook)

clean:
	rm -rf site .verification .spread .venv-latest .latest.log
