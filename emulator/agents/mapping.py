"""Which `github` and `external_docker` revisions `--run-agents` really builds: the ones mapped to a
local directory (`--agent-repo URL=DIR`, `--agent-image IMAGE=DIR`). Unmapped ones keep the simulated
lifecycle, because the local control plane can neither clone GitHub nor pull images.

A mapped GitHub repository that is a git checkout is exported at the revision's `repo_ref` (`git
archive`), as the service checks out that ref; a plain directory, or a ref the checkout lacks, is
copied as it is. A mapped image is matched by its repository, whatever its tag or digest, so each
new `image_uri` of a release pipeline rolls out the directory's current content.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
from collections.abc import Mapping
from pathlib import Path

#: Never copied from a mapped directory: VCS data, local environments, the runtime's own state.
SKIPPED_NAMES = frozenset({".git", ".venv", "venv", "__pycache__", ".langgraph_api", "node_modules"})


class MappingError(ValueError):
    """A mapping argument that cannot be used; the message names it."""


def normalise_repo(url: str) -> str:
    """`https://github.com/Acme/Agent.git/` and `https://github.com/acme/agent` are one repository."""
    return url.strip().rstrip("/").removesuffix(".git").lower()


def image_repository(image_uri: str) -> str:
    """`registry.example.com:5000/team/agent:v1@sha256:...` -> `registry.example.com:5000/team/agent`."""
    name = image_uri.strip().split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    if ":" in last:  # a tag (a port only ever appears before the first slash)
        name = name[: len(name) - len(last)] + last.split(":", 1)[0]
    return name


def parse_mapping(arg: str, kind: str) -> tuple[str, str]:
    """`KEY=DIR` as given on the command line -> (normalised key, absolute directory)."""
    key, sep, directory = arg.rpartition("=")
    if not sep or not key or not directory:
        raise MappingError(f"--agent-{kind} expects {kind.upper()}=DIR, got {arg!r}")
    path = Path(directory).expanduser().resolve()
    if not path.is_dir():
        raise MappingError(f"--agent-{kind} {arg}: {path} is not a directory")
    return (normalise_repo(key) if kind == "repo" else image_repository(key)), str(path)


def mapped_dir(
    source: str,
    repo_url: str | None,
    image_uri: str | None,
    repos: Mapping[str, str],
    images: Mapping[str, str],
) -> str | None:
    """The local directory that stands in for this revision's source, if one is mapped."""
    if source == "github" and repo_url:
        return {normalise_repo(k): v for k, v in repos.items()}.get(normalise_repo(repo_url))
    if source == "external_docker" and image_uri:
        return {image_repository(k): v for k, v in images.items()}.get(image_repository(image_uri))
    return None


def _git_ref_commit(directory: Path, ref: str | None) -> str | None:
    if not ref or not (directory / ".git").exists():
        return None
    found = subprocess.run(
        ["git", "-C", str(directory), "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return found.stdout.strip() or None


def export_source(directory: str, ref: str | None, target: Path) -> str:
    """Puts the mapped source into `target`; returns the build log line that says what was used."""
    root = Path(directory)
    if not root.is_dir():
        raise MappingError(f"the mapped directory {root} does not exist")
    target.mkdir(parents=True, exist_ok=True)
    commit = _git_ref_commit(root, ref)
    if commit is not None:
        archive = subprocess.run(
            ["git", "-C", str(root), "archive", "--format=tar", commit], capture_output=True, timeout=120, check=True
        )
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(target, filter="data")
        return f"Checked out commit {commit} of the local checkout {root} (mapped by --agent-repo)"
    shutil.copytree(root, target, dirs_exist_ok=True, ignore=lambda _d, names: [n for n in names if n in SKIPPED_NAMES])
    return f"Copied the local directory {root} (mapped by --agent-{'repo' if ref else 'image'})"
