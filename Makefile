# Facelens: the two commands a newcomer needs are `make dev` and `make test`.
SHELL := /bin/bash
CARGO ?= cargo
PORT ?= 3000
DATA_DIR ?= ./.facelens

.PHONY: dev test models web-build web-test infra-test lint deny cargo-test deploy destroy lambdas

## Build what is needed and start the whole product on http://127.0.0.1:$(PORT)
dev: models web-build
	$(CARGO) run --release -p facelens -- serve --port $(PORT) --data-dir $(DATA_DIR)

## Everything CI runs.
test: models lint deny cargo-test web-test infra-test

## Fetch and verify the ONNX models (idempotent; nothing at run time).
models:
	bash scripts/models/fetch.sh

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

## Licences and sources of every dependency (advisories need the network: see deny.toml).
deny:
	bash scripts/deny.sh

## The black-box tests start the real binary, so it is built first, with --all-targets: that
## unifies features as `cargo test` does, so the test run reuses every crate of that one build
## (`-p facelens` alone would build many crates twice). The AWS adapter tests start moto and
## s3s-fs, which scripts/aws-test-setup.sh installs.
cargo-test: models
	bash scripts/aws-test-setup.sh
	$(CARGO) build --workspace --all-targets
	$(CARGO) test --workspace

web-build: models
	bash scripts/web-build.sh

web-test:
	bash scripts/web-test.sh

infra-test:
	bash scripts/infra-test.sh

## Deploy to the AWS account of the current credentials (see infra/README.md).
deploy:
	bash scripts/deploy.sh

## Remove the deployed stack.
destroy:
	bash scripts/destroy.sh

## One zip per Lambda under target/lambda (cargo-lambda, release profile), with their sizes.
lambdas:
	bash scripts/lambdas.sh
