"""A property walk generated from the field table (issue 30): for every source and every documented input
of `Deployment`, through a YAML program on the `langsmith` plugin and the real CLI, against the local
control plane. Each input is set, changed and removed; after each step the server is read (the value
arrived, the revisions counted) and `preview --expect-no-changes` must be empty.

What each step must do comes from the table (`fields.FIELDS`), never from a list kept here:
- `Change.REVISION`: exactly one new revision for the step; `Change.PATCH`: none, the value in place;
- `Change.STATE`: no request at all; `Change.REPLACE`: a new deployment, the old one gone;
- removal: what the field's `removal` says for the source (`Field.removal_for`): refused at preview
  naming the property (all of them in one failing preview, nothing written); kept: one preview that
  must show no change, and the server still holds the value; cleared or reset: one `up` (one revision
  when any of them rolls one out), the value gone or at its default on the server; a replacing field
  removed: one more replacement.
Steps are batched (every field of a kind in one `up`): one stack per source keeps it inside the
`make test` budget. Only the values to set are written here (`VALUES`): a test fails when a field
of the table has none, so a new field cannot go unwalked.
"""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

from langsmith_emulator.testing import GITHUB_INTEGRATION_ID, GITHUB_REPO_URL, LISTENER_ID, SECOND_GITHUB_INTEGRATION_ID
from pulumi_langsmith.core.schema import Change, Compare, Field, Removal
from pulumi_langsmith.deployment import changes, fields
from pulumi_langsmith.plugin.resources import DEPLOYMENT
from pulumi_langsmith.plugin.shapes import ListOf, MapOf, Obj, Shape, camel

from ..support.server import api, revision_ids
from .cli import Project, requires_host
from .harness import ROOT, SPEC_API, VENV, live_deployments

pytestmark = [
    pytest.mark.e2e,
    requires_host("yaml"),
    pytest.mark.skipif(
        SPEC_API,
        reason="the walk checks the field table's promises through the plugin against the current API "
        "(make test's first pass); the spec pass repeats the dynamic provider's e2e tests",
    ),
]

SECRET_1, SECRET_2 = "sk-walk-one-8f2a", "sk-walk-two-8f2a"
SECOND_REPO = "https://github.com/acme-corp/agents"  # the second integration's repository

#: Inputs a program never sets (check computes them) or that the walk covers elsewhere.
NOT_WALKED = {
    "source_hash": "computed from source_dir by check; a change of the directory's files is "
    "tests/e2e/test_source_dir.py's",
    "source_file_count": "computed from source_dir by check",
    "source_archive_bytes": "computed from source_dir by check",
    "source": "changing the source changes every other field: tests/test_changes.py covers the replacement",
    "name": "the walk's programs are autonamed; an explicit name and its replacement are "
    "tests/e2e/test_replace_verbs.py's",
    "adopt_id": "a UUID of an existing deployment, for the first create only: tests/e2e/test_replace_verbs.py",
}

#: (first value, second value) for each walked field, per source where it differs.
VALUES: dict[str, Any] = {
    "source_config.deployment_type": ("prod", "dev"),  # prod: the default check fills in
    "source_config.integration_id": (GITHUB_INTEGRATION_ID, SECOND_GITHUB_INTEGRATION_ID),
    "source_config.repo_url": (GITHUB_REPO_URL, SECOND_REPO),
    "source_config.listener_id": (LISTENER_ID, "SECOND_LISTENER"),
    "source_config.listener_config.k8s_namespace": ("default", "agents"),
    "display_name": ("Walk one", "Walk two"),
    "source_config.build_on_push": (False, True),  # True last: its removal resets it to the default
    "source_config.custom_url": ("https://walk-one.example.com", "https://walk-two.example.com"),
    "source_revision_config.repo_ref": ("main", "release"),
    "source_revision_config.langgraph_config_path": ("langgraph.json", "agent/langgraph.json"),
    "source_revision_config.image_uri": ("registry.example.com/walk:1", "registry.example.com/walk:2"),
    "source_config.install_command": ("pip install -e .", "pip install ."),
    "source_config.build_command": ("make build", "make dist"),
    "secret_references": (
        [{"name": "DB_URL", "secret_name": "db", "secret_key": "url"}],
        [{"name": "DB_URL", "secret_name": "db", "secret_key": "url2"}],
    ),
    "env": ({"MODE": "a", "LEVEL": "1"}, {"MODE": "b"}),
    "secrets": ({"API_TOKEN": SECRET_1}, {"API_TOKEN": SECRET_2}),
    "source_config.resource_spec": ({"min_scale": 1, "max_scale": 2}, {"min_scale": 2, "max_scale": 3}),
    "source_dir": ("DIR_ONE", "DIR_TWO"),
    "adopt": (True, False),
    "delete_tracing_project": (True, False),
    "wait": ({"poll_min_seconds": 0.1, "health_check": False}, {"poll_min_seconds": 0.2, "health_check": False}),
}
#: Inputs set and changed, but not removed by the walk, and why.
NOT_REMOVED = {
    "wait": "removing it resets every setting to its default, health_check on, and the walk's deployments "
    "have no agent that answers: tests/test_changes.py covers the reset",
}
#: What each source needs before anything is walked (its required fields, at their first value).
BASE: dict[str, dict[str, Any]] = {
    fields.GITHUB: {
        "source_config": {"integration_id": GITHUB_INTEGRATION_ID, "repo_url": GITHUB_REPO_URL},
        "source_revision_config": {"repo_ref": "main", "langgraph_config_path": "langgraph.json"},
    },
    fields.EXTERNAL_DOCKER: {"source_revision_config": {"image_uri": "registry.example.com/walk:1"}},
    fields.INTERNAL_SOURCE: {"source_dir": "DIR_ONE"},
}


def walked(source: str, change: Change | None = None) -> list[Field]:
    return [
        f
        for f in fields.FIELDS
        if source in f.sources and f.path not in NOT_WALKED and (change is None or f.change is change)
    ]


def removable(source: str, *kinds: Removal, replacing: bool = False) -> list[Field]:
    """The walked fields whose removal on this source is one of `kinds`, those that replace or not."""
    return [
        f
        for f in walked(source)
        if f.path not in NOT_REMOVED and f.removal_for(source) in kinds and (f.change is Change.REPLACE) == replacing
    ]


def test_every_documented_input_is_walked_or_says_why_not() -> None:
    documented = {f.path for f in fields.FIELDS}
    assert set(VALUES) | set(NOT_WALKED) == documented, documented ^ (set(VALUES) | set(NOT_WALKED))
    for path, (one, two) in VALUES.items():
        assert one != two, path


# The program ------------------------------------------------------------------------------------


def camel_props(value: Any, shape: Shape) -> Any:
    """Snake-case inputs as a YAML program writes them (map keys are the user's own)."""
    if isinstance(shape, Obj) and isinstance(value, Mapping):
        out = {}
        for key, v in value.items():
            name, child = shape.camel(key)
            out[name] = camel_props(v, child)
        return out
    if isinstance(shape, MapOf) and isinstance(value, Mapping):
        return {k: camel_props(v, shape.value) for k, v in value.items()}
    if isinstance(shape, ListOf) and isinstance(value, list):
        return [camel_props(v, shape.item) for v in value]
    return value


def put(inputs: dict[str, Any], path: str, value: Any) -> None:
    parent, _, key = path.rpartition(".")
    node = inputs
    for part in parent.split(".") if parent else []:
        node = node.setdefault(part, {})
    node[key] = value


def drop(inputs: dict[str, Any], path: str) -> None:
    parent, _, key = path.rpartition(".")
    node: Any = inputs
    for part in parent.split(".") if parent else []:
        node = node.get(part, {})
    node.pop(key, None)


class Walk:
    """One source's stack: a YAML program rewritten between steps."""

    def __init__(self, source: str, tmp_path: Path, emulator: Any) -> None:
        self.source, self.emulator = source, emulator
        tree = tmp_path / "tree"
        self.work = tree / "project"
        self.work.mkdir(parents=True)
        (tree / ".venv").symlink_to(VENV)
        agent = ROOT / "examples" / "local-agent" / "agent"
        self.dirs = {"DIR_ONE": tree / "code-one", "DIR_TWO": tree / "code-two"}
        for d in self.dirs.values():  # the same files in two places: moving the checkout rolls out nothing
            shutil.copytree(agent, d, ignore=shutil.ignore_patterns("__pycache__"))
            shutil.copytree(agent, d / "agent", ignore=shutil.ignore_patterns("__pycache__"))
        self.inputs: dict[str, Any] = {"source": source, "wait": {"health_check": False}}
        for key, value in BASE[source].items():
            self.inputs[key] = json.loads(json.dumps(value))
        self.project = Project(self.work, tmp_path)
        self.write()
        self.project.init_stack(emulator.url)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, str) and value in self.dirs:
            return str(self.dirs[value])
        if value == "SECOND_LISTENER":
            return self.second_listener()
        return value

    def second_listener(self) -> str:
        if not hasattr(self, "_second"):
            body = {
                "compute_type": "k8s",
                "compute_id": "walk-cluster",
                "compute_config": {"k8s_namespaces": ["agents"]},
            }
            self._second = str(api(self.emulator, "POST", "/v2/listeners", json=body)["id"])
        return self._second

    def write(self) -> None:
        props = camel_props(self.inputs, DEPLOYMENT.shape)
        if "sourceDir" in props:
            props["sourceDir"] = self.resolve(props["sourceDir"])
        program = {
            "name": f"walk-{self.source.replace('_', '-')}",
            "runtime": "yaml",
            "plugins": {"providers": [{"name": "langsmith", "path": str(ROOT / "plugin")}]},
            "resources": {"agent": {"type": "langsmith:index:Deployment", "properties": props}},
            "outputs": {"id": "${agent.deploymentId}"},
        }
        (self.work / "Pulumi.yaml").write_text(json.dumps(program, indent=2))

    def remove_all(self, removed: Iterable[Field]) -> None:
        for f in removed:
            drop(self.inputs, f.present_at or f.path)
        self.write()

    def set_all(self, paths: Iterable[Field], which: int) -> None:
        for f in paths:
            put(self.inputs, f.path, self.resolve(VALUES[f.path][which]))
        self.write()

    def up(self) -> tuple[str, int, list[dict[str, Any]]]:
        """`up`, then (the deployment id in state, the revisions it made, the writes it sent); and the
        next preview is empty."""
        before = {d["id"]: len(revision_ids(self.emulator, d["id"])) for d in live_deployments(self.emulator)}
        seq = max((r["seq"] for r in self.emulator.requests()), default=0)
        self.project.run("up", "--yes")
        [resource] = self.project.resources("Deployment")
        dep_id = str(resource["id"])
        writes = [r for r in self.emulator.requests(since=seq) if r["method"] in ("POST", "PATCH", "PUT", "DELETE")]
        made = len(revision_ids(self.emulator, dep_id)) - before.get(dep_id, 0)
        self.project.run("preview", "--expect-no-changes")
        assert [d["id"] for d in live_deployments(self.emulator)] == [dep_id]
        return dep_id, made, writes

    def server(self, dep_id: str) -> dict[str, Any]:
        return dict(api(self.emulator, "GET", f"/v2/deployments/{dep_id}"))

    def assert_held(self, dep_id: str, walked_fields: Iterable[Field], which: int) -> None:
        """Each field's value as the server holds it is the one declared."""
        held = self.server(dep_id)
        env = {s["name"]: s["value"] for s in held.get("secrets") or []}
        for f in walked_fields:
            want = self.resolve(VALUES[f.path][which])
            if f.change is Change.STATE:
                continue  # the provider's own: nothing to hold
            if f.path in ("env", "secrets"):
                assert {k: env.get(k) for k in want} == want, (f.path, env)
                continue
            got = changes.server_value(held, f)
            if f.compare is Compare.DECLARED_KEYS:
                got = {k: (got or {}).get(k) for k in want}
            if f.path == "source_revision_config.langgraph_config_path" and self.source == fields.INTERNAL_SOURCE:
                continue  # an uploaded archive's revision names the config path inside it
            assert got == want, (f.path, got, want)


def sources() -> list[Any]:
    return [pytest.param(s, id=s) for s in fields.SOURCES]


@pytest.mark.parametrize("source", sources())
def test_every_input_set_changed_and_replaced_as_the_table_says(source: str, tmp_path: Path, emulator: Any) -> None:
    w = Walk(source, tmp_path, emulator)
    dep_id, made, _ = w.up()
    assert made == 1, "create rolls out one revision"

    in_place = walked(source, Change.PATCH) + walked(source, Change.REVISION)
    for which in (0, 1):  # set every field (its first value), then change every field
        w.set_all(in_place, which)
        same, made, _ = w.up()
        assert same == dep_id, "no field of these replaces the deployment"
        assert made == 1, f"step {which}: exactly one new revision for the revision fields, got {made}"
        w.assert_held(dep_id, in_place, which)

    # Provider-side settings: stored in state, no request at all.
    local = walked(source, Change.STATE)
    for which in (0, 1):
        w.set_all(local, which)
        same, made, writes = w.up()
        assert (same, made) == (dep_id, 0) and writes == [], writes

    remove_every_input(w, dep_id)

    # Every field behind the name, changed at once: one replacement, the old deployment gone.
    behind = walked(source, Change.REPLACE)
    if behind:
        w.set_all(behind, 1)
        replaced, made, _ = w.up()
        assert replaced != dep_id and made == 1  # `up` checked that only the new one is live
        w.assert_held(replaced, behind, 1)
        # ...and removed at once (those a removal does not refuse): one more replacement, as the table says.
        gone = removable(source, Removal.CLEARS, Removal.RESETS, replacing=True)
        if gone:
            w.remove_all(gone)
            again, made, _ = w.up()
            assert again != replaced and made == 1
            held = w.server(again)
            for f in gone:
                want = f.reset_value if f.removal_for(source) is Removal.RESETS else None
                assert changes.server_value(held, f) == want, (f.path, held.get("source_config"))

    w.project.run("destroy", "--yes")
    assert live_deployments(emulator) == []


def remove_every_input(w: Walk, dep_id: str) -> None:
    """The removal step, from the table (`Field.removal_for`), batched: refused ones in one preview that
    fails naming each; the kept ones in one preview that must show no change; the cleared and reset
    ones in one `up` (one revision when any of them rolls one out), then read back on the server."""
    source = w.source
    refused = removable(source, Removal.REFUSED) + removable(source, Removal.REFUSED, replacing=True)
    if refused:
        saved = copy.deepcopy(w.inputs)
        w.remove_all(refused)
        seq = max((r["seq"] for r in w.emulator.requests()), default=0)
        failed = w.project.run("preview", check=False)
        assert failed.returncode != 0, failed
        for f in refused:
            spelled = ".".join(camel(part) for part in (f.present_at or f.path).split("."))
            assert spelled in failed.output, (spelled, failed.output)
        writes = [r for r in w.emulator.requests(since=seq) if r["method"] in ("POST", "PATCH", "PUT", "DELETE")]
        assert writes == [], writes
        w.inputs = saved
        w.write()

    before = w.server(dep_id)
    kept = removable(source, Removal.KEEPS)
    w.remove_all(kept)
    w.project.run("preview", "--expect-no-changes")  # a removal the service cannot make is no change

    cleared = removable(source, Removal.CLEARS, Removal.RESETS)
    rolls = [
        f
        for f in cleared
        if f.change is Change.REVISION
        and (f.removal_for(source) is Removal.CLEARS or value_at_inputs(w, f) != f.reset_value)
    ]
    old = {f.path: value_at_inputs(w, f) for f in cleared}
    w.remove_all(cleared)
    same, made, _ = w.up()
    assert same == dep_id
    assert made == (1 if rolls else 0), f"one revision for {[f.path for f in rolls]}, got {made}"
    held = w.server(dep_id)
    env = {e["name"] for e in held.get("secrets") or []}
    for f in kept:  # the last value is still there
        if f.change is not Change.STATE and f.compare is Compare.VALUE:
            assert changes.server_value(held, f) == changes.server_value(before, f), f.path
    for f in cleared:
        if f.change is Change.STATE:
            continue  # the provider's own: nothing on the server
        if f.path in ("env", "secrets"):
            assert not set(old[f.path]) & env, (f.path, env)  # the names it declared are gone
        elif f.removal_for(source) is Removal.CLEARS:
            assert not changes.server_value(held, f), (f.path, held)
        else:
            assert changes.server_value(held, f) == f.reset_value, (f.path, held)


def value_at_inputs(w: Walk, f: Field) -> Any:
    node: Any = w.inputs
    for part in f.path.split("."):
        node = node.get(part) if isinstance(node, Mapping) else None
    return w.resolve(node)


LISTENER_VALUES: dict[str, Any] = {
    "compute_id": ("walk-listener-one", "walk-listener-two"),
    "k8s_namespaces": (["agents"], ["agents", "jobs"]),
    "version": ("0.1.0", "0.2.0"),
    "adopt": (True, False),
}


def test_every_listener_input_is_walked() -> None:
    from pulumi_langsmith.listener import fields as listener_fields

    assert set(LISTENER_VALUES) == {f.path for f in listener_fields.FIELDS}


def test_every_listener_input_set_changed_and_replaced_as_the_table_says(tmp_path: Path, emulator: Any) -> None:
    from pulumi_langsmith.listener import fields as listener_fields
    from pulumi_langsmith.plugin.resources import LISTENER

    tree = tmp_path / "tree"
    work = tree / "project"
    work.mkdir(parents=True)
    (tree / ".venv").symlink_to(VENV)
    inputs: dict[str, Any] = {"compute_id": LISTENER_VALUES["compute_id"][0]}

    def write() -> None:
        program = {
            "name": "walk-listener",
            "runtime": "yaml",
            "plugins": {"providers": [{"name": "langsmith", "path": str(ROOT / "plugin")}]},
            "resources": {
                "edge": {"type": "langsmith:index:Listener", "properties": camel_props(inputs, LISTENER.shape)}
            },
        }
        (work / "Pulumi.yaml").write_text(json.dumps(program, indent=2))

    def up() -> tuple[str, list[dict[str, Any]]]:
        seq = max((r["seq"] for r in emulator.requests()), default=0)
        project.run("up", "--yes")
        [resource] = project.resources("Listener")
        writes = [r for r in emulator.requests(since=seq) if r["method"] in ("POST", "PATCH", "DELETE")]
        project.run("preview", "--expect-no-changes")
        return str(resource["id"]), writes

    write()
    project = Project(work, tmp_path)
    project.init_stack(emulator.url)
    listener_id, _ = up()
    for change in (Change.PATCH, Change.STATE):
        walked_fields = [f for f in listener_fields.FIELDS if f.change is change]
        for which in (0, 1):
            for f in walked_fields:
                inputs[f.path] = LISTENER_VALUES[f.path][which]
            write()
            same, writes = up()
            assert same == listener_id
            held = api(emulator, "GET", f"/v2/listeners/{listener_id}")
            if change is Change.STATE:
                assert writes == [], writes
                continue
            assert [w["method"] for w in writes] == ["PATCH"], writes  # in place, one request
            assert held["compute_config"]["k8s_namespaces"] == inputs["k8s_namespaces"]
            assert held["version"] == inputs["version"]
    # Removal, as the table says: a required one refused at preview (naming it), the others in one `up`.
    refused = [f for f in listener_fields.FIELDS if f.removal is Removal.REFUSED]
    others = [f for f in listener_fields.FIELDS if f.removal is not Removal.REFUSED]
    before = api(emulator, "GET", f"/v2/listeners/{listener_id}")
    saved = dict(inputs)
    for f in refused:
        inputs.pop(f.path)
    write()
    failed = project.run("preview", check=False)
    assert failed.returncode != 0 and all(camel(f.path) in failed.output for f in refused), failed
    inputs = {k: v for k, v in saved.items() if k not in {f.path for f in others}}
    write()
    same, writes = up()
    if all(f.removal is Removal.KEEPS or LISTENER_VALUES[f.path][1] == f.reset_value for f in others):
        assert writes == [], writes  # kept (the API cannot clear them), or already at the default: no change
    held = api(emulator, "GET", f"/v2/listeners/{listener_id}")
    for f in others:
        if f.removal is Removal.KEEPS and f.change is not Change.STATE:
            path = f.api_path.split(".")
            assert _dig(held, path) == _dig(before, path), f.path
    inputs = saved
    inputs["compute_id"] = LISTENER_VALUES["compute_id"][1]
    write()
    replaced, _ = up()
    assert replaced != listener_id
    assert api(emulator, "GET", f"/v2/listeners/{replaced}")["compute_id"] == inputs["compute_id"]
    project.run("destroy", "--yes")


def _dig(body: Mapping[str, Any], path: list[str]) -> Any:
    node: Any = body
    for part in path:
        node = node.get(part) if isinstance(node, Mapping) else None
    return node
