"""A `github` deployment's URL is served by the local control plane (`routes/agents.py`): `/ok`
answers once a revision is DEPLOYED, so health checks and `curl {url}/ok` work without `--run-agents`."""

from __future__ import annotations

import requests

from .conftest import Api


def test_url_answers_ok_only_while_a_revision_is_deployed(api: Api) -> None:
    created = api.create_github("sim-agent")
    url = created["source_config"]["custom_url"]
    assert url == f"{api.emu.url}/_agents/{created['id']}"
    before = requests.get(f"{url}/ok", timeout=5)
    assert before.status_code == 503 and "DEPLOYED" in before.json()["detail"]
    api.watch(created["id"], created["latest_revision_id"], until={"DEPLOYED"})
    assert requests.get(f"{url}/ok", timeout=5).json() == {"ok": True}
    # Anything but /ok says the graph is not served, and how to serve it.
    run = requests.post(f"{url}/runs/wait", json={"assistant_id": "agent"}, timeout=5)
    assert run.status_code == 501 and "--run-agents --agent-repo" in run.json()["detail"]
    assert api.delete(f"/v2/deployments/{created['id']}").status_code in (200, 202, 204)
    api.wait_gone(created["id"])
    assert requests.get(f"{url}/ok", timeout=5).status_code == 404


def test_agent_urls_are_not_api_calls(api: Api) -> None:
    """Not logged, limited or faulted: an agent's host is not the control plane."""
    created = api.create_github("sim-quiet")
    api.emu.settings(fault_rate=1.0, rate_limit=0.01, api="spec")
    try:
        url = created["source_config"]["custom_url"]
        for _ in range(5):
            assert requests.get(f"{url}/ok", timeout=5).status_code in (200, 503)
    finally:
        api.emu.settings(fault_rate=0.0, rate_limit=None, api="current")
    assert not [r for r in api.emu.requests() if "/_agents/" in r["path"]]
    # Another workspace's deployment answers too: the URL itself is the address, no headers needed.
    assert requests.get(f"{url}/ok", timeout=5).status_code in (200, 503)


def test_unknown_deployment_is_404(api: Api) -> None:
    base = f"{api.emu.url}/_agents/00000000-0000-4000-8000-00000000dead"
    assert requests.get(f"{base}/ok", timeout=5).status_code == 404
    assert requests.get(f"{base}/info", timeout=5).status_code == 404
