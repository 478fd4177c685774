"""Issue 27, defect 11: any combination of changes in one `up` is accepted by the service.

Switching `repo_ref` from a tag to a branch and turning `build_on_push` on in one update sent the
plain (no-revision) PATCH first; the service checks tag + build_on_push against the merged stored and
new values, so it answered 400. Here every pair of fields that change in place (`Change.PATCH` and
`Change.REVISION` in `fields.FIELDS`, per source) is changed in one update of the real dynamic
provider host against the local control plane: the service accepts it, exactly the table's number of
revisions is made (one when either field rolls out a revision, else none), and the server holds both
new values. One deployment per source serves every pair.
"""

from __future__ import annotations

import copy
import itertools
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from langsmith_emulator.testing import GITHUB_INTEGRATION_ID, GITHUB_REPO_URL, LISTENER_ID
from pulumi_langsmith.core.schema import Change, Compare, Field
from pulumi_langsmith.deployment import changes, fields
from pulumi_langsmith.source_archive import SourceArchive

from .support.host import Host
from .support.server import API, api, revision_ids

AGENT = Path(__file__).resolve().parents[1] / "examples" / "local-agent" / "agent"
#: Not waited for: the refusal is the PATCH's own answer, a revision is counted the moment it is made,
#: and the walk costs its requests only (the rollout's wait is the field-table property test's).
WAIT = {"enabled": False, "health_check": False}
OTHER_CONFIG = "langgraph-b.json"  # a second config file in the source_dir, identical to the first

REPO_REF, BUILD_ON_PUSH = "source_revision_config.repo_ref", "source_config.build_on_push"
TAG_PREFIX = "refs/tags/"
#: The documented constraint between two changing fields (the spec's `SourceConfig.build_on_push`:
#: "Cannot be enabled when `source_revision_config.repo_ref` specifies a tag"; checked against the
#: merged stored and new values, control-plane-api.md 4.2). Its pair is walked across it both ways.
CONSTRAINED = (REPO_REF, BUILD_ON_PUSH)

Maker = Callable[[int, Any], Any]
#: A new value for each field, from the step number and the current value (never equal to it).
MAKERS: dict[str, Maker] = {
    "display_name": lambda i, _: f"Pair {i}",
    BUILD_ON_PUSH: lambda _, cur: not cur,
    "source_config.custom_url": lambda i, _: f"https://pair-{i}.example.com",
    REPO_REF: lambda i, _: f"pair-{i}",  # a branch: valid whatever build_on_push is
    "source_revision_config.langgraph_config_path": lambda _, cur: (
        OTHER_CONFIG if cur != OTHER_CONFIG else "langgraph.json"
    ),
    "source_revision_config.image_uri": lambda i, _: f"registry.example.com/agent:{i}",
    "source_config.install_command": lambda i, _: f"pip install . # {i}",
    "source_config.build_command": lambda i, _: f"make build-{i}",
    "source_hash": lambda i, _: i,  # a file of the source_dir changes (`_Walk.code`)
    "secret_references": lambda i, _: [{"name": "DB_URL", "secret_name": "db", "secret_key": f"url{i}"}],
    "env": lambda i, _: {"MODE": f"m{i}"},
    "secrets": lambda i, _: {"API_TOKEN": f"tok-pair-{i}"},
    "source_config.resource_spec": lambda _, cur: {"min_scale": 1, "max_scale": 3 if cur["max_scale"] == 2 else 2},
}


def changing(source: str) -> list[Field]:
    """The table's fields that change in place for this source (on a spec-shaped server, not the
    newer API's, which the provider keeps in state only)."""
    return [
        f
        for f in fields.FIELDS
        if f.change in (Change.PATCH, Change.REVISION) and source in f.sources and not (API == "spec" and f.newer_api)
    ]


def test_every_changing_field_has_a_value_maker() -> None:
    every = {f.path for s in fields.SOURCES for f in changing(s)}
    assert set(MAKERS) >= every, every - set(MAKERS)
    assert all(p in fields.BY_PATH for p in CONSTRAINED)


def _get(inputs: dict[str, Any], path: str) -> Any:
    node: Any = inputs
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _put(inputs: dict[str, Any], path: str, value: Any) -> None:
    *parents, key = path.split(".")
    node = inputs
    for part in parents:
        node = node.setdefault(part, {})
    node[key] = value


def _valid(inputs: dict[str, Any]) -> bool:
    ref = _get(inputs, REPO_REF)
    return not (_get(inputs, BUILD_ON_PUSH) and isinstance(ref, str) and ref.startswith(TAG_PREFIX))


class _Walk:
    """One deployment of a source, changed pair by pair through the provider host."""

    def __init__(self, host: Host, emulator: Any, source: str, base: dict[str, Any], code: Path | None) -> None:
        self.host, self.emulator, self.source, self.code = host, emulator, source, code
        self.inputs = self._archived(base)
        checked, failures = host.check({}, self.inputs)
        assert failures == []
        self.id, self.outs = host.create(checked)
        self.step = 0

    def _archived(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """A source_dir's hash, as the program computes it (the config path is part of it)."""
        if self.code is not None:
            config = _get(inputs, "source_revision_config.langgraph_config_path") or "langgraph.json"
            inputs["source_hash"] = SourceArchive.from_dir(self.code, config).content_hash
        return inputs

    def change(self, news: dict[str, Any], paths: tuple[str, ...]) -> None:
        """One update changing `paths`; asserts the revisions made and the values the server holds."""
        assert _valid(news), news
        before = revision_ids(self.emulator, self.id)
        checked, failures = self.host.check(self.outs, news)
        assert failures == [], (paths, failures)
        self.outs = self.host.update(self.id, self.outs, checked)
        self.inputs = news
        rolls = any(fields.BY_PATH[p].change is Change.REVISION for p in paths)
        after = revision_ids(self.emulator, self.id)
        assert len(after) - len(before) == (1 if rolls else 0), (paths, len(after) - len(before))
        server = api(self.emulator, "GET", f"/v2/deployments/{self.id}")
        for path in paths:
            assert _holds(server, fields.BY_PATH[path], news), (paths, path, server)
        if rolls:
            assert self.outs["latest_revision_id"] == after[0]

    def pair(self, a: str, b: str, values: dict[str, Any] | None = None) -> None:
        self.step += 1
        news = copy.deepcopy(self.inputs)
        for path in (a, b):
            value = (values or {}).get(path, MAKERS[path](self.step, _get(news, path)))
            if path == "source_hash":
                assert self.code is not None
                (self.code / "step.txt").write_text(f"step {value}\n")
            else:
                _put(news, path, value)
        self.change(self._archived(news), (a, b))


def _holds(server: dict[str, Any], f: Field, declared: dict[str, Any]) -> bool:
    """Whether the server holds the declared value of `f`, read the way the spec names it."""
    want = _get(declared, f.path)
    env = {s["name"]: s["value"] for s in server.get("secrets") or []}
    if f.path == "source_hash":
        return changes.source_hash_on(server) == want
    if f.api == "secrets" or f.compare is Compare.HASH:
        return all(env.get(k) == v for k, v in want.items())
    held = _get(server, f.path)
    if f.compare is Compare.DECLARED_KEYS:
        return all((held or {}).get(k) == v for k, v in want.items())
    return bool(held == want)


# The deployments ---------------------------------------------------------------------------------


def _base(source: str, name: str) -> dict[str, Any]:
    common = {"name": name, "source": source, "env": {"MODE": "m0"}, "secrets": {"API_TOKEN": "tok-pair-0"}}
    common.update(owner=f"{name}-owner", wait=WAIT, display_name="Pair 0")
    if source == fields.GITHUB:
        return {
            **common,
            "source_config": {
                "integration_id": GITHUB_INTEGRATION_ID,
                "repo_url": GITHUB_REPO_URL,
                "deployment_type": "dev",
                "build_on_push": True,
                "install_command": "pip install .",
                "build_command": "make",
            },
            "source_revision_config": {"repo_ref": "main", "langgraph_config_path": "langgraph.json"},
        }
    if source == fields.EXTERNAL_DOCKER:
        return {
            **common,
            "source_config": {
                "listener_id": LISTENER_ID,
                "listener_config": {"k8s_namespace": "agents"},
                "resource_spec": {"min_scale": 1, "max_scale": 2},
                "custom_url": "https://pair-0.example.com",
            },
            "source_revision_config": {"image_uri": "registry.example.com/agent:0"},
            "secret_references": [{"name": "DB_URL", "secret_name": "db", "secret_key": "url0"}],
        }
    return {
        **common,
        "source_config": {"install_command": "pip install .", "build_command": "make"},
        "source_revision_config": {"langgraph_config_path": "langgraph.json"},
    }


@pytest.mark.parametrize("source", fields.SOURCES)
def test_every_pair_of_changing_fields_in_one_update_is_accepted(
    host: Host, emulator: Any, source: str, tmp_path: Path
) -> None:
    if source == fields.INTERNAL_SOURCE and API == "spec":
        pytest.skip("local-directory sources need the upload-url route, which the official spec lacks (--api spec)")
    code = None
    base = _base(source, f"pairs-{source.replace('_', '-')}")
    if source == fields.INTERNAL_SOURCE:
        code = tmp_path / "agent"
        shutil.copytree(AGENT, code, ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(code / "langgraph.json", code / OTHER_CONFIG)
        base["source_dir"] = str(code)
    walk = _Walk(host, emulator, source, base, code)
    paths = [f.path for f in changing(source)]
    if all(p in paths for p in CONSTRAINED):
        # Across the constraint both ways: branch + on -> tag + off, then the defect, tag -> branch + on.
        walk.pair(*CONSTRAINED, values={REPO_REF: f"{TAG_PREFIX}v1", BUILD_ON_PUSH: False})
        walk.pair(*CONSTRAINED, values={REPO_REF: "release", BUILD_ON_PUSH: True})
    for a, b in itertools.combinations(paths, 2):
        walk.pair(a, b)
