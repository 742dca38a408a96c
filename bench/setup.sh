#!/usr/bin/env bash
# Installs the peers the benchmark compares opsgate with, under target/peers/bench/: the real Open
# Policy Agent (Go, embedded in the PyPI wheel opa-golib-python-bindings) with PyYAML, and ajv-cli
# for the schema stage. Idempotent.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B="$ROOT/target/peers/bench"
mkdir -p "$B"
if [[ ! -f "$B/.venv.done" ]]; then
  python3 -m venv "$B/venv"
  "$B/venv/bin/pip" install -q pyyaml
  # The wheel says Requires-Python >=3.14, but its ctypes wrapper runs on 3.11.
  "$B/venv/bin/pip" install -q --ignore-requires-python opa-golib-python-bindings==0.4.4
  "$B/venv/bin/python" -c "import yaml; from opa_bindings import OpaEngine; OpaEngine()"
  touch "$B/.venv.done"
fi
if [[ ! -f "$B/.node.done" ]]; then
  mkdir -p "$B/node"
  ( cd "$B/node" && { [[ -f package.json ]] || npm init -y >/dev/null; } \
      && npm install --silent --no-audit --no-fund ajv-cli@5.0.0 ajv-formats@3.0.1 >/dev/null )
  touch "$B/.node.done"
fi
echo "bench peers ready under $B" >&2
