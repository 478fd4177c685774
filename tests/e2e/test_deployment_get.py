"""`Deployment.get(name, id)`: another team's deployment read into the program, never managed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi import automation as auto

from pulumi_langsmith import Deployment

from ..support.data import github_body
from .harness import E2EStack, api, last_seq, live_deployments, mutating_requests

pytestmark = pytest.mark.e2e


def test_get_reads_without_managing(tmp_path: Path, emulator: Any) -> None:
    theirs = api(emulator, "POST", "/v2/deployments", json=github_body("someone-elses"))

    def program() -> None:
        d = Deployment.get("theirs", theirs["id"])
        pulumi.export("name", d.name)
        pulumi.export("url", d.url)
        pulumi.export("id", d.id)

    s = E2EStack(tmp_path, emulator, program)
    seq = last_seq(emulator)
    s.up()
    outs = s.outputs()
    assert outs == {"name": "someone-elses", "url": theirs["source_config"]["custom_url"], "id": theirs["id"]}
    [res] = s.resources()
    assert res.get("external") is True and "sk-test" not in s.raw_state()
    s.destroy()
    assert mutating_requests(emulator, seq) == []  # neither up nor destroy touched it
    assert [d["id"] for d in live_deployments(emulator)] == [theirs["id"]]


def test_get_of_an_unknown_id_fails(tmp_path: Path, emulator: Any) -> None:
    def program() -> None:
        pulumi.export("id", Deployment.get("nothing", "00000000-0000-4000-8000-00000000dead").id)

    s = E2EStack(tmp_path, emulator, program)
    with pytest.raises(auto.CommandError) as err:
        s.up()
    assert "00000000-0000-4000-8000-00000000dead" in str(err.value)
