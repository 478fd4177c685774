"""What `pip install` puts into a user's environment: distinct import names, the console script, py.typed.

A generic top-level name (`emulator`) would clash with a user's own module of that name, so the wheel
is built for real and its top-level names are asserted.
"""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Installed import name -> source folder (pyproject's `package-dir`).
SOURCE_FOLDERS = {"langsmith_emulator": "emulator", "pulumi_langsmith": "provider"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    # Built from a copy of the tracked sources: an in-tree build leaves a `build/` folder whose stale
    # files a later wheel would pick up, and untracked files must not decide what ships.
    source = tmp_path_factory.mktemp("source")
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (path,) = out.glob("*.whl")
    return zipfile.ZipFile(path)


@pytest.fixture(scope="module")
def wheel_names(wheel: zipfile.ZipFile) -> set[str]:
    return set(wheel.namelist())


def test_the_wheel_has_only_distinct_top_level_names(wheel_names: set[str]) -> None:
    top = {name.split("/", 1)[0] for name in wheel_names if not name.split("/", 1)[0].endswith(".dist-info")}
    assert top == set(SOURCE_FOLDERS)
    assert "emulator" not in top


def test_every_source_package_and_its_data_ship(wheel_names: set[str]) -> None:
    for name, folder in SOURCE_FOLDERS.items():
        assert f"{name}/py.typed" in wheel_names
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.relative_to(ROOT / folder).as_posix()
            assert f"{name}/{relative}" in wheel_names, f"{folder}/{relative} is missing from pyproject's packages"
    assert "langsmith_emulator/contract/control-plane-openapi.json" in wheel_names


def test_the_console_script_runs_the_emulator(wheel: zipfile.ZipFile) -> None:
    (entry_points,) = (n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt"))
    assert "langsmith-emulator = langsmith_emulator.__main__:main" in wheel.read(entry_points).decode()
    script = Path(sys.executable).with_name("langsmith-emulator")
    result = subprocess.run([str(script), "--help"], capture_output=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(b"usage: langsmith-emulator")


def test_the_installed_name_imports_in_a_fresh_process_outside_the_source_tree(tmp_path: Path) -> None:
    code = "import langsmith_emulator.testing, langsmith_emulator.apishape as a; print(a.SPEC_PATH.is_file())"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, cwd=tmp_path, timeout=60)
    assert result.stdout.strip() == b"True", result.stderr
    result = subprocess.run([sys.executable, "-c", "import emulator"], capture_output=True, cwd=tmp_path, timeout=60)
    assert result.returncode != 0
