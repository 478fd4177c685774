"""`make sdks`: the `langsmith` plugin's SDKs, generated from `plugin/schema.json` into `sdk/<language>` by
the CLI's own `pulumi package gen-sdk`, the way provider repositories ship them.

They are committed, so a project can depend on a tag's SDK without generating one, and
tests/test_sdks.py regenerates them and fails on any difference (so does a schema change that was not
followed by `make sdks`). Go and C# need the CLI's Go and .NET language hosts, which this toolchain does
not build: they are left out, and the script says so.
"""

from __future__ import annotations

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
NOT_GENERATED = {
    "go": "needs pulumi-language-go, which this repository's toolchain does not build",
    "dotnet": "needs pulumi-language-dotnet and the .NET SDK, absent from this toolchain",
}


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


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        for language in LANGUAGES:
            made = generate(language, Path(scratch))
            shutil.rmtree(SDK / language, ignore_errors=True)
            shutil.copytree(made, SDK / language)
            print(f"sdk/{language}")
    for language, why in NOT_GENERATED.items():
        print(f"sdk/{language}: not generated: {why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
