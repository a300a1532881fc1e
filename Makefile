# Facelens: the two commands a newcomer needs are `make dev` and `make test`.
SHELL := /bin/bash
CARGO ?= cargo
PORT ?= 3000
DATA_DIR ?= ./.facelens

.PHONY: dev test models web-build web-test infra-test lint cargo-test

## Build what is needed and start the whole product on http://127.0.0.1:$(PORT)
dev: models web-build
	$(CARGO) run --release -p facelens -- serve --port $(PORT) --data-dir $(DATA_DIR)

## Everything CI runs.
test: models lint cargo-test web-test infra-test

## Fetch and verify the ONNX models (idempotent; nothing at run time).
models:
	bash scripts/models/fetch.sh

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

cargo-test:
	$(CARGO) test --workspace

web-build:
	bash scripts/web-build.sh

web-test:
	bash scripts/web-test.sh

infra-test:
	bash scripts/infra-test.sh
