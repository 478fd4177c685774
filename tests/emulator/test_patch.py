"""PATCH /v2/deployments/{id} and POST .../revisions rules (docs §4.2-§4.4)."""

import pytest

from langsmith_emulator.testing import GITHUB_INTEGRATION_ID, LISTENER_ID, SECOND_GITHUB_INTEGRATION_ID


def _patch(api, dep, body):
    return api.patch(f"/v2/deployments/{dep['id']}", json=body)


def test_vendor_example_patch_creates_a_revision(api):
    dep = api.create_github("vendor-patch")
    body = {
        "source_config": {"build_on_push": True},
        "source_revision_config": {"repo_ref": "main", "langgraph_config_path": "langgraph.json"},
    }
    response = _patch(api, dep, body)
    assert response.status_code == 200
    patched = response.json()
    assert patched["source_config"]["build_on_push"] is True
    assert patched["latest_revision_id"] != dep["latest_revision_id"]
    revisions = api.revisions(dep["id"])
    assert [r["id"] for r in revisions] == [patched["latest_revision_id"], dep["latest_revision_id"]]


@pytest.mark.parametrize(
    "body",
    [
        {"display_name": "Shiny name"},
        {"source_config": {"build_on_push": True}},
        {"source_config": {"repo_url": "https://github.com/langchain-ai/langgraph-example"}},  # unchanged
        {"secrets": []},
        {"secrets": None, "source_revision_config": None, "source_config": None},
        {},
    ],
)
def test_fields_that_do_not_create_a_revision(api, body):
    dep = api.create_github("no-revision")
    response = _patch(api, dep, body)
    assert response.status_code == 200, response.text
    patched = response.json()
    assert patched["latest_revision_id"] == dep["latest_revision_id"]
    assert len(api.revisions(dep["id"])) == 1
    if "display_name" in body:
        assert patched["display_name"] == "Shiny name"
    if body.get("source_config"):
        key, value = next(iter(body["source_config"].items()))
        assert patched["source_config"][key] == value
    if body.get("secrets") == []:
        assert patched["secrets"] == dep["secrets"]  # `[]` means unchanged, not "delete all"


def test_custom_url_patch_for_external_docker_needs_no_revision(api):
    dep = api.create_docker("custom-url")
    patched = _patch(api, dep, {"source_config": {"custom_url": "https://agent.example.com"}}).json()
    assert patched["source_config"]["custom_url"] == "https://agent.example.com"
    assert patched["latest_revision_id"] == dep["latest_revision_id"]


def test_custom_url_is_read_only_for_github(api):
    dep = api.create_github("github-url")
    assert _patch(api, dep, {"source_config": {"custom_url": "https://x.example.com"}}).status_code == 400
    same = {"source_config": {"custom_url": dep["source_config"]["custom_url"]}}
    assert _patch(api, dep, same).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"source_revision_config": {"repo_ref": "develop"}},
        {"source_revision_config": {"langgraph_config_path": "agents/langgraph.json"}},
        {"secrets": [{"name": "NEW_SECRET", "value": "v"}]},
        {"source_config": {"resource_spec": {"max_scale": 2}}},
    ],
)
def test_revision_fields_create_exactly_one_revision(api, body):
    dep = api.create_github("with-revision")
    patched = _patch(api, dep, body).json()
    assert patched["latest_revision_id"] != dep["latest_revision_id"]
    revisions = api.revisions(dep["id"])
    assert len(revisions) == 2
    new = revisions[0]
    assert new["id"] == patched["latest_revision_id"]
    if "source_revision_config" in body:
        key, value = next(iter(body["source_revision_config"].items()))
        assert new["source_revision_config"][key] == value
        assert patched["source_revision_config"][key] == value
    # unchanged inputs are carried over from the previous revision
    assert new["source_revision_config"]["repo_ref"] == body.get("source_revision_config", {}).get("repo_ref", "main")
    if "secrets" in body:
        assert patched["secrets"] == body["secrets"]  # full replacement


def test_secret_references_create_a_revision_and_empty_list_clears(api):
    dep = api.create_docker("refs", secret_references=[{"name": "DB", "secret_name": "db", "secret_key": "url"}])
    assert dep["secret_references"] == [{"name": "DB", "secret_name": "db", "secret_key": "url"}]
    cleared = _patch(api, dep, {"secret_references": []}).json()
    assert cleared["secret_references"] == []
    assert cleared["latest_revision_id"] != dep["latest_revision_id"]
    github = api.create_github("refs-github")
    refs = [{"name": "A", "secret_name": "b", "secret_key": "c"}]
    assert _patch(api, github, {"secret_references": refs}).status_code == 400


def test_resource_spec_is_replaced_whole(api):
    dep = api.create_docker("spec", source_config={"resource_spec": {"max_scale": 5, "cpu": 2, "labels": {"a": "b"}}})
    assert dep["source_config"]["resource_spec"]["max_scale"] == 5
    patched = _patch(api, dep, {"source_config": {"resource_spec": {"memory_mb": 4096}}}).json()
    spec = patched["source_config"]["resource_spec"]
    assert spec["memory_mb"] == 4096
    assert spec["max_scale"] == 1 and spec["cpu"] == 1  # back to defaults, not merged
    assert spec["labels"] is None
    assert patched["latest_revision_id"] != dep["latest_revision_id"]


def test_tag_with_build_on_push_checked_against_merged_values(api):
    dep = api.create_github("tags")
    # switching the stored branch to a tag while build_on_push is (still) true
    assert _patch(api, dep, {"source_config": {"build_on_push": True}}).status_code == 200
    tag = {"source_revision_config": {"repo_ref": "refs/tags/v2"}}
    response = _patch(api, dep, tag)
    assert response.status_code == 400
    assert "tag" in response.json()["detail"]
    # turning build_on_push off in the same request makes it valid
    ok = _patch(api, dep, {**tag, "source_config": {"build_on_push": False}})
    assert ok.status_code == 200
    # and now enabling build_on_push against the stored tag fails
    assert _patch(api, dep, {"source_config": {"build_on_push": True}}).status_code == 400
    # but with a branch in the same request it is valid (issue 27, defect 11: one PATCH, not two)
    branch = {"source_revision_config": {"repo_ref": "main"}, "source_config": {"build_on_push": True}}
    assert _patch(api, dep, branch).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "renamed"}, "name"),
        ({"source": "external_docker"}, "source"),
        ({"source_config": {"deployment_type": "prod"}}, "deployment_type"),
        ({"source_config": {"integration_id": SECOND_GITHUB_INTEGRATION_ID}}, "integration_id"),
        ({"source_config": {"listener_id": LISTENER_ID}}, "listener_id"),
        ({"source_config": {"listener_config": {"k8s_namespace": "agents"}}}, "k8s_namespace"),
    ],
)
def test_changing_an_immutable_field_is_400(api, body, field):
    dep = api.create_github("immutable")
    response = _patch(api, dep, body)
    assert response.status_code == 400
    assert field in response.json()["detail"]


def test_sending_the_same_immutable_values_is_fine(api):
    dep = api.create_github("same-values")
    body = {
        "name": "same-values",
        "source": "github",
        "source_config": {"deployment_type": "dev", "integration_id": GITHUB_INTEGRATION_ID},
    }
    response = _patch(api, dep, body)
    assert response.status_code == 200
    assert response.json()["latest_revision_id"] == dep["latest_revision_id"]


def test_listener_namespace_is_immutable_for_external_docker(api):
    sc = {"listener_id": LISTENER_ID, "listener_config": {"k8s_namespace": "default"}}
    dep = api.create_docker("ns", source_config=sc)
    assert _patch(api, dep, {"source_config": sc}).status_code == 200
    moved = {"source_config": {"listener_config": {"k8s_namespace": "agents"}}}
    assert _patch(api, dep, moved).status_code == 400


def test_patch_validation(api):
    dep = api.create_github("validation")
    assert _patch(api, dep, {"display_name": ""}).status_code == 422
    assert _patch(api, dep, {"secrets": [{"name": "PORT", "value": "1"}]}).status_code == 400
    assert _patch(api, dep, {"source_revision_config": {"image_uri": "img:1"}}).status_code == 400
    docker = api.create_docker("validation-docker")
    assert _patch(api, docker, {"source_revision_config": {"repo_ref": "main"}}).status_code == 400
    assert _patch(api, docker, {"source_config": {"build_on_push": True}}).status_code == 400


def test_patch_on_unknown_or_deleting_deployment(api, emulator):
    emulator.settings(delete_seconds=0.8)
    dep = api.create_github("going-away")
    api.delete(f"/v2/deployments/{dep['id']}")
    assert _patch(api, dep, {"display_name": "x"}).status_code == 400
    api.wait_gone(dep["id"])
    assert _patch(api, dep, {"display_name": "x"}).status_code == 404


def test_post_revision_always_creates_and_returns_the_revision(api):
    dep = api.create_docker("post-rev")
    path = f"/v2/deployments/{dep['id']}/revisions"
    response = api.post(path, json={"source_revision_config": {"image_uri": "registry.example.com/agent:v2"}})
    assert response.status_code == 201
    revision = response.json()
    assert revision["status"] == "CREATING"
    assert revision["source"] == "external_docker"
    assert revision["source_revision_config"]["image_uri"] == "registry.example.com/agent:v2"
    empty = api.post(path, json={})
    assert empty.status_code == 201  # nothing changed, still a new revision (a rebuild)
    assert empty.json()["source_revision_config"]["image_uri"] == "registry.example.com/agent:v2"
    deployment = api.deployment(dep["id"])
    assert deployment["latest_revision_id"] == empty.json()["id"]
    assert len(api.revisions(dep["id"])) == 3


def test_post_revision_rejects_display_name_and_applies_secrets(api):
    dep = api.create_github("post-rev-gh")
    path = f"/v2/deployments/{dep['id']}/revisions"
    assert api.post(path, json={"display_name": "nope"}).status_code == 400
    body = {"secrets": [{"name": "K", "value": "v2"}], "source_config": {"install_command": "yarn install"}}
    assert api.post(path, json=body).status_code == 201
    deployment = api.deployment(dep["id"])
    assert deployment["secrets"] == [{"name": "K", "value": "v2"}]
    assert deployment["source_config"]["install_command"] == "yarn install"
    assert (
        api.post(
            f"/v2/deployments/{dep['id']}/revisions", json={"secrets": [{"name": "PATH", "value": "/"}]}
        ).status_code
        == 400
    )


def test_repo_url_cannot_be_changed(api):
    """The spec: repo_url "cannot be changed (PATCH) once the deployment is created"."""
    dep = api.create_github("fixed-repo")
    moved = {"source_config": {"repo_url": "https://github.com/langchain-ai/new-langgraph-project"}}
    response = _patch(api, dep, moved)
    assert response.status_code == 400
    assert response.json() == {"detail": "source_config.repo_url cannot be changed once the deployment is created."}
    assert api.deployment(dep["id"])["source_config"]["repo_url"] == dep["source_config"]["repo_url"]
    assert len(api.revisions(dep["id"])) == 1
    image = api.create_docker("no-repo")
    assert _patch(api, image, moved).status_code == 400


def test_cpu_values_are_rounded_to_one_decimal_place(api):
    """The spec's ResourceSpec: cpu, cpu_limit, queue_cpu(_limit), redis_cpu(_limit) are rounded."""
    given = {"cpu": 0.26, "cpu_limit": 1.94, "queue_cpu": 0.5, "redis_cpu": 0.123, "db_cpu": 0.123, "memory_mb": 1000}
    dep = api.create_docker("rounded", source_config={"resource_spec": given})
    spec = dep["source_config"]["resource_spec"]
    assert (spec["cpu"], spec["cpu_limit"], spec["queue_cpu"], spec["redis_cpu"]) == (0.3, 1.9, 0.5, 0.1)
    assert (spec["db_cpu"], spec["memory_mb"]) == (0.123, 1000)  # not described as rounded
    assert api.deployment(dep["id"])["source_config"]["resource_spec"]["cpu"] == 0.3
    patched = _patch(api, dep, {"source_config": {"resource_spec": {"cpu": 2.449, "queue_cpu_limit": 0.16}}}).json()
    spec = patched["source_config"]["resource_spec"]
    assert (spec["cpu"], spec["queue_cpu_limit"]) == (2.4, 0.2)
