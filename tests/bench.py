"""`make bench`: the performance goals, measured side by side in one run, printed as ratios.

Scenarios (each on its own emulator, revisions of ~8 s: build 5 s + deploy 3 s):
  fleet     `up --parallel 32` of 1 and of 12 deployments with the real CLI; 12 again with the host's
            stock 4 worker threads (LANGSMITH_PROVIDER_WORKERS=4) to show what the widening buys.
  fleet100  `up --parallel 128` of 100 deployments, default settings: ratio to 1, requests in the whole
            `up`, peak requests in one second, reaction (max, p95), the provider host's peak RSS.
  limited   the same 100 under an emulator limit of 20 requests/s: `up` and `destroy` converge, nothing lost.
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
from datetime import datetime
from pathlib import Path
from typing import Any

from langsmith_emulator.testing import API_KEY, GITHUB_INTEGRATION_ID, TENANT_ID, running_emulator
from pulumi_langsmith.core.waiter import Polling
from pulumi_langsmith.core.watcher import CHECK_EVERY, interval_for

from .e2e.harness import E2EStack
from .e2e.lifecycle_support import fleet
from .support.host import HostError, provider_host

BUILD, DEPLOY = 5.0, 3.0
ROOT = Path(__file__).resolve().parents[1]


def ts(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def api_get(emu: Any, path: str) -> Any:
    import requests

    r = requests.get(emu.url + path, headers={"X-Api-Key": API_KEY, "X-Tenant-Id": TENANT_ID}, timeout=10)
    r.raise_for_status()
    return r.json()


def reaction_delays(emu: Any, requests_log: list[dict[str, Any]]) -> list[float]:
    """Per revision: first request after it became DEPLOYED that served its waiter, minus that moment:
    a GET of the revision, or the watcher's batched list naming its deployment (`deployment_ids=`)."""
    delays = []
    for dep in api_get(emu, "/v2/deployments?limit=100")["resources"]:
        for rev in api_get(emu, f"/v2/deployments/{dep['id']}/revisions?limit=100")["resources"]:
            if rev["status"] != "DEPLOYED":
                continue
            deployed_at = ts(rev["updated_at"])
            polls = [
                ts(r["time"]) + r["duration_ms"] / 1000
                for r in requests_log
                if r["method"] == "GET"
                and (rev["id"] in r["path"] or dep["id"] in r.get("query", ""))
                and ts(r["time"]) >= deployed_at
            ]
            if polls:
                delays.append(min(polls) - deployed_at)
    return delays


def host_rss_kib(marker: str) -> int:
    """Summed resident memory of this stack's dynamic-provider hosts (`python -m pulumi.dynamic` whose
    environment names `marker`, the stack's own PULUMI_HOME)."""
    total = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if b"pulumi.dynamic" not in (proc / "cmdline").read_bytes():
                continue
            if marker.encode() not in (proc / "environ").read_bytes():
                continue
            for line in (proc / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


class RssSampler:
    """Peak provider-host RSS while a command runs (sampled every 0.2 s)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, host_rss_kib(self.marker))

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def p95(values: list[float]) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def run_fleet(n: int, workers: int | None = None, parallel: int = 32, economy: bool = True) -> dict[str, Any]:
    with running_emulator(build_seconds=BUILD, deploy_seconds=DEPLOY) as emu, tempfile.TemporaryDirectory() as tmp:
        env = {"LANGSMITH_PROVIDER_WORKERS": str(workers)} if workers else {}
        stack = E2EStack(Path(tmp), emu, fleet(n, "agent", {"OPENAI_API_KEY": "sk-bench"}), extra_env=env)
        start = time.monotonic()
        with RssSampler(str(Path(tmp) / "pulumi-home")) as rss:
            stack.up(parallel=parallel)
        wall = time.monotonic() - start
        log = emu.requests()
        stats = emu.request_stats()
        result = {
            "wall": wall,
            "requests_up": len(log),
            "peak_up": stats.peak_per_second,
            "rate_limited_up": stats.rate_limited,
            "by_route": stats.by_route,
            "rss_kib": rss.peak,
            "reaction": reaction_delays(emu, log),
        }
        if not economy:
            stack.destroy(parallel=parallel)
            return result
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


def run_limited(n: int, rate: float, parallel: int = 128) -> dict[str, Any]:
    """`up` then `destroy` of `n` deployments against a control plane that answers 429 above `rate`."""
    with (
        running_emulator(build_seconds=BUILD, deploy_seconds=DEPLOY, rate_limit=rate) as emu,
        tempfile.TemporaryDirectory() as tmp,
    ):
        stack = E2EStack(Path(tmp), emu, fleet(n, "agent", {"OPENAI_API_KEY": "sk-bench"}))
        out: dict[str, Any] = {}
        start = time.monotonic()
        try:
            up = stack.up(parallel=parallel)
            out["up_ok"] = up.summary.result == "succeeded"
        except Exception as exc:  # reported, not raised: the table says what failed
            out["up_ok"], out["up_error"] = False, str(exc)[-500:]
        out["up_wall"] = time.monotonic() - start
        stats = emu.request_stats()
        out["up_requests"], out["up_429"], out["up_peak"] = stats.total, stats.rate_limited, stats.peak_per_second
        live = api_get_all(emu)
        out["live_after_up"] = len(live)
        out["deployed_after_up"] = sum(1 for d in live if d.get("active_revision_id") == d.get("latest_revision_id"))
        out["state_after_up"] = len(stack.resources())
        seq = emu.requests()[-1]["seq"]
        start = time.monotonic()
        try:
            stack.destroy(parallel=parallel)
            out["destroy_ok"] = True
        except Exception as exc:
            out["destroy_ok"], out["destroy_error"] = False, str(exc)[-500:]
        out["destroy_wall"] = time.monotonic() - start
        stats = emu.request_stats(since=seq)
        out["destroy_429"] = stats.rate_limited
        out["live_after_destroy"] = len(api_get_all(emu))
        out["state_after_destroy"] = len(stack.resources())
        return out


def api_get_all(emu: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while True:
        page = api_get(emu, f"/v2/deployments?limit=100&offset={len(found)}")["resources"]
        found.extend(page)
        if len(page) < 100:
            return found


def run_vendor(out: dict[str, Any]) -> None:
    """The vendor page's example script with its real 60 s sleeps (only its invalid name is fixed)."""
    with running_emulator(build_seconds=BUILD, deploy_seconds=DEPLOY) as emu:
        env = {
            **os.environ,
            "CONTROL_PLANE_HOST": emu.url,
            "LANGSMITH_API_KEY": API_KEY,
            "WORKSPACE_ID": TENANT_ID,
            "INTEGRATION_ID": GITHUB_INTEGRATION_ID,
        }
        start = time.monotonic()
        # Unchanged but for its name: `my_deployment` is refused, as the real service refuses it.
        runner = (
            "import sys; source = open(sys.argv[1]).read().replace("
            "'deployment_name = \"my_deployment\"', 'deployment_name = \"my-deployment\"'); "
            "exec(compile(source, sys.argv[1], 'exec'), {'__name__': '__main__'})"
        )
        proc = subprocess.run(
            [sys.executable, "-c", runner, str(ROOT / "tests" / "fixtures" / "vendor_example.py")],
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
            1
            for r in emu.requests()
            if r["method"] == "GET"
            and (r["route"] == "/v2/deployments/{id}/revisions/{id}" or "deployment_ids" in r.get("query", ""))
        )


def scheduled_polls(seconds: float) -> int:
    """Exact number of requests one wait costs while one status lasts `seconds`: the watcher's lists on
    the wait's schedule, plus the wait's own revision read every CHECK_EVERY seconds."""
    polling = Polling()
    t, polls = 0.0, 0
    while t < seconds:
        polls += 1
        t += interval_for(polling.interval(t), t)
    return polls + int(seconds // CHECK_EVERY)


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
    print("bench: fleet of 100, up --parallel 128 ...", flush=True)
    hundred = run_fleet(100, parallel=128, economy=False)
    print("bench: fleet of 100 against a control plane limited to 20 requests/s ...", flush=True)
    limited = run_limited(100, 20.0)
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
        ("wall(100), up --parallel 128", f"{hundred['wall']:.1f} s", ""),
        ("wall(100) / wall(1)", f"{hundred['wall'] / one['wall']:.2f}x", "<= 1.2x"),
        ("requests, whole up of 100", f"{hundred['requests_up']}", "<= 400"),
        ("peak requests in one second, up of 100", f"{hundred['peak_up']}", "<= 25"),
        ("reaction at N=1 (max)", f"{max(one['reaction'] or [float('nan')]):.2f} s", "<= 1 s"),
        (
            "reaction at N=100 (max / p95)",
            f"{max(hundred['reaction']):.2f} / {p95(hundred['reaction']):.2f} s",
            "p95 <= 2 s",
        ),
        ("provider host peak RSS, 100 waits", f"{hundred['rss_kib'] / 1024:.0f} MiB", ""),
        ("host RSS at N=1 (for contrast)", f"{one['rss_kib'] / 1024:.0f} MiB", ""),
        (
            "20 req/s limit: up of 100 (wall, 429s, deployed)",
            f"{limited['up_wall']:.0f} s, {limited['up_429']}, {limited['deployed_after_up']}",
            "all 100, no failure",
        ),
        (
            "20 req/s limit: destroy (wall, 429s, left)",
            f"{limited['destroy_wall']:.0f} s, {limited['destroy_429']}, {limited['live_after_destroy']}",
            "0 left",
        ),
        ("polls in a 60 s stuck wait (measured)", f"{polls60}", ""),
        ("requests per 10-min wait, ours (schedule)", f"{scheduled_polls(600)}", "(shared by every wait)"),
        ("polls per 10-min wait, vendor 60 s loop", "10", ""),
    ]
    print()
    print(f"{'metric':<52}{'value':>12}  goal")
    print("-" * 80)
    for name, value, goal in rows:
        print(f"{name:<52}{value:>12}  {goal}")
    print(f"fleet of 100 by route: {hundred['by_route']}")
    print(f"20 req/s run: {limited}")
    if background.get("vendor_rc") not in (0, None):
        print(f"note: the vendor script exited {background['vendor_rc']}")


if __name__ == "__main__":
    main()
