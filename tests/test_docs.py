"""The documentation keeps up with the code: every setting and every command is written down."""

from __future__ import annotations

import argparse
import re

from sharedmap import config
from sharedmap.cli.commands import build_parser

DOCS = config.PROJECT_ROOT / "docs"


def commands(parser: argparse.ArgumentParser, prefix: str = "") -> list[str]:
    """Every command a person can type, e.g. "users add", "boundaries fetch", "summary"."""
    found = []
    for action in parser._actions:  # argparse offers no public way to list subcommands
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found.append(f"{prefix}{name}")
                found.extend(commands(child, f"{prefix}{name} "))
    return found


def test_every_setting_is_documented():
    page = (DOCS / "settings.md").read_text(encoding="utf-8")
    missing = [s.name for s in config.SETTINGS if f"`{s.name}`" not in page]
    assert not missing, f"settings missing from docs/settings.md: {missing}"


def test_every_command_is_documented():
    page = (DOCS / "cli.md").read_text(encoding="utf-8")
    listed = commands(build_parser())
    assert {"validate", "users add", "boundaries fetch", "serve"} <= set(listed)
    missing = [c for c in listed if not re.search(rf"sharedmap {re.escape(c)}\b", page)]
    assert not missing, f"commands missing from docs/cli.md: {missing}"


def test_the_readme_stays_short_and_its_links_resolve():
    readme = (config.PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 150
    for target in re.findall(r"\]\(([^)#]+)\)", readme):
        assert (config.PROJECT_ROOT / target).exists(), target


def test_the_installed_command_runs():
    """`pip install .` (dev.py installs the checkout editable) gives a `sharedmap` command beside Python."""
    import subprocess
    import sys
    from pathlib import Path

    command = Path(sys.executable).with_name("sharedmap")
    assert command.exists(), "run python3 dev.py test (it installs the package) or pip install -e ."
    done = subprocess.run([str(command), "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "validate" in done.stdout
