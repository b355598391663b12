"""The preview of an upload against the published partnerships, its application and its conflicts (pure functions)."""

from __future__ import annotations

import pytest

from sharedmap.partnerships import PartialDate, Status, to_record
from sharedmap.publishing.preview import (
    CHANGED,
    NEW,
    UNCHANGED,
    WITHDRAWN,
    Uploaded,
    apply_changes,
    compare,
    find_conflicts,
    name_key,
)


@pytest.fixture(scope="module")
def published(seed_partnerships):
    return seed_partnerships


def uploaded(*partnerships, id_given=True):
    return [Uploaded(row, p, id_given) for row, p in enumerate(partnerships, start=2)]


def by_id(partnerships, pid):
    return next(p for p in partnerships if p.id == pid)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("South & East Lincolnshire Councils Partnership", "south and east lincolnshire councils partnership"),
        ("  ORBIS ", "orbis"),
        ("Adur & Worthing Councils partnership", "adur and worthing councils partnership"),
        ("Tri-borough shared services", "tri borough shared services"),
    ],
)
def test_name_key_ignores_case_punctuation_and_ampersands(name, key):
    assert name_key(name) == key


@pytest.mark.parametrize(
    ("stored", "uploaded_as"),
    [
        ("Cyd-wasanaeth Môn", "Cyd-wasanaeth Mo\u0302n"),  # decomposed, as macOS saves it
        ("Cyd-wasanaeth Môn", "CYD-WASANAETH MON"),  # no accent, other case
        ("Ἑλληνικά", "ἑλληνικά"),  # no ASCII letters at all
        ("Orbis", "Ｏｒｂｉｓ"),  # full-width
        ("Orbis", "Or\u200bbis\u200f"),  # zero-width and direction marks
    ],
)
def test_names_a_reader_sees_as_the_same_match(stored, uploaded_as, published):
    """Before: every non-ASCII letter was dropped, so these were new partnerships (and, without keep-missing, the
    published one withdrawn and re-created under a new id)."""
    assert name_key(stored) == name_key(uploaded_as) and name_key(stored)
    base = by_id(published, "SS001").with_changes(name=stored)
    others = [p for p in published if p.id != "SS001"]
    preview = compare(
        [base, *others],
        uploaded(base.with_changes(id="", name=uploaded_as), id_given=False),
        1,
        withdraw=lambda p: True,
    )
    assert [(c.kind, c.partnership_id) for c in preview.changes if c.partnership_id == "SS001"] == [(CHANGED, "SS001")]
    assert name_key("Ἑλληνικά") != name_key("Ελληνικό")


def test_an_id_matches_however_it_is_typed(published):
    base = by_id(published, "SS001")
    preview = compare(published, uploaded(base.with_changes(id="ss001\u200b")), 1)
    assert [(c.kind, c.partnership_id) for c in preview.changes] == [(UNCHANGED, "SS001")]


def test_unchanged_changed_and_new_are_told_apart(published):
    same = by_id(published, "SS001")
    edited = by_id(published, "SS002").with_changes(status=Status.OPERATIONAL, description="Now running.")
    new = same.with_changes(id="", name="East Lindsey and Boston shared waste", services=("Waste",))
    preview = compare(published, uploaded(same, edited) + [Uploaded(9, new.with_changes(id="el-waste"), False)], 1)
    assert [(c.kind, c.partnership_id, c.row) for c in preview.changes] == [
        (UNCHANGED, "SS001", 2),
        (CHANGED, "SS002", 3),
        (NEW, "el-waste", 9),
    ]
    assert {(f.field, f.old, f.new) for f in preview.changes[1].fields} == {
        ("status", "planned", "operational"),
        ("description", by_id(published, "SS002").description, "Now running."),
    }
    assert preview.counts == {NEW: 1, CHANGED: 1, UNCHANGED: 1, WITHDRAWN: 0}
    assert preview.has_effect


def test_withdrawn_only_within_the_given_scope(published):
    only_eli = [p for p in published if "ELI" in p.council_ids]
    preview = compare(published, uploaded(only_eli[0]), 1, withdraw=lambda p: "ELI" in p.council_ids)
    assert [c.partnership_id for c in preview.of_kind(WITHDRAWN)] == [p.id for p in only_eli[1:]]
    everything = compare(published, uploaded(only_eli[0]), 1, withdraw=lambda p: True)
    assert len(everything.of_kind(WITHDRAWN)) == len(published) - 1
    assert compare(published, uploaded(only_eli[0]), 1).of_kind(WITHDRAWN) == []


@pytest.mark.parametrize(
    ("uploaded_name", "uploaded_id", "id_given", "kind", "matched_by"),
    [
        ("Boston and East Lindsey Strategic Alliance", "SS001", True, UNCHANGED, "id"),
        ("boston & east lindsey strategic alliance", "boston-east-lindsey", False, CHANGED, "name"),  # name differs
        ("Boston and East Lindsey Strategic Alliance", "OUR-REF-7", True, UNCHANGED, "name"),  # their own reference
        ("Boston and East Lindsey Alliance (renamed)", "SS001", True, CHANGED, "id"),
        ("A partnership we never heard of", "never-heard", False, NEW, None),
    ],
)
def test_matching_by_id_then_by_normalised_name(published, uploaded_name, uploaded_id, id_given, kind, matched_by):
    p = by_id(published, "SS001").with_changes(name=uploaded_name, id=uploaded_id)
    change = compare(published, [Uploaded(2, p, id_given)], 1).changes[0]
    assert (change.kind, change.matched_by) == (kind, matched_by)
    if matched_by:
        assert change.partnership_id == change.record["id"] == "SS001"  # history follows the published id


def test_a_new_partnership_never_takes_a_published_id(published):
    twin = by_id(published, "SS001").with_changes(name="Something else entirely", id="SS001")
    first = by_id(published, "SS001")
    preview = compare(published, uploaded(first) + [Uploaded(3, twin, False)], 1)
    assert [(c.kind, c.partnership_id) for c in preview.changes] == [(UNCHANGED, "SS001"), (NEW, "SS001-2")]


def test_apply_changes_updates_in_place_drops_withdrawn_appends_new(published):
    edited = by_id(published, "SS002").with_changes(end=PartialDate(2024))
    new = by_id(published, "SS001").with_changes(id="x-new", name="Brand new")
    preview = compare(published, uploaded(edited, new), 1, withdraw=lambda p: p.id == "SS004")
    records = apply_changes([to_record(p) for p in published], preview.changes)
    expected_ids = [p.id for p in published if p.id != "SS004"] + ["x-new"]
    assert [r["id"] for r in records] == expected_ids
    assert next(r for r in records if r["id"] == "SS002")["end"] == "2024"


def test_conflicts_only_where_the_same_partnership_was_touched(published):
    base = [to_record(p) for p in published]
    mine = compare(published, uploaded(by_id(published, "SS001").with_changes(notes="officer A")), 1).changes
    assert find_conflicts(mine, base, base) == []
    theirs_elsewhere = apply_changes(
        base, compare(published, uploaded(by_id(published, "SS004").with_changes(notes="officer B")), 1).changes
    )
    assert find_conflicts(mine, theirs_elsewhere, base) == []
    theirs_same = apply_changes(
        base, compare(published, uploaded(by_id(published, "SS001").with_changes(notes="officer B")), 1).changes
    )
    assert find_conflicts(mine, theirs_same, base) == [
        "SS001 (Boston and East Lindsey Strategic Alliance) has been changed since this submission was made"
    ]
    withdrawn = [r for r in base if r["id"] != "SS001"]
    assert "withdrawn since" in find_conflicts(mine, withdrawn, base)[0]


def test_a_new_partnership_conflicts_with_one_of_the_same_name_published_since(published):
    base = [to_record(p) for p in published]
    new = by_id(published, "SS001").with_changes(id="shared-waste", name="Shared Waste")
    mine = compare(published, [Uploaded(2, new, False)], 1).changes
    theirs = base + [to_record(new.with_changes(id="their-waste", name="Shared waste"))]
    assert find_conflicts(mine, theirs, base) == [
        "shared-waste (Shared Waste): a partnership of the same name has been published since (id their-waste)"
    ]


def test_a_changed_figure_is_shown_with_its_scope_and_council(register):
    from sharedmap.partnerships import SavingsScope
    from sharedmap.publishing.preview import CHANGED, Change
    from sharedmap.publishing.review_tables import field_changes

    def figure(amount, scope, period="", council=None):
        return {
            "amount_gbp": amount,
            "kind": "annual",
            "period": period,
            "council_id": council,
            "estimate": False,
            "scope": scope.value,
        }

    old = {"savings": [figure(10e6, SavingsScope.PARTNERSHIP)]}
    new = {"savings": [figure(10e6, SavingsScope.EACH), figure(208e3, SavingsScope.COUNCIL, "2023/24", "YOR")]}
    table = field_changes(Change(CHANGED, "SS1", "Test", new, old), register)
    wanted = "£10,000,000 annual for each council; £208,000 annual 2023/24 (City of York Council)"
    published = "£10,000,000 annual"
    assert table.to_dict("records") == [{"field": "savings", "published": published, "in the file": wanted}]
