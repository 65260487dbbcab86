#!/usr/bin/env bash
# Download the front-end assets Solara loads from its CDN, so the app works with no internet.
#
# Usage: scripts/fetch_solara_assets.sh [TARGET_DIR] [-v|--verbose]
#   TARGET_DIR defaults to <repo root>/.cache/solara-assets.
# Then serve with SOLARA_ASSETS_PROXY_CACHE_DIR=TARGET_DIR (simulator/app/server.py does this).
#
# Solara's asset proxy (solara/server/cdn_helper.py) maps a request for
# /_solara/cdn/<spec>/<file> to <SOLARA_ASSETS_PROXY_CACHE_DIR>/<spec>/<file> and only goes to
# https://cdn.jsdelivr.net/npm/ when that file is missing. So each npm spec below is unpacked into
# a folder named exactly like the spec (e.g. "requirejs@2.3.6", "@widgetti/solara-vuetify-app@10.1.1").
# The specs are the ones solara 1.64.1 requests (server/templates/solara.html.j2, settings.py,
# widgets/vue/*.vue, components/markdown.py). Bump them together with the solara pin.
#
# Idempotent: a spec is skipped when its folder holds the marker file written after a complete
# unpack. Needs npm (talks to the npm registry). Works non-interactively (CI=true, no stdin).
set -euo pipefail

SPECS=(
  "@widgetti/solara-vuetify-app@10.1.1"
  "@widgetti/solara-vuetify3-app@5.2.0"
  "requirejs@2.3.6"
  "font-awesome@4.5.0"
  "@widgetti/vue-grid-layout@2.3.13-alpha.2"
  "vega@5"
  "vega-lite@5"
  "vega-embed@6"
  "katex@0.16.9"
  "mermaid@10.8.0"
)
MARKER=".aicontagion-fetched"

die() { echo "fetch_solara_assets: ERROR: $*" >&2; exit 1; }

VERBOSE=0
TARGET=""
for arg in "$@"; do
  case "$arg" in
    -v|--verbose) VERBOSE=1 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option: $arg" ;;
    *) [[ -z "$TARGET" ]] || die "only one TARGET_DIR may be given"; TARGET="$arg" ;;
  esac
done

log() { if [[ $VERBOSE == 1 ]]; then echo "fetch_solara_assets: $*"; fi; }

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET="${TARGET:-$REPO_ROOT/.cache/solara-assets}"

command -v npm >/dev/null 2>&1 || die "npm is not installed (needed to download the Solara front-end assets)"
command -v tar >/dev/null 2>&1 || die "tar is not installed"

mkdir -p "$TARGET" || die "cannot create $TARGET"
TARGET="$(cd "$TARGET" && pwd)"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

fetched=0
for spec in "${SPECS[@]}"; do
  dest="$TARGET/$spec"
  if [[ -f "$dest/$MARKER" ]]; then
    log "present: $spec"
    continue
  fi
  log "fetching: $spec"
  work="$TMP/$(echo "$spec" | tr '/@' '__')"
  mkdir -p "$work"
  if ! (cd "$work" && npm pack "$spec" --silent --no-fund --no-audit </dev/null >"$work/npm.out" 2>"$work/npm.err"); then
    cat "$work/npm.err" >&2 || true
    die "'npm pack $spec' failed (is the npm registry reachable?)"
  fi
  tgz="$(ls "$work"/*.tgz 2>/dev/null | head -n 1 || true)"
  [[ -n "$tgz" ]] || die "'npm pack $spec' produced no tarball"
  # Unpack next to the destination, then move into place, so a half-unpacked folder never
  # carries the marker.
  staging="$work/unpacked"
  mkdir -p "$staging"
  tar -xzf "$tgz" -C "$staging" --strip-components=1 --no-same-owner || die "cannot unpack $tgz"
  touch "$staging/$MARKER"
  mkdir -p "$(dirname "$dest")"
  rm -rf "$dest"
  mv "$staging" "$dest" || die "cannot move $spec into $dest"
  fetched=$((fetched + 1))
done

log "done: $fetched fetched, ${#SPECS[@]} specs in $TARGET"
