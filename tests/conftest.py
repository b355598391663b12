"""Shared fixtures: the real shared data, found the same way the app finds it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sharedmap import config, sources
from sharedmap.errors import SourceError

LINCOLNSHIRE = Path(__file__).resolve().parent / "data" / "lincolnshire"
# Fixtures that load the full boundaries or register: a test using one needs ../shared/data.
SHARED_FIXTURES = {
    "shared_data",
    "register",
    "seed",
    "seed_rows",
    "seed_file",
    "seed_partnerships",
    "store",
    "accounts",
    "configured_store",
}


def shared_data_present() -> bool:
    try:
        for source in sources.load_manifest():
            sources.find_file(source.file)
    except SourceError:
        return False
    return True


def pytest_collection_modifyitems(config, items):
    """Tests that need the full shared data are marked ``shared_data``; on a checkout without it they skip, saying
    why, and the pure tests (and those on the small Lincolnshire fixture) still run. Under CI they never skip."""
    present = shared_data_present()
    for item in items:
        if SHARED_FIXTURES & set(item.fixturenames) or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.shared_data)
        if not present and not os.environ.get("CI") and item.get_closest_marker("shared_data"):
            item.add_marker(
                pytest.mark.skip(
                    reason="needs the shared data (../shared/data or geo/cache/): python -m sharedmap boundaries fetch"
                )
            )


pytest_plugins = (
    "ci_skips",
    "store_fixtures",
    "browser_fixtures",
    "pytester",
)  # store fixtures (they also keep tests off var/), browser


@pytest.fixture
def lincolnshire() -> Path:
    """A small committed fixture: the Lincolnshire councils' boundaries and register rows (tests/data/lincolnshire)."""
    return LINCOLNSHIRE


@pytest.fixture(scope="session")
def shared_data():
    folder = config.shared_data_dir()
    if not (folder / "boundaries" / "uk_topo_2014_2025.json").exists():
        pytest.fail(f"shared data not found at {folder}; set SHAREDMAP_SHARED_DATA")
    return folder


@pytest.fixture(scope="session")
def register():
    from sharedmap.register import load_register

    return load_register()


@pytest.fixture(scope="session")
def seed(register):
    """The 95 real partnerships of the fixed test table (tests/data/partnerships_fixture.csv)."""
    from sharedmap.publishing.dataset import load_seed

    return load_seed(register=register)


@pytest.fixture(scope="session")
def seed_model(seed, register):
    """The learned find-a-partner weights fitted on the fixed test table (the shipped model follows the real one)."""
    from sharedmap.partners.backtest import collect_cases
    from sharedmap.partners.model import fit_model

    cases, _skipped = collect_cases(seed, register)
    return fit_model([c.training for c in cases], data_version="tests/data/partnerships_fixture.csv")


@pytest.fixture(autouse=True)
def _no_publish_listeners_between_tests(monkeypatch):
    """A listener a test registers (follow_publishing) is that test's alone: each test starts with none, and what
    it started in the background has finished before the next begins."""
    from sharedmap.publishing import announce

    monkeypatch.setattr(announce, "_listeners", [])
    yield
    announce.wait()
