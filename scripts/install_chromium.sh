#!/usr/bin/env bash
# Install Debian's Chromium (/usr/bin/chromium) for the browser tests, if it is missing, and print
# its version. Idempotent; needs root (or password-less sudo). Non-interactive.
# Never use `playwright install` here: it downloads its own browser from a CDN.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
die() { echo "install_chromium: ERROR: $*" >&2; exit 1; }

if [[ ! -x "$CHROMIUM" ]]; then
  SUDO=()
  if [[ "$(id -u)" != 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "need root or sudo to apt-get install chromium"
    SUDO=(sudo -n)
  fi
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found (Debian/Ubuntu expected); install Chromium at $CHROMIUM yourself"
  LOG="$(mktemp)"
  trap 'rm -f "$LOG"' EXIT
  apt() { "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "$@" </dev/null >>"$LOG" 2>&1; }
  apt update -q || { cat "$LOG" >&2; die "apt-get update failed"; }
  apt install -y -q chromium || { cat "$LOG" >&2; die "apt-get install chromium failed"; }
fi

[[ -x "$CHROMIUM" ]] || die "$CHROMIUM still missing after install"
# (Debian's launcher script prints a harmless "[: ... unexpected operator" on stderr here.)
"$CHROMIUM" --version 2>/dev/null || die "$CHROMIUM --version failed"
