"""The package installs from its own metadata: a wheel built from this checkout, installed into a fresh virtual
environment with pip resolving every dependency from pyproject.toml (requirements.txt only as a constraints file,
so it pins versions but adds no package), runs the command line from the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", str(work / "dist"), str(ROOT)], check=True, cwd=work)
    (wheel,) = (work / "dist").glob("sharedmap-*.whl")
    venv.EnvBuilder(with_pip=True).create(work / "env")
    python = work / "env" / "bin" / "python"
    install = [str(python), "-m", "pip", "--disable-pip-version-check", "-q", "install"]
    subprocess.run([*install, "-c", str(ROOT / "requirements.txt"), str(wheel)], check=True, cwd=work)
    return work / "env" / "bin" / "sharedmap"


def run(command: Path, *args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHAREDMAP_") and k != "PYTHONPATH"}
    env["SHAREDMAP_DATABASE_URL"] = f"sqlite:///{tmp_path / 'store.sqlite'}"  # the shipped table, a store of its own
    return subprocess.run([str(command), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def test_the_installed_command_runs_help_recommend_and_data_check(installed, tmp_path):
    assert "recommend" in run(installed, "--help", tmp_path=tmp_path).stdout
    answer = run(installed, "recommend", "Boston", tmp_path=tmp_path)
    assert answer.returncode == 0, answer.stderr[-2000:]
    assert "Partners for Boston Borough Council" in answer.stdout
    check = run(installed, "data", "check", tmp_path=tmp_path)
    assert check.returncode == 0, (check.stdout + check.stderr)[-2000:]
    assert "data/partnerships.csv" in check.stdout and "valid partnerships" in check.stdout
    origin = subprocess.run(
        [str(installed.parent / "python"), "-c", "import sharedmap; print(sharedmap.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,  # away from the checkout, whose sharedmap/ a bare `python -c` would import first
    )
    assert "site-packages" in origin.stdout  # the wheel's code ran, not the checkout's
