"""The geo manifest: where each source file comes from, its checksum and licence, and where we find it on disk."""

from __future__ import annotations

import hashlib
import json
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from sharedmap import config
from sharedmap.errors import SourceError

MANIFEST_PATH = config.PROJECT_ROOT / "geo" / "sources.json"
CACHE_DIR = config.PROJECT_ROOT / "geo" / "cache"


@dataclass(frozen=True)
class Source:
    name: str
    file: str
    kind: str
    title: str
    url: str
    sha256: str
    licence: str
    licence_url: str
    attribution: str
    credit: str = ""  # the short line shown under the map and on every page


def load_manifest(path: Path = MANIFEST_PATH) -> list[Source]:
    entries = json.loads(Path(path).read_text(encoding="utf-8"))["sources"]
    return [Source(**entry) for entry in entries]


def get_source(name: str) -> Source:
    for source in load_manifest():
        if source.name == name:
            return source
    raise SourceError(f"No source named {name!r} in {MANIFEST_PATH}")


def find_file(filename: str) -> Path:
    """First match for ``filename`` along the search path; a clear error listing where we looked."""
    searched = config.data_search_path()
    for folder in searched:
        candidate = folder / filename
        if candidate.is_file():
            return candidate
    where = ", ".join(str(p) for p in searched)
    raise SourceError(
        f"{filename} not found (looked in: {where}). Set SHAREDMAP_DATA_PATH to its folder "
        "or run `python -m sharedmap boundaries fetch`."
    )


def source_path(name: str) -> Path:
    return find_file(get_source(name).file)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(source: Source, dest_dir: Path = CACHE_DIR, timeout: float = 60) -> Path:
    """Download a missing source into the cache and keep it only when its SHA-256 matches the manifest."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    target = dest_dir / source.file
    partial = target.with_suffix(target.suffix + ".part")
    try:
        with urllib.request.urlopen(source.url, timeout=timeout) as response, open(partial, "wb") as out:
            while block := response.read(1 << 20):
                out.write(block)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        reason = getattr(exc, "reason", exc)
        raise SourceError(
            f"{source.file} is missing and could not be downloaded from {source.url} ({reason}): "
            f"put it in {dest_dir}, or in a folder named by SHAREDMAP_DATA_PATH, or point "
            "SHAREDMAP_SHARED_DATA at the shared data folder"
        ) from exc
    actual = sha256_of(partial)
    if actual != source.sha256:
        partial.unlink(missing_ok=True)
        raise SourceError(f"{source.name}: checksum mismatch (expected {source.sha256}, got {actual}); nothing kept")
    partial.replace(target)
    return target


def credits() -> str:
    """The sources' short credits, once each, joined: what the map and every page show."""
    return " · ".join(dict.fromkeys(s.credit for s in load_manifest() if s.credit))
