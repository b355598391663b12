"""Every setting in one table: name, default and help; read from the environment (or Streamlit secrets in the UI)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "SHAREDMAP_DATA_PATH",
        "",
        "Extra folders (separated by the OS path separator) searched first for source files such as "
        "the boundary TopoJSON and the council register; then geo/cache/ and ../shared/data/.",
    ),
    Setting(
        "SHAREDMAP_SHARED_DATA",
        str(PROJECT_ROOT.parent / "shared" / "data"),
        "The shared data folder (boundaries/, councils/, partnerships_research.csv).",
    ),
    Setting(
        "SHAREDMAP_PARTNERSHIPS",
        str(PROJECT_ROOT / "data" / "partnerships.csv"),
        "The seed partnerships table used when no database holds a published version.",
    ),
    Setting(
        "SHAREDMAP_DATABASE_URL",
        "",
        "SQLAlchemy URL of the store; empty means an embedded SQLite file under var/.",
    ),
    Setting(
        "SHAREDMAP_ARGON2_PROFILE",
        "RFC_9106_LOW_MEMORY",
        "Argon2 parameters for new password hashes (a name in argon2.profiles); CHEAPEST is for tests only.",
    ),
    Setting(
        "SHAREDMAP_TILES",
        "",
        "Basemap tile URL template for the map, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png; empty (the "
        "default) draws no tiles, so the map makes no third-party request.",
    ),
    Setting(
        "SHAREDMAP_TILES_ATTRIBUTION",
        "",
        "Attribution shown for SHAREDMAP_TILES (required by most tile providers), e.g. © OpenStreetMap contributors.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str) -> str:
    """The setting's value from the environment, or its default."""
    if name not in _BY_NAME:
        raise KeyError(f"{name} is not a documented setting; add it to SETTINGS in sharedmap/config.py")
    return os.environ.get(name) or _BY_NAME[name].default


def shared_data_dir() -> Path:
    return Path(get("SHAREDMAP_SHARED_DATA"))


def data_search_path() -> list[Path]:
    """Folders searched, in order, for a source file named in the geo manifest."""
    extra = [Path(p) for p in get("SHAREDMAP_DATA_PATH").split(os.pathsep) if p]
    shared = shared_data_dir()
    return [*extra, PROJECT_ROOT / "geo" / "cache", shared / "boundaries", shared / "councils", shared]
