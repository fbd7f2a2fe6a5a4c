# One entry point for people and CI alike. `make dev` and `make test` set up what they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# What is installed, by the hash of the files that say it: the local stack's set (make dev),
# and everything (make test and the rest), which includes it.
LOCAL_STAMP := $(VENV)/.local-$(shell cat requirements.txt requirements-local.txt | sha256sum | cut -c1-12)
STAMP       := $(VENV)/.installed-$(shell cat requirements.txt requirements-local.txt requirements-dev.txt | sha256sum | cut -c1-12)

.PHONY: help dev web web-test test lint audit fuzz fuzz-atheris format bench migrate manifests manifests-check openapi image image-test image-local synth prove clean

# Bare `make` lists the targets rather than building the first rule (the virtualenv).
.DEFAULT_GOAL := help

## help: list the targets below with what each does (bare `make` does this too)
help:
	@awk 'match($$0, /^## [A-Za-z0-9_-]+: /) { n++; name[n] = substr($$0, 4, RLENGTH - 5); \
		text[n] = substr($$0, RLENGTH + 1); if (length(name[n]) > width) width = length(name[n]) } \
		END { print "make <target>, where <target> is one of:"; \
		for (i = 1; i <= n; i++) printf "  %-" width "s  %s\n", name[i], text[i] }' $(MAKEFILE_LIST)

define install
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile -r $(1)
endef

$(LOCAL_STAMP): requirements.txt requirements-local.txt
	$(call install,requirements-local.txt)
	rm -f $(VENV)/.local-* && touch $@

$(STAMP): requirements.txt requirements-local.txt requirements-dev.txt
	$(call install,requirements-dev.txt)
	rm -f $(VENV)/.installed-* $(VENV)/.local-* && touch $@ $(LOCAL_STAMP)

WEB_STAMP := web/node_modules/.installed

$(WEB_STAMP): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The SPA is built again only when something it is built from changed.
WEB_SOURCES := $(shell find web/src web/public -type f) web/index.html web/vite.config.ts web/tsconfig.json \
               web/scripts/bundle-size.mjs

# The type check is lint's (make test); serving needs the bundle and its size check.
web/dist/index.html: $(WEB_STAMP) $(WEB_SOURCES)
	cd web && npx vite build --logLevel warn && node scripts/bundle-size.mjs

## web: build the SPA into web/dist when its sources changed (make dev serves it)
web: web/dist/index.html

## dev: the whole product on http://localhost:8000 (embedded PostgreSQL unless DATABASE_URL is set)
dev: $(LOCAL_STAMP) web
	$(BIN)/python -m functions.devserver

## test: lint, the Python tests, the SPA's tests, then the browser tests against the real stack
test: $(STAMP) lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	$(MAKE) web-test

## web-test: the SPA's Vitest suite, then its Playwright tests against the whole stack (installs Chromium if needed)
web-test: $(STAMP) web
	cd web && npm test
	scripts/ensure-chromium.sh
	cd web && npm run e2e:stack

# Two workers: the suite's subprocess and database tests overlap well on two cores.
PYTEST_ARGS ?= -n 2

## lint: ruff (rules and format), mypy, the layer contracts (import-linter); tsc and ESLint for the SPA
lint: $(STAMP) $(WEB_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	cd web && npm run lint

## audit: supply-chain scans: bandit, pip-audit, npm audit --omit=dev (AUDIT_OFFLINE=1: bandit alone)
audit: $(STAMP)
	scripts/audit.sh

## format: format the Python tree (ruff format) and apply ruff's automatic fixes
format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## bench: the runtime's performance ratios (see benchmarks/RESULTS.md)
bench: $(STAMP)
	$(BIN)/python benchmarks/runtime.py

## manifests: render knative/ from the catalog (commit the result)
manifests: $(STAMP)
	$(BIN)/python knative/render.py

## manifests-check: fail when knative/ differs from a fresh rendering of the catalog
manifests-check: $(STAMP)
	$(BIN)/python knative/render.py --check

## image: build the container image (podman, else docker); IMAGE and IMAGE_BASE choose tag and base
image:
	scripts/image.sh

## image-test: run the built image as the cluster would (TASKFORGE_IMAGE, default localhost/taskforge:dev)
image-test: $(STAMP)
	TASKFORGE_IMAGE=$${TASKFORGE_IMAGE:-$${IMAGE:-localhost/taskforge:dev}} $(BIN)/python -m pytest tests/image $(PYTEST_ARGS)

## image-local: on a machine without registries: set up podman, build on a bootstrapped Debian base, test
image-local: $(STAMP)
	scripts/podman-setup.sh
	IMAGE_BASE=localhost/debian-python:bookworm scripts/image.sh
	$(MAKE) image-test

## synth: synthesize the CDK app (offline: no lookups; example account and domains, see cdk/environments.py)
synth: $(STAMP)
	$(BIN)/python cdk/app.py --example

## openapi: regenerate the merged OpenAPI document (commit the result)
openapi: $(STAMP)
	$(BIN)/python -m tools.openapi --write

## prove: resilience proofs (fault tests, a 30 s mixed load, the same load with Redis killed; benchmarks/RESULTS.md)
prove: $(STAMP)
	PROVE_REMINDERS=10000 $(BIN)/python -m pytest -q tests/prove
	$(BIN)/python benchmarks/prove/load.py --seconds 30
	$(BIN)/python benchmarks/prove/load.py --seconds 60 --levels '' --redis-fault

## fuzz: hostile input at length: the runtime over raw sockets, then schemathesis with a larger budget (~11 min; benchmarks/RESULTS.md)
fuzz: $(STAMP)
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-2000} $(BIN)/python -m pytest -q -p no:xdist tests/fuzz --hypothesis-show-statistics
	SCHEMATHESIS_MAX_EXAMPLES=$${SCHEMATHESIS_MAX_EXAMPLES:-200} SCHEMATHESIS_MAX_STEPS=$${SCHEMATHESIS_MAX_STEPS:-40} \
		$(BIN)/python -m pytest -q -p no:xdist tests/functional/openapi/test_schemathesis.py

## fuzz-atheris: coverage-guided fuzz of the runtime's event building (FUZZ_SECONDS, default 600; Linux x86_64)
fuzz-atheris: $(STAMP)
	$(BIN)/python -m pip install --quiet -r requirements-fuzz.txt
	mkdir -p .fuzz-corpus
	$(BIN)/python tests/fuzz/atheris_events.py -max_total_time=$${FUZZ_SECONDS:-600} .fuzz-corpus tests/fuzz/atheris_seeds

## migrate: apply database migrations to DATABASE_URL (production runs this as a Job)
migrate: $(STAMP)
	$(BIN)/python -m functions.platform.migrate

## clean: remove .venv and the Python tools' caches
clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
