#!/usr/bin/env bash
# Provides the Pulumi CLI and its language hosts (Python; Node.js and YAML when their source is there)
# in .venv/bin. See README "Toolchain".
#
# LANGSMITH_PULUMI=auto (default): a Pulumi CLI >= 3.139 already on PATH, with its Python language
#   host (`pulumi-language-python`) beside it or on PATH, is linked as is, with the Node.js and YAML
#   hosts it has beside it or on PATH; otherwise the CLI is built.
# LANGSMITH_PULUMI=system: use the CLI on PATH or fail.   LANGSMITH_PULUMI=build: always build.
#
# Building: the CLI from its Go modules (no packaged CLI can be downloaded here) into a versioned
# cache outside the clone, and each language host from the folder (its source and build.sh) that
# PULUMI_LANGUAGE_{PYTHON,NODEJS,YAML}_SRC names, next to it. Without the Python source `pulumi up`
# cannot run a Python program, and `make up` and the tests use the Automation API instead; without
# the Node.js or YAML source that host is simply absent. Idempotent: a second run only re-links.
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
PYTHON_SRC="${PULUMI_LANGUAGE_PYTHON_SRC:-}"
NODEJS_SRC="${PULUMI_LANGUAGE_NODEJS_SRC:-}"
YAML_SRC="${PULUMI_LANGUAGE_YAML_SRC:-}"
LINKS="pulumi pulumi-language-python pulumi-resource-pulumi-python pulumi-language-python-exec
  pulumi-language-nodejs pulumi-resource-pulumi-nodejs pulumi-language-yaml"

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

host_version() {  # host_version FILE: the version of a built language host, empty if none
  case "$(basename "$1")" in
    pulumi-language-yaml)  # no -version flag: the pulumi-yaml module version its build info records
      go version -m "$1" 2>/dev/null | awk '$1 == "mod" && $2 == "github.com/pulumi/pulumi-yaml" { print $3 }' ;;
    *) "$1" -version 2>/dev/null ;;
  esac
}

yaml_version() {  # the pulumi-yaml version the YAML host's go.mod pins (what its build.sh stamps)
  [ -n "$YAML_SRC" ] && [ -f "$YAML_SRC/go.mod" ] || return 0
  sed -n 's#.*github.com/pulumi/pulumi-yaml \(v[0-9.]*\).*#\1#p' "$YAML_SRC/go.mod"
}

build_language_host() {  # build_language_host NAME SRC VERSION [COMPANION...]
  # $BIN/NAME from SRC/build.sh (which also installs the COMPANION files beside it), rebuilt only when
  # missing, of another VERSION, or without a companion. Without SRC a stale one is removed; an empty
  # VERSION (not known without SRC) keeps any.
  local name="$1" src="$2" want="$3" have f start
  shift 3
  have="$(host_version "$BIN/$name" || true)"
  for f in "$@"; do [ -e "$BIN/$f" ] || have=""; done
  if [ -n "$have" ] && { [ -z "$want" ] || [ "$have" = "$want" ]; }; then
    return 0
  fi
  for f in "$name" "$@"; do rm -f "$BIN/$f"; done  # also: go build does not overwrite a non-Go file
  [ -n "$src" ] && [ -x "$src/build.sh" ] || return 0
  log "building $name $want from $src"
  start=$SECONDS
  bash "$src/build.sh" "$BIN" "$want" >/dev/null
  log "built $name in $((SECONDS - start)) s"
}

version_at_least() {  # version_at_least 3.200.1 3.139.0
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

system_pulumi() {
  # The user's own CLI: searched on PATH without this clone's .venv/bin (the Makefile puts it first).
  local path_wo cli ver dir
  path_wo="$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$VENV/bin" | paste -sd: -)"
  SYSTEM_PATH="$path_wo"
  cli="$(PATH="$path_wo" command -v pulumi 2>/dev/null)" || return 1
  ver="$("$cli" version 2>/dev/null | sed 's/^v//')" || return 1
  version_at_least "$ver" "$MIN_SYSTEM_VERSION" || { log "ignoring $cli: v$ver is older than $MIN_SYSTEM_VERSION"; return 1; }
  dir="$(dirname "$(readlink -f "$cli")")"
  [ "$dir" != "$(readlink -f "$BIN" 2>/dev/null || echo "$BIN")" ] || return 1  # our own build, linked elsewhere
  SYSTEM_CLI="$cli"
  SYSTEM_HOST="$(system_file "$dir" pulumi-language-python)"
  [ -n "$SYSTEM_HOST" ] || { log "ignoring $cli: no pulumi-language-python beside it or on PATH"; return 1; }
}

system_file() {  # system_file DIR NAME: DIR/NAME if executable, else NAME on $SYSTEM_PATH, else nothing
  if [ -x "$1/$2" ]; then
    printf '%s\n' "$1/$2"
  else
    PATH="$SYSTEM_PATH" command -v "$2" 2>/dev/null || true
  fi
}

link_into_venv() {  # link_into_venv FILE...
  mkdir -p "$VENV/bin"
  for name in $LINKS; do rm -f "$VENV/bin/$name"; done
  for f in "$@"; do [ -n "$f" ] && ln -sfn "$f" "$VENV/bin/$(basename "$f")"; done
}

report_host() {  # report_host SOURCE NAME LABEL PROGRAMS SRC-VARIABLE WITHOUT-IT
  local why="no $5"
  [ "$1" = built ] || why="none beside your own CLI or on PATH"
  if [ -e "$VENV/bin/$2" ]; then
    log "$3 language host: present: \`pulumi up\` runs $4"
  else
    log "$3 language host: absent ($why): $6"
  fi
}

report() {  # report SOURCE WHERE HOW-TO-FORCE-THE-OTHER
  printf '%s %s\n' "$1" "$2" >"$VENV/.pulumi-source"
  log "Pulumi CLI: $1, $2, $("$VENV/bin/pulumi" version) ($3)"
  report_host "$1" pulumi-language-python Python "Python programs directly" PULUMI_LANGUAGE_PYTHON_SRC \
    "\`make up\` and the tests use the Automation API fallback"
  report_host "$1" pulumi-language-nodejs Node.js "Node.js/TypeScript programs directly (with node, npm, the project's node_modules)" \
    PULUMI_LANGUAGE_NODEJS_SRC "\`runtime: nodejs\` projects cannot run"
  report_host "$1" pulumi-language-yaml YAML "Pulumi YAML programs directly" PULUMI_LANGUAGE_YAML_SRC \
    "\`runtime: yaml\` projects cannot run"
}

SYSTEM_CLI=""
SYSTEM_PATH=""
if [ "$MODE" != "build" ] && system_pulumi; then
  dir="$(dirname "$(readlink -f "$SYSTEM_CLI")")"
  extra=()
  for helper in pulumi-resource-pulumi-python pulumi-language-python-exec; do
    [ -x "$dir/$helper" ] && extra+=("$dir/$helper")
  done
  # The other language hosts of your own install (a regular one has them beside the CLI), if any.
  for helper in pulumi-language-nodejs pulumi-resource-pulumi-nodejs pulumi-language-yaml; do
    found="$(system_file "$dir" "$helper")"
    [ -n "$found" ] && extra+=("$found")
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
build_language_host pulumi-language-python "$PYTHON_SRC" "$PULUMI_VERSION"
build_language_host pulumi-language-nodejs "$NODEJS_SRC" "$PULUMI_VERSION" pulumi-resource-pulumi-nodejs
build_language_host pulumi-language-yaml "$YAML_SRC" "$(yaml_version)"
link_into_venv "$BIN"/*
report built "$BIN" "LANGSMITH_PULUMI=system make setup uses the one on your PATH"
