"""The redactor's exact answers (`core/redact.py`), for mutation testing: the forms of one value, the
length boundary, every container `strings_in` opens, and how occurrences merge (overlapping, nested,
side by side, one value overlapping itself). The properties over any text: tests/test_redact.py."""

from __future__ import annotations

from pulumi_langsmith.core import redact
from pulumi_langsmith.core.redact import MIN_LENGTH, REDACTED, Redactor, forms, strings_in
from pulumi_langsmith.core.values import UNKNOWN


def test_the_forms_of_a_value_with_quotes_backslashes_non_ascii_and_two_lines() -> None:
    value = 'pa"ss wörd\\x\n  line-two  '
    assert forms(value) == {
        "line-two",
        'pa"ss wörd\\\\x',
        'pa"ss wörd\\\\x\\n  line-two  ',
        'pa"ss wörd\\x',
        'pa"ss wörd\\x\n  line-two  ',
        'pa\\"ss w\\u00f6rd\\\\x',
        'pa\\"ss w\\u00f6rd\\\\x\\n  line-two  ',
        'pa\\"ss wörd\\\\x',
        'pa\\"ss wörd\\\\x\\n  line-two  ',
    }
    assert forms(UNKNOWN) == set()
    assert forms("abc") == set() and forms(" abcd ") == {" abcd ", "abcd"}
    assert forms("abcde", min_length=6) == set() and forms("abcdef", min_length=6) == {"abcdef"}


def test_the_shortest_value_hidden_is_four_characters_whatever_the_redactor_is_asked() -> None:
    assert MIN_LENGTH == 4
    for asked in (1, 3, 4):
        r = Redactor(min_length=asked)
        r.add("abc", "wxyz")
        assert r.known() == frozenset({"wxyz"})
        assert r.redact("abc wxyz") == f"abc {REDACTED}"
    longer = Redactor(min_length=6)
    longer.add("abcde", "uvwxyz")
    assert longer.known() == frozenset({"uvwxyz"})
    assert longer.redact("abcde uvwxyz", ["12345", "123456"]) == f"abcde {REDACTED}"


def test_strings_in_opens_every_container_but_not_a_maps_keys() -> None:
    value = {"k1": ("tuple-item",), "k2": {"set-item"}, "k3": frozenset({"frozen-item"}), "k4": [{"x": "deep"}], 5: 6}
    assert sorted(strings_in(value)) == ["deep", "frozen-item", "set-item", "tuple-item"]
    assert list(strings_in("plain")) == ["plain"]
    assert list(strings_in(None)) == [] and list(strings_in(42)) == []


def test_occurrences_merge_when_they_overlap_or_nest_and_stay_apart_side_by_side() -> None:
    r = Redactor()
    r.add("abcdef", "defghi", "cdef", "wxyz", "1111")
    assert r.redact("<abcdefghi>") == f"<{REDACTED}>"  # overlapping
    assert r.redact("<abcdef>") == f"<{REDACTED}>"  # nested: the outer span wins
    assert r.redact("<cdef|wxyz>") == f"<{REDACTED}|{REDACTED}>"
    assert r.redact("<cdefwxyz>") == f"<{REDACTED}{REDACTED}>"  # side by side: two
    assert r.redact("wxyz then cdef") == f"{REDACTED} then {REDACTED}"
    assert r.redact("<11111>") == f"<{REDACTED}>"  # one value overlapping itself
    assert r.redact("1111111111") == REDACTED


def test_the_process_redactor_is_what_the_module_functions_use() -> None:
    value = {"K": "module-secret"}
    assert redact.registered(value) is value
    assert redact.REDACTOR.known() == frozenset({"module-secret"})
    redact.add(["second-secret"])
    shown = redact.redact("module-secret second-secret other-thing", ["other-thing"])
    assert shown == f"{REDACTED} {REDACTED} {REDACTED}"
    assert redact.redact("other-thing") == "other-thing"
