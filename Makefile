# The two commands: `make run` and `make test`. Both set up what they need on a fresh Debian.
SHELL := /bin/bash
export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/barber
export NATS_URL ?= nats://127.0.0.1:4222
export BIND ?= 0.0.0.0:8080
PSQL := psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA

.PHONY: run test services lint unit-tests clean-test-databases bench build

## Starts the whole system (every role in one process) with a demo business to log in to.
run: services
	cargo build --release -p barber
	./target/release/barber seed
	@echo "barber: serving on http://127.0.0.1:$${BIND##*:}  (API docs: /api/docs)"
	./target/release/barber all

## Formatting, lints and every test, against the real Postgres and NATS.
test: services lint clean-test-databases unit-tests

services:
	@bash scripts/services.sh

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --locked -- -D warnings

unit-tests:
	cargo nextest run --workspace --locked --no-fail-fast

## Databases left behind by interrupted test runs (the migrated templates stay).
clean-test-databases:
	@$(PSQL) -c "select format('drop database if exists %I with (force)', datname) from pg_database where datname like 'barber\_test\_%' and datname not like 'barber\\_test\\_template\\_%'" | while read -r sql; do $(PSQL) -c "$$sql"; done

## Throughput and latency next to the machine's own pgbench baseline; writes bench/results.md.
bench: services
	cargo build --release -p barber
	bash bench/run.sh

build:
	cargo build --workspace
