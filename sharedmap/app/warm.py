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
from sharedmap.maps.viewstate import View

BARE_MODE_LOGGER = "streamlit.runtime.scriptrunner_utils.script_run_context"


def warm(view: View | None = None) -> dict[str, float]:
    """Fill the caches the Map page reads for ``view`` (default: the page's opening view); seconds per step.
    A store that cannot be reached skips the data steps: the app then serves its last good version."""
    view = view or View()
    steps: dict[str, float] = {}
    quiet = logging.getLogger(BARE_MODE_LOGGER)
    level, quiet.level = quiet.level, logging.ERROR  # "missing ScriptRunContext" once per call, outside a run
    try:
        for name, step in (("register", ui.register), ("options", ui.options),
                           ("boundaries", lambda: ui.areas(view.year)),
                           ("topology", lambda: ui.topology(view.year, view.tier))):
            started = time.perf_counter()
            step()
            steps[name] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        try:
            label, _ = ui.published()
            ui.view_payload(label, view.filters, view.tier, view.measure)
            steps["payload"] = round(time.perf_counter() - started, 2)
        except SharedMapError as exc:
            print(f"warm: the published version could not be loaded ({exc}); the first visitor loads it",
                  file=sys.stderr)
    finally:
        quiet.level = level
    return steps


def main() -> None:
    steps = warm()
    print("warm: " + ", ".join(f"{name} {seconds} s" for name, seconds in steps.items()), file=sys.stderr,
          flush=True)
    sys.argv = ["streamlit", *sys.argv[1:]]
    sys.exit(streamlit_cli.main())


if __name__ == "__main__":
    main()
