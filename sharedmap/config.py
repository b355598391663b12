"""Every setting in one table: name, default and help; read from the environment (or Streamlit secrets in the UI)."""

from __future__ import annotations

import functools
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path


def project_root() -> Path:
    """The checkout the package runs in: the folder above the package when it is one (the source tree, or an
    editable install), else, for an installed wheel, the working directory when it holds a checkout (its
    geo/sources.json): data/, geo/, migrations/ and var/ live there, not in site-packages."""
    beside = Path(__file__).resolve().parent.parent
    if (beside / "geo" / "sources.json").exists() or not (Path.cwd() / "geo" / "sources.json").exists():
        return beside
    return Path.cwd().resolve()


PROJECT_ROOT = project_root()


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
    Setting(
        "SHAREDMAP_PORT",
        "8501",
        "TCP port `python -m sharedmap serve` listens on (Streamlit's server.port).",
    ),
    Setting(
        "SHAREDMAP_ADDRESS",
        "127.0.0.1",
        "Address `python -m sharedmap serve` listens on: 127.0.0.1 behind a reverse proxy on the same machine, "
        "0.0.0.0 (all interfaces) when a load balancer on another machine connects to it.",
    ),
    Setting(
        "SHAREDMAP_EVENT_LOG",
        "stderr",
        "Where the app writes its structured event log (one JSON line per sign-in, submission, approval, "
        "rejection, rollback, publish and store outage): stderr, stdout, a file path, or off.",
    ),
    Setting(
        "SHAREDMAP_SNAPSHOT",
        "",
        "A local file where each app copy keeps the last published version it read, so a copy (re)started while "
        "the database is down still shows the map; empty keeps it in memory only.",
    ),
    Setting(
        "SHAREDMAP_SITE_DIR",
        "static/site",
        "Where the public map's static site is kept (a link to its current build; relative paths are under the "
        "project folder, and static/site is what the app serves at /app/static/site/). Rebuilt on every publish "
        "and rollback, and by `serve` when it is missing or out of date; off: never built automatically.",
    ),
    Setting(
        "SHAREDMAP_STALE_AFTER_YEARS",
        "3",
        "A partnership whose status date (its source's date) is more than this many years old is marked \"may be "
        'out of date" on the map, in the panel and in downloads, and the sidebar can hide it. Ended partnerships '
        "are never marked: an ending does not go out of date.",
    ),
    Setting(
        "SHAREDMAP_MAX_UPLOAD_MB",
        "5",
        "Largest partnership file (CSV or XLSX) accepted, in megabytes; a larger one is refused before it is read.",
    ),
    Setting(
        "SHAREDMAP_MAX_ROWS",
        "2000",
        "Most rows of data in one partnership file; reading stops, with one message, at the first row past it.",
    ),
    Setting(
        "SHAREDMAP_MAX_COLUMNS",
        "60",
        "Most columns in one partnership file; a wider header row is refused before any row is checked.",
    ),
    Setting(
        "SHAREDMAP_MAX_CELL_CHARS",
        "10000",
        "Longest text in one cell of a partnership file (characters); a longer cell is refused naming its row and "
        "column.",
    ),
    Setting(
        "SHAREDMAP_MAX_COUNCILS_PER_CELL",
        "60",
        "Most councils named in one partnership's councils cell; past it the row is refused without searching the "
        "register.",
    ),
    Setting(
        "SHAREDMAP_UPLOAD_SECONDS",
        "20",
        "Time budget for checking one file (seconds): past it, checking stops with a message naming the row "
        "reached, and nothing is staged.",
    ),
    Setting(
        "SHAREDMAP_MAX_AMOUNT_GBP",
        "10000000000",
        "The largest money figure accepted in a file (£; default £10bn); a larger one is a row error, and so is a "
        "figure for each council times the members, or a row's figures added up, past it. The store refuses "
        "anything over £100bn whatever this says.",
    ),
    Setting(
        "SHAREDMAP_STORE_RETRY_SECONDS",
        "5",
        "While the database is unreachable, how often (seconds) an app copy tries it again; between tries visitors "
        "get the last published version at once.",
    ),
    Setting(
        "SHAREDMAP_PUBLIC_URL",
        "",
        "The app's public address (e.g. https://sharedmap.example.org/): the static site and the embed link to its "
        'report page ("Something wrong or missing? Tell us") with the council or partnership filled in; empty: '
        "the static site shows no report links.",
    ),
    Setting(
        "SHAREDMAP_REPORTS_PER_HOUR",
        "5",
        "Most reports one client (by its address, kept only as a keyed hash) may send in an hour; past it the form "
        "refuses, saying when to try again. Counted in the store, so it holds across app copies.",
    ),
    Setting(
        "SHAREDMAP_MAX_OPEN_REPORTS",
        "500",
        "Most open reports in the reviewers' queue; past it the form asks visitors to try again later, so a flood "
        "cannot bury the queue. One client may hold at most SHAREDMAP_REPORTS_PER_HOUR open reports at a time.",
    ),
    Setting(
        "SHAREDMAP_REPORT_KEY",
        "",
        "A secret mixed into the hash of a reporter's address (for the rate limit); empty uses a key derived from "
        "the database address. Set it when several app copies use different database URLs for the same store.",
    ),
    Setting(
        "SHAREDMAP_SMTP_HOST",
        "",
        "The mail server `reminders` sends through; empty: reminders can only be previewed with --dry-run.",
    ),
    Setting("SHAREDMAP_SMTP_PORT", "25", "The mail server's port (25, 587 with starttls, 465 with ssl)."),
    Setting(
        "SHAREDMAP_SMTP_TLS",
        "off",
        "How to secure the mail connection: off, starttls (upgrade after connecting) or ssl (TLS from the start).",
    ),
    Setting("SHAREDMAP_SMTP_USER", "", "User name for the mail server; empty: send without signing in."),
    Setting("SHAREDMAP_SMTP_PASSWORD", "", "Password for SHAREDMAP_SMTP_USER."),
    Setting(
        "SHAREDMAP_MAIL_FROM",
        "sharedmap@localhost",
        "The sender address of reminders (From:).",
    ),
    Setting(
        "SHAREDMAP_REMINDER_INTERVAL_DAYS",
        "30",
        "At most one reminder per council in this many days, whatever how often `reminders` runs.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


SECRETS_FILE = PROJECT_ROOT / ".streamlit" / "secrets.toml"  # root-level keys there are settings too


def get(name: str) -> str:
    """The setting's value from the environment, else a root-level key of .streamlit/secrets.toml, else its
    default. (The app and the command line read the same file, so `serve`'s checks see what the app will use.)"""
    if name not in _BY_NAME:
        raise KeyError(f"{name} is not a documented setting; add it to SETTINGS in sharedmap/config.py")
    return os.environ.get(name) or _secrets_file_values().get(name) or _BY_NAME[name].default


def _secrets_file_values() -> dict[str, str]:
    """Root-level strings and numbers of the secrets file (sections such as [auth] are Streamlit's own)."""
    try:
        stat = SECRETS_FILE.stat()
    except OSError:
        return {}
    return _read_secrets(str(SECRETS_FILE), stat.st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _read_secrets(path: str, _mtime_ns: int) -> dict[str, str]:
    try:
        with open(path, "rb") as fh:
            values = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError):
        return {}  # Streamlit reports a broken secrets file itself, naming the line
    return {k: str(v) for k, v in values.items() if isinstance(v, str | int | float) and not isinstance(v, bool)}


def default(name: str) -> str:
    """A setting's default, as declared in SETTINGS (its one home)."""
    return _BY_NAME[name].default


def get_number(name: str) -> float:
    """A numeric setting; a value that is not a finite positive number falls back to the default."""
    try:
        value = float(get(name))
    except ValueError:
        value = float(_BY_NAME[name].default)
    if not (0 < value < float("inf")):
        value = float(_BY_NAME[name].default)
    return value


def shared_data_dir() -> Path:
    return Path(get("SHAREDMAP_SHARED_DATA"))


def data_search_path() -> list[Path]:
    """Folders searched, in order, for a source file named in the geo manifest."""
    extra = [Path(p) for p in get("SHAREDMAP_DATA_PATH").split(os.pathsep) if p]
    shared = shared_data_dir()
    return [*extra, PROJECT_ROOT / "geo" / "cache", shared / "boundaries", shared / "councils", shared]
