"""The README's behaviour tables agree with the field tables they document (`provider/*/fields.py`)."""

import re
from pathlib import Path

from pulumi_langsmith.core.schema import Change
from pulumi_langsmith.deployment import fields as deployment_fields
from pulumi_langsmith.listener import fields as listener_fields

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def _rows(header: str, after: str) -> list[list[str]]:
    """The rows of the first markdown table headed `header` after the line `after`."""
    text = README[README.index(after) :]
    lines = text[text.index(header) :].splitlines()[2:]
    rows = []
    for line in lines:
        line = line.strip()
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split(" | ")])
    return rows


def _names(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def test_the_diff_table_is_the_deployment_field_table() -> None:
    rows = _rows("| change | effect |", "**Diff** follows")
    generated = [list(row) for row in deployment_fields.readme_change_table()]
    assert rows[: len(generated)] == generated, "regenerate README's diff table from deployment/fields.py"
    assert rows[len(generated) :] == [["nothing", "no changes, and no API call at all during preview"]]


def test_every_deployment_input_has_a_row_in_the_inputs_table() -> None:
    documented = {_names(row[0])[0] for row in _rows("| input | notes |", "### Inputs")}
    top_level = {f.path.split(".")[0] for f in deployment_fields.FIELDS}
    assert top_level <= documented
    assert not set(deployment_fields.INTERNAL_INPUTS) & documented


def test_the_listener_inputs_table_says_what_each_change_does() -> None:
    rows = {_names(row[0])[0]: row[1] for row in _rows("| input | notes |", "### Listener")}
    assert set(rows) == {f.path for f in listener_fields.FIELDS}
    for f in listener_fields.FIELDS:
        wording = {Change.REPLACE: "replaces", Change.PATCH: "PATCHed in place", Change.STATE: "takes over"}
        assert wording[f.change] in rows[f.path], f.path
        assert ("refresh reports drift" in rows[f.path]) == f.drift, f.path


def test_every_deployment_output_is_in_the_outputs_section() -> None:
    section = README[README.index("### Outputs") : README.index("### Listener")]
    assert set(deployment_fields.OUTPUTS) <= set(_names(section))


def test_the_removal_table_is_the_deployment_field_table() -> None:
    rows = _rows("| removed | effect |", "**Removing an input**")
    assert rows == [list(row) for row in deployment_fields.readme_removal_table()], (
        "regenerate README's removal table from deployment/fields.py"
    )


def test_the_cannot_be_cleared_list_names_every_field_whose_removal_keeps_the_last_value() -> None:
    from pulumi_langsmith.core.schema import Removal

    start = README.index("cannot be\n  cleared through the API")
    text = README[README.rindex("\n- ", 0, start) : README.index("\n- ", start)]
    named = set(_names(text))
    kept = {deployment_fields._readme_name(f) for f in deployment_fields.FIELDS if f.removal is Removal.KEEPS}
    kept |= {f.path for f in listener_fields.FIELDS if f.removal is Removal.KEEPS}
    assert kept - {"name"} <= named, kept - named  # a removed name: autonamed, and check keeps the name
    others = {f.path.rsplit(".", 1)[-1] for f in deployment_fields.FIELDS if f.removal is not Removal.KEEPS}
    assert named & others <= {"build_on_push"}, named & others  # named only to say it resets
    rows = {_names(row[0])[0]: row[1] for row in _rows("| input | notes |", "### Listener")}
    for f in listener_fields.FIELDS:
        assert ("keeps the last" in rows[f.path]) == (f.removal is Removal.KEEPS), f.path


def test_every_field_says_what_its_removal_does_and_why() -> None:
    from pulumi_langsmith.core.schema import Removal

    for f in (*deployment_fields.FIELDS, *listener_fields.FIELDS):
        assert f.removal_why, f"{f.path}: say where its removal rule comes from"
        if f.removal is Removal.REFUSED:  # check must refuse it wherever it applies
            assert f.required_for >= f.sources or f.path in ("source", "compute_id"), f.path
