"""The Node.js and YAML language hosts that `make setup` links into .venv/bin (README "Toolchain").

They are built from ../shared/tools/pulumi-language-{nodejs,yaml} (scripts/build-pulumi.sh); without
that folder they are absent by design, and these tests are skipped. Each check takes well under a
second: the Node.js host prints its version for `-version`; the YAML host has no version flag
(`flag provided but not defined: -version`), so it is asked the way the CLI asks any plugin, with
GetPluginInfo over gRPC on the port it prints.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from google.protobuf import empty_pb2
from pulumi.runtime.proto import language_pb2_grpc

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
TOOLS = ROOT.parent / "shared" / "tools"


def _built() -> bool:
    """True when `make setup` built the CLI (else it linked your own Pulumi, hosts as you have them)."""
    source = BIN.parent / ".pulumi-source"
    return source.exists() and source.read_text().startswith("built ")


def _host(name: str) -> Path:
    if not (TOOLS / name / "build.sh").exists():
        pytest.skip(f"{TOOLS / name} is absent, so `make setup` builds no {name} (by design)")
    host = BIN / name
    if not host.exists() and not _built():
        pytest.skip(f"{name}: your own Pulumi (.venv/.pulumi-source) has none beside it or on PATH")
    assert host.exists(), f"{host} missing although {TOOLS / name} exists: run `make setup`"
    return host


def test_nodejs_host_answers_its_version_flag() -> None:
    host = _host("pulumi-language-nodejs")
    out = subprocess.run([host, "-version"], capture_output=True, text=True, timeout=10, check=True)
    version = out.stdout.strip()
    assert re.fullmatch(r"v\d+\.\d+\.\d+", version), out
    if _built():  # built from the same sdk/v3 modules as the CLI, stamped with its version
        cli = subprocess.run([BIN / "pulumi", "version"], capture_output=True, text=True, timeout=10, check=True)
        assert version == cli.stdout.strip()
    assert (BIN / "pulumi-resource-pulumi-nodejs").exists()  # pulumi.dynamic.Resource's plugin


@pytest.fixture
def yaml_host_port() -> Iterator[int]:
    """The YAML host started as the CLI starts it (no engine address: it serves until stopped)."""
    proc = subprocess.Popen(
        [_host("pulumi-language-yaml")], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert proc.stdout is not None
        yield int(proc.stdout.readline())
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_yaml_host_reports_its_version(yaml_host_port: int) -> None:
    with grpc.insecure_channel(f"127.0.0.1:{yaml_host_port}") as channel:
        info = language_pb2_grpc.LanguageRuntimeStub(channel).GetPluginInfo(empty_pb2.Empty(), timeout=10)
    assert re.fullmatch(r"v\d+\.\d+\.\d+", info.version), info
    if _built():  # the pulumi-yaml version the tool's go.mod pins, stamped by its build.sh
        go_mod = (TOOLS / "pulumi-language-yaml" / "go.mod").read_text()
        pinned = re.search(r"github\.com/pulumi/pulumi-yaml (v[\d.]+)", go_mod)
        assert pinned is not None
        assert info.version == pinned.group(1)
