#!/usr/bin/env bash
# The project's one test command: installs (or finds, cached under target/peers/) the real programs
# the tests hand opsgate's outputs to, with scripts/peers.sh, loads their paths from
# target/peers/env.sh, then runs every test. Arguments go to `cargo test`, e.g.
#   scripts/test.sh --test outputs
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
scripts/peers.sh >&2   # the exports it prints (also in env.sh) land in the log, not on stdout
# shellcheck source=/dev/null
source target/peers/env.sh
exec cargo test --locked "$@"
