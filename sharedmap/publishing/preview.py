"""What an upload would change in the published partnerships: new, changed (field by field), unchanged, withdrawn.

Pure functions on records (``partnerships.to_record`` dicts), so a page can show the same preview the store keeps.
An uploaded partnership matches a published one by id, else by its normalised name (officers' own files rarely
carry our ids); a match keeps the published id so that history follows one partnership across versions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sharedmap.partnerships import Partnership, Savings, format_gbp, from_record, savings_text, to_record
from sharedmap.recordlimits import fit_id
from sharedmap.register import Register
from sharedmap.textkeys import fold, fold_id

NEW, CHANGED, UNCHANGED, WITHDRAWN = "new", "changed", "unchanged", "withdrawn"
KINDS = (NEW, CHANGED, UNCHANGED, WITHDRAWN)
TOUCHING = (NEW, CHANGED, WITHDRAWN)  # the kinds that alter the published data
FIELD_LABELS = {
    "name": "name",
    "council_ids": "councils",
    "services": "services",
    "status": "status",
    "other_partners": "other partners",
    "start": "start",
    "end": "end",
    "savings": "savings",
    "description": "description",
    "source_urls": "sources",
    "source_title": "source title",
    "source_date": "source date",
    "notes": "notes",
    "verified_on": "checked against source on",
    "evidence": "evidence",
    "status_source_url": "status source",
    "status_source_date": "status date",
    "status_evidence": "status evidence",
    "status_confirmed_by": "status confirmed by",
}


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: object
    new: object

    @property
    def label(self) -> str:
        return FIELD_LABELS.get(self.field, self.field)

    def texts(self, names: Mapping[str, str] | Register | None = None) -> tuple[str, str]:
        """Old and new value as text, a one-council figure naming its council (``names``: register or dict)."""
        return display(self.old, names), display(self.new, names)


def display(value: object, names: Mapping[str, str] | Register | None = None) -> str:
    """A record field's value as a person reads it: lists joined with '; ', savings figures as
    ``savings_text`` writes them (with the council's name when ``names`` gives it, else its register id)."""
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return "; ".join(savings_text(s, names) for s in _savings(value))
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _savings(value: list) -> tuple[Savings, ...]:
    bare = {"id": "", "name": "", "council_ids": [], "services": [], "status": "operational", "savings": value}
    return from_record(bare).savings


def exact_gbp(amount: float) -> str:
    """A figure to the pound (to the penny when it has pence): what is stored, not a rounded "£1.23m"."""
    return f"£{amount:,.0f}" if amount == int(amount) else f"£{amount:,.2f}"


def figure_as_read(s: Savings, read_from: str = "", names: Mapping[str, str] | Register | None = None) -> str:
    """One figure exactly as it will be published, beside the text it was read from:
    "£1,200,000 annual (read from '£1.2m annual')"."""
    text = exact_gbp(s.amount_gbp) + savings_text(s, names)[len(format_gbp(s.amount_gbp)) :]
    return f"{text} (read from {read_from!r})" if read_from else text


def figures_text(
    record: dict | None, read_from: Sequence[str] = (), names: Mapping[str, str] | Register | None = None
) -> str:
    """Every figure a record will publish (``figure_as_read``), joined with '; '."""
    if not record or not record.get("savings"):
        return ""
    savings = _savings(record["savings"])
    texts = list(read_from) if len(read_from) == len(savings) else [""] * len(savings)
    return "; ".join(figure_as_read(s, text, names) for s, text in zip(savings, texts, strict=True))


@dataclass(frozen=True)
class Change:
    """One partnership's fate: ``record`` is the uploaded version (None if withdrawn), ``base_record`` the published
    one it was compared with (None if new). ``row`` is the spreadsheet row it came from."""

    kind: str
    partnership_id: str
    name: str
    record: dict | None
    base_record: dict | None
    row: int | None = None
    matched_by: str | None = None  # "id" or "name"
    read_from: tuple[str, ...] = ()  # the file's text of each uploaded figure, in the record's order

    def figures(self, names: Mapping[str, str] | Register | None = None) -> str:
        """The figures this change will publish, exactly, each beside the text it was read from."""
        return figures_text(self.record, self.read_from, names)

    @property
    def uploaded(self) -> dict:
        """The uploaded record of a new, changed or unchanged partnership (a withdrawn one has none)."""
        if self.record is None:
            raise ValueError(f"{self.partnership_id} is {self.kind}: it has no uploaded record")
        return self.record

    @property
    def published(self) -> dict:
        """The published record a changed, unchanged or withdrawn partnership was compared with (a new one has none)."""
        if self.base_record is None:
            raise ValueError(f"{self.partnership_id} is {self.kind}: it has no published record")
        return self.base_record

    @property
    def fields(self) -> list[FieldChange]:
        """Field-by-field differences for a changed partnership (empty for the other kinds)."""
        if self.kind != CHANGED:
            return []
        old = self.published
        new = self.uploaded
        return [FieldChange(f, old.get(f), new.get(f)) for f in FIELD_LABELS if old.get(f) != new.get(f)]

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "id": self.partnership_id,
            "name": self.name,
            "row": self.row,
            "matched_by": self.matched_by,
            "figures": self.figures() if self.record else "",
            "fields": [{"field": c.field, "old": c.old, "new": c.new} for c in self.fields],
        }


@dataclass
class Preview:
    base_version: int | None
    changes: list[Change] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[Change]:
        return [c for c in self.changes if c.kind == kind]

    @property
    def counts(self) -> dict[str, int]:
        return {kind: len(self.of_kind(kind)) for kind in KINDS}

    @property
    def has_effect(self) -> bool:
        return any(c.kind in TOUCHING for c in self.changes)

    def as_dict(self) -> dict:
        return {
            "base_version": self.base_version,
            "counts": self.counts,
            "changes": [c.as_dict() for c in self.changes],
        }


def name_key(name: str) -> str:
    """Case, accents, Unicode forms, invisible characters, punctuation and '&'/'and' do not make two partnership
    names different (sharedmap.textkeys)."""
    return fold(name)


@dataclass(frozen=True)
class Uploaded:
    """A valid row of an upload: its spreadsheet row, the partnership, whether the file gave its id, and which
    record fields the file has columns for (None: all). A field without a column keeps its published value, so
    a file without, say, a notes column does not wipe the published notes."""

    row: int
    partnership: Partnership
    id_given: bool
    fields: frozenset[str] | None = None
    read_from: tuple[str, ...] = ()  # the file's text of each figure, in the order of ``partnership.savings``


def compare(
    published: Sequence[Partnership],
    uploaded: Sequence[Uploaded],
    base_version: int | None,
    withdraw: Callable[[Partnership], bool] | None = None,
) -> Preview:
    """The preview of an upload against the published partnerships; ``withdraw`` says which published partnerships
    missing from the upload are withdrawn (None: the upload only adds and updates)."""
    by_id = {fold_id(p.id): p for p in published}
    by_name: dict[str, list[Partnership]] = {}
    for p in published:
        by_name.setdefault(name_key(p.name), []).append(p)
    matched: set[str] = set()
    taken = {p.id for p in published}
    preview = Preview(base_version)
    for item in uploaded:
        base, how = _match(item, by_id, by_name, matched)
        p = item.partnership
        if base is None:
            new_id = _unique_id(p.id, taken)
            taken.add(new_id)
            record = to_record(p.with_changes(id=new_id))
            preview.changes.append(Change(NEW, new_id, p.name, record, None, item.row, read_from=item.read_from))
            continue
        matched.add(base.id)
        record, base_record = to_record(p.with_changes(id=base.id)), to_record(base)
        if item.fields is not None:
            record.update({f: base_record[f] for f in FIELD_LABELS if f not in item.fields})
        kind = UNCHANGED if record == base_record else CHANGED
        read_from = item.read_from if item.fields is None or "savings" in item.fields else ()
        preview.changes.append(Change(kind, base.id, p.name, record, base_record, item.row, how, read_from))
    if withdraw is not None:
        preview.changes += [
            Change(WITHDRAWN, p.id, p.name, None, to_record(p))
            for p in published
            if p.id not in matched and withdraw(p)
        ]
    return preview


def _match(
    item: Uploaded, by_id: dict[str, Partnership], by_name: dict[str, list[Partnership]], matched: set[str]
) -> tuple[Partnership | None, str | None]:
    p = item.partnership
    if item.id_given and (same := by_id.get(fold_id(p.id))) is not None and same.id not in matched:
        return same, "id"
    candidates = [c for c in by_name.get(name_key(p.name), []) if c.id not in matched]
    if len(candidates) > 1:  # the same name twice in the published data: the councils decide
        candidates = [c for c in candidates if set(c.council_ids) == set(p.council_ids)]
    return (candidates[0], "name") if len(candidates) == 1 else (None, None)


def _unique_id(wanted: str, taken: set[str]) -> str:
    """``wanted``, or the first of wanted-2, wanted-3, … that no other partnership has."""
    if wanted not in taken:
        return wanted
    n = 2
    while fit_id(wanted, f"-{n}") in taken:
        n += 1
    return fit_id(wanted, f"-{n}")  # within the store's id limit (sharedmap.recordlimits)


def apply_changes(current: Sequence[dict], changes: Iterable[Change]) -> list[dict]:
    """The next version's records: updates in place, withdrawals dropped, new partnerships at the end."""
    changes = list(changes)
    updated = {c.partnership_id: c.uploaded for c in changes if c.kind == CHANGED}
    withdrawn = {c.partnership_id for c in changes if c.kind == WITHDRAWN}
    records = [updated.get(r["id"], r) for r in current if r["id"] not in withdrawn]
    return records + [c.uploaded for c in changes if c.kind == NEW]


def find_conflicts(changes: Iterable[Change], current: Sequence[dict], base: Sequence[dict]) -> list[str]:
    """Why a submission no longer applies to the current records, one line per partnership; empty when it does.

    A submission changes only what it touched, so it still applies after another publish (``base`` is the version
    it was made against) unless that publish changed or withdrew the same partnership, or added one with the same
    id or name as a new one here."""
    by_id = {r["id"]: r for r in current}
    base_names = {name_key(r["name"]) for r in base}
    names_since = {name_key(r["name"]): r["id"] for r in current if name_key(r["name"]) not in base_names}
    problems = []
    for c in changes:
        now = by_id.get(c.partnership_id)
        if c.kind in (CHANGED, WITHDRAWN) and now is None:
            problems.append(f"{c.partnership_id} ({c.name}) has been withdrawn since this submission was made")
        elif c.kind in (CHANGED, WITHDRAWN) and now != c.base_record:
            problems.append(f"{c.partnership_id} ({c.name}) has been changed since this submission was made")
        elif c.kind == NEW and now is not None:
            problems.append(f"{c.partnership_id} ({c.name}): a partnership with this id has been published since")
        elif c.kind == NEW and name_key(c.name) in names_since:
            problems.append(
                f"{c.partnership_id} ({c.name}): a partnership of the same name has been published "
                f"since (id {names_since[name_key(c.name)]})"
            )
    return problems
