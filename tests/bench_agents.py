"""Agent runner figures for `make bench`: time to a healthy Agent Server (cold and warm environment
cache), resident memory per server, and the switch-over between two revisions under a steady trickle.

Run: `python -m tests.bench_agents [--cache DIR]`. Without `--cache` the cold run uses an empty
temporary cache (virtualenv and pip downloads both cold, as on a fresh clone); with it, the "cold"
figure is whatever that cache holds. A third run changes `requirements.txt` (one small pinned package) to
show what a new dependency set costs once the Agent Server layer is cached. Nothing here asserts.
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests

from langsmith_emulator.agents.build import EnvCache
from langsmith_emulator.agents.server import start_server
from langsmith_emulator.agents.supervisor import Supervisor

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "local-agent" / "agent"


def _copy(workdir: Path, name: str) -> Path:
    target = workdir / name
    shutil.copytree(EXAMPLE, target)
    return target


def time_to_healthy(cache: EnvCache, project: Path) -> dict[str, Any]:
    """Build (cached or not) + start until `GET /ok` answers; also the server's resident memory."""
    started = time.monotonic()
    build = cache.build(project)
    if not build.ok:
        raise SystemExit(f"build failed: {build.error}")
    built = time.monotonic()
    server = start_server(build)
    healthy = time.monotonic()
    try:
        requests.post(
            f"{server.url}/runs/wait", json={"assistant_id": "agent", "input": {"message": "warm up"}}, timeout=60
        ).raise_for_status()
        rss = server.rss_bytes()
    finally:
        server.stop()
    return {
        "cache_hit": build.cache_hit,
        "build_s": built - started,
        "start_s": healthy - built,
        "total_s": healthy - started,
        "rss_mb": rss / 2**20,
    }


def switch_over(cache: EnvCache, workdir: Path) -> dict[str, Any]:
    """Two revisions behind one URL; 4 clients ask continuously while the switch happens."""
    v1 = cache.build(_copy(workdir, "switch-v1"))
    v2_dir = _copy(workdir, "switch-v2")
    graph = v2_dir / "graph.py"
    graph.write_text(graph.read_text().replace("message.upper()", "message.lower()"))
    v2 = cache.build(v2_dir)
    results: list[tuple[float, bool, str]] = []  # (finished at, ok, reply)
    stop = threading.Event()
    with Supervisor() as supervisor:
        url = supervisor.switch("bench", v1, revision_id="v1")

        def client() -> None:
            session = requests.Session()
            while not stop.is_set():
                try:
                    response = session.post(
                        f"{url}/runs/wait", json={"assistant_id": "agent", "input": {"message": "Hi"}}, timeout=60
                    )
                    results.append((time.monotonic(), response.ok, str(response.json().get("reply"))))
                except Exception as exc:
                    results.append((time.monotonic(), False, repr(exc)))
                time.sleep(0.02)

        threads = [threading.Thread(target=client) for _ in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(3)
        switch_started = time.monotonic()
        supervisor.switch("bench", v2, revision_id="v2")
        switched = time.monotonic()
        time.sleep(3)
        stop.set()
        for thread in threads:
            thread.join()
    answered = sorted(t for t, ok, _ in results if ok)
    before = [t for t in answered if t < switch_started]
    during = [t for t in answered if switch_started - 1 <= t <= switched + 3]
    gaps = [b - a for a, b in itertools.pairwise(during)]
    baseline = [b - a for a, b in itertools.pairwise(before)]
    return {
        "requests": len(results),
        "failed": sum(1 for _, ok, _ in results if not ok),
        "first_v2_reply_after_s": min((t for t, ok, r in results if ok and r == "hi"), default=float("nan"))
        - switch_started,
        "switch_call_s": switched - switch_started,
        "max_gap_between_answers_s": max(gaps, default=float("nan")),
        "max_gap_before_switch_s": max(baseline, default=float("nan")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cache", type=Path, help="environment cache to use (default: a fresh temporary one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-agents-") as tmp:
        workdir = Path(tmp)
        cache = EnvCache(args.cache or workdir / "cache")
        cold = time_to_healthy(cache, _copy(workdir, "cold"))
        warm = time_to_healthy(cache, _copy(workdir, "warm"))
        other = _copy(workdir, "new-deps")
        (other / "requirements.txt").write_text("langgraph>=1.0,<2\nxxhash==3.5.0\n")
        new_deps = time_to_healthy(cache, other)
        switch = switch_over(cache, workdir)
    print("agent runner (examples/local-agent/agent, langgraph-api in-memory runtime)")
    rows = (("cold cache", cold), ("warm cache", warm), ("new dependency set, server layer cached", new_deps))
    for label, row in rows:
        print(
            f"  time to healthy, {label}: {row['total_s']:6.1f} s "
            f"(build {row['build_s']:.1f} s, cache hit {row['cache_hit']}, server start {row['start_s']:.1f} s)"
        )
    print(f"  resident memory per agent server: {warm['rss_mb']:.0f} MiB")
    print(
        f"  switch-over: {switch['failed']} failed of {switch['requests']} requests (goal 0); "
        f"switch call {switch['switch_call_s']:.1f} s; first new-revision answer "
        f"{switch['first_v2_reply_after_s']:.1f} s after it began; "
        f"longest gap between answers {switch['max_gap_between_answers_s'] * 1000:.0f} ms around the switch, "
        f"{switch['max_gap_before_switch_s'] * 1000:.0f} ms before it (in-memory run queue polling)"
    )


if __name__ == "__main__":
    main()
