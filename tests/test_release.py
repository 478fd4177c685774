"""What a release is made of: the schema's version and names, the plugin directory the CLI installs from a
git tag, and the archive's name (README "Install" and "Releasing").

The installs themselves go through the real CLI in tests/e2e/test_install_anywhere.py; these are the
facts those installs rest on, checked in a second.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import yaml

from pulumi_langsmith.plugin import schema

from .support import dist

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_the_schema_version_is_the_package_version() -> None:
    version = PYPROJECT["project"]["version"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), version
    assert schema.version() == version
    assert schema.build()["version"] == version
    assert json.loads((ROOT / "plugin" / "schema.json").read_text())["version"] == version
    assert dist.load().version() == version


def test_the_schema_names_its_publisher_and_where_releases_are() -> None:
    built = schema.build()
    owner_repo = "langsmith-iac/pulumi-langsmith"
    assert built["namespace"] == "langsmith-iac" == owner_repo.split("/")[0]
    assert built["publisher"] == "langsmith-iac"
    assert built["repository"] == built["homepage"] == f"https://github.com/{owner_repo}"
    # Registry providers' form: `pulumi plugin install` fetches release archives named as `make dist` names them.
    assert built["pluginDownloadURL"] == f"github://api.github.com/{owner_repo}"


def test_no_generated_sdk_is_named_like_the_dynamic_provider() -> None:
    """`pulumi_langsmith` holds the dynamic provider's classes, whose paths are in users' state."""
    language = schema.build()["language"]
    namespace = schema.NAMESPACE
    assert language["python"]["packageName"] == f"{namespace.replace('-', '_')}_langsmith" != "pulumi_langsmith"
    assert language["nodejs"]["packageName"] == f"@{namespace}/langsmith"
    assert language["go"]["importBasePath"] == "github.com/langsmith-iac/pulumi-langsmith/sdk/go/langsmith"
    assert language["csharp"]["rootNamespace"] == "LangsmithIac"
    assert all(spec["respectSchemaVersion"] is True for spec in language.values())


def test_the_plugin_directory_installs_the_repository_into_its_own_venv() -> None:
    """What the CLI reads when it installs from a git tag: `venv` in the plugin directory, then
    `pip install -r requirements.txt` run from there."""
    plugin = ROOT / "plugin"
    options = yaml.safe_load((plugin / "PulumiPlugin.yaml").read_text())["runtime"]["options"]
    assert options == {"toolchain": "pip", "virtualenv": "venv"}
    requirements = [
        line.strip() for line in (plugin / "requirements.txt").read_text().splitlines() if not line.startswith("#")
    ]
    assert [r for r in requirements if r] == ["-e .."]
    assert (plugin / ".." / "pyproject.toml").resolve() == ROOT / "pyproject.toml"
    assert PYPROJECT["project"]["name"] == schema.DISTRIBUTION
    assert "plugin/venv" in (ROOT / ".gitignore").read_text().split()


def test_the_archive_is_named_as_the_cli_downloads_it() -> None:
    name = dist.load().archive_name("1.2.3")
    assert re.fullmatch(r"pulumi-resource-langsmith-v1\.2\.3-(linux|darwin|windows)-(amd64|arm64|\w+)\.tar\.gz", name)
