"""Status paths as a poller can see them: on a loaded machine a phase of 0.1 s (CREATING, QUEUED) or a
short one (AWAITING_*) may pass between two reads, so a watch asserts order, not adjacency."""

from __future__ import annotations

from collections.abc import Sequence


def assert_path(seen: Sequence[str], path: Sequence[str], must: Sequence[str] = ()) -> None:
    """`seen` starts and ends as `path` does, holds only its statuses in its order, and every `must` one."""
    assert seen and seen[0] == path[0] and seen[-1] == path[-1], (seen, path)
    it = iter(path)
    assert all(status in it for status in seen), f"{seen} is not in the order of {path}"
    assert set(must) <= set(seen), f"{seen} lacks {set(must) - set(seen)}"
