"""Where a reader reports a mistake: the app's report page, with the council or partnership filled in.

The static site may be served from elsewhere (a CDN) than the app, so its links need the app's public address
(SHAREDMAP_PUBLIC_URL); without it there is nowhere to link to, and ``report_url`` gives None (no link is shown).
"""

from __future__ import annotations

from urllib.parse import urlencode

from sharedmap import config

REPORT_PATH = "report"  # the Streamlit page pages/report.py
REPORT_LABEL = "Something wrong or missing? Tell us"


def report_url(council: str | None = None, partnership: str | None = None, base: str | None = None) -> str | None:
    """The report page's address, ``?council=<id>`` or ``?partnership=<id>`` prefilling the form; None when the
    app's public address is not set. ``base`` overrides the setting (the app links relative to itself: "")."""
    root = config.get("SHAREDMAP_PUBLIC_URL") if base is None else base
    if base is None and not root:
        return None
    query = {k: v for k, v in (("council", council), ("partnership", partnership)) if v}
    address = f"{root.rstrip('/')}/{REPORT_PATH}" if root else REPORT_PATH
    return address + (f"?{urlencode(query)}" if query else "")
