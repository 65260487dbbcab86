#!/usr/bin/env bash
# Install Debian's Chromium (/usr/bin/chromium) for the browser tests, if it is missing, and print
# its version; and a CJK font (fonts-noto-cjk), if no font covers Chinese, so that the Chinese
# pages (?lang=zh) show their glyphs rather than boxes. Idempotent; needs root (or password-less
# sudo). Non-interactive.
# Never use `playwright install` here: it downloads its own browser from a CDN.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
die() { echo "install_chromium: ERROR: $*" >&2; exit 1; }

has_cjk_font() { command -v fc-list >/dev/null 2>&1 && [[ -n "$(fc-list :lang=zh family 2>/dev/null)" ]]; }

if [[ ! -x "$CHROMIUM" ]] || ! has_cjk_font; then
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
  if [[ ! -x "$CHROMIUM" ]]; then
    apt install -y -q chromium || { cat "$LOG" >&2; die "apt-get install chromium failed"; }
  fi
  if ! has_cjk_font; then
    apt install -y -q fonts-noto-cjk || { cat "$LOG" >&2; die "apt-get install fonts-noto-cjk failed"; }
  fi
fi

[[ -x "$CHROMIUM" ]] || die "$CHROMIUM still missing after install"
# (Debian's launcher script prints a harmless "[: ... unexpected operator" on stderr here.)
"$CHROMIUM" --version 2>/dev/null || die "$CHROMIUM --version failed"
has_cjk_font || die "no font covers Chinese after installing fonts-noto-cjk (fc-list :lang=zh is empty)"
