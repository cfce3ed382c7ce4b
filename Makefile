# Fanout: `make serve` to use it, `make test` to check it.
# Both install whatever is missing first (scripts/setup.sh; idempotent).
SHELL := /bin/bash
export PATH := $(CURDIR)/.tools/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

.PHONY: serve dist test audit local-model test-local-model soak soak-long bench profile split-probe screenshots setup setup-test setup-bench lint unit browser clean

## Install the build tools if missing, then serve on http://127.0.0.1:8765 and open a browser.
serve: setup
	trunk serve --open

## Build the static site into dist/ (host it anywhere, also under a sub-path);
## fails when the page's wasm is over the budget in wasm-budget.json.
dist: setup
	trunk build --release --offline
	node scripts/precompress.mjs dist
	node scripts/wasm_budget.mjs dist

## Every test layer: format, lints (native + wasm32), native unit + contract
## tests, then browser tests of the release build against a local server.
test: setup-test lint audit unit dist browser

## Audit Cargo.lock against the RustSec snapshot (../shared/rustsec, or
## FANOUT_RUSTSEC), offline, warnings denied (scripts/audit.sh says what is
## ignored and why).
audit: setup-test
	scripts/audit.sh

## A real small model on this machine (SmolLM2-135M-Instruct through
## node-llama-cpp's prebuilt binding; no key, no compile), answering at
## http://127.0.0.1:8081/v1 (FANOUT_LOCAL_MODEL_PORT to change).
local-model:
	@scripts/setup.sh local-model
	node scripts/local_model.mjs --port $${FANOUT_LOCAL_MODEL_PORT:-8081}

## The six tasks in the browser against that model (about a minute).
test-local-model: setup-test dist
	@scripts/setup.sh local-model
	cd e2e && npx playwright test --config local-model.config.ts

## Only the soak test (also part of `make test`): 1,000 batch requests
## against a server failing at random; nothing lost, every attempt counted.
soak: setup-test dist
	cd e2e && npx playwright test soak.spec.ts

## The long soak (not in `make test`): 10,000 batch requests against a
## server failing at random, a reload half-way; every result once, every
## attempt counted, heap flat, no long task (285 s measured here; in CI).
soak-long: setup-test dist
	cd e2e && npx playwright test --config long-soak.config.ts

## Retake the README's screenshots (docs/screenshots/*.png) in demo mode.
screenshots: setup-test dist
	cd e2e && npx playwright test --config screenshots.config.ts

## Benchmark the built app against a local server with controlled latencies:
## prints medians (min–max) and writes bench/results.json.
bench: setup-bench dist
	node bench/bench.mjs

## Where start-up time goes: a CPU profile of a build with function names,
## from navigation to Run enabled (the longest task's heaviest functions).
profile: setup-bench dist
	node bench/profile.mjs

## What code splitting (Leptos #[lazy] + wasm-split) would do to the page's
## first load, measured on a patched copy: writes bench/split_probe.json.
split-probe: setup
	python3 bench/split_probe.py

setup:
	@scripts/setup.sh build

setup-test:
	@scripts/setup.sh test

setup-bench:
	@scripts/setup.sh bench

lint:
	node scripts/lint_workflows.mjs
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --all-targets --target wasm32-unknown-unknown -- -D warnings

unit:
	cargo test

browser:
	cd e2e && npx playwright test

clean:
	cargo clean
	rm -rf dist e2e/test-results
