"""Start Streamlit with the public map already opened once, so the first visitor after a deploy waits no longer
than the next: `serve` runs ``python -m sharedmap.app.warm run app.py …`` instead of ``streamlit run``.

Two steps, both in the process that becomes the Streamlit server (``st.cache_resource`` is one per process):

1. before Streamlit starts, the register, the year's boundaries and simplified topology, the published version
   and the opening view's map payload are loaded (``warm``);
2. once Streamlit listens, one real session over its own websocket opens the Map page, clicks the council with
   the most partnerships, and opens each other page of the Map's section of the navigation, the public pages
   (``first_session``). That pays what only a running
   server can: the st_folium component's registration, the first run of each page's script, the panel.

Until both are done ``/_stcore/health`` answers 503 "warming up" (``hold_health_until``), so a load balancer or
``sharedmap health --url`` that waits for health never sends the first visitor to a cold copy.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import threading
import time
from collections.abc import Iterator

from streamlit import config as streamlit_config
from streamlit.runtime.runtime import Runtime, RuntimeState
from streamlit.web import cli as streamlit_cli

from sharedmap.app import ui
from sharedmap.app.visitor import Visitor
from sharedmap.errors import SharedMapError
from sharedmap.maps.viewstate import View


def warm(view: View | None = None) -> dict[str, float]:
    """Fill the caches the Map page reads for ``view`` (default: the page's opening view); seconds per step.
    A store that cannot be reached skips the data step: the app then serves its last good version."""
    view = view or View()
    steps: dict[str, float] = {}
    for name, step in (
        ("register", ui.register),
        ("options", ui.options),
        ("boundaries", lambda: ui.areas(view.year)),
        ("topology", lambda: ui.topology(view.year, view.tier)),
    ):
        started = time.perf_counter()
        step()
        steps[name] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    try:
        label, everything = ui.published()
        ui.filtered(label, view.filters, everything)
        ui.view_payload(label, view.filters, view.tier, view.measure, everything)
        steps["payload"] = round(time.perf_counter() - started, 2)
    except SharedMapError as exc:
        print(f"warm: the published version could not be loaded ({exc}); the first visitor loads it", file=sys.stderr)
    return steps


@contextlib.contextmanager
def outside_a_script_run() -> Iterator[None]:
    """Streamlit warns "missing ScriptRunContext" on every cached call made outside a script run: quiet here."""
    quiet = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict) if name.startswith("streamlit")]
    levels = [logger.level for logger in quiet]
    for logger in quiet:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(quiet, levels, strict=True):
            logger.setLevel(level)


FIRST_SESSION_TIMEOUT_S = 180.0
WARMING = "warming up"


def council_to_click(view: View | None = None) -> tuple[str, float, float] | None:
    """The council the first session clicks: the one with the most partnerships in the opening view (its panel
    is the longest to draw); None when nothing is published."""
    view = view or View()
    try:
        label, everything = ui.published()
        table = ui.view_payload(label, view.filters, view.tier, view.measure, everything).table
    except SharedMapError:
        return None
    if table.empty:
        return None
    busiest = table.sort_values(["partnerships", "code"], ascending=[False, True]).iloc[0]
    return str(busiest["code"]), float(busiest["lat"]), float(busiest["lon"])


def hold_health_until(ready: threading.Event) -> None:
    """Make Streamlit's health check (``/_stcore/health``, answered from the runtime's readiness) say 503
    "warming up" until ``ready`` is set. Streamlit's own front end waits on the same check before it connects,
    so a visitor who arrives early is held at "Connecting" rather than served cold."""
    answer = Runtime.is_ready_for_browser_connection.fget  # type: ignore[attr-defined]

    async def held(runtime: Runtime) -> tuple[bool, str]:
        ok, message = await answer(runtime)
        return (ok, message) if not ok or ready.is_set() else (False, WARMING)

    Runtime.is_ready_for_browser_connection = property(held)  # type: ignore[method-assign, assignment]


def server_url(timeout: float) -> str:
    """This process's own Streamlit server, once its runtime has started (its options are read by then)."""
    deadline = time.monotonic() + timeout
    while not (Runtime.exists() and Runtime.instance().state not in (RuntimeState.INITIAL, RuntimeState.STOPPED)):
        if time.monotonic() > deadline:
            raise TimeoutError(f"Streamlit did not start within {timeout:.0f} s")
        time.sleep(0.05)
    address = str(streamlit_config.get_option("server.address") or "")
    host = "127.0.0.1" if address in ("", "0.0.0.0", "::") else address  # noqa: S104 (listening everywhere)
    host = f"[{host}]" if ":" in host else host
    base = str(streamlit_config.get_option("server.baseUrlPath") or "").strip("/")
    return f"http://{host}:{streamlit_config.get_option('server.port')}" + (f"/{base}" if base else "")


async def first_session(url: str, click: tuple[str, float, float] | None, timeout: float) -> dict[str, float]:
    """What a first visitor does, done once: open the Map page, click a council, open each other public page.
    Seconds per step."""
    steps = {}
    async with Visitor(url, timeout=timeout, wait_for_server=timeout) as tab:
        steps["map"] = (await tab.run())["finished"]
        if click:
            code, lat, lon = click
            tab.click_feature({"c": code}, lat, lon)
            steps["click"] = (await tab.run())["finished"]
        section = next(section for section, _path, default in tab.pages if default)
        others = [path for in_section, path, default in tab.pages if in_section == section and not default]
    for page in others:
        async with Visitor(url, timeout=timeout, page=page) as other:
            steps[page] = (await other.run())["finished"]
    return {name: round(seconds, 2) for name, seconds in steps.items()}


def open_once_started(ready: threading.Event, click: tuple[str, float, float] | None) -> None:
    """The first session, in a thread beside the server; health turns ready when it ends, even if it failed (a
    failure is logged: the server then serves as a plain ``streamlit run`` would)."""
    started = time.perf_counter()
    try:
        url = server_url(FIRST_SESSION_TIMEOUT_S)
        steps = asyncio.run(first_session(url, click, FIRST_SESSION_TIMEOUT_S))
        print(
            "warm: first session " + ", ".join(f"{name} {seconds} s" for name, seconds in steps.items()),
            file=sys.stderr,
            flush=True,
        )
    except Exception as exc:  # noqa: BLE001 (a background thread: report and let the server serve)
        print(f"warm: the first session failed ({type(exc).__name__}: {exc}); serving cold", file=sys.stderr)
    finally:
        ready.set()
        print(f"warm: healthy after {time.perf_counter() - started:.1f} s of first session", file=sys.stderr)


def main() -> None:
    from streamlit.runtime.pages_manager import PagesManager

    # app.py navigates with st.navigation; left unset, Streamlit would first treat the pages/ folder as an old-style
    # multipage app and the first visitor's page would run twice (ui.leave_pages_folder_mode).
    PagesManager.uses_pages_directory = False
    ready = threading.Event()
    hold_health_until(ready)
    with outside_a_script_run():
        steps = warm()
        click = council_to_click()
    print("warm: " + ", ".join(f"{name} {seconds} s" for name, seconds in steps.items()), file=sys.stderr, flush=True)
    threading.Thread(target=open_once_started, args=(ready, click), name="sharedmap-first-session", daemon=True).start()
    sys.argv = ["streamlit", *sys.argv[1:]]
    sys.exit(streamlit_cli.main())


if __name__ == "__main__":
    main()
