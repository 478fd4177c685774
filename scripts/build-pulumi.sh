#!/usr/bin/env bash
# Provides the Pulumi CLI and its Python language host in .venv/bin. See README "Toolchain".
#
# LANGSMITH_PULUMI=auto (default): a Pulumi CLI >= 3.139 already on PATH, with its Python language
#   host (`pulumi-language-python`) beside it or on PATH, is linked as is; otherwise the CLI is built.
# LANGSMITH_PULUMI=system: use the CLI on PATH or fail.   LANGSMITH_PULUMI=build: always build.
#
# Building: the CLI from its Go modules (no packaged CLI can be downloaded here) into a versioned
# cache outside the clone, and the language host from PULUMI_LANGUAGE_PYTHON_SRC (a folder with its
# source and build.sh) next to it. Without that source `pulumi up` cannot run a Python program, and
# `make up` and the tests use the Automation API instead. Idempotent: a second run only re-links.
set -euo pipefail

PULUMI_VERSION="${PULUMI_VERSION:-v3.274.1}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
CACHE_ROOT="${LANGSMITH_PULUMI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/langsmith-pulumi}"
CACHE="$CACHE_ROOT/pulumi-$PULUMI_VERSION"
BIN="$CACHE/bin"
MOD="github.com/pulumi/pulumi"
LDFLAGS="-s -w -X $MOD/sdk/v3/go/common/version.Version=$PULUMI_VERSION"

export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -mod=mod" GOTOOLCHAIN="${GOTOOLCHAIN:-local}"

MODE="${LANGSMITH_PULUMI:-auto}"
MIN_SYSTEM_VERSION="3.139.0"
LANGUAGE_SRC="${PULUMI_LANGUAGE_PYTHON_SRC:-}"
LINKS="pulumi pulumi-language-python pulumi-resource-pulumi-python pulumi-language-python-exec"

log() { printf '[build-pulumi] %s\n' "$*" >&2; }

built_ok() { [ -x "$BIN/pulumi" ] && "$BIN/pulumi" version 2>/dev/null | grep -qx "$PULUMI_VERSION"; }

build_cli() {
  local src="$CACHE/src" tmp="$CACHE/bin.tmp.$$"
  mkdir -p "$src" "$tmp"
  cat >"$src/go.mod" <<GOMOD
module langsmith.local/pulumi-cli

go 1.26.6

require (
	$MOD/pkg/v3 $PULUMI_VERSION
	$MOD/sdk/v3 $PULUMI_VERSION
)

// The same pins as pulumi's own go.mod files (replace directives of dependencies are ignored).
replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e

replace golang.org/x/text => golang.org/x/text v0.41.0
GOMOD
  cat >"$src/tools.go" <<'GOSRC'
//go:build tools

// Package tools pins the Pulumi CLI main package so that `go mod tidy` resolves its dependencies.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
GOSRC
  log "resolving modules for pulumi $PULUMI_VERSION (cold caches: a few minutes)"
  (cd "$src" && go mod tidy)
  log "compiling pulumi $PULUMI_VERSION (cold caches: several minutes on 2 cores)"
  (cd "$src" && go build -trimpath -tags osusergo,grpcnotrace -ldflags "$LDFLAGS" \
      -o "$tmp/pulumi" "$MOD/pkg/v3/cmd/pulumi")
  mkdir -p "$BIN"
  mv -f "$tmp/pulumi" "$BIN/pulumi"
  rmdir "$tmp"
}

install_helpers() {
  # pulumi-resource-pulumi-python (the dynamic-provider shim) and pulumi-language-python-exec ship as
  # plain files inside the sdk/v3 module.
  local sdk
  sdk="$(cd "$CACHE/src" && go list -m -f '{{.Dir}}' "$MOD/sdk/v3")"
  install -m 0755 "$sdk/python/dist/pulumi-resource-pulumi-python" "$BIN/pulumi-resource-pulumi-python"
  install -m 0755 "$sdk/python/cmd/pulumi-language-python-exec" "$BIN/pulumi-language-python-exec"
}

build_language_host() {
  # Rebuilt only when missing or of another version (`-version` prints it).
  local have
  have="$("$BIN/pulumi-language-python" -version 2>/dev/null || true)"
  if [ "$have" = "$PULUMI_VERSION" ]; then
    return 0
  fi
  if [ -z "$LANGUAGE_SRC" ] || [ ! -x "$LANGUAGE_SRC/build.sh" ]; then
    rm -f "$BIN/pulumi-language-python"
    return 0
  fi
  log "building the Python language host from $LANGUAGE_SRC"
  bash "$LANGUAGE_SRC/build.sh" "$BIN" "$PULUMI_VERSION" >/dev/null
}

version_at_least() {  # version_at_least 3.200.1 3.139.0
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

system_pulumi() {
  # The user's own CLI: searched on PATH without this clone's .venv/bin (the Makefile puts it first).
  local path_wo cli ver dir
  path_wo="$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$VENV/bin" | paste -sd: -)"
  cli="$(PATH="$path_wo" command -v pulumi 2>/dev/null)" || return 1
  ver="$("$cli" version 2>/dev/null | sed 's/^v//')" || return 1
  version_at_least "$ver" "$MIN_SYSTEM_VERSION" || { log "ignoring $cli: v$ver is older than $MIN_SYSTEM_VERSION"; return 1; }
  dir="$(dirname "$(readlink -f "$cli")")"
  [ "$dir" != "$(readlink -f "$BIN" 2>/dev/null || echo "$BIN")" ] || return 1  # our own build, linked elsewhere
  SYSTEM_CLI="$cli"
  SYSTEM_VERSION="v$ver"
  SYSTEM_HOST=""
  if [ -x "$dir/pulumi-language-python" ]; then
    SYSTEM_HOST="$dir/pulumi-language-python"
  else
    SYSTEM_HOST="$(PATH="$path_wo" command -v pulumi-language-python 2>/dev/null || true)"
  fi
  [ -n "$SYSTEM_HOST" ] || { log "ignoring $cli: no pulumi-language-python beside it or on PATH"; return 1; }
}

link_into_venv() {  # link_into_venv FILE...
  mkdir -p "$VENV/bin"
  for name in $LINKS; do rm -f "$VENV/bin/$name"; done
  for f in "$@"; do [ -n "$f" ] && ln -sfn "$f" "$VENV/bin/$(basename "$f")"; done
}

report() {  # report SOURCE WHERE HOW-TO-FORCE-THE-OTHER
  local host="absent (no PULUMI_LANGUAGE_PYTHON_SRC): \`make up\` and the tests use the Automation API fallback"
  [ -e "$VENV/bin/pulumi-language-python" ] && host="present: \`pulumi up\` runs Python programs directly"
  printf '%s %s\n' "$1" "$2" >"$VENV/.pulumi-source"
  log "Pulumi CLI: $1, $2, $("$VENV/bin/pulumi" version) ($3)"
  log "Python language host: $host"
}

SYSTEM_CLI=""
if [ "$MODE" != "build" ] && system_pulumi; then
  dir="$(dirname "$(readlink -f "$SYSTEM_CLI")")"
  extra=()
  for helper in pulumi-resource-pulumi-python pulumi-language-python-exec; do
    [ -x "$dir/$helper" ] && extra+=("$dir/$helper")
  done
  link_into_venv "$SYSTEM_CLI" "$SYSTEM_HOST" "${extra[@]}"
  report "your own" "$SYSTEM_CLI" "LANGSMITH_PULUMI=build make setup builds one instead"
  exit 0
fi
if [ "$MODE" = "system" ]; then
  log "LANGSMITH_PULUMI=system but no Pulumi CLI >= $MIN_SYSTEM_VERSION with pulumi-language-python is on PATH"
  exit 1
fi
[ "$MODE" = "build" ] || [ "$MODE" = "auto" ] || { log "LANGSMITH_PULUMI must be auto, system or build, got $MODE"; exit 2; }

if built_ok; then
  log "pulumi $PULUMI_VERSION already built in $BIN"
else
  build_cli
fi
install_helpers
build_language_host
link_into_venv "$BIN"/*
report built "$BIN" "LANGSMITH_PULUMI=system make setup uses the one on your PATH"
