"""What a web link is: one rule, asked at upload (validate) and at render (the panel, the site, the Data page).

A link is a link when a URL parser says so: http or https, a host that parses (an IPv6 address in closed
brackets, or a name every label of which is letters, digits and hyphens, after IDNA for a non-ASCII name), a port
that is a number, no user name or password, and no spaces or control characters. Anything else is text, never
drawn as a link, and never allowed to raise while a page is drawn.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from urllib.parse import urlsplit

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def link_problem(text: str) -> str | None:
    """Why ``text`` is not a web link, in a reader's words; None when it is one."""
    url = str(text).strip()
    if not url:
        return "empty"
    if any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in url):
        return "holds a space or an invisible character"
    try:
        parts = urlsplit(url)
        port = parts.port  # raises on a port that is not a number
    except ValueError as exc:
        if "IPv6" in str(exc):
            return "its host opens a bracket '[' that does not close (or holds one that is not an IPv6 address)"
        if "NFKC" in str(exc):
            return "its host holds full-width or look-alike characters"
        return f"cannot be read as a web address ({exc})"
    if parts.scheme.lower() not in ("http", "https"):
        return "not a web link (http:// or https://)"
    if not parts.netloc:
        return "has no host after http(s)://"
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return "holds a user name or password before the host"
    if port is not None and not 0 < port < 65536:
        return f"port {port} is not a port"
    return host_problem(parts.netloc.rsplit(":", 1)[0] if not parts.netloc.endswith("]") else parts.netloc)


def host_problem(host: str) -> str | None:
    if host.startswith("["):
        if not host.endswith("]"):
            return "its IPv6 address has no closing bracket"
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return f"{host} is not an IPv6 address"
        return None
    if "[" in host or "]" in host:
        return "its host holds a bracket"
    name = host.rstrip(".")
    if not name:
        return "has no host after http(s)://"
    if unicodedata.normalize("NFKC", name) != name:
        return f"its host {host!r} holds full-width or look-alike characters"
    if "." not in name:  # "https://evil example/report": the link stops at the space, at a host no one can reach
        return (
            f"its host {host!r} has no dot, so no browser can find it on the web (was the link cut short by a space?)"
        )
    for label in name.split("."):
        try:
            ascii_label = label.encode("idna").decode("ascii").lower() if not label.isascii() else label.lower()
        except UnicodeError:
            return f"its host {host!r} is not a name a browser can look up"
        if not _LABEL.match(ascii_label):
            return f"its host {host!r} is not a name a browser can look up"
    return None


def web_link(text: str) -> str | None:
    """The link, stripped, when it is a web link; otherwise None (never raises)."""
    return str(text).strip() if link_problem(text) is None else None


def link_host(text: str) -> str:
    """The host of a web link without ``www.``; "" for anything that is not a web link (never raises)."""
    url = web_link(text)
    if url is None:
        return ""
    return (urlsplit(url).hostname or "").removeprefix("www.")
