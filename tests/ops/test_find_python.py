"""scripts/find-python: the Makefile's way to a Python >= 3.12, or a list of where it looked."""

import os
import shutil
import subprocess
from pathlib import Path

from tests.ops.conftest import REPO

SCRIPT = str(REPO / "scripts" / "find-python")


def fake_python(path: Path, version: str) -> Path:
    """A stand-in interpreter answering the script's version check as `version` would."""
    major, minor = (int(part) for part in version.split(".")[:2])
    ok = (major, minor) >= (3, 12)
    path.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = --version ]; then echo "Python {version}"; exit 0; fi\n'
        f"exit {0 if ok else 1}\n"
    )
    path.chmod(0o755)
    return path


def tools_dir(tmp_path: Path) -> Path:
    """A PATH entry with only the tools the script uses: no Python of the machine's."""
    bin_dir = tmp_path / "tools"
    bin_dir.mkdir()
    for tool in ("sort", "head"):
        found = shutil.which(tool)
        assert found, tool
        (bin_dir / tool).symlink_to(found)
    return bin_dir


def find_python(path: list[Path], pyenv_root: Path) -> subprocess.CompletedProcess[str]:
    bash = shutil.which("bash")
    assert bash
    env = {"PATH": os.pathsep.join(map(str, path)), "PYENV_ROOT": str(pyenv_root), "HOME": "/"}
    return subprocess.run(
        [bash, SCRIPT], env=env, capture_output=True, text=True, timeout=30, check=False
    )


def test_without_a_suitable_python_it_exits_1_listing_what_it_tried(tmp_path: Path) -> None:
    old = tmp_path / "old"
    old.mkdir()
    fake_python(old / "python3", "3.11.7")
    empty_pyenv = tmp_path / "pyenv"
    empty_pyenv.mkdir()

    result = find_python([old, tools_dir(tmp_path)], empty_pyenv)

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "No Python 3.12 or newer found. Looked at:",
        "  - python3.12 (not on PATH)",
        "  - python3.13 (not on PATH)",
        "  - python3.14 (not on PATH)",
        f"  - {old}/python3 (Python 3.11.7)",
        "  - python (not on PATH)",
        f"  - {empty_pyenv}/versions/3.1[2-9]*/bin/python3 (none installed)",
        "Install Python 3.12+ (e.g. 'pyenv install 3.12') or put one on PATH, then retry.",
    ]


def test_a_python312_on_path_is_found(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_python(bin_dir / "python3", "3.11.7")
    found = fake_python(bin_dir / "python3.12", "3.12.4")

    result = find_python([bin_dir, tools_dir(tmp_path)], tmp_path / "no-pyenv")

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{found}\n"


def test_the_oldest_suitable_pyenv_version_is_found_when_path_has_none(tmp_path: Path) -> None:
    pyenv = tmp_path / "pyenv"
    for version in ("3.11.7", "3.12.1", "3.13.0"):
        (pyenv / "versions" / version / "bin").mkdir(parents=True)
        fake_python(pyenv / "versions" / version / "bin" / "python3", version)

    result = find_python([tools_dir(tmp_path)], pyenv)

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{pyenv}/versions/3.12.1/bin/python3\n"
