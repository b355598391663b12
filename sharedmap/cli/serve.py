"""Running the app as a production service (`python -m sharedmap serve`) and checking that a copy is healthy
(`python -m sharedmap health`).

``serve`` checks what the app needs (the store answers and is migrated and seeded, the map's Leaflet files and the
source files are there), builds the public static site when it is missing or older than the published version,
then replaces itself with Streamlit on app.py, started by ``sharedmap.app.warm`` (the data loaded and the app
opened once by a first session before Streamlit answers its health check), with its options for production:
headless, the configured port and address, XSRF protection on, uploads capped at the validator's limit, no file
watcher, no usage statistics, no tracebacks shown to visitors. Its own structured event log is switched on by the
app (SHAREDMAP_EVENT_LOG). Streamlit answers ``/_stcore/health`` (200 "ok") while the process serves.
"""

from __future__ import annotations

import math
import os
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass

from sharedmap import config, sources
from sharedmap.errors import SharedMapError
from sharedmap.maps import assets
from sharedmap.spreadsheets import max_upload_bytes

APP = config.PROJECT_ROOT / "app.py"
HEALTH_PATH = "/_stcore/health"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def production_options(port: int | None = None, address: str | None = None) -> dict[str, str]:
    """Streamlit's options for a public service; port and address default to SHAREDMAP_PORT and SHAREDMAP_ADDRESS."""
    return {
        "server.port": str(port or int(config.get("SHAREDMAP_PORT"))),
        "server.address": address or config.get("SHAREDMAP_ADDRESS"),
        "server.headless": "true",
        "server.enableXsrfProtection": "true",
        "server.enableCORS": "true",
        "server.maxUploadSize": str(math.ceil(max_upload_bytes() / (1024 * 1024))),
        "server.enableStaticServing": "true",  # the map's Leaflet comes from the app itself (sharedmap.maps.assets)
        "server.fileWatcherType": "none",
        "server.runOnSave": "false",
        # Streamlit runs a full garbage collection after every script run; over this app's heap (boundaries,
        # register, caches) that was more than half of each click's CPU. Python's own collector still runs.
        "runner.postScriptGC": "false",
        "browser.gatherUsageStats": "false",
        "client.showErrorDetails": "none",  # a bug's traceback goes to the server log, not to visitors
        "client.toolbarMode": "viewer",
        "global.developmentMode": "false",
    }


def streamlit_command(port: int | None = None, address: str | None = None) -> list[str]:
    """The command `serve` runs: this Python's Streamlit on app.py, with every production option as a flag (flags
    win over .streamlit/config.toml and STREAMLIT_* variables, so these cannot be weakened by accident)."""
    flags = [f"--{name}={value}" for name, value in production_options(port, address).items()]
    return [sys.executable, "-m", "sharedmap.app.warm", "run", str(APP), *flags]


def check_store(seed: bool = False) -> Check:
    """The store answers, is migrated, and holds a published version; how long one label query takes. With
    ``seed`` (serve, before the first visitor), an empty store is seeded from data/ as the app would."""
    from sharedmap.publishing.dataset import seeded_store
    from sharedmap.publishing.store import open_store

    try:
        store = seeded_store() if seed else open_store()
        started = time.perf_counter()
        number, label = store.current()
        took = (time.perf_counter() - started) * 1000
    except SharedMapError as exc:
        return Check("store", False, str(exc))
    if number is None:
        return Check("store", False, f"{store.backend}: nothing is published yet (the app seeds it on first start)")
    return Check("store", True, f"{store.backend}: version {number} ({label}) published; label query {took:.1f} ms")


def check_published() -> Check:
    """Every record of the published version can be drawn whole: none is left off the pages (drawable), none has a
    value a page leaves out (a link no browser can open), none is skipped by the static site's build."""
    from sharedmap.maps.panel import left_out_links
    from sharedmap.publishing.store import open_store
    from sharedmap.register import load_register
    from sharedmap.renderable import problem
    from sharedmap.site.content import renderable

    try:
        store = open_store()
        number, label = store.current()
        if number is None:
            return Check("published records", False, "nothing is published yet")
        partnerships, unreadable = store.readable(number)
        register = load_register()
    except SharedMapError as exc:
        return Check("published records", False, str(exc))
    problems = [f"{u.id}: {u.reason}" for u in unreadable]
    drawn = []
    for p in partnerships:
        if reason := problem(p, register):
            problems.append(f"{p.id}: left off the pages ({reason})")
            continue
        drawn.append(p)
        problems += [f"{p.id}: shown without {item}" for item in left_out_links(p)]
    problems += [f"{pid}: skipped by the static site's build" for pid in renderable(drawn, register)[1]]
    if problems:
        return Check(
            "published records",
            False,
            f"version {number} ({label}): {len(problems)} problem(s): " + "; ".join(problems),
        )
    return Check("published records", True, f"version {number} ({label}): all {len(partnerships)} records can be drawn")


def check_assets() -> Check:
    problem = assets.missing_message()
    if problem:
        return Check("map assets", False, problem)
    return Check("map assets", True, f"Leaflet and topojson-client in {assets.VENDOR_DIR}")


def check_sources() -> Check:
    missing = []
    for source in sources.load_manifest():
        try:
            sources.find_file(source.file)
        except SharedMapError:
            missing.append(source.file)
    if missing:
        return Check(
            "source files",
            False,
            f"not found: {', '.join(missing)} (`python -m sharedmap boundaries fetch` downloads them)",
        )
    return Check("source files", True, "boundaries and council register found")


def ensure_site() -> Check:
    """The public static site shows the published version: built now when it is missing, older, or written by
    other code (an upgrade). A failure does not stop a start (the app's own pages do not need it); it is logged
    and reported."""
    from sharedmap.publishing.dataset import seeded_store
    from sharedmap.site.build import live_label, rebuild_if_stale, site_dir

    output = site_dir()
    if output is None:
        return Check("static site", True, "SHAREDMAP_SITE_DIR is off: not built")
    try:
        built = rebuild_if_stale(seeded_store(), output)
    except SharedMapError as exc:
        return Check("static site", False, str(exc))
    if built is None:
        return Check("static site", True, f"{output} shows {live_label(output)}")
    return Check("static site", True, f"{output} built for {built.label} in {built.seconds} s")


def check_server(url: str, timeout: float = 5) -> Check:
    """A running copy answers Streamlit's health endpoint."""
    address = url.rstrip("/") + HEALTH_PATH
    try:
        with urllib.request.urlopen(address, timeout=timeout) as answer:  # noqa: S310 (the operator's own URL)
            body = answer.read(100).decode("utf-8", "replace").strip()
            return Check("server", answer.status == 200, f"{address}: HTTP {answer.status} {body!r}")
    except urllib.error.HTTPError as refused:  # 503 "warming up" while `serve` opens the app once (app.warm)
        body = refused.read(100).decode("utf-8", "replace").strip()
        return Check("server", False, f"{address}: HTTP {refused.code} {body!r}")
    except OSError as exc:
        return Check("server", False, f"{address}: {getattr(exc, 'reason', exc)}")


def health(url: str | None = None) -> list[Check]:
    """Everything a copy of the app needs, plus (with ``url``) whether a running copy answers."""
    checks = [check_store(), check_assets(), check_sources()]
    if checks[0].ok and checks[2].ok:
        checks.append(check_published())
    if url:
        checks.append(check_server(url))
    return checks


def checks_as_dict(checks: list[Check]) -> dict:
    return {"ok": all(c.ok for c in checks), "checks": [asdict(c) for c in checks]}


def serve(port: int | None = None, address: str | None = None, dry_run: bool = False) -> int:
    """Check, then become the Streamlit server (exec: signals from systemd or Docker reach Streamlit directly).
    The store being down does not stop a start: the app serves the SHAREDMAP_SNAPSHOT version until it returns.
    Missing assets or source files do: the map cannot be drawn without them."""
    command = streamlit_command(port, address)
    checks = [check_store(seed=True), check_assets(), check_sources()]
    if all(c.ok for c in checks):
        checks.append(ensure_site())
    for check in checks:
        print(f"{'ok  ' if check.ok else 'FAIL'} {check.name}: {check.detail}", file=sys.stderr)
    blocking = [c for c in checks if not c.ok and c.name not in ("store", "static site")]
    if blocking:
        raise SharedMapError("cannot serve: " + "; ".join(f"{c.name}: {c.detail}" for c in blocking))
    print("+ " + " ".join(command), file=sys.stderr, flush=True)
    if dry_run:
        return 0
    os.chdir(config.PROJECT_ROOT)  # Streamlit reads .streamlit/ and serves ./static relative to here
    os.execv(sys.executable, command)
    return 0  # not reached
