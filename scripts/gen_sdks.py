"""`make sdks`: the `langsmith` plugin's SDKs, generated from `plugin/schema.json` into `sdk/<language>`, the
way provider repositories ship them: Node.js and Python by the CLI's own `pulumi package gen-sdk`, Go by
the same code generator the CLI's Go language host calls (`scripts/gen-go-sdk`: that host's module is not
served here), with `sdk/go.mod` making `github.com/langsmith-iac/pulumi-langsmith/sdk` a Go module, as in
registry providers' repositories.

They are committed, so a project can depend on a tag's SDK without generating one, and
tests/test_sdks.py regenerates them and fails on any difference (so does a schema change that was not
followed by `make sdks`). C# needs the CLI's .NET language host and the .NET SDK, absent here: it is left
out, and the script says so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "plugin" / "schema.json"
SDK = ROOT / "sdk"
#: The languages generated here; each needs `pulumi-language-<host>` beside the CLI.
LANGUAGES = {"nodejs": "nodejs", "python": "python"}
NOT_GENERATED = {"dotnet": "needs pulumi-language-dotnet and the .NET SDK, absent from this toolchain"}
GO_GENERATOR = ROOT / "scripts" / "gen-go-sdk"
#: As scripts/build-pulumi.sh builds the CLI, so the Go build cache it filled serves these builds too.
GO_ENV = {"CGO_ENABLED": "0", "GOTOOLCHAIN": "local"}
GO_FLAGS = ["-trimpath", "-tags", "osusergo,grpcnotrace"]
GO_MOD = """module github.com/langsmith-iac/pulumi-langsmith/sdk

go 1.26.6

require github.com/pulumi/pulumi/sdk/v3 v3.274.1
"""


def pulumi() -> str:
    found = ROOT / ".venv" / "bin" / "pulumi"
    return str(found) if found.exists() else (shutil.which("pulumi") or "pulumi")


def generate(language: str, out: Path, env: dict[str, str] | None = None) -> Path:
    """`pulumi package gen-sdk` of the schema for `language` into `out/<language>`; returns that path."""
    subprocess.run(
        [pulumi(), "package", "gen-sdk", str(SCHEMA), "--language", language, "--out", str(out)],
        check=True,
        capture_output=True,
        env=env,
    )
    return out / language


def go_env() -> dict[str, str]:
    return {**os.environ, **GO_ENV}


def generate_go(out: Path) -> Path:
    """The Go SDK of the schema into `out/go`, by `scripts/gen-go-sdk` (built by go, cached by its build cache)."""
    out.mkdir(parents=True, exist_ok=True)
    tool = out / "gen-go-sdk"
    subprocess.run(["go", "build", *GO_FLAGS, "-o", str(tool), "."], cwd=GO_GENERATOR, env=go_env(), check=True)
    subprocess.run([str(tool), str(SCHEMA), str(out)], check=True)
    return out / "go"


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        for language in LANGUAGES:
            made = generate(language, Path(scratch))
            shutil.rmtree(SDK / language, ignore_errors=True)
            shutil.copytree(made, SDK / language)
            print(f"sdk/{language}")
        made = generate_go(Path(scratch) / "go-out")
        shutil.rmtree(SDK / "go", ignore_errors=True)
        shutil.copytree(made, SDK / "go")
    (SDK / "go.mod").write_text(GO_MOD)
    subprocess.run(["go", "mod", "tidy"], cwd=SDK, env={**go_env(), "GOFLAGS": "-mod=mod"}, check=True)
    print("sdk/go (sdk/go.mod, sdk/go.sum)")
    for language, why in NOT_GENERATED.items():
        print(f"sdk/{language}: not generated: {why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
