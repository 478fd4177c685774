#!/usr/bin/env bash
# Builds the real Pulumi CLI from its Go modules (no packaged CLI can be downloaded here) into a
# versioned cache outside the clone, then links it and the Python helper scripts into .venv/bin.
# Idempotent: a second run only re-links. See README "Toolchain".
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
  # The Python language host is its own Go module with no tags; the module proxy reachable here does
  # not serve it (403 "not available"), so this is best effort and the project works without it.
  local m="$MOD/sdk/python/cmd/pulumi-language-python/v3" ver="${PULUMI_LANGUAGE_PYTHON_VERSION:-}"
  [ -n "$ver" ] || return 0
  (cd "$CACHE/src" && go get "$m@$ver" && go build -trimpath -ldflags "$LDFLAGS" \
      -o "$BIN/pulumi-language-python" "$m") || log "language host $ver not available; see README"
}

if built_ok; then
  log "pulumi $PULUMI_VERSION already built in $BIN"
else
  build_cli
fi
install_helpers
build_language_host

mkdir -p "$VENV/bin"
for f in "$BIN"/*; do ln -sfn "$f" "$VENV/bin/$(basename "$f")"; done
log "linked $(ls "$BIN" | tr '\n' ' ')into $VENV/bin"
"$VENV/bin/pulumi" version
