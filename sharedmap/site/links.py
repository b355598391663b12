"""Where the app links to the static site: under Streamlit's static path when the site is kept in ./static."""

from __future__ import annotations

from urllib.parse import quote

from sharedmap import config
from sharedmap.site.build import live_label, site_dir


def site_url(static_url: str) -> str | None:
    """The site's address on this server (``static_url`` is where ./static is served), or None when it is not
    built or not kept under ./static."""
    folder = site_dir()
    static = config.PROJECT_ROOT / "static"
    if folder is None or live_label(folder) is None or folder.parent.resolve() != static.resolve():
        return None
    return f"{static_url.rstrip('/')}/{folder.name}/"


def site_links(static_url: str, gss: str | None = None) -> str:
    """Markdown for the Map page: the fast public map (at the selected council) and its embeddable view."""
    base = site_url(static_url)
    if base is None:
        return ""
    at = f"#council={quote(gss)}" if gss else ""
    return (
        f"[Fast public map]({base}index.html{at}) · [Embed this map]({base}embed.html{at}) "
        "(the fast map's council panel gives the code to paste into a website)"
    )
