#!/usr/bin/env bash
# Set up everything aicontagion needs on a fresh machine; idempotent and quiet when done before.
#
# Usage: scripts/bootstrap.sh [--test]
#   always : a Python >= 3.12 virtualenv in .venv with the pinned dependencies (requirements.lock,
#            URL-free, compiled by `uv pip compile`) and aicontagion installed in editable mode;
#   --test : also Debian's Chromium (browser tests) and Solara's front-end assets (offline app).
# Called by `make run` and `make test`; safe to run by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "bootstrap: ERROR: $*" >&2; exit 1; }
want_test=0
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    *) die "unknown option $arg (use --test)" ;;
  esac
done

# A Python >= 3.12 (mesa 3.5 needs it). .python-version names the one pyenv provides here.
find_python() {
  local version candidates c
  version="$(cat .python-version 2>/dev/null || true)"
  candidates=()
  if command -v pyenv >/dev/null 2>&1 && [[ -n "$version" ]]; then
    candidates+=("$(pyenv root)/versions/$version/bin/python")
  fi
  candidates+=(python3.12 python3.13 python3)
  for c in "${candidates[@]}"; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      command -v "$c"
      return 0
    fi
  done
  return 1
}

stamp=".venv/.aicontagion-installed"
digest="$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$digest" ]]; then
  python="$(find_python)" || die "no Python >= 3.12 found (tried pyenv $(cat .python-version 2>/dev/null), python3.12, python3)"
  [[ -x .venv/bin/python ]] || "$python" -m venv .venv || die "could not create .venv with $python"
  .venv/bin/python -m pip install -q --disable-pip-version-check uv || die "could not install uv"
  export UV_PYTHON_DOWNLOADS=never VIRTUAL_ENV="$PWD/.venv"
  .venv/bin/uv pip install -q --compile-bytecode -r requirements.lock -e . || die "dependency install failed"
  echo "$digest" > "$stamp"
  echo "bootstrap: installed dependencies into .venv"
fi

if [[ "$want_test" == 1 ]]; then
  bash scripts/install_chromium.sh >/dev/null || die "Chromium install failed"
  bash scripts/fetch_solara_assets.sh || die "fetching Solara assets failed"
fi
