"""`deployment/ownership` exactly, without a server: a replacement's owner and its base, and the whole
text of the two refusals a user reads (what happened, that nothing changed, and the fix)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pulumi_langsmith.deployment import changes, ownership
from pulumi_langsmith.deployment.ownership import REPLACEMENT_MARK, Registry, base_owner, replacement_owner

OWNER = changes.ownership_id("proj", "dev", "agent")
DEP = "00000000-0000-4000-8000-000000000001"


@given(owner=st.text(alphabet="0123456789abcdef-r", max_size=24), replaced=st.text(max_size=8))
def test_the_base_of_an_owner_is_its_id_without_any_replacement_suffix(owner: str, replaced: str) -> None:
    base = base_owner(owner)
    assert REPLACEMENT_MARK not in base and owner.startswith(base)
    assert base_owner(base) == base  # a base has no suffix left to strip
    assert base_owner(replacement_owner(owner, replaced)) == base  # every generation has the same base


def test_the_base_is_the_text_before_the_first_mark() -> None:
    assert base_owner(f"{OWNER}-rdeadbeef") == OWNER == base_owner(OWNER)
    assert base_owner("a-rb-rc") == "a" and base_owner("") == ""


def test_a_create_of_no_owner_leaves_other_checks_pending_and_taking_needs_no_owner() -> None:
    r = Registry()
    r.checked_fresh(OWNER)
    r.created(None)
    r.created("")
    assert r.had_fresh_check(OWNER)
    r.created(f"{OWNER}-r12345678")  # a replacement's create is the resource's create
    assert not r.had_fresh_check(OWNER)
    r.took(DEP)
    assert r.taken_by_create(DEP) and not r.taken_by_create("other")


def test_the_create_refusal_says_what_it_would_take_and_how_to_replace() -> None:
    held = frozenset({DEP})
    assert ownership.create_refusal("fixed", False, DEP, held) == (
        f"fixed: this create replaces deployment {DEP}, which holds the name 'fixed', and would take that same "
        "deployment over, which the replacement then deletes; nothing was changed. To replace a deployment "
        "with a fixed name, leave `name` unset (an autoname), or set the resource option deleteBeforeReplace "
        "(Python: `delete_before_replace=True`) together with delete_tracing_project, so the old deployment "
        "and its tracing project free the name first"
    )
    auto = ownership.create_refusal("agent-x", True, DEP, held)
    assert auto is not None and "a fixed name, set the resource option deleteBeforeReplace (Python: " in auto


def test_the_delete_refusal_says_why_nothing_was_deleted_and_the_fix() -> None:
    ownership.REGISTRY.clear()
    try:
        ownership.REGISTRY.checked_fresh(OWNER)
        assert ownership.delete_refusal("fixed", True, False, OWNER) == (
            "fixed: replacing this deployment deletes it first, and its name stays taken by its tracing project "
            "after delete, so the new deployment could not be created; nothing was deleted. Set "
            "delete_tracing_project=True and run `pulumi up` once before the replacement, or give the deployment "
            "a new name"
        )
    finally:
        ownership.REGISTRY.clear()
