"""The `langsmith` provider plugin as the CLI drives it: a real plugin process over gRPC, against the
real local control plane. What a plugin can do and the dynamic host cannot is asserted here: property
paths in camelCase both ways, secrets kept secret, property-level diffs, previews that send nothing,
import, invokes, Cancel and customTimeouts; the CLI runs are in tests/e2e/test_plugin_programs.py."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import empty_pb2
from pulumi.runtime.proto import provider_pb2

from langsmith_emulator.testing import API_KEY, TENANT_ID
from pulumi_langsmith.deployment.changes import ownership_id
from pulumi_langsmith.plugin import schema

from .support.plugin import ROOT, UNKNOWN, Plugin, PluginError, Secret, plugin_process, struct, urn
from .support.server import api, revision_ids

MUTATING = {"POST", "PATCH", "PUT", "DELETE"}
DOCKER = {
    "source": "external_docker",
    "sourceRevisionConfig": {"imageUri": "registry.example.com/agent:1"},
    "env": {"MODE": "a"},
    "secrets": {"TOKEN": "tok-plugin-5b1"},
    "wait": {"pollMinSeconds": 0.1, "pollMaxSeconds": 0.5, "healthCheck": False},
}
DIFF = provider_pb2.PropertyDiff


@pytest.fixture
def plugin(emulator: Any) -> Iterator[Plugin]:
    with plugin_process() as p:
        p.configure({"apiKey": Secret(API_KEY), "workspaceId": TENANT_ID, "controlPlaneUrl": emulator.url})
        yield p


def writes(emulator: Any) -> list[tuple[str, str]]:
    return [(r["method"], r["path"]) for r in emulator.requests() if r["method"] in MUTATING]


def created(plugin: Plugin, name: str, news: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]]:
    inputs, failures = plugin.check(name, news)
    assert failures == []
    dep_id, outs = plugin.create(name, inputs)
    return dep_id, inputs, outs


def wait_until(what: str, ready: Any, seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = ready()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_check_speaks_camel_case_keeps_secrets_and_names_the_resource_once(plugin: Plugin) -> None:
    news = {**DOCKER, "sourceConfig": {"customUrl": Secret("https://agent.example.com")}}
    inputs, failures = plugin.check("agent", news)
    assert failures == []
    # The values a Python program's constructor sets, here set by check for every language.
    assert inputs["owner"] == ownership_id("proj", "dev", "agent")
    assert inputs["namePrefix"] == "agent" and inputs["name"].startswith("agent-")
    # Every value that came in secret goes out secret; `secrets` always is.
    assert inputs["secrets"] == Secret({"TOKEN": "tok-plugin-5b1"})
    assert inputs["sourceConfig"]["customUrl"] == Secret("https://agent.example.com")
    assert inputs["env"] == {"MODE": "a"} and inputs["wait"]["pollMinSeconds"] == 0.1
    # The engine's random seed is the same at preview and at `up`: so is the autoname.
    assert plugin.check("agent", news)[0]["name"] == inputs["name"]


def test_the_ownership_id_is_one_function_and_includes_the_organization(emulator: Any) -> None:
    """Defect 12: the plugin's ownership id left the Pulumi organization out, so two organizations'
    `proj/dev` stacks would take over each other's deployments. It is `ownership_id`, as the Python
    program's, fed the organization the plugin is told (config, else PULUMI_ORGANIZATION)."""
    config = {"apiKey": Secret(API_KEY), "workspaceId": TENANT_ID, "controlPlaneUrl": emulator.url}
    owners = {}
    for org in ("acme", "globex"):
        with plugin_process() as p:
            p.configure({**config, "pulumiOrganization": org})
            owners[org] = p.check("agent", DOCKER)[0]["owner"]
        assert owners[org] == ownership_id("proj", "dev", "agent", org)
    assert owners["acme"] != owners["globex"]
    with plugin_process(env={"PULUMI_ORGANIZATION": "globex"}) as p:
        p.configure(config)
        assert p.check("agent", DOCKER)[0]["owner"] == owners["globex"]


def test_check_failures_read_in_the_programs_language_with_the_value_given(plugin: Plugin) -> None:
    """Issue 30, defect 6: failures said `value {<nil>}` where a value was given (the engine looks a
    property up among the top-level inputs only) and spelled the fix in Python."""

    def wire(news: dict[str, Any], olds: dict[str, Any] | None = None) -> list[tuple[str, str]]:
        request = provider_pb2.CheckRequest(
            urn=urn("agent"), olds=struct(olds or {}), news=struct(news), randomSeed=b"s" * 32
        )
        return [(f.property, f.reason) for f in plugin.call("Check", request).failures]

    both = wire({**DOCKER, "env": {"OTHER": "x"}, "secrets": {"OTHER": Secret("hunter2-plugin")}})
    assert both == [("", 'env.OTHER (given "x"): is also set in secrets; a name goes in one of env or secrets')]
    spec = {"resourceSpec": {"minScale": 4, "maxScale": 2}}
    [(prop, reason)] = wire({**DOCKER, "sourceConfig": spec})
    assert prop == "" and "minScale (4) must not exceed maxScale (2)" in reason and "min_scale" not in reason
    [(prop, reason)] = wire({**DOCKER, "secrets": {"bad-name": Secret("hunter2-plugin")}})
    assert (
        reason.startswith('secrets.bad-name (given "[secret]"): ') and "hunter2" not in reason
    )  # a key, never a secret value
    [(prop, reason)] = wire({**DOCKER, "sourceConfig": {"customUrl": Secret("not a url")}})
    assert reason.startswith('sourceConfig.customUrl (given "[secret]"): ') and "not a url" not in reason
    [(prop, reason)] = wire({**DOCKER, "name": "Bad_Name"})
    assert prop == "name" and "Bad_Name" in reason  # top level: the engine shows the value itself
    # A fix is spelled as the program writes it: `deleteTracingProject: true`, not Python's.
    named = {**DOCKER, "name": "fixed-agent"}
    listener, other = "00000000-0000-4000-8000-0000000000a1", "00000000-0000-4000-8000-0000000000a2"
    olds = {**named, "owner": ownership_id("proj", "dev", "agent"), "sourceConfig": {"listenerId": listener}}
    failures = wire({**named, "sourceConfig": {"listenerId": other}}, olds)
    assert failures and all("deleteTracingProject: true" in r and "=True" not in r for _, r in failures), failures


def test_check_failures_name_the_property_as_the_program_writes_it(plugin: Plugin, emulator: Any) -> None:
    _, failures = plugin.check(
        "bad",
        {
            "source": "github",
            "sourceConfig": {"repoUrl": "not a url", "integrationId": "x"},
            "sourceRevisionConfig": {"repoRef": "main"},
            "secretReferences": [{"name": "1BAD", "secretName": "s", "secretKey": "k"}],
            "env": {"bad-name": "v"},
        },
    )
    props = {p for p, _ in failures}
    assert {"sourceConfig.repoUrl", "sourceConfig.integrationId", "secretReferences[0].name"} <= props, failures
    # Rules across fields, once the types hold; a map's keys are the user's own, never renamed.
    _, rules = plugin.check("bad", {**DOCKER, "env": {"bad-name": "v", "myKey": "w"}})
    assert [p for p, _ in rules] == ["env.bad-name"], rules
    assert writes(emulator) == []


def test_a_resource_spec_key_no_schema_declares_is_a_check_failure_naming_it(plugin: Plugin, emulator: Any) -> None:
    """Defect 6: `dbCpuu` (and any key the spec does not define, at any depth) passed through to the
    server. Refused by name, as the program wrote it; the spec's own keys are taken, camelCase inside
    the Kubernetes objects as the API has them."""
    spec = {
        "dbCpu": 0.5,
        "dbCpuu": 1,
        "imagePullSecrets": [{"name": "regcred"}],
        "initContainers": [{"name": "init", "image": "busybox:1", "volumeMounts": [{"name": "v", "mount_path": "/x"}]}],
    }
    _, failures = plugin.check("agent", {**DOCKER, "sourceConfig": {"resourceSpec": spec}})
    assert sorted(failures) == [
        ("sourceConfig.resourceSpec.dbCpuu", "is not a known property"),
        ("sourceConfig.resourceSpec.initContainers[0].volumeMounts[0].mount_path", "is not a known property"),
    ]
    del spec["dbCpuu"]
    spec["initContainers"][0]["volumeMounts"] = [{"name": "v", "mountPath": "/x"}]
    inputs, failures = plugin.check("agent", {**DOCKER, "sourceConfig": {"resourceSpec": spec}})
    assert failures == [] and inputs["sourceConfig"]["resourceSpec"] == spec
    assert writes(emulator) == []


def test_previews_send_nothing_and_show_what_up_will_not_know(plugin: Plugin, emulator: Any) -> None:
    inputs, _ = plugin.check("agent", DOCKER)
    dep_id, outs = plugin.create("agent", inputs, preview=True)
    assert dep_id == "" and outs["deploymentId"] == UNKNOWN and outs["revisionStatus"] == UNKNOWN
    assert outs["secrets"] == Secret({"TOKEN": "tok-plugin-5b1"})
    assert writes(emulator) == []


def test_create_update_read_delete_through_the_plugin(plugin: Plugin, emulator: Any) -> None:
    dep_id, inputs, outs = created(plugin, "agent", DOCKER)
    assert outs["deploymentId"] == dep_id and outs["revisionStatus"] == "DEPLOYED"
    assert outs["secrets"] == Secret({"TOKEN": "tok-plugin-5b1"}) and isinstance(outs["secretsHash"], Secret)
    # Progress is on the resource's own row: the engine's Log with its URN.
    assert any("created deployment" in m for m in plugin.engine.messages(urn("agent")))

    # A property-level diff: env rolls out a revision in place, the source replaces.
    news = {**inputs, "env": {"MODE": "b"}}
    diff = plugin.diff("agent", dep_id, outs, news)
    assert diff.changes == provider_pb2.DiffResponse.DIFF_SOME and list(diff.replaces) == []
    assert {k: v.kind for k, v in diff.detailedDiff.items()} == {"env.MODE": DIFF.UPDATE}  # as deep as the values go
    replaced = plugin.diff("agent", dep_id, outs, {**inputs, "sourceConfig": {"listenerId": UNKNOWN}})
    assert "sourceConfig.listenerId" in replaced.detailedDiff
    assert replaced.detailedDiff["sourceConfig.listenerId"].kind == DIFF.ADD_REPLACE
    assert list(replaced.replaces) == ["sourceConfig"]
    assert plugin.diff("agent", dep_id, outs, inputs).changes == provider_pb2.DiffResponse.DIFF_NONE

    before = revision_ids(emulator, dep_id)
    preview = plugin.update("agent", dep_id, outs, news, preview=True)
    assert preview["revisionStatus"] == UNKNOWN and revision_ids(emulator, dep_id) == before
    after = plugin.update("agent", dep_id, outs, news)
    assert after["env"] == {"MODE": "b"} and after["revisionStatus"] == "DEPLOYED"
    assert len(revision_ids(emulator, dep_id)) == len(before) + 1  # exactly one new revision

    got_id, refreshed, refreshed_inputs = plugin.read("agent", dep_id, after, news)
    assert got_id == dep_id and refreshed["env"] == {"MODE": "b"}
    assert refreshed_inputs["secrets"] == Secret({"TOKEN": "tok-plugin-5b1"})
    plugin.delete("agent", dep_id, after)
    assert plugin.read("agent", dep_id, after, news)[0] == ""  # gone: refresh drops it


def test_import_declares_what_the_server_holds_and_the_next_diff_is_empty(plugin: Plugin, emulator: Any) -> None:
    made = api(
        emulator,
        "POST",
        "/v2/deployments",
        json={
            "name": "made-outside",
            "source": "external_docker",
            "source_config": {"resource_spec": {}},
            "source_revision_config": {"image_uri": "registry.example.com/outside:1"},
            "secrets": [{"name": "TOKEN", "value": "tok-outside-9"}],
        },
    )
    dep_id = str(made["id"])
    wait_until("DEPLOYED", lambda: api(emulator, "GET", f"/v2/deployments/{dep_id}")["active_revision_id"])
    got_id, outs, inputs = plugin.read("imported", dep_id)
    assert got_id == dep_id
    assert inputs["name"] == "made-outside" and inputs["source"] == "external_docker"
    assert inputs["secrets"] == Secret({"TOKEN": "tok-outside-9"})
    assert inputs["sourceRevisionConfig"] == {"imageUri": "registry.example.com/outside:1"}
    # The program written from these inputs previews no change.
    checked, failures = plugin.check("imported", inputs)
    assert failures == []
    assert plugin.diff("imported", dep_id, outs, checked).changes == provider_pb2.DiffResponse.DIFF_NONE

    with pytest.raises(PluginError) as missing:
        plugin.read("ghost", "00000000-0000-4000-8000-00000000dead")
    assert missing.value.details.startswith("import: no deployment 00000000-0000-4000-8000-00000000dead")
    assert "Traceback" not in missing.value.details and 'File "' not in missing.value.details


def test_cancel_ends_a_wait_within_seconds_and_the_next_run_resumes_it(emulator: Any) -> None:
    # A rollout of 30 s (its first 6 s awaiting deploy); the emulator sets a phase's length as it
    # enters it, so the fast setting below shortens what is left of the rollout for the resume.
    emulator.settings(deploy_seconds=30)
    config = {"apiKey": Secret(API_KEY), "workspaceId": TENANT_ID, "controlPlaneUrl": emulator.url}
    outcome: dict[str, Any] = {}
    with plugin_process() as plugin:
        plugin.configure(config)
        inputs, _ = plugin.check("slow", DOCKER)

        def create() -> None:
            try:
                outcome["result"] = plugin.create("slow", inputs)
            except PluginError as exc:
                outcome["error"] = exc

        thread = threading.Thread(target=create)
        thread.start()
        dep = wait_until("a revision rolling out", lambda: _rolling_out(emulator))
        cancelled_at = time.monotonic()
        plugin.call("Cancel", empty_pb2.Empty())
        thread.join(30)
        took = time.monotonic() - cancelled_at
    assert "error" in outcome, outcome
    assert outcome["error"].details.startswith("cancelled (Ctrl-C"), outcome["error"].details
    assert took < 10, f"the wait ended {took:.1f}s after Cancel"

    emulator.settings(build_seconds=0.4, deploy_seconds=0.4)
    with plugin_process() as again:
        again.configure(config)
        dep_id, outs = again.create("slow", inputs)
    assert dep_id == dep["id"] and outs["revisionStatus"] == "DEPLOYED"
    assert [w for w in writes(emulator) if w == ("POST", "/v2/deployments")] == [("POST", "/v2/deployments")]


def _rolling_out(emulator: Any) -> dict[str, Any] | None:
    for dep in api(emulator, "GET", "/v2/deployments")["resources"]:
        if revision_ids(emulator, str(dep["id"])) and not dep.get("active_revision_id"):
            return dict(dep)
    return None


def test_custom_timeouts_bound_the_wait_with_a_message_that_names_them(plugin: Plugin, emulator: Any) -> None:
    emulator.settings(build_seconds=600, deploy_seconds=600)
    inputs, _ = plugin.check("slow", DOCKER)
    started = time.monotonic()
    with pytest.raises(PluginError) as failed:
        plugin.create("slow", inputs, timeout=2)
    assert time.monotonic() - started < 30
    assert "(customTimeouts: 2s)" in failed.value.details and " is still " in failed.value.details


def test_an_error_of_a_create_names_the_inputs_as_the_program_spells_them(plugin: Plugin, emulator: Any) -> None:
    """The core writes `wait.timeout_seconds`; a YAML or TypeScript program declared `timeoutSeconds`."""
    emulator.settings(build_seconds=600, deploy_seconds=600)
    inputs, _ = plugin.check("slower", {**DOCKER, "wait": {**DOCKER["wait"], "timeoutSeconds": 0.5}})
    with pytest.raises(PluginError) as failed:
        plugin.create("slower", inputs)
    assert "(wait.timeoutSeconds: 0.5s)" in failed.value.details, failed.value.details
    assert "timeout_seconds" not in failed.value.details


def test_lookups_are_invokes(plugin: Plugin, emulator: Any) -> None:
    dep_id, inputs, _ = created(plugin, "agent", DOCKER)
    found = plugin.invoke("langsmith:index:getDeployment", {"name": inputs["name"]})
    assert found["id"] == dep_id and found["status"] and "TOKEN" in found["secretNames"]
    assert "tok-plugin-5b1" not in json.dumps(found)  # never an env value
    revisions = plugin.invoke("langsmith:index:listRevisions", {"deploymentId": dep_id, "status": "DEPLOYED"})
    assert [r["status"] for r in revisions["revisions"]] == ["DEPLOYED"]
    with pytest.raises(PluginError) as missing:
        plugin.invoke("langsmith:index:getDeployment", {"name": "no-such-deployment"})
    assert missing.value.details.startswith("no LangSmith deployment named 'no-such-deployment'")


def test_listener_through_the_plugin(plugin: Plugin, emulator: Any) -> None:
    token = "langsmith:index:Listener"
    inputs, failures = plugin.check("cluster", {"computeId": "cluster-a", "k8sNamespaces": ["agents"]}, token=token)
    assert failures == [] and inputs["k8sNamespaces"] == ["agents"]
    listener_id, outs = plugin.create("cluster", inputs, token=token)
    assert outs["listenerId"] == listener_id and outs["serverK8sNamespaces"] == ["agents"]
    diff = plugin.diff("cluster", listener_id, outs, {**inputs, "k8sNamespaces": ["agents", "more"]}, token=token)
    assert {k: v.kind for k, v in diff.detailedDiff.items()} == {"k8sNamespaces": DIFF.UPDATE}
    got, _, imported = plugin.read("cluster", listener_id, token=token)
    assert got == listener_id and imported == {"computeId": "cluster-a", "k8sNamespaces": ["agents"]}
    plugin.delete("cluster", listener_id, outs, token=token)


def test_schema_and_reference_pages_are_generated_from_the_field_tables(plugin: Plugin) -> None:
    served = json.loads(plugin.call("GetSchema", provider_pb2.GetSchemaRequest()).schema)
    assert served == schema.build()
    for path, text in schema.outputs().items():
        assert path.read_text() == text, (
            f"{path.relative_to(ROOT)} is stale: python -m pulumi_langsmith.plugin.schema --write"
        )
    deployment = served["resources"]["langsmith:index:Deployment"]
    assert deployment["inputProperties"]["secrets"]["secret"] is True
    assert deployment["properties"]["secretsHash"]["secret"] is True
    source_config = served["types"]["langsmith:index:SourceConfig"]["properties"]
    assert "repoUrl" in source_config and "replaces the resource" in source_config["repoUrl"]["description"]
    assert set(served["functions"]) == {
        "langsmith:index:getDeployment",
        "langsmith:index:listRevisions",
        "langsmith:index:getGithubIntegration",
    }
    assert Path(ROOT / "plugin" / "PulumiPlugin.yaml").exists()


def test_the_plugin_exits_once_its_engine_is_gone(emulator: Any) -> None:
    """A killed `pulumi up` cannot stop its plugins: this one notices the engine's address stop
    answering (the engine watch) and exits on its own, as the dynamic host does."""
    with plugin_process() as plugin:
        plugin.configure({"apiKey": Secret(API_KEY), "workspaceId": TENANT_ID, "controlPlaneUrl": emulator.url})
        plugin.engine.server.stop(0)
        code = wait_until("the plugin to exit", lambda: plugin.proc.poll() is not None, seconds=60)
        assert code and plugin.proc.returncode == 3, plugin.stderr()
        assert "the Pulumi engine that started this provider is gone" in plugin.stderr()


def test_the_schema_lists_everything_state_holds_and_the_required_when_source_rules() -> None:
    """Issue 30, defect 7: `owner` showed in previews and state, and no page listed it; `repoRef` was
    required for github and the page did not say so."""
    from pulumi_langsmith.deployment import fields as deployment_fields
    from pulumi_langsmith.plugin.resources import KINDS
    from pulumi_langsmith.plugin.shapes import camel_path

    built = schema.build()
    for kind in KINDS.values():
        props = built["resources"][kind.token]["properties"]
        assert {name for name, _ in kind.shape.fields.values()} <= set(props), kind.token
        assert all(spec.get("description") for spec in props.values()), kind.token
    pages = (ROOT / "docs" / "resources" / "deployment.md").read_text()
    for f in deployment_fields.FIELDS:
        if f.required_for:
            name = camel_path(KINDS["langsmith:index:Deployment"].shape, f.path).rsplit(".", 1)[-1]
            [row] = [line for line in pages.splitlines() if line.startswith(f"| `{name}`") and f.key in f.path]
            assert f"Required when source is {' or '.join(sorted(f.required_for))}." in row, row
