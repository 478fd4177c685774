#!/usr/bin/env bash
# Starts or stops the local control plane in the background for `make up` / `make down`.
# State lives under .emulator/ (SQLite file, log, pid, agent environments). Start is idempotent;
# stop ends the emulator, which stops every Agent Server it started.
set -euo pipefail
cmd="${1:?start|stop}"
port="${2:-8124}"
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/.emulator"
pidfile="$dir/emulator-$port.pid"
url="http://127.0.0.1:$port"
# The repository the demo stack (Pulumi.yaml's repoUrl) deploys; the local control plane cannot clone it.
DEMO_REPO="${DEMO_REPO:-https://github.com/langchain-ai/langgraph-example}"
mkdir -p "$dir"

alive() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

case "$cmd" in
  start)
    if alive && curl -fsS "$url/ok" >/dev/null 2>&1; then
      echo "local control plane already running at $url"; exit 0
    fi
    if curl -fsS "$url/ok" >/dev/null 2>&1; then
      echo "something else already answers on $url; set EMULATOR_PORT or LANGSMITH_CONTROL_PLANE_URL" >&2; exit 1
    fi
    # --run-agents: local-source revisions, and the demo's GitHub repository mapped to the local
    # example agent, are really built and served, so the demo's `url` answers (README "Quick start").
    nohup "$root/.venv/bin/python" -m langsmith_emulator --port "$port" --db "$dir/control-plane.sqlite3" \
      --run-agents --agent-repo "$DEMO_REPO=$root/examples/local-agent/agent" \
      >"$dir/emulator-$port.log" 2>&1 &
    echo $! >"$pidfile"
    for _ in $(seq 1 100); do
      if curl -fsS "$url/ok" >/dev/null 2>&1; then echo "local control plane running at $url"; exit 0; fi
      alive || { echo "local control plane failed to start; see $dir/emulator-$port.log:" >&2; tail -n 3 "$dir/emulator-$port.log" >&2; exit 1; }
      sleep 0.1
    done
    echo "local control plane did not answer on $url within 10 s; see $dir/emulator-$port.log" >&2; exit 1
    ;;
  stop)
    if alive; then kill "$(cat "$pidfile")" && echo "stopped local control plane at $url"; fi
    rm -f "$pidfile"
    ;;
  *) echo "usage: $0 start|stop [port]" >&2; exit 2 ;;
esac
