#!/usr/bin/env bash
# Installs the real programs that opsgate's tests hand its outputs to, and prints the environment
# the tests need:
#   - Microsoft's SARIF Multitool (npm @microsoft/sarif-multitool, self-contained Linux build) and
#     the official sarif-2.1.0.json schema it ships;
#   - junitparser 5.x, pre-commit 4.x, pyte 0.8 (a VT100/xterm emulator) and compliance-trestle 5.x
#     (OSCAL models) from PyPI in a venv;
#   - headless Chromium, cmark-gfm (GitHub's markdown renderer) and pdftotext (poppler-utils), Debian
#     packages through apt-get: the only system-wide installs.
#   - yaml-language-server (npm), the language server editors use with opsgate's schemas.
#   - the real Open Policy Agent (Go, inside the PyPI wheel opa-golib-python-bindings, the one the
#     benchmark uses) in a venv of its own: the differential test (tests/differential.rs) compares
#     opsgate's engines with it.
# Everything else is cached under target/peers/, so `cargo clean` resets it. Idempotent: each tool
# has a stamp file (target/peers/.stamp-*) naming what was installed; a rerun with every stamp
# current only checks them (well under a second). Writes target/peers/env.sh and prints the same
# `export` lines on stdout (progress goes to stderr), so `eval "$(scripts/peers.sh)"` also works.
# OPSGATE_CHROMIUM set beforehand to an executable is used as is (a browser of your own).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEERS=${OPSGATE_PEERS_DIR:-"$ROOT/target/peers"}  # override only to try the script elsewhere
SARIF_SPEC='@microsoft/sarif-multitool@5.7.0'
YLS_SPEC='yaml-language-server@1.19.2'
OPA_SPEC='opa-golib-python-bindings==0.4.4'
PY_SPECS=('junitparser>=5,<6' 'pre-commit>=4,<5' 'pyte>=0.8,<0.9' 'compliance-trestle>=5,<6')
PYTHON=${PYTHON:-python3}

log() { printf 'peers: %s\n' "$*" >&2; }
die() { printf 'peers: error: %s\n' "$*" >&2; exit 1; }

mkdir -p "$PEERS"
PEERS=$(cd "$PEERS" && pwd)
# One install at a time (two test runs started together would otherwise both install).
exec 9>"$PEERS/.lock"
flock 9

# A stamp holds the spec it was made for on line 1 and the installed path on line 2; it counts
# only if the spec still matches and the path still exists.
stamp_ok() { # NAME SPEC
  local f="$PEERS/.stamp-$1"
  [[ -f "$f" ]] && [[ "$(sed -n 1p "$f")" == "$2" ]] && [[ -e "$(sed -n 2p "$f")" ]]
}
stamp_path() { sed -n 2p "$PEERS/.stamp-$1"; }
stamp_write() { # NAME SPEC PATH [EXTRA...]
  local f="$PEERS/.stamp-$1"
  printf '%s\n' "${@:2}" >"$f.tmp" && mv -f "$f.tmp" "$f"
}

# --- 1. SARIF Multitool ---------------------------------------------------------------------------
if ! stamp_ok sarif "$SARIF_SPEC"; then
  command -v npm >/dev/null || die "npm is not installed (Node.js and npm are needed for $SARIF_SPEC)"
  log "installing $SARIF_SPEC from npm into $PEERS/npm (~100 MB)..."
  mkdir -p "$PEERS/npm"
  npm install --prefix "$PEERS/npm" --no-audit --no-fund --no-update-notifier --loglevel=error \
    --save-exact "$SARIF_SPEC" >&2
  tool="$PEERS/npm/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
  [[ -x "$tool" ]] || die "$tool is missing after npm install (the optional dependency @microsoft/sarif-multitool-linux did not install?)"
  # The schema ships next to the binary; prefer that copy, else any copy in the package.
  schema="$(dirname "$tool")/sarif-2.1.0.json"
  if [[ ! -f "$schema" ]]; then
    schema=$(find "$PEERS/npm/node_modules/@microsoft" -name 'sarif-2.1.0.json' -type f | sort | head -n 1)
  fi
  [[ -n "$schema" && -f "$schema" ]] || die "sarif-2.1.0.json not found in $PEERS/npm/node_modules/@microsoft"
  stamp_write sarif "$SARIF_SPEC" "$tool" "$schema"
fi
MULTITOOL=$(stamp_path sarif)
SARIF_SCHEMA=$(sed -n 3p "$PEERS/.stamp-sarif")
[[ -f "$SARIF_SCHEMA" ]] || { rm -f "$PEERS/.stamp-sarif"; die "schema $SARIF_SCHEMA vanished; rerun $0"; }

# --- 2. Python venv: junitparser, pre-commit ------------------------------------------------------
VENV_SPEC="${PY_SPECS[*]}"
if ! stamp_ok venv "$VENV_SPEC"; then
  log "creating $PEERS/venv with ${PY_SPECS[*]} from PyPI..."
  "$PYTHON" -m venv --clear "$PEERS/venv"
  "$PEERS/venv/bin/python" -m pip install -q --disable-pip-version-check "${PY_SPECS[@]}" >&2
  "$PEERS/venv/bin/python" -c 'import junitparser, pyte' || die "junitparser or pyte does not import in the venv"
  [[ -x "$PEERS/venv/bin/pre-commit" ]] || die "pre-commit is missing from the venv"
  "$PEERS/venv/bin/python" -c 'import trestle.oscal.assessment_results' || die "compliance-trestle does not import in the venv"
  stamp_write venv "$VENV_SPEC" "$PEERS/venv/bin/pre-commit"
fi
PEERS_PYTHON="$PEERS/venv/bin/python"
PRE_COMMIT="$PEERS/venv/bin/pre-commit"

# --- 3. Headless Chromium (Debian package) --------------------------------------------------------
CHROMIUM=""
if [[ -n "${OPSGATE_CHROMIUM:-}" && -x "${OPSGATE_CHROMIUM}" ]]; then
  CHROMIUM=$OPSGATE_CHROMIUM
elif stamp_ok chromium debian-chromium; then
  CHROMIUM=$(stamp_path chromium)
else
  CHROMIUM=$(command -v chromium || true)
  if [[ -z "$CHROMIUM" ]]; then
    SUDO=()
    [[ $(id -u) == 0 ]] || { command -v sudo >/dev/null && sudo -n true 2>/dev/null && SUDO=(sudo -n); }
    if ! command -v apt-get >/dev/null; then
      log "chromium is not installed and there is no apt-get here: install Chromium yourself and set OPSGATE_CHROMIUM=/path/to/chromium; the HTML report test will fail until then"
    elif [[ $(id -u) != 0 && ${#SUDO[@]} == 0 ]]; then
      log "chromium is not installed and installing it needs root: run \`sudo apt-get update && sudo apt-get install -y chromium\` (or set OPSGATE_CHROMIUM=/path/to/chromium); the HTML report test will fail until then"
    else
      log "installing Debian's chromium with apt-get (system-wide)..."
      "${SUDO[@]}" apt-get update -qq >&2
      "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
      CHROMIUM=$(command -v chromium || true)
      [[ -n "$CHROMIUM" ]] || die "apt-get installed chromium but no chromium is on PATH"
    fi
  fi
  [[ -z "$CHROMIUM" ]] || stamp_write chromium debian-chromium "$CHROMIUM"
fi

# --- 4. cmark-gfm (Debian package) ----------------------------------------------------------------
CMARK_GFM=$(command -v cmark-gfm || true)
if [[ -z "$CMARK_GFM" ]]; then
  SUDO=()
  [[ $(id -u) == 0 ]] || { command -v sudo >/dev/null && sudo -n true 2>/dev/null && SUDO=(sudo -n); }
  if ! command -v apt-get >/dev/null || [[ $(id -u) != 0 && ${#SUDO[@]} == 0 ]]; then
    log "cmark-gfm is not installed and cannot be installed here: run \`sudo apt-get install -y cmark-gfm\`; the markdown rendering test will fail until then"
  else
    log "installing Debian's cmark-gfm with apt-get (system-wide)..."
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cmark-gfm >&2 \
      || { "${SUDO[@]}" apt-get update -qq >&2 && "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cmark-gfm >&2; }
    CMARK_GFM=$(command -v cmark-gfm || true)
  fi
fi

# --- 5. yaml-language-server ---------------------------------------------------------------------
# Its own npm prefix, so its dependency tree never changes the SARIF Multitool's.
if ! stamp_ok yls "$YLS_SPEC"; then
  command -v npm >/dev/null || die "npm is not installed (Node.js and npm are needed for $YLS_SPEC)"
  log "installing $YLS_SPEC from npm into $PEERS/yls..."
  mkdir -p "$PEERS/yls"
  npm install --prefix "$PEERS/yls" --no-audit --no-fund --no-update-notifier --loglevel=error \
    --save-exact "$YLS_SPEC" >&2
  tool="$PEERS/yls/node_modules/.bin/yaml-language-server"
  [[ -x "$tool" ]] || die "$tool is missing after npm install"
  stamp_write yls "$YLS_SPEC" "$tool"
fi
YAML_LANGUAGE_SERVER=$(stamp_path yls)

# --- 6. pdftotext (Debian poppler-utils), for the printed report ---------------------------------
PDFTOTEXT=$(command -v pdftotext || true)
if [[ -z "$PDFTOTEXT" ]]; then
  SUDO=()
  [[ $(id -u) == 0 ]] || { command -v sudo >/dev/null && sudo -n true 2>/dev/null && SUDO=(sudo -n); }
  if ! command -v apt-get >/dev/null || [[ $(id -u) != 0 && ${#SUDO[@]} == 0 ]]; then
    log "pdftotext is not installed: run \`sudo apt-get install -y poppler-utils\`; the printed-report test will fail until then"
  else
    log "installing Debian's poppler-utils with apt-get (system-wide)..."
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >&2 \
      || { "${SUDO[@]}" apt-get update -qq >&2 && "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >&2; }
    PDFTOTEXT=$(command -v pdftotext || true)
  fi
fi

# --- 7. OPA (PyPI wheel), for the differential test -------------------------------------------
if ! stamp_ok opa "$OPA_SPEC"; then
  log "creating $PEERS/opa with $OPA_SPEC from PyPI..."
  "$PYTHON" -m venv --clear "$PEERS/opa"
  # The wheel says Requires-Python >=3.14, but its ctypes wrapper runs on 3.11 (bench/setup.sh too).
  "$PEERS/opa/bin/python" -m pip install -q --disable-pip-version-check --ignore-requires-python "$OPA_SPEC" >&2
  "$PEERS/opa/bin/python" -c 'from opa_bindings import OpaEngine; OpaEngine()' || die "the OPA wheel does not load"
  stamp_write opa "$OPA_SPEC" "$PEERS/opa/bin/python"
fi
OPA_PYTHON=$(stamp_path opa)

# --- env.sh ---------------------------------------------------------------------------------------
{
  printf '# Written by scripts/peers.sh; source it before `cargo test`.\n'
  printf 'export OPSGATE_SARIF_MULTITOOL=%q\n' "$MULTITOOL"
  printf 'export OPSGATE_SARIF_SCHEMA=%q\n' "$SARIF_SCHEMA"
  printf 'export OPSGATE_PEERS_PYTHON=%q\n' "$PEERS_PYTHON"
  printf 'export OPSGATE_PRE_COMMIT=%q\n' "$PRE_COMMIT"
  if [[ -n "$CMARK_GFM" ]]; then
    printf 'export OPSGATE_CMARK_GFM=%q\n' "$CMARK_GFM"
  else
    printf 'unset OPSGATE_CMARK_GFM  # not installed: see the message scripts/peers.sh printed\n'
  fi
  printf 'export OPSGATE_YAML_LANGUAGE_SERVER=%q\n' "$YAML_LANGUAGE_SERVER"
  printf 'export OPSGATE_OPA_PYTHON=%q\n' "$OPA_PYTHON"
  if [[ -n "$PDFTOTEXT" ]]; then
    printf 'export OPSGATE_PDFTOTEXT=%q\n' "$PDFTOTEXT"
  else
    printf 'unset OPSGATE_PDFTOTEXT  # not installed: see the message scripts/peers.sh printed\n'
  fi
  if [[ -n "$CHROMIUM" ]]; then
    printf 'export OPSGATE_CHROMIUM=%q\n' "$CHROMIUM"
  else
    printf 'unset OPSGATE_CHROMIUM  # not installed: see the message scripts/peers.sh printed\n'
  fi
} >"$PEERS/env.sh.tmp"
mv -f "$PEERS/env.sh.tmp" "$PEERS/env.sh"
grep -v '^#' "$PEERS/env.sh"
log "ready: source $PEERS/env.sh"
