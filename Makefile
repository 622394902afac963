# The two commands: `make run` and `make test`. Both set up what they need on a fresh Debian.
SHELL := /bin/bash
export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/barber
export NATS_URL ?= nats://127.0.0.1:4222
export BIND ?= 0.0.0.0:8080
PSQL := psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA

.PHONY: run test services lint unit-tests clean-test-databases bench build web web-check browser deploy-check

## Starts the whole system (every role in one process) with a demo business to log in to.
run: services web
	cargo build --release -p barber
	./target/release/barber seed
	@echo "barber: open http://127.0.0.1:$${BIND##*:}/  (API docs: /api/docs)"
	./target/release/barber all

## Formatting, lints and every test, against the real Postgres and NATS.
test: services lint web-check deploy-check browser clean-test-databases unit-tests

services:
	@bash scripts/services.sh

## The web app's build (web/dist), which `barber all` serves; from the committed lockfile.
web:
	cd web && npm ci --no-audit --no-fund && npm run build

## The web app's checks: its API types match the served OpenAPI document, type check, lint,
## unit tests, and the build the end-to-end tests (in `unit-tests`) drive in Chromium.
web-check: web
	cd web && npm run check:api && npm run typecheck && npm run lint && npm test

browser:
	@bash scripts/browser.sh

## The deployment files against their published schemas: docker-compose.yml, and every object
## of the Kubernetes overlays as `kubectl kustomize` renders them, strictly (an unknown field
## fails). Broken fixtures must fail the same checks.
deploy-check:
	cd scripts/deploy-check && npm ci --no-audit --no-fund && npm run check

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --locked -- -D warnings

unit-tests:
	cargo nextest run --workspace --locked --no-fail-fast

## Databases left behind by interrupted test runs (the migrated templates stay).
clean-test-databases:
	@$(PSQL) -c "select format('drop database if exists %I with (force)', datname) from pg_database where datname like 'barber\_test\_%' and datname not like 'barber\\_test\\_template\\_%'" | while read -r sql; do $(PSQL) -c "$$sql"; done

## Throughput and latency next to the machine's own pgbench baseline; writes bench/results.md.
bench: services web browser
	cargo build --release -p barber
	bash bench/run.sh

build:
	cargo build --workspace
