"""The council register and name resolution, against mySociety's real register files."""

from __future__ import annotations

import contextlib
import json
import os
import random
from datetime import date

import pandas as pd
import pytest

from sharedmap import cli, config
from sharedmap.errors import CouncilNotFoundError, RegisterError
from sharedmap.register import Register, load_register, read_register
from sharedmap.sources import source_path

pytestmark = pytest.mark.shared_data  # the full boundaries and register


@pytest.fixture(scope="module")
def register() -> Register:
    return load_register()


# written name -> (register id, method or None for "any", id of the current successor or None when current)
REQUIRED = [
    ("Hinkley & Bosworth BC", "HIN", "fuzzy", None),
    ("Worcestershire CC", "WOR", "normalised", None),
    ("Borough of Poole", "POL", "exact", "BPC"),
    ("Bournemouth Borough Council", "BMH", "exact", "BPC"),
    ("Dorset County Council", "DOR", "exact", "DST"),
    ("Forest Heath", "FOR", "exact", "WSK"),
    # The register models Shepway's 2018 renaming as one council (SHE) that carries the old name as an alias.
    ("Shepway", "SHE", "alias", None),
    ("Shepway District Council", "SHE", "alias", None),
    ("Taunton Deane BC", "TAU", "normalised", "SMT"),
    ("Blaby DC", "BLA", "normalised", None),
    ("Oadby & Wigston", "OAD", None, None),
    ("E Lindsey", "ELI", "normalised", None),
    ("Boston BC", "BOT", "normalised", None),
    ("London Borough of Richmond upon Thames", "RIC", "exact", None),
    ("LB Richmond", "RIC", "fuzzy", None),
    ("RB Kensington and Chelsea", "KEC", "normalised", None),
    ("Kingston upon Hull City Council", "KHL", None, None),
    ("City of York Council", "YOR", "exact", None),
    ("Bristol City Council", "BST", "exact", None),
    ("Cardiff Council", "CRF", "alias", None),
    ("Rhondda Cynon Taf", "RCT", None, None),
    ("Newry, Mourne and Down District Council", "NMD", "exact", None),
    ("BOS", "BOS", "code", None),
    ("E07000136", "BOT", "code", None),
    ("e07000136", "BOT", "code", None),
    ("S12000015", "FIF", "code", None),  # Fife's former GSS code
    ("Dorset CC", "DOR", "normalised", "DST"),
    ("Worcester CC", "WOC", "normalised", None),
    ("Leics CC", "LEC", "normalised", None),
    ("Bath & NE Somerset", "BAS", "normalised", None),
    ("Saint Helens MBC", "SHN", "normalised", None),
    ("Hammersmith & Fulham LBC", "HMF", "normalised", None),
    ("Co. Durham", "DUR", None, None),
    ("Bolsover Borough Council", "BOS", "normalised", None),
    ("Welwyn Hatfield Borough Concil", "WEW", "normalised", None),
    ("Brighton", "BNH", "fuzzy", None),
    ("Cumbria CC", "CMA", "normalised", None),
]


@pytest.mark.parametrize(("written", "council_id", "method", "successor_id"), REQUIRED)
def test_resolve(register, written, council_id, method, successor_id):
    found = register.resolve(written)
    assert found.council.id == council_id
    assert found.input == written
    if method:
        assert found.method == method
    if successor_id:
        assert not found.council.current
        assert register.current_successor(council_id).id == successor_id
    elif council_id != "CMA":
        assert found.council.current


@pytest.mark.parametrize(
    ("written", "low", "high"),
    [("Hinkley & Bosworth BC", 0.9, 0.99), ("Forest Heath", 1.0, 1.0), ("Bolsover Borough Council", 0.85, 0.95),
     ("Welwyn Hatfield Borough Concil", 0.9, 0.99), ("E07000136", 1.0, 1.0)],
)  # fmt: skip
def test_confidence(register, written, low, high):
    assert low <= register.resolve(written).confidence <= high


@pytest.mark.parametrize(
    ("written", "reason", "listed"),
    [
        ("Gotham City Council", "no council name is close enough", []),
        ("Somerset", "more than one council equally well", ["Somerset Council", "Somerset County Council"]),
        ("North Yorkshire", "more than one council", ["North Yorkshire Council", "North Yorkshire County Council"]),
        ("Richmond", "match about equally well", ["London Borough of Richmond upon Thames", "Richmondshire"]),
        ("Stoke", "match about equally well", ["Stoke-on-Trent City Council"]),
        ("Council", "does not say which council", []),
        ("London Borough", "does not say which council", []),
        ("   ", "empty", []),
        ("E99999999", "no council has that GSS code", []),
    ],
)
def test_unresolvable_names_raise_with_suggestions(register, written, reason, listed):
    with pytest.raises(CouncilNotFoundError, match=reason) as caught:
        register.resolve(written)
    for name in listed:
        assert any(suggestion.startswith(name) for suggestion in caught.value.suggestions)
    if written == "Gotham City Council":
        assert len(caught.value.suggestions) == 5


@pytest.mark.parametrize("written", ["Somerset", "Richmond", "Gotham City Council", "Kingston", "Stoke"])
def test_every_suggestion_resolves_back_to_a_council(register, written):
    """Suggestions may be offered as choices, so each one, as written, must resolve to the council it names."""
    with pytest.raises(CouncilNotFoundError) as caught:
        register.resolve(written)
    for suggestion in caught.value.suggestions:
        found = register.resolve(suggestion)
        assert suggestion.startswith(found.council.name)
        assert found.method == "exact"


def research_council_names() -> list[str]:
    table = pd.read_csv(config.shared_data_dir() / "partnerships_research.csv", dtype=str, keep_default_na=False)
    return sorted({name.strip() for cell in table["councils"] for name in cell.split(";") if name.strip()})


def test_every_council_in_the_research_file_resolves(register):
    names = research_council_names()
    assert len(names) > 150
    unresolved = {}
    for name in names:
        try:
            found = register.resolve(name)
        except CouncilNotFoundError as exc:
            unresolved[name] = str(exc)
            continue
        assert found.confidence >= 0.9, name
    assert unresolved == {}


def test_every_official_name_and_known_spelling_resolves_to_its_own_council(register):
    """The register's own names come back as themselves, except the two it gives to an old and a new council."""
    wrong, ambiguous = {}, set()
    for council in register.councils.values():
        for name in (council.name, council.short_name, *council.alt_names):
            try:
                found = register.resolve(name).council.id
            except CouncilNotFoundError:
                ambiguous.add(name.casefold())
                continue
            if found != council.id:
                wrong[name] = (council.id, found)
    assert wrong == {}
    assert ambiguous == {"somerset", "north yorkshire"}


ABBREVIATIONS = {"Metropolitan Borough Council": "MBC", "County Borough Council": "CBC", "Borough Council": "BC",
                 "District Council": "DC", "County Council": "CC", "City Council": "CC"}  # fmt: skip


def test_abbreviated_official_names_resolve(register):
    checked = 0
    for council in register.councils.values():
        for long, short in ABBREVIATIONS.items():
            if council.name.endswith(" " + long):
                written = council.name[: -len(long)].replace(" and ", " & ") + short
                assert register.resolve(written).council.id == council.id, written
                checked += 1
                break
    assert checked > 250


def test_misspelt_names_resolve_right_or_not_at_all(register):
    """A name with one letter dropped may fail with suggestions, but must never resolve to another council."""
    rng = random.Random(20250701)
    councils = sorted(register.councils.values(), key=lambda c: c.id)
    resolved = 0
    for _ in range(400):
        council = rng.choice(councils)
        cut = rng.randrange(1, len(council.name) - 1)
        written = council.name[:cut] + council.name[cut + 1 :]
        try:
            found = register.resolve(written)
        except CouncilNotFoundError as exc:
            assert exc.suggestions or "does not say" in str(exc)
            continue
        assert found.council.id == council.id, written
        resolved += 1
    assert resolved > 300


def test_a_thousand_names_with_typos_mostly_resolve(register):
    """How fast this runs is measured by bench/resolve_names.py, not here."""
    rng = random.Random(7)
    research = research_council_names()
    names = [rng.choice(research) for _ in range(500)]
    names += [name[:3] + name[4:] for name in rng.choices(research, k=500)]  # misspelt: every one goes to fuzzy
    resolved = 0
    for name in names:
        with contextlib.suppress(CouncilNotFoundError):
            resolved += bool(register.resolve(name))
    assert resolved > 900


def test_suggest_ranks_the_closest_councils(register):
    suggestions = register.suggest("Hinkley and Bosworth", limit=3)
    assert suggestions[0][0] == "Hinckley and Bosworth Borough Council"
    assert len(suggestions) == 3
    assert [score for _, score in suggestions] == sorted((score for _, score in suggestions), reverse=True)
    assert all(0 < score <= 1 for _, score in suggestions)


def test_fuzzy_resolution_lists_runners_up(register):
    found = register.resolve("LB Richmond")
    assert found.suggestions[0][0] == "Richmondshire District Council"
    assert found.suggestions[0][1] < found.confidence


@pytest.mark.parametrize(
    ("council_id", "chain"),
    [("TAU", ["SWT", "SMT"]), ("FOR", ["WSK"]), ("POL", ["BPC"]), ("SWT", ["SMT"]), ("SMT", []), ("SHE", [])],
)
def test_successor_chain(register, council_id, chain):
    assert [c.id for c in register.successor_chain(council_id)] == chain
    assert register.current_successor(council_id).id == (chain[-1] if chain else council_id)


@pytest.mark.parametrize(
    ("council_id", "successors"),
    [("CMA", {"CBD", "WAF"}), ("NTH", {"NNT", "WNT"}), ("TAU", {"SMT"}), ("BOS", {"BOS"}), ("NIR-A", set())],
)
def test_current_successors(register, council_id, successors):
    assert {c.id for c in register.current_successors(council_id)} == successors


@pytest.mark.parametrize(
    ("council_id", "message"),
    [("CMA", "split between Cumberland Council and Westmorland and Furness Council"), ("NIR-A", "names no successor")],
)
def test_current_successor_refuses_splits_and_dead_ends(register, council_id, message):
    with pytest.raises(RegisterError, match=message):
        register.current_successor(council_id)


@pytest.mark.parametrize(
    ("council_id", "type_name"),
    [("BOS", "district"), ("CMA", "county"), ("BST", "unitary"), ("MAN", "metropolitan district"),
     ("KEC", "London borough"), ("CRF", "Welsh unitary"), ("GLG", "Scottish unitary"),
     ("BFS", "Northern Ireland district"), ("GMCA", "combined authority"), ("LND", "other"), ("GLA", "other")],
)  # fmt: skip
def test_council_types_are_readable(register, council_id, type_name):
    assert register.get(council_id).type == type_name


def test_council_fields(register):
    boston = register.get("BOT")
    assert (boston.name, boston.short_name, boston.gss, boston.type_code) == (
        "Boston Borough Council", "Boston", "E07000136", "NMD")  # fmt: skip
    assert (boston.nation, boston.region, boston.county_id, boston.county_name) == (
        "England", "East Midlands", "LIN", "Lincolnshire County Council")  # fmt: skip
    assert boston.current and boston.end is None
    assert isinstance(boston.population, int) and boston.population > 50_000
    assert 52 < boston.lat < 53.5 and -0.5 < boston.lon < 0.5
    assert register.get("FIF").former_gss == ("S12000015",)
    assert register.get("GAT").combined_authority == "NECA"


def test_former_councils_take_their_successors_region(register):
    assert register.get("FOR").region == "East of England"
    assert register.get("POL").region == "South West"
    assert register.get("BKM").region == "South East"


def test_no_council_overlaps_its_successor(register):
    """The register sometimes ends a council on its successor's first day; we end it the day before."""
    assert register.get("SWT").end == date(2023, 3, 31)
    assert register.get("FOR").end == date(2019, 3, 31)
    for council in register.councils.values():
        for successor_id in council.successor_ids:
            successor = register.get(successor_id)
            if successor.start:
                assert council.end < successor.start, (council.id, successor_id)


def test_current_matches_the_register_column(register):
    frame = pd.read_csv(source_path("council-register"), dtype=str, keep_default_na=False)
    flagged = dict(zip(frame["local-authority-code"], frame["current-authority"] == "True", strict=True))
    assert {cid: c.current for cid, c in register.councils.items()} == flagged


@pytest.mark.parametrize("year", range(2015, 2026))
def test_in_year_matches_the_ons_boundaries_of_that_year(register, shared_data, year):
    """Councils on 1 April of a year are the lower-tier and unitary areas the ONS maps for that year."""
    topo = json.loads((shared_data / "boundaries" / "uk_topo_2014_2025.json").read_text(encoding="utf-8"))
    changes = pd.read_csv(shared_data / "boundaries" / "changes.csv", dtype=str, encoding="utf-8-sig")
    recoded = dict(zip(changes["newcd"], changes["oldcd"], strict=True))
    areas = [g["properties"] for g in topo["objects"]["ltla"]["geometries"]]
    codes = {a["areacd"] for a in areas if a.get("start", 0) <= year <= a.get("end", 9999)}
    mapped = {(register.by_gss(code) or register.by_gss(recoded.get(code, ""))).id for code in codes}
    lower = {"NMD", "UA", "MD", "LBO", "CC", "SCO", "NID", "WPA"}
    assert {c.id for c in register.in_year(year) if c.type_code in lower} == mapped


def test_by_gss(register):
    assert register.by_gss("E07000201").id == "FOR"
    assert register.by_gss(" s12000015 ").id == "FIF"
    assert register.by_gss("E99999999") is None


def test_get_unknown_id_raises(register):
    with pytest.raises(CouncilNotFoundError, match="no council with that register id"):
        register.get("ZZZ")


def test_to_frame(register):
    frame = register.to_frame()
    assert len(frame) == len(register) == frame["id"].nunique()
    assert {"id", "name", "gss", "type", "region", "current", "population", "alt_names"} <= set(frame.columns)
    row = frame.set_index("id").loc["RCT"]
    assert "rhondda,cynon,taff" in row["alt_names"].split("; ")
    assert frame.set_index("id").loc["FOR", "current"] is False or not frame.set_index("id").loc["FOR", "current"]


def test_load_register_is_cached(register):
    assert load_register() is load_register()


# --- small registers made from the real files, and broken ones ---------------------------------------------


def write_subset(folder, ids, edit=None):
    """The real register's rows for ``ids`` (plus the two lookups), optionally changed by ``edit(frame)``."""
    paths = []
    for name in ("council-register", "council-names", "council-gss-codes"):
        frame = pd.read_csv(source_path(name), dtype=str, keep_default_na=False)
        frame = frame[frame["local-authority-code"].isin(ids)]
        if edit and name == "council-register":
            frame = edit(frame)
        path = folder / source_path(name).name
        frame.to_csv(path, index=False)
        paths.append(path)
    return paths


SUFFOLK = {"FOR", "SED", "WSK", "SFK", "SRY", "WAV", "SUF", "ESK"}


def test_small_register_from_real_rows(tmp_path):
    small = read_register(*write_subset(tmp_path, SUFFOLK))
    assert len(small) == len(SUFFOLK)
    assert small.resolve("Forest Heath DC").council.id == "FOR"
    assert small.current_successor("SED").name == "West Suffolk Council"
    with pytest.raises(CouncilNotFoundError):
        small.resolve("Hinckley and Bosworth")


def test_register_without_lookups_still_knows_its_own_codes_and_names(tmp_path):
    register_csv, _, _ = write_subset(tmp_path, SUFFOLK)
    small = read_register(register_csv)
    assert small.by_gss("E07000245").id == "WSK"
    assert small.resolve("Waveney").council.id == "WAV"


def test_load_register_reads_an_edited_file_afresh(tmp_path):
    paths = write_subset(tmp_path, SUFFOLK)
    first = load_register(*paths)
    assert load_register(*paths) is first
    frame = pd.read_csv(paths[0], dtype=str, keep_default_na=False)
    frame.loc[frame["local-authority-code"] == "WAV", "official-name"] = "Waveney Borough Council"
    frame.to_csv(paths[0], index=False)
    stat = paths[0].stat()
    os.utime(paths[0], ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert load_register(*paths).get("WAV").name == "Waveney Borough Council"


def _drop_column(frame):
    return frame.drop(columns=["official-name", "replaced-by"])


def _bad_date(frame):
    frame.loc[frame["local-authority-code"] == "FOR", "end-date"] = "31/03/2019"
    return frame


def _unknown_successor(frame):
    return frame[frame["local-authority-code"] != "WSK"]


def _duplicate(frame):
    return pd.concat([frame, frame[frame["local-authority-code"] == "SFK"]])


def _successor_without_end(frame):
    frame.loc[frame["local-authority-code"] == "FOR", "end-date"] = ""
    return frame


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_drop_column, "missing column\\(s\\) official-name, replaced-by"),
        (_bad_date, "end-date: expected a date \\(YYYY-MM-DD\\) for FOR \\(got '31/03/2019'\\)"),
        (_unknown_successor, "WSK"),
        (_duplicate, "local-authority-code: 'SFK' appears more than once"),
        (_successor_without_end, "end-date: FOR has a successor"),
    ],
)
def test_malformed_registers_are_refused(tmp_path, edit, message):
    with pytest.raises(RegisterError, match=message):
        read_register(*write_subset(tmp_path, SUFFOLK, edit))


def test_unknown_successor_is_named_with_its_column(tmp_path):
    register_csv, _, _ = write_subset(tmp_path, SUFFOLK, _unknown_successor)
    with pytest.raises(RegisterError, match="replaced-by: FOR refers to 'WSK', which is not in the register"):
        read_register(register_csv)


@pytest.mark.parametrize("content", [b"", b"\xff\xfe\x00\x01binary"])
def test_unreadable_register_files_are_refused(tmp_path, content):
    path = tmp_path / "uk_local_authorities.csv"
    path.write_bytes(content)
    with pytest.raises(RegisterError, match="uk_local_authorities.csv: cannot be read as a CSV file"):
        read_register(path)


# --- command line -------------------------------------------------------------------------------------------


def test_cli_resolve_text(capsys):
    code = cli.main(["councils", "resolve", "Hinkley & Bosworth BC", "Borough of Poole", "BOS"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0].startswith("Hinkley & Bosworth BC -> Hinckley and Bosworth Borough Council (HIN, E07000132, ")
    assert "fuzzy" in out[0]
    assert out[1].endswith("former, ended 2019-03-31, now Bournemouth, Christchurch and Poole Council")
    assert out[2].startswith("BOS -> Bolsover District Council")


def test_cli_resolve_json_with_a_failure(capsys):
    code = cli.main(["councils", "resolve", "Forest Heath", "Gotham City Council", "--format", "json"])
    records = json.loads(capsys.readouterr().out)
    assert code == 1
    assert records[0]["id"] == "FOR" and records[0]["successors"] == ["West Suffolk Council"]
    assert records[1]["input"] == "Gotham City Council" and records[1]["suggestions"]
    assert "error" in records[1]


def test_cli_list_current_csv(capsys, register):
    assert cli.main(["councils", "list", "--current", "--format", "csv"]) == 0
    frame = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out), dtype=str, keep_default_na=False)
    assert len(frame) == sum(c.current for c in register.councils.values())
    assert set(frame["current"]) == {"True"}


def test_cli_list_year_json(capsys, register):
    assert cli.main(["councils", "list", "--year", "2018", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    ids = {r["id"] for r in records}
    assert "FOR" in ids and "WSK" not in ids
    assert len(records) == len(register.in_year(2018))
