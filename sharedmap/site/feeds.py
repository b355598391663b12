"""The site's Atom feeds of what changed: ``changes.atom`` (every version, its changes in words) and one per
council, ``council/<GSS>.atom`` (the versions that changed its partnerships, only the lines about it).

Written with feedgen; ids are stable URNs derived from the version label, so a reader never sees an entry twice.
Links are relative to the feed (a static site does not know the address it is served from).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from feedgen.feed import FeedGenerator
from markupsafe import escape

from sharedmap.changes import ChangeLine
from sharedmap.publishing.history import VersionChanges

if TYPE_CHECKING:
    from sharedmap.register import Register

AUTHOR = "Shared Services Map"
FEED_TYPE = "application/atom+xml"


def _urn(*parts: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'sharedmap:' + '/'.join(parts))}"


def _html(version: VersionChanges, lines: Iterable[ChangeLine]) -> str:
    """The entry's content: the changes as a list, every text escaped. The version's note is the reviewers' own
    (it may name an officer) and is never published."""
    items = "".join(f"<li>{escape(line.text)}</li>" for line in lines)
    return f"<ul>{items}</ul>" if items else f"<p>{escape(version.title)}.</p>"


def _feed(feed_id: str, title: str, subtitle: str, self_href: str, page_href: str, newest: datetime | None):
    fg = FeedGenerator()
    fg.id(feed_id)
    fg.title(title)
    fg.subtitle(subtitle)
    fg.author({"name": AUTHOR})
    fg.link(href=self_href, rel="self", type=FEED_TYPE)
    fg.link(href=page_href, rel="alternate", type="text/html")
    fg.language("en-GB")
    fg.updated(newest or datetime.now(UTC))
    return fg


def changes_feed(history: list[VersionChanges]) -> bytes:
    """Every version of the map, newest first, each entry its changes in words (the site's ``changes.atom``)."""
    fg = _feed(
        _urn("changes"),
        "Shared services map: what changed",
        "Each published version of the map of council shared-service partnerships, and what it changed.",
        "changes.atom",
        "what-changed.html",
        history[0].published_at if history else None,
    )
    for version in history:
        entry = fg.add_entry(order="append")
        entry.id(_urn("version", version.label))
        entry.title(version.title)
        entry.updated(version.published_at)
        entry.published(version.published_at)
        entry.link(href=f"what-changed.html#v{version.number}", rel="alternate", type="text/html")
        entry.content(_html(version, version.lines), type="html")
    return fg.atom_str(pretty=True)


def council_feed(history: list[VersionChanges], code: str, name: str, council_ids: set[str]) -> bytes:
    """The versions that changed a council's partnerships, each with only the lines about it
    (``council/<GSS>.atom``); ``council_ids`` are the register ids the council's page stands for."""
    touching = [(v, v.concerning(council_ids)) for v in history]
    touching = [(v, lines) for v, lines in touching if lines]
    fg = _feed(
        _urn("council", code),
        f"{name}: what changed in its shared services",
        f"Changes to the partnerships of {name} on the shared services map.",
        f"{code}.atom",
        f"{code}.html",
        touching[0][0].published_at if touching else (history[0].published_at if history else None),
    )
    for version, lines in touching:
        entry = fg.add_entry(order="append")
        entry.id(_urn("council", code, version.label))
        count = len(lines)
        entry.title(f"{name}: {count} change{'s' if count != 1 else ''} in version {version.number}")
        entry.updated(version.published_at)
        entry.published(version.published_at)
        entry.link(href=f"../what-changed.html#v{version.number}", rel="alternate", type="text/html")
        entry.content(_html(version, lines), type="html")
    return fg.atom_str(pretty=True)


def council_ids_by_code(history: list[VersionChanges], register: Register) -> dict[str, set[str]]:
    """For each GSS code, the register ids whose changes its council's feed carries: the council's own, and those
    of the councils it took over (an abolished district's partnerships show on its successor's page)."""
    by_code: dict[str, set[str]] = {}
    for council_id in {cid for v in history for line in v.lines for cid in line.council_ids}:
        council = register.councils.get(council_id)
        if council is None:
            continue
        for heir in (council, *register.current_successors(council_id)):
            by_code.setdefault(heir.gss, set()).add(council_id)
    return by_code
