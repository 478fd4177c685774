"""`plugin/language.speak` over hand-built schemas, without a server: which names a message has
rewritten into the program's spelling (README: check failures and errors name properties as the
program writes them, `minScale`, `deleteTracingProject: true`), and which it keeps (an env var's name,
a value, a name the schema does not declare, Pulumi's own options)."""

from __future__ import annotations

from pulumi_langsmith.plugin.language import speak
from pulumi_langsmith.plugin.shapes import ANY, STRING, Leaf, ListOf, MapOf, Obj, Shape, camel

BOOL = Leaf("boolean")


def _obj(name: str, **fields: Shape) -> Obj:
    """An object type whose snake_case keys are `fields`' names."""
    return Obj(name, {key: (camel(key), shape) for key, shape in fields.items()})


def _schema() -> Obj:
    """Names at the top, in a sub-object, in a map's values and in a list's items."""
    probe = _obj("Probe", path_prefix=STRING, fail_fast=BOOL)
    mount = _obj("Mount", mount_path=STRING, read_only=BOOL)
    limits = _obj("Limits", cpu_limit=STRING)
    return _obj(
        "Root",
        top_level=STRING,
        enabled=BOOL,
        health_probe=probe,
        mounts=ListOf(mount),
        limits_by_zone=MapOf(limits),
        labels=MapOf(STRING),
        extra=ANY,
    )


def test_every_declared_name_is_spelled_as_the_program_writes_it_at_any_depth() -> None:
    shape = _schema()
    text = "top_level, health_probe.path_prefix, mounts[0].mount_path, limits_by_zone.eu.cpu_limit"
    assert speak(text, shape) == "topLevel, healthProbe.pathPrefix, mounts[0].mountPath, limitsByZone.eu.cpuLimit"
    # Flags: declared ones, at any depth, as the program writes a boolean (`name: true`).
    flags = "set enabled=True, failFast=False or readOnly=True"
    assert speak(flags, shape) == "set enabled: true, failFast: false or readOnly: true"
    assert speak("set fail_fast=True", shape) == "set failFast: true"  # renamed, then a flag


def test_names_the_schema_does_not_declare_are_kept_as_written() -> None:
    shape = _schema()
    kept = "OPENAI_API_KEY in labels; other_name, path_prefix_x; protect=True; retain=False; wait=True"
    assert speak(kept, shape) == kept
    # A flag spelled in an unknown way stays, and text with nothing to rewrite is returned as it is.
    assert speak("enabled=true, enabled=1", shape) == "enabled=true, enabled=1"
    assert speak("", shape) == ""
    # A map's keys are user data: a key that reads like a declared name is renamed only as a word.
    assert speak("labels.top_levelx", shape) == "labels.top_levelx"


def test_each_shape_speaks_its_own_names() -> None:
    one = _obj("One", min_scale=STRING, dry_run=BOOL)
    two = _obj("Two", max_scale=STRING)
    text = "min_scale, max_scale, dryRun=True"
    assert speak(text, one) == "minScale, max_scale, dryRun: true"
    assert speak(text, two) == "min_scale, maxScale, dryRun=True"
    # A shape built after another, of the same type name and layout, is read afresh.
    assert speak("alpha_one, beta_two", _obj("Same", alpha_one=STRING)) == "alphaOne, beta_two"
    assert speak("alpha_one, beta_two", _obj("Same", beta_two=STRING)) == "alpha_one, betaTwo"


def test_a_recursive_type_is_walked_once() -> None:
    node = _obj("Node", node_name=STRING)
    node.fields["child_nodes"] = ("childNodes", ListOf(node))  # a type that holds itself
    node.fields["by_key"] = ("byKey", MapOf(node))
    assert speak("child_nodes[0].by_key.x.node_name", node) == "childNodes[0].byKey.x.nodeName"
