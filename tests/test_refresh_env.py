"""What refresh keeps of the server's env, and what the next `up` does with it (issue 27, defects 5
and 13), as properties over every split of names into `env`, `secrets`, undeclared and removed.

- Nothing leaked: refresh stores the server's values of the declared names only; a name neither input
  declares (set in the UI) is nowhere in what it returns (`env` is plain text in state).
- Nothing lost: such a name is no drift, and every revision carries it forward with its value.
- Drift of a declared value is seen, and `ignoreChanges` stops its correction: the engine copies the
  refreshed old inputs into the new ones, which then differ from nothing.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from pulumi_langsmith.deployment import changes
from pulumi_langsmith.deployment.model import OWNERSHIP_ENV, load
from pulumi_langsmith.deployment.provider import DeploymentProvider

from .support.data import github_inputs
from .support.typed import change_set, typed

NAMES = ("ALPHA", "BRAVO", "CHARLIE", "DELTA", "ECHO", "FOXTROT")
#: Where each name is: declared in `env`, declared in `secrets`, or neither (None).
ROLE = st.sampled_from(("env", "secrets", None))


def _program(env: dict[str, str] | None, secrets: dict[str, str] | None) -> dict[str, Any]:
    inputs = github_inputs(env=env, secrets=secrets)
    return {k: v for k, v in inputs.items() if v is not None}


def _server(env: dict[str, str], tag: str | None = None) -> dict[str, Any]:
    body = {k: v for k, v in github_inputs().items() if k not in ("secrets", "owner", "wait")}
    items = [{"name": k, "value": v} for k, v in env.items()]
    return {**body, "id": "d-1", "secrets": items + ([{"name": OWNERSHIP_ENV, "value": tag}] if tag else [])}


@st.composite
def cases(draw: st.DrawFn) -> tuple[dict[str, str] | None, dict[str, str] | None, dict[str, str]]:
    """(declared env, declared secrets, the server's env): each name's role, whether the server holds
    it, and whether the server's value is the declared one."""
    env: dict[str, str] = {}
    secrets: dict[str, str] = {}
    server: dict[str, str] = {}
    for name in NAMES:
        role = draw(ROLE)
        if role is not None:
            (env if role == "env" else secrets)[name] = f"declared-{name}"
        if draw(st.booleans()):  # the server holds it: the declared value, or one set outside
            server[name] = f"declared-{name}" if role and draw(st.booleans()) else f"outside-{name}"
    declare_env, declare_secrets = draw(st.booleans()), draw(st.booleans())
    return (env if declare_env or env else None), (secrets if declare_secrets or secrets else None), server


@given(cases())
def test_refresh_stores_the_declared_names_only(case: tuple[Any, Any, dict[str, str]]) -> None:
    env, secrets, server = case
    program = _program(env, secrets)
    outs = DeploymentProvider._refreshed(typed(program), _server(server), None, None, None)
    for key, declared in (("env", env), ("secrets", secrets)):
        held = outs.get(key)
        assert (held is None) is (declared is None)
        assert held is None or held == {k: server[k] for k in declared if k in server}
    for name, value in server.items():
        if name not in {**(env or {}), **(secrets or {})}:
            assert name not in repr(outs) and value not in repr(outs), f"{name} set outside was stored"


@given(cases())
def test_only_declared_values_are_drift_and_ignore_changes_stops_its_correction(
    case: tuple[Any, Any, dict[str, str]],
) -> None:
    env, secrets, server = case
    program = _program(env, secrets)
    outs = DeploymentProvider._refreshed(typed(program), _server(server), None, None, None)
    revision = change_set(outs, copy.deepcopy(program)).revision
    assert ("env" in revision) is any(server.get(k) != v for k, v in (env or {}).items())
    assert ("secrets" in revision) is any(server.get(k) != v for k, v in (secrets or {}).items())
    # `ignoreChanges: [secrets]`: the engine puts the old inputs' value in the new inputs.
    ignored = {**program, **({"secrets": outs["secrets"]} if secrets is not None else {})}
    assert "secrets" not in change_set(outs, ignored).revision


@given(cases(), st.sets(st.sampled_from(NAMES)))
def test_a_revision_carries_the_unmanaged_names_and_drops_the_removed_ones(
    case: tuple[Any, Any, dict[str, str]], kept: set[str]
) -> None:
    """The last `up` declared `env`/`secrets`; the program now keeps the names in `kept`."""
    env, secrets, server = case
    before = _program(env, secrets)
    now_env = None if env is None else {k: v for k, v in env.items() if k in kept}
    now_secrets = None if secrets is None else {k: v for k, v in secrets.items() if k in kept}
    now = _program(now_env, now_secrets)
    old_declared = {**(env or {}), **(secrets or {})}
    new_declared = {**(now_env or {}), **(now_secrets or {})}
    current = _server(server, "tag")
    gone = changes.removed(load(before), load(now))
    assert gone.env_names == set(old_declared) - set(new_declared)
    sent = {i["name"]: i["value"] for i in changes.env_list(typed(now), current, gone) or []}
    sent.pop(OWNERSHIP_ENV, None)
    unmanaged = {k: v for k, v in server.items() if k not in old_declared}
    if now_env is None and now_secrets is None and not (set(old_declared) - set(new_declared)) & set(server):
        assert sent == {} or sent == unmanaged  # nothing to take away: the env may be left as it is
    else:
        assert sent == {**unmanaged, **new_declared}
    # The latest revision carries `now` exactly when it holds the declared values and no removed name.
    carries = all(server.get(k) == v for k, v in new_declared.items()) and not gone.env_names & set(server)
    assert changes.revision_matches(typed(now), current, gone) is carries


def test_a_masked_server_keeps_the_declared_values_and_carries_nothing_it_cannot_read() -> None:
    program = _program({"ALPHA": "a"}, {"BRAVO": "b"})
    masked = {**_server({}), "secrets": [{"name": "ALPHA", "value": "****"}, {"name": "UI", "value": "****"}]}
    outs = DeploymentProvider._refreshed(typed(program), masked, None, None, None)
    assert outs["env"] == {"ALPHA": "a"} and outs["secrets"] == {"BRAVO": "b"}
    assert changes.unmanaged_env(masked, typed(program), changes.NOTHING_REMOVED) == {}
    assert not change_set(outs, copy.deepcopy(program)).changes
