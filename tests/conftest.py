"""Shared fixtures: the real shared data, found the same way the app finds it."""

from __future__ import annotations

import pytest

from sharedmap import config

pytest_plugins = ("store_fixtures", "browser_fixtures")  # store fixtures (they also keep tests off var/), browser


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
    """The 95 real partnerships of data/partnerships.csv."""
    from sharedmap.publishing.dataset import load_seed

    return load_seed(register=register)
