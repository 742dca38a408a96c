#!/usr/bin/env bash
# The benchmark, in one command: builds the release binary, installs the peers (OPA, ajv-cli),
# generates repositories of 1,000 and 10,000 artifacts (add 100000 with --sizes), and prints the table.
#   bench/run.sh [--sizes 1000,10000,100000] [--runs 3]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cargo build --release --locked --manifest-path "$ROOT/Cargo.toml"
"$ROOT/bench/setup.sh"
exec "$ROOT/target/peers/bench/venv/bin/python" "$ROOT/bench/run.py" "$@"
