"""Agent runner figures for `make bench`: time to a healthy Agent Server (cold and warm environment
cache), resident memory per server, and the switch-over between two revisions under a steady trickle;
then the same through the local control plane (`--run-agents`): create to DEPLOYED cold and warm,
memory per server, and failed requests during a rollout.

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
from langsmith_emulator.agents.server import group_rss_bytes, start_server
from langsmith_emulator.agents.supervisor import Supervisor
from langsmith_emulator.testing import running_emulator

from .emulator.conftest import Api
from .emulator.test_agent_lifecycle import example_tarball
from .emulator.test_uploads import create_source, patch_source, put, upload_url

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


def _roll_out(api: Any, dep_id: str, data: bytes) -> tuple[str, float]:
    """Upload + PATCH as `langgraph deploy --remote` does; returns the revision and its time to DEPLOYED."""
    started = time.monotonic()
    answer = upload_url(api, dep_id)
    put(answer, data).raise_for_status()
    patched = patch_source(api, dep_id, answer["object_path"])
    assert patched.status_code == 200, patched.text
    revision = str(patched.json()["latest_revision_id"])
    seen = api.watch(dep_id, revision, timeout=900)
    if seen[-1] != "DEPLOYED":
        raise SystemExit(f"revision {revision} ended {seen[-1]}")
    return revision, time.monotonic() - started


def through_control_plane(cache: Path) -> dict[str, Any]:
    """The example deployed through the local control plane with `--run-agents`: create to DEPLOYED
    with a cold and a warm environment cache, each server's memory, and a rollout of a graph edit while
    4 clients call the URL (failed requests, the goal being 0)."""
    out: dict[str, Any] = {}
    with running_emulator(api="current", run_agents=True, extra_args=[f"--agent-cache={cache}"]) as emu:
        api = Api(emu)
        for label in ("cold", "warm"):
            started = time.monotonic()
            dep = create_source(api, f"bench-{label}")
            _, _ = _roll_out(api, dep["id"], example_tarball())
            out[f"{label}_s"] = time.monotonic() - started
            out["dep_id"] = dep["id"]
        out["rss_mb"] = [group_rss_bytes(int(s["pid"])) / 2**20 for s in emu.agents() if s.get("pid")]
        url = api.deployment(out["dep_id"])["source_config"]["custom_url"]
        results: list[bool] = []
        stop = threading.Event()

        def client() -> None:
            session = requests.Session()
            while not stop.is_set():
                try:
                    body = {"assistant_id": "agent", "input": {"message": "Hi"}}
                    results.append(session.post(f"{url}/runs/wait", json=body, timeout=60).ok)
                except requests.RequestException:
                    results.append(False)
                time.sleep(0.02)

        threads = [threading.Thread(target=client) for _ in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(2)
        edited = (EXAMPLE / "graph.py").read_text().replace("message.upper()", "message.lower()")
        _, out["rollout_s"] = _roll_out(api, out["dep_id"], example_tarball(edited))
        time.sleep(2)
        stop.set()
        for thread in threads:
            thread.join()
        out["rollout_requests"], out["rollout_failed"] = len(results), results.count(False)
    return out


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
        print("bench: the example through the local control plane (--run-agents), cold cache ...", flush=True)
        plane = through_control_plane(workdir / "plane-cache" if args.cache is None else args.cache)
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
    print("through the control plane (create, upload-url, PUT, PATCH, build, start, /ok):")
    print(f"  create to DEPLOYED, cold environment cache: {plane['cold_s']:6.1f} s")
    print(f"  create to DEPLOYED, warm environment cache: {plane['warm_s']:6.1f} s")
    print(f"  resident memory per running agent server:   {', '.join(f'{m:.0f}' for m in plane['rss_mb'])} MiB")
    print(
        f"  rollout of a graph edit under 4 clients: {plane['rollout_failed']} failed of "
        f"{plane['rollout_requests']} requests (goal 0), new revision DEPLOYED after {plane['rollout_s']:.1f} s"
    )


if __name__ == "__main__":
    main()
