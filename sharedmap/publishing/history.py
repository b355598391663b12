"""The published versions, newest first, each with what it changed in words (``sharedmap.changes``): what the
What changed pages and the site's feeds list.

A version is compared with the one published before it, so a rollback reads as the changes it made to the map.
Only the newest HISTORY_VERSIONS are described: a feed or page of the recent past, read in one pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sharedmap.changes import ChangeLine, describe_changes
from sharedmap.publishing.store import Store
from sharedmap.renderable import load_records

if TYPE_CHECKING:
    from sharedmap.register import Register

HISTORY_VERSIONS = 50


@dataclass(frozen=True)
class VersionChanges:
    """One published version and its changes from the version before it."""

    number: int
    label: str
    published_at: datetime
    action: str  # seed | publish | rollback
    note: str  # the reviewers' own (it may name an officer): for the officers' pages, never the public ones
    partnerships: int
    lines: tuple[ChangeLine, ...]
    restored_from: int | None = None

    @property
    def title(self) -> str:
        """ "Version 7: 3 changes", "Version 1: first published, 531 partnerships", "Version 9: version 4 restored"."""
        if self.action == "seed":
            what = f"first published, {self.partnerships} partnerships"
        elif self.restored_from is not None:
            what = f"version {self.restored_from} restored, {_count(len(self.lines))}"
        else:
            what = _count(len(self.lines))
        return f"Version {self.number}: {what}"

    def concerning(self, council_ids: set[str]) -> list[ChangeLine]:
        """The lines about any of these councils (by register id)."""
        return [line for line in self.lines if council_ids.intersection(line.council_ids)]


def _count(n: int) -> str:
    return "no change to the partnerships" if n == 0 else f"{n} change{'s' if n != 1 else ''}"


def _changes(old: list[dict], new: list[dict], names: Mapping[str, str] | Register | None) -> list[ChangeLine]:
    """``describe_changes`` on the records that differ only: most of a version is its predecessor unchanged, and
    reading every record of fifty versions into partnerships would take seconds."""
    before = {r.get("id"): r for r in old if isinstance(r, dict)}
    after = {r.get("id"): r for r in new if isinstance(r, dict)}
    older = [r for r in old if isinstance(r, dict) and after.get(r.get("id")) != r]
    newer = [r for r in new if isinstance(r, dict) and before.get(r.get("id")) != r]
    return describe_changes(load_records(older)[0], load_records(newer)[0], names)


def version_history(
    store: Store,
    upto: int | None = None,
    names: Mapping[str, str] | Register | None = None,
    limit: int = HISTORY_VERSIONS,
) -> list[VersionChanges]:
    """The newest ``limit`` versions up to version ``upto`` (default: the published one), newest first, each with
    its changes in words; [] before the first publish."""
    upto = store.current()[0] if upto is None else upto
    if upto is None:
        return []
    versions = [v for v in store.versions() if v.number <= upto]  # newest first
    shown = versions[:limit]
    earlier = {v.number: (versions[i + 1].number if i + 1 < len(versions) else None) for i, v in enumerate(shown)}
    loaded: dict[int, list[dict]] = {}

    def records(number: int) -> list[dict]:
        if number not in loaded:
            loaded[number] = store.records(number)
        return loaded[number]

    history = []
    for version in shown:
        before = earlier[version.number]
        lines = _changes(records(before), records(version.number), names) if before is not None else []
        history.append(
            VersionChanges(
                version.number,
                version.label,
                version.created_at,
                version.action,
                version.note,
                version.partnership_count,
                tuple(lines),
                version.restored_from,
            )
        )
    return history
