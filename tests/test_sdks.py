"""The committed SDKs (`sdk/<language>`, `make sdks`) are what the code generators make of today's schema
(`pulumi package gen-sdk` for Node.js and Python, `scripts/gen-go-sdk` for Go), and each builds as its
language builds it: TypeScript with its own `tsc`, Go with `go build` and `go vet`, Python installed
and imported, with a user's program type-checked against it by mypy. C# is not generated here
(scripts/gen_sdks.py says why); its test skips, saying so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .e2e.cli import requires_host
from .support.dist import differences

ROOT = Path(__file__).resolve().parent.parent
SDK = ROOT / "sdk"
sys.path.insert(0, str(ROOT / "scripts"))
import gen_sdks  # noqa: E402  (scripts/ is not a package)

NPM = shutil.which("npm")
GO = shutil.which("go")
needs_go = pytest.mark.skipif(GO is None, reason="no `go` on PATH: the Go SDK is generated and built with it")


def cli_env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "PULUMI_HOME": str(tmp_path / "home"), "PULUMI_SKIP_UPDATE_CHECK": "true"}


@pytest.mark.parametrize(
    "language", [pytest.param(lang, marks=requires_host(host)) for lang, host in gen_sdks.LANGUAGES.items()]
)
def test_the_committed_sdk_is_what_gen_sdk_makes_of_the_schema(language: str, tmp_path: Path) -> None:
    made = gen_sdks.generate(language, tmp_path / "out", env=cli_env(tmp_path))
    assert differences(made, SDK / language) == [], "sdk/ is stale: run `make sdks` and commit sdk/"


@pytest.mark.parametrize("language", list(gen_sdks.NOT_GENERATED))
def test_the_sdks_not_generated_here_say_why(language: str) -> None:
    assert not (SDK / language).exists()
    pytest.skip(f"sdk/{language}: {gen_sdks.NOT_GENERATED[language]}")


@needs_go
def test_the_committed_go_sdk_is_what_the_go_generator_makes_of_the_schema(tmp_path: Path) -> None:
    made = gen_sdks.generate_go(tmp_path / "out")
    assert differences(made, SDK / "go") == [], "sdk/go is stale: run `make sdks` and commit sdk/"
    assert (SDK / "go.mod").read_text().startswith(gen_sdks.GO_MOD.split("require")[0])


@needs_go
def test_the_go_sdk_builds_and_vets(tmp_path: Path) -> None:
    work = tmp_path / "sdk"
    work.mkdir()
    for name in ("go.mod", "go.sum"):
        shutil.copy2(SDK / name, work / name)
    shutil.copytree(SDK / "go", work / "go")
    env = {**gen_sdks.go_env(), "GOFLAGS": "-mod=readonly"}  # go.sum as committed: nothing re-resolved
    for verb in ("build", "vet"):
        flags = gen_sdks.GO_FLAGS if verb == "build" else gen_sdks.GO_FLAGS[1:]  # vet takes no -trimpath
        done = subprocess.run(["go", verb, *flags, "./..."], cwd=work, env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"go {verb}: {done.stdout}{done.stderr}"


@requires_host("nodejs")
@pytest.mark.skipif(NPM is None, reason="no `npm` on PATH: the TypeScript SDK builds with its own `npm install`")
def test_the_typescript_sdk_builds_with_tsc(tmp_path: Path) -> None:
    work = tmp_path / "nodejs"
    shutil.copytree(SDK / "nodejs", work)
    npm = str(NPM)
    subprocess.run([npm, "install", "--no-audit", "--no-fund"], cwd=work, check=True, capture_output=True, timeout=600)
    built = subprocess.run([npm, "run", "build"], cwd=work, capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stdout + built.stderr
    assert (work / "bin" / "index.js").exists() and (work / "bin" / "index.d.ts").exists()


USER_PROGRAM = '''"""A user's program against the Python SDK: mypy must accept it as written."""
import pulumi
import langsmith_iac_langsmith as langsmith

agent = langsmith.Deployment(
    "agent",
    source="external_docker",
    source_revision_config=langsmith.SourceRevisionConfigArgs(image_uri="registry.example.com/a:1"),
    env={"MODE": "prod"},
    secrets={"OPENAI_API_KEY": pulumi.Output.secret("sk")},
    wait=langsmith.WaitOptionsArgs(health_check=False),
)
found = langsmith.get_deployment_output(deployment_id=agent.deployment_id)
pulumi.export("id", agent.deployment_id)
pulumi.export("status", agent.revision_status)
pulumi.export("name", found.name)
'''


def test_the_python_sdk_installs_imports_and_types_a_users_program(tmp_path: Path) -> None:
    site = tmp_path / "site"
    python = sys.executable
    install = [python, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site)]
    source = tmp_path / "python"  # a copy: building writes build/ and *.egg-info beside setup.py
    shutil.copytree(SDK / "python", source)
    subprocess.run([*install, str(source)], check=True, capture_output=True, timeout=600)
    env = {**os.environ, "PYTHONPATH": str(site), "MYPYPATH": str(site)}
    imported = subprocess.run(
        [python, "-c", "import langsmith_iac_langsmith as l; print(l.Deployment.__module__, l.get_deployment)"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert imported.returncode == 0 and "langsmith_iac_langsmith.deployment" in imported.stdout, imported.stderr
    program = tmp_path / "program.py"
    program.write_text(USER_PROGRAM)
    # The SDK's own files are Pulumi's codegen (its _utilities.py fails --strict); the user's are checked.
    checked = subprocess.run(
        [python, "-m", "mypy", "--strict", "--follow-imports=silent", "--no-incremental", str(program)],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
