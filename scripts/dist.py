"""`make dist`: the release archive of the `langsmith` plugin, for installs without a package index.

`dist/pulumi-resource-langsmith-vX.Y.Z-<os>-<arch>.tar.gz` holds the plugin directory (PulumiPlugin.yaml,
`__main__.py`, the schema) and `wheels/`: this package's wheel and a wheel of every runtime dependency,
pip, setuptools and wheel included, since the CLI upgrades those three in every plugin environment it
makes. Its `requirements.txt` names only the wheelhouse (`--no-index --find-links wheels`), so
`pulumi plugin install resource langsmith X.Y.Z --file <archive>` installs from the archive alone once
pip's own upgrade is pointed there too (README "Install": `PIP_NO_INDEX`, `PIP_FIND_LINKS`).

The name is the one the CLI downloads from a `github://` pluginDownloadURL's release (the schema's), so
the same file attached to a GitHub release installs with `pulumi plugin install resource langsmith X.Y.Z`.
The wheels are the building machine's: its CPython minor version and platform (pydantic-core and grpcio
are compiled), which the name's `<os>-<arch>` states and the README repeats.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLUGIN = ROOT / "plugin"
DISTRIBUTION = "langsmith-deployment-pulumi"
#: The plugin directory's files that the archive carries as they are.
PLUGIN_FILES = ("__main__.py", "schema.json")
ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}

PULUMI_PLUGIN_YAML = """\
# The `langsmith` provider plugin from its release archive: the CLI makes `venv` here and installs
# requirements.txt, which reads only ./wheels (README "Install").
runtime:
  name: python
  options:
    toolchain: pip
    virtualenv: venv
"""


def version() -> str:
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"])


def archive_name(ver: str) -> str:
    machine = platform.machine().lower()
    return f"pulumi-resource-langsmith-v{ver}-{platform.system().lower()}-{ARCH.get(machine, machine)}.tar.gz"


def pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "-q", *args], check=True)


def build(out: Path) -> Path:
    """Write the wheel and the archive into `out`; return the archive's path."""
    ver = version()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        stage = Path(scratch) / "plugin"
        wheels = stage / "wheels"
        wheels.mkdir(parents=True)
        pip("wheel", "--no-deps", "-w", str(out), str(ROOT))
        wheel = next(out.glob(f"{DISTRIBUTION.replace('-', '_')}-{ver}-*.whl"))
        pip("download", "--only-binary=:all:", "-d", str(wheels), str(wheel), "pip", "setuptools", "wheel")
        for name in PLUGIN_FILES:
            shutil.copy2(PLUGIN / name, stage / name)
        (stage / "PulumiPlugin.yaml").write_text(PULUMI_PLUGIN_YAML)
        (stage / "requirements.txt").write_text(f"--no-index\n--find-links wheels\n{DISTRIBUTION}=={ver}\n")
        archive = out / archive_name(ver)
        with tarfile.open(archive, "w:gz") as tar:
            for path in sorted(stage.rglob("*")):
                tar.add(path, arcname=str(path.relative_to(stage)), recursive=False)
    return archive


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="where to write (default dist/)")
    archive = build(parser.parse_args(argv).out)
    print(f"{archive} ({archive.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
