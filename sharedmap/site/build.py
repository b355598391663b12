"""Build the static site of a published version and swap it in atomically.

The site is written to a new folder beside the live one, then the live path (a symbolic link) is pointed at it in
one rename, so a visitor never sees half a site; the previous build stays until the next one (a page loaded just
before the swap still finds its hashed files). A build that fails leaves the live site as it was and is logged.

Builds are one at a time, across threads, processes and replicas: a file lock beside the site folder, and on a
PostgreSQL store an advisory lock too (replicas sharing a site folder over a network file system). A build never
swaps in a version older than the live one, so two publishes close together, or a publish and a rollback, end
with the newest version live whichever finishes first.
Files whose content can change carry a hash of it in their name, so a host can cache them for a year.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import os
import re
import shutil
import threading
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
from filelock import FileLock

from sharedmap import config, datapackage, events
from sharedmap.datapackage import DataFile
from sharedmap.errors import SharedMapError
from sharedmap.exports import DATA_NOTE, attribution_lines, partnerships_csv, partnerships_geojson
from sharedmap.maps import assets
from sharedmap.maps import payload as map_payload
from sharedmap.maps.viewstate import LATEST_YEAR
from sharedmap.partnerships import Partnership, to_record
from sharedmap.publishing.dataset import seed_path
from sharedmap.publishing.history import VersionChanges, version_history
from sharedmap.register import COMMON_SHORT_NAMES, Register, load_register
from sharedmap.research import log_path
from sharedmap.site import feeds, pages
from sharedmap.site.content import SiteData, site_data
from sharedmap.sources import MANIFEST_PATH
from sharedmap.spatial.network import year_geometries

KEEP_BUILDS = 2  # the live build and the one before it
STAMP = "build.json"
PACKAGE = Path(__file__).resolve().parents[1]
CODE_FILES = ("*.py", "*.j2", "*.js", "*.css")


class SiteBuildError(SharedMapError):
    """The site could not be built; the live site is unchanged."""


@dataclass(frozen=True)
class Built:
    path: Path  # the live path (a link to the build folder)
    folder: Path  # the build folder itself
    label: str
    version: int | None
    files: int
    seconds: float
    skipped: tuple[str, ...]


def site_dir() -> Path | None:
    """SHAREDMAP_SITE_DIR as a path (relative ones under the project), or None when set to off."""
    value = config.get("SHAREDMAP_SITE_DIR").strip()
    if not value or value.lower() == "off":
        return None
    path = Path(value)
    return path if path.is_absolute() else config.PROJECT_ROOT / path


def _stamp(output: Path) -> dict:
    try:
        stamp = json.loads((output / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return stamp if isinstance(stamp, dict) else {}


def live_label(output: Path) -> str | None:
    """The version label of the site at ``output``, or None when there is none."""
    return _stamp(output).get("label")


def builder() -> str:
    """A hash of the code that writes the site (this package), of the source manifest and of the app's public
    address (the report links): a site written by other code or for another address, say before a deploy, is out of
    date even when the version it shows is the published one."""
    files = {p.relative_to(PACKAGE).as_posix(): p for pattern in CODE_FILES for p in PACKAGE.rglob(pattern)}
    files["geo/sources.json"] = MANIFEST_PATH
    digest = hashlib.sha256(config.get("SHAREDMAP_PUBLIC_URL").encode())  # the report links the pages carry
    for name, path in sorted(files.items()):
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"") + b"\0")
    return digest.hexdigest()[:16]


def shows(output: Path, label: str) -> bool:
    """The site at ``output`` shows version ``label`` and was written by this code: nothing to rebuild."""
    stamp = _stamp(output)
    return stamp.get("label") == label and stamp.get("builder") == builder()


class _Writer:
    """Writes the files of one build; ``hashed`` names a file after its content."""

    def __init__(self, root: Path):
        self.root, self.count = root, 0

    def write(self, name: str, data: bytes | str) -> str:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)
        self.count += 1
        return name

    def hashed(self, name: str, data: bytes | str) -> str:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        stem, dot, ext = name.rpartition(".")
        return self.write(f"{stem}.{content_hash(raw)}{dot}{ext}", raw)


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:10]


def write_assets(out: _Writer) -> dict[str, str]:
    """Leaflet and topojson-client (from static/vendor, installed from npm) and the site's own script and style."""
    missing = assets.missing_files()
    if missing:
        raise SiteBuildError(f"missing {', '.join(missing)}: run `python -m sharedmap assets install`")
    urls = {}
    for asset in assets.ASSETS:
        for vendor_path in (*asset.js, *asset.css):
            urls[vendor_path] = out.hashed(
                f"assets/{Path(vendor_path).name}", (assets.VENDOR_DIR / vendor_path).read_bytes()
            )
    images = assets.VENDOR_DIR / "leaflet" / "images"
    for image in sorted(images.glob("*.png")):  # leaflet.css names them relative to itself
        out.write(f"assets/images/{image.name}", image.read_bytes())
    for name in ("site.js", "site.css"):
        urls[name] = out.hashed(f"assets/{name}", (pages.TEMPLATES / name).read_bytes())
    return urls


def write_data(out: _Writer, data: SiteData, register: Register, topology: dict) -> dict[str, str]:
    """The data as files a developer can reuse, each stating its licence; a manifest with stable names."""
    names = {code: panel["name"] for code, panel in data.panels.items()}
    topo = json.loads(json.dumps(topology))
    for geometry in topo["objects"]["councils"]["geometries"]:
        geometry["properties"]["name"] = names.get(geometry["properties"]["c"], "")
    topo["licence"] = pages.LICENCES
    records = {
        "version": data.label,
        "licence": pages.LICENCES,
        "note": DATA_NOTE,
        "attribution": attribution_lines(),
        "partnerships": [to_record(p) for p in data.published],
    }
    csv_data = partnerships_csv(data.published, register)
    geojson = partnerships_geojson(data.partnerships, register, data.network)
    files = {
        "councils.topojson": out.hashed("data/councils.topojson", json.dumps(topo, separators=(",", ":"))),
        "partnerships.json": out.hashed("data/partnerships.json", json.dumps(records, ensure_ascii=False, indent=1)),
        "partnerships.csv": out.hashed("data/partnerships.csv", csv_data),
        "partnerships.geojson": out.hashed("data/partnerships.geojson", geojson),
    }
    package = [
        DataFile(datapackage.PARTNERSHIPS, files["partnerships.csv"].removeprefix("data/"), csv_data),
        DataFile(datapackage.GEOJSON, files["partnerships.geojson"].removeprefix("data/"), geojson),
    ]
    log = log_path(seed_path())
    if log.is_file():
        raw = log.read_bytes()
        files["research_log.csv"] = out.hashed("data/research_log.csv", raw)
        package.append(DataFile(datapackage.RESEARCH_LOG, files["research_log.csv"].removeprefix("data/"), raw))
    files["datapackage.json"] = out.write("data/datapackage.json", datapackage.descriptor_json(package, data.label))
    out.write("data/manifest.json", json.dumps({"version": data.label, "files": files}, indent=1))
    return files


def write_panels(out: _Writer, data: SiteData) -> str:
    """One small JSON file per council, fetched when it is chosen; the folder's name carries their hash."""
    documents = {
        code: json.dumps(panel, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        for code, panel in sorted(data.panels.items())
    }
    digest = content_hash(b"".join(code.encode() + raw for code, raw in documents.items()))
    for code, raw in documents.items():
        out.write(f"data/panel-{digest}/{code}.json", raw)
    return f"data/panel-{digest}/"


def search_key(text: str) -> str:
    """A spelling as the site's search compares it (site.js ``searchKey`` does the same): case, accents, "&" and
    punctuation folded."""
    folded = unicodedata.normalize("NFKD", text.replace("&", " and ")).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", folded).split())


def name_index(register: Register, codes: set[str]) -> dict[str, str]:
    """Every spelling, former name and code the app resolves (the register's names, short and alternative names,
    GSS codes current and former, register ids), each to the area on this map that stands for the council today
    (a former council's successor). A name two councils share is left out rather than guessed."""
    found: dict[str, set[str]] = {}
    for council in register.councils.values():
        targets = {c.gss for c in register.current_successors(council.id) if c.gss in codes}
        if not targets:
            continue
        spellings = {council.name, council.short_name, council.id, council.gss, *council.alt_names, *council.former_gss}
        spellings |= {short for short, cid in COMMON_SHORT_NAMES.items() if cid == council.id}
        for spelling in spellings:
            if spelling and (key := search_key(spelling)):
                found.setdefault(key, set()).update(targets)
    return {key: next(iter(targets)) for key, targets in sorted(found.items()) if len(targets) == 1}


def write_changes(out: _Writer, data: SiteData, register: Register, urls: dict[str, str], history) -> None:
    """The What changed page, ``changes.atom`` and one feed per council page (``council/<GSS>.atom``)."""
    out.write("what-changed.html", pages.render_page("what-changed.html.j2", data, urls, root="", history=history))
    out.write("changes.atom", feeds.changes_feed(history))
    by_code = feeds.council_ids_by_code(history, register)
    for code, panel in data.panels.items():
        council = register.by_gss(code)
        ids = by_code.get(code, set()) | ({council.id} if council else set())
        out.write(f"council/{code}.atom", feeds.council_feed(history, code, panel["name"], ids))


def write_site(
    root: Path,
    data: SiteData,
    register: Register,
    topology: dict,
    version: int | None,
    history: list[VersionChanges] | None = None,
) -> int:
    out = _Writer(root)
    urls = write_assets(out)
    urls["panels"] = write_panels(out, data)
    codes = {
        g["properties"]["c"] for layer in topology.get("objects", {}).values() for g in layer.get("geometries", [])
    }
    urls["names"] = out.hashed(
        "data/names.json", json.dumps(name_index(register, codes | set(data.panels)), separators=(",", ":"))
    )
    vendor_js = [urls[js] for a in assets.ASSETS for js in a.js]
    vendor_css = [urls[css] for a in assets.ASSETS for css in a.css]
    parts = pages.map_parts(data, vendor_js, vendor_css)
    out.write("index.html", pages.render_map_page(data, parts, urls, "map"))
    out.write("embed.html", pages.render_map_page(data, parts, urls, "embed"))
    for code, panel in data.panels.items():
        out.write(f"council/{code}.html", pages.render_page("council.html.j2", data, urls, panel=panel))
    councils = sorted(data.panels.values(), key=lambda p: p["name"].lower())
    out.write("council/index.html", pages.render_page("councils.html.j2", data, urls, councils=councils))
    files = write_data(out, data, register, topology)
    out.write("data/index.html", pages.render_page("data.html.j2", data, urls, files=files))
    write_changes(out, data, register, urls, history or [])
    out.write(
        STAMP,
        json.dumps(
            {
                "label": data.label,
                "version": version,
                "builder": builder(),
                "built_at": datetime.now(UTC).isoformat(),
                "partnerships": len(data.partnerships),
                "skipped": list(data.skipped),
            },
            indent=1,
        ),
    )
    return out.count + 1


LOCK_KEY = 0x5EA5_1DE  # the PostgreSQL advisory lock of site builds (any constant the store shares)


@contextlib.contextmanager
def build_lock(output: Path, store=None) -> Iterator[None]:
    """One build at a time for the site at ``output``: a file lock beside it, and on a PostgreSQL store the
    store's advisory lock as well."""
    output.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(output.with_name(f".{output.name}.lock"))), contextlib.ExitStack() as stack:
        if store is not None and store.backend == "postgresql":
            conn = stack.enter_context(store.engine.connect())
            conn.exec_driver_sql(f"SELECT pg_advisory_lock({LOCK_KEY})")
            stack.callback(conn.exec_driver_sql, f"SELECT pg_advisory_unlock({LOCK_KEY})")
        yield


def live_version(output: Path) -> int | None:
    version = _stamp(output).get("version")
    return version if isinstance(version, int) else None


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def swap_in(folder: Path, output: Path) -> None:
    """Point ``output`` at ``folder`` in one rename (a link replaced atomically). A real folder at ``output`` (an
    older layout) is exchanged with the link in one step where the system allows, so there is no moment without
    a site."""
    link = output.with_name(f".{output.name}.{os.getpid()}.{threading.get_ident()}.{time.time_ns()}.link")
    link.symlink_to(os.path.relpath(folder, output.parent))
    if output.exists() and not output.is_symlink():
        if _exchange(link, output):
            link.rename(folder.parent / f"replaced-{time.time_ns()}")  # ``link`` now names the old folder
            return
        output.rename(folder.parent / f"replaced-{time.time_ns()}")
    os.replace(link, output)


def prune(builds: Path, live: Path) -> None:
    """Keep the live build and the one before it."""
    done = sorted(
        (p for p in builds.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in [p for p in done if p.resolve() != live.resolve()][KEEP_BUILDS - 1 :]:
        shutil.rmtree(old, ignore_errors=True)


def build_site(
    output: Path,
    partnerships: list[Partnership],
    register: Register,
    label: str,
    version: int | None = None,
    year: int = LATEST_YEAR,
    areas: gpd.GeoDataFrame | None = None,
    topology: dict | None = None,
    history: list[VersionChanges] | None = None,
) -> Built:
    """Build the site of one version in a new folder beside ``output`` and swap it in, one build at a time
    (``build_lock``). ``history`` (``publishing.history.version_history``) fills the What changed page and the
    feeds. Raises SiteBuildError (logged; the live site untouched) when it cannot be built."""
    output = Path(output).absolute()
    with build_lock(output):
        return _build_site(output, partnerships, register, label, version, year, areas, topology, history)


def _build_site(
    output: Path,
    partnerships: list[Partnership],
    register: Register,
    label: str,
    version: int | None,
    year: int,
    areas: gpd.GeoDataFrame | None,
    topology: dict | None,
    history: list[VersionChanges] | None = None,
) -> Built:
    started = time.perf_counter()
    builds = output.with_name(f"{output.name}-builds")
    temporary = builds / f".building-{os.getpid()}-{time.time_ns()}"
    try:
        builds.mkdir(parents=True, exist_ok=True)
        temporary.mkdir()
        if areas is None:
            areas = year_geometries(year)
        if topology is None:
            topology = map_payload.build_topology(map_payload.tier_areas(areas, year, "ltla"))
        data = site_data(partnerships, register, label, year, areas, topology)
        count = write_site(temporary, data, register, topology, version, history)
        folder = (
            builds / f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{'v' + str(version) if version else 'seed'}-"
            f"{time.time_ns() % 10**6:06d}"
        )
        temporary.rename(folder)
        swap_in(folder, output)
    except Exception as exc:  # noqa: BLE001 (any failure leaves the live site; it is logged and raised as ours)
        shutil.rmtree(temporary, ignore_errors=True)
        events.record(
            "site_build",
            "failure",
            output=str(output),
            label=label,
            version=version,
            reason=f"{type(exc).__name__}: {exc}",
        )
        if isinstance(exc, SiteBuildError):
            raise
        raise SiteBuildError(
            f"the static site of {label} could not be built ({exc}); the live site is unchanged"
        ) from exc
    prune(builds, output)
    seconds = round(time.perf_counter() - started, 2)
    events.record(
        "site_build",
        "success",
        output=str(output),
        label=label,
        version=version,
        files=count,
        seconds=seconds,
        skipped=len(data.skipped),
    )
    return Built(output, folder, label, version, count, seconds, data.skipped)


def rebuild_published(
    store,
    register: Register | None = None,
    version: int | None = None,
    output: Path | None = None,
    newer_only: bool = False,
) -> Built | None:
    """The site of the store's published version (or version ``number``), at SHAREDMAP_SITE_DIR unless
    ``output`` is given; None when the setting is off, or, with ``newer_only``, when the live site already shows
    that version or a newer one (a build after a publish never swaps an older version in)."""
    output = output or site_dir()
    if output is None:
        return None
    output = Path(output).absolute()
    with build_lock(output, store):
        number, label = store.current()
        if version is not None and version != number:
            number, label = version, store.version(version).label
        if number is None:
            raise SiteBuildError("nothing is published yet, so there is no site to build")
        live = live_version(output)
        if newer_only and live is not None and live >= number and shows(output, _stamp(output).get("label", "")):
            events.record("site_build", "skipped", output=str(output), label=label, version=number, live=live)
            return None  # a newer version is live already: never swap an older one in
        register = register or load_register()
        history = version_history(store, number, register)
        return _build_site(
            output, store.partnerships(number), register, label, number, LATEST_YEAR, None, None, history
        )


def rebuild_if_stale(store, output: Path, register: Register | None = None) -> Built | None:
    """The published version's site at ``output``, built only when the site there does not already show it
    (or was written by other code); None when there was nothing to build."""
    _number, label = store.current()
    if label is not None and shows(output, label):
        return None
    return rebuild_published(store, register, output=output)


def rebuild_after_publish(store, number: int) -> Built | None:
    """Called once a version is published or restored: the site of the version published now (a later publish
    may have followed ``number``); a failed build is logged and leaves the old site, and never undoes the
    publish."""
    try:
        return rebuild_published(store, newer_only=True)
    except SharedMapError:
        return None  # logged by build_site; the published data is safe in the store
