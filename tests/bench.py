"""`make bench`: the performance goals, measured side by side in one run, printed as ratios.

Scenarios (each on its own emulator, revisions of ~8 s: build 5 s + deploy 3 s):
  fleet     `up --parallel 32` of 1 and of 12 deployments with the real CLI; 12 again with the host's
            stock 4 worker threads (LANGSMITH_PROVIDER_WORKERS=4) to show what the widening buys.
  economy   requests per create, per no-op preview, per refresh (from the emulator's request log).
  reaction  delay between a revision becoming DEPLOYED (server time) and the provider's last call
            for it, next to the vendor example script's fixed 60 s loop run unchanged.
  local dir `up` of examples/local-agent (source_dir: archive, upload, PATCH, wait): wall time and
            requests, then one code edit's `up` (a new revision).
  long wait requests per 10 minutes of waiting: measured on a stuck revision for 60 s through the
            real provider host, and the exact count of our polling schedule over 600 s.
Nothing here asserts; goals are printed next to the figures.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from langsmith_emulator.testing import API_KEY, GITHUB_INTEGRATION_ID, TENANT_ID, running_emulator
from pulumi_langsmith import Deployment, SourceConfigArgs, SourceRevisionConfigArgs
from pulumi_langsmith.core.waiter import Polling

from .e2e.harness import E2EStack
from .support.host import HostError, provider_host

BUILD, DEPLOY = 5.0, 3.0
ROOT = Path(__file__).resolve().parents[1]


def ts(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def fleet(n: int) -> Callable[[], None]:
    def program() -> None:
        for i in range(n):
            Deployment(
                f"agent-{i}",
                source="github",
                source_config=SourceConfigArgs(
                    integration_id=GITHUB_INTEGRATION_ID,
                    repo_url="https://github.com/langchain-ai/langgraph-example",
                    deployment_type="dev",
                ),
                source_revision_config=SourceRevisionConfigArgs(
                    repo_ref="main", langgraph_config_path="langgraph.json"
                ),
                secrets={"OPENAI_API_KEY": "sk-bench"},
            )

    return program


def api_get(emu: Any, path: str) -> Any:
    import requests

    r = requests.get(emu.url + path, headers={"X-Api-Key": API_KEY, "X-Tenant-Id": TENANT_ID}, timeout=10)
    r.raise_for_status()
    return r.json()


def reaction_delays(emu: Any, requests_log: list[dict[str, Any]]) -> list[float]:
    """Per revision: first request after it became DEPLOYED that served its waiter, minus that moment."""
    delays = []
    for dep in api_get(emu, "/v2/deployments?limit=100")["resources"]:
        for rev in api_get(emu, f"/v2/deployments/{dep['id']}/revisions?limit=100")["resources"]:
            if rev["status"] != "DEPLOYED":
                continue
            deployed_at = ts(rev["updated_at"])
            polls = [
                ts(r["time"]) + r["duration_ms"] / 1000
                for r in requests_log
                if r["method"] == "GET" and rev["id"] in r["path"] and ts(r["time"]) >= deployed_at
            ]
            if polls:
                delays.append(min(polls) - deployed_at)
    return delays


def run_fleet(n: int, workers: int | None = None) -> dict[str, Any]:
    with running_emulator(build_seconds=BUILD, deploy_seconds=DEPLOY) as emu, tempfile.TemporaryDirectory() as tmp:
        env = {"LANGSMITH_PROVIDER_WORKERS": str(workers)} if workers else {}
        stack = E2EStack(Path(tmp), emu, fleet(n), extra_env=env)
        start = time.monotonic()
        stack.up(parallel=32)
        wall = time.monotonic() - start
        log = emu.requests()
        result = {"wall": wall, "requests_up": len(log), "reaction": reaction_delays(emu, log)}
        seq = emu.requests()[-1]["seq"]  # after reaction_delays' own listing calls
        stack.preview(expect_no_changes=True)
        result["preview_requests"] = len(emu.requests(since=seq))
        seq = emu.requests()[-1]["seq"] if emu.requests() else seq
        stack.refresh()
        result["refresh_requests"] = len(emu.requests(since=seq))
        stack.destroy(parallel=32)
        return result


def run_local_dir() -> dict[str, Any]:
    """Upload-and-deploy of examples/local-agent from its directory, then one edit of the graph."""
    import shutil

    from .e2e.harness import program_from_dir

    with running_emulator(build_seconds=BUILD, deploy_seconds=DEPLOY) as emu, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "local-agent"
        shutil.copytree(ROOT / "examples" / "local-agent", work, ignore=shutil.ignore_patterns("Pulumi.*.yaml"))
        previous = Path.cwd()
        os.chdir(work)  # `source_dir="./agent"` is relative to the program's directory, as under the CLI
        try:
            stack = E2EStack(Path(tmp), emu, program_from_dir(work), work_dir=work)
            start = time.monotonic()
            stack.up()
            result: dict[str, Any] = {"wall": time.monotonic() - start, "requests": len(emu.requests())}
            result["bytes"] = stack.outputs()["source_archive_bytes"]
            graph = work / "agent" / "graph.py"
            graph.write_text(graph.read_text().replace("message.upper()", "message.lower()"))
            seq = emu.requests()[-1]["seq"]
            start = time.monotonic()
            stack.up()
            result["edit_wall"] = time.monotonic() - start
            result["edit_requests"] = len(emu.requests(since=seq))
            stack.destroy()
        finally:
            os.chdir(previous)
        return result


def run_vendor(out: dict[str, Any]) -> None:
    """The vendor page's example script, unchanged, with its real 60 s sleeps."""
    with running_emulator(build_seconds=BUILD, deploy_seconds=DEPLOY) as emu:
        env = {
            **os.environ,
            "CONTROL_PLANE_HOST": emu.url,
            "LANGSMITH_API_KEY": API_KEY,
            "WORKSPACE_ID": TENANT_ID,
            "INTEGRATION_ID": GITHUB_INTEGRATION_ID,
        }
        start = time.monotonic()
        proc = subprocess.run(
            [sys.executable, str(ROOT / "tests" / "fixtures" / "vendor_example.py")],
            env=env,
            capture_output=True,
            text=True,
            timeout=400,
        )
        out["vendor_wall"] = time.monotonic() - start
        out["vendor_rc"] = proc.returncode
        log = emu.requests()
        deployed = []
        for r in log:
            if r["method"] == "GET" and r["route"] == "/v2/deployments/{id}/revisions/{id}":
                deployed.append(r)
        # The script deletes at the end, so compute from revision GET timing: a revision polled
        # CREATING at t0 and DEPLOYED at t1 became DEPLOYED at t0 + BUILD + DEPLOY (+ brief phases).
        polls: dict[str, list[float]] = {}
        for r in deployed:
            polls.setdefault(r["path"], []).append(ts(r["time"]))
        out["vendor_reaction"] = [max(p) - (min(p) + BUILD + DEPLOY) for p in polls.values() if len(p) > 1]


def run_long_wait(out: dict[str, Any]) -> None:
    """A stuck revision for 60 s through the real provider host; count the polls."""
    from .support.data import github_inputs

    with running_emulator(build_seconds=1.0, deploy_seconds=1.0) as emu, provider_host() as host:
        host.configure(
            {"langsmith:apiKey": API_KEY, "langsmith:workspaceId": TENANT_ID, "langsmith:controlPlaneUrl": emu.url}
        )
        emu.add_outcome(outcome="STUCK")
        inputs = github_inputs("long-wait", wait={"timeout_seconds": 60.0})
        start = time.monotonic()
        with contextlib.suppress(HostError):  # the wait's own deadline ends it, by design
            host.create(inputs, timeout=120)
        out["wait_wall"] = time.monotonic() - start
        out["wait_polls"] = sum(
            1 for r in emu.requests() if r["method"] == "GET" and r["route"] == "/v2/deployments/{id}/revisions/{id}"
        )


def scheduled_polls(seconds: float) -> int:
    """Exact number of polls our default schedule makes while one status lasts `seconds`."""
    polling = Polling()
    t, polls = 0.0, 0
    while t < seconds:
        polls += 1
        t += polling.interval(t)
    return polls


def main() -> None:
    background: dict[str, Any] = {}
    threads = [
        threading.Thread(target=run_vendor, args=(background,), daemon=True),
        threading.Thread(target=run_long_wait, args=(background,), daemon=True),
    ]
    for t in threads:
        t.start()
    print("bench: fleet of 1 ...", flush=True)
    one = run_fleet(1)
    print("bench: fleet of 12 ...", flush=True)
    twelve = run_fleet(12)
    print("bench: fleet of 12 with the host's stock 4 workers ...", flush=True)
    narrow = run_fleet(12, workers=4)
    print("bench: upload-and-deploy of examples/local-agent ...", flush=True)
    local = run_local_dir()
    print("bench: waiting for the vendor script (real 60 s sleeps) and the 60 s stuck wait ...", flush=True)
    for t in threads:
        t.join(timeout=600)

    ours = one["reaction"] + twelve["reaction"]
    vendor = background.get("vendor_reaction") or [float("nan")]
    ours_max = max(ours) if ours else float("nan")
    vendor_mean = sum(vendor) / len(vendor)
    polls60 = background.get("wait_polls", 0)
    rows = [
        ("wall(1), up --parallel 32", f"{one['wall']:.1f} s", ""),
        ("wall(12), up --parallel 32", f"{twelve['wall']:.1f} s", ""),
        ("wall(12) / wall(1)", f"{twelve['wall'] / one['wall']:.2f}x", "<= 1.2x"),
        ("wall(12), host's stock 4 workers / wall(1)", f"{narrow['wall'] / one['wall']:.2f}x", "(for contrast)"),
        ("reaction after DEPLOYED, ours (max)", f"{ours_max:.2f} s", "<= 1 s"),
        ("reaction after DEPLOYED, vendor 60 s loop (mean)", f"{vendor_mean:.1f} s", ""),
        ("reaction ratio vendor / ours", f"{vendor_mean / max(ours_max, 1e-3):.0f}x", ""),
        ("requests per create (1 deployment, whole up)", f"{one['requests_up']}", ""),
        ("requests, no-op preview of 12", f"{twelve['preview_requests']}", "0"),
        ("requests per deployment, refresh of 12", f"{twelve['refresh_requests'] / 12:.2f}", "<= 2"),
        ("local-agent up from source_dir (archive+upload+deploy)", f"{local['wall']:.1f} s", ""),
        ("requests, local-agent up from source_dir", f"{local['requests']}", ""),
        ("local-agent archive size", f"{local['bytes']} B", "<= 200 MiB"),
        ("local-agent up after a graph edit (1 revision)", f"{local['edit_wall']:.1f} s", ""),
        ("requests, local-agent up after a graph edit", f"{local['edit_requests']}", ""),
        ("polls in a 60 s stuck wait (measured)", f"{polls60}", ""),
        ("polls per 10-min wait, ours (schedule)", f"{scheduled_polls(600)}", "~120 (1 per 5 s)"),
        ("polls per 10-min wait, vendor 60 s loop", "10", ""),
    ]
    print()
    print(f"{'metric':<52}{'value':>12}  goal")
    print("-" * 80)
    for name, value, goal in rows:
        print(f"{name:<52}{value:>12}  {goal}")
    if background.get("vendor_rc") not in (0, None):
        print(f"note: the vendor script exited {background['vendor_rc']}")


if __name__ == "__main__":
    main()
