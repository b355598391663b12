"""Start Streamlit with the public map's caches already filled, so the first visitor after a deploy waits no
longer than the next: `serve` runs ``python -m sharedmap.app.warm run app.py …`` instead of ``streamlit run``.

The register, the year's boundaries and simplified topology, the published version and the default view's map
payload are loaded here, in the process that then becomes the Streamlit server (``st.cache_resource`` is one
per process, so the app's pages find them). Streamlit answers its health check only once this is done.
"""

from __future__ import annotations

import logging
import sys
import time

from streamlit.web import cli as streamlit_cli

from sharedmap.app import ui
from sharedmap.errors import SharedMapError
from sharedmap.exports import partnerships_frame
from sharedmap.maps import mapview
from sharedmap.maps.viewstate import View


def warm(view: View | None = None) -> dict[str, float]:
    """Fill the caches the Map page reads for ``view`` (default: the page's opening view); seconds per step.
    A store that cannot be reached skips the data steps: the app then serves its last good version."""
    view = view or View()
    steps: dict[str, float] = {}
    # Outside a script run Streamlit warns "missing ScriptRunContext" on every cached call: quiet while warming.
    quiet = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict) if name.startswith("streamlit")]
    levels = [logger.level for logger in quiet]
    for logger in quiet:
        logger.setLevel(logging.ERROR)
    try:
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
            shown, _network = ui.filtered(label, view.filters, everything)
            view_payload = ui.view_payload(label, view.filters, view.tier, view.measure, everything)
            steps["payload"] = round(time.perf_counter() - started, 2)
            started = time.perf_counter()
            first_render(view_payload, shown)
            steps["first render"] = round(time.perf_counter() - started, 2)
        except SharedMapError as exc:
            print(
                f"warm: the published version could not be loaded ({exc}); the first visitor loads it", file=sys.stderr
            )
    finally:
        for logger, level in zip(quiet, levels, strict=True):
            logger.setLevel(level)
    return steps


def first_render(view_payload, partnerships) -> None:
    """What the Map page's first run pays once per process beyond the data: rendering the folium map, and its two
    tables through Streamlit's own Arrow conversion (as st.dataframe does). (Not importing streamlit_folium: a
    component declared before the server starts is not registered with it, and the map would never load.)"""
    from streamlit import dataframe_util

    base = mapview.build_map(
        view_payload.councils_json,
        view_payload.links_json,
        view_payload.points_json,
        view_payload.legend_title,
        view_payload.legend_classes,
    )
    base.render()
    dataframe_util.convert_anything_to_arrow_bytes(view_payload.table.drop(columns=["partnership_ids"]))
    dataframe_util.convert_anything_to_arrow_bytes(partnerships_frame(partnerships, ui.register()))


def main() -> None:
    from streamlit.runtime.pages_manager import PagesManager

    # app.py navigates with st.navigation; left unset, Streamlit would first treat the pages/ folder as an old-style
    # multipage app and the first visitor's page would run twice (ui.leave_pages_folder_mode).
    PagesManager.uses_pages_directory = False
    steps = warm()
    print("warm: " + ", ".join(f"{name} {seconds} s" for name, seconds in steps.items()), file=sys.stderr, flush=True)
    sys.argv = ["streamlit", *sys.argv[1:]]
    sys.exit(streamlit_cli.main())


if __name__ == "__main__":
    main()
