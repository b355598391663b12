"""The learned find-a-partner model: fitted out of fold without leaks, saved as a small file, read back, refused
clearly when broken; and the similarity labels it reads, credited like every other source."""

import json

import numpy as np
import pytest

from sharedmap import exports, sources
from sharedmap.cli.commands import main
from sharedmap.partners.backtest import collect_cases, fold_model, hidden_for, learned_rank, out_of_fold
from sharedmap.partners.features import FEATURE_NAMES, load_labels
from sharedmap.partners.model import MODEL_PATH, ModelFileError, fit_model, load_model, save_model
from sharedmap.partners.recommend import build_context, candidate_table
from sharedmap.partnerships import PartialDate, Partnership, Status

FAR_PAIR = Partnership(
    "SS999",
    "Cornwall and Northumberland ICT (made up for the leakage test)",
    ("CON", "NBL"),
    ("ICT",),
    Status.OPERATIONAL,
    start=PartialDate(2025, 4),
)


def test_a_partnership_that_is_the_only_link_between_two_councils_does_not_leak(seed, register):
    """Cornwall and Northumberland share nothing but the made-up SS999. The model that scores SS999's cases never
    saw it, the cases' features are those of a world without it, and the rank it gets is exactly the rank in a
    world where SS999 never existed: nothing of the partnership reaches its own test."""
    cases, _skipped = collect_cases([*seed, FAR_PAIR], register)
    fold = out_of_fold(cases)
    mine = [i for i, c in enumerate(cases) if c.training.partnership_id == "SS999"]
    assert len(mine) == 2  # Cornwall asking, and Northumberland asking
    assert all(fold.fitted_on[i] and "SS999" not in fold.fitted_on[i] for i in mine)
    never, _skipped = collect_cases(seed, register)  # the world without SS999
    without = build_context(seed, register, 2025, as_at=2025)
    for i in mine:
        case = cases[i].training
        _sharing, candidates = candidate_table(without, case.council_id, "ICT", hidden_for(FAR_PAIR, seed))
        alone = {c.council.id: [c.facts.values[name] for name in FEATURE_NAMES] for c in candidates}
        other = case.candidate_ids[int(np.flatnonzero(case.targets)[0])]
        assert case.matrix[case.candidate_ids.index(other)].tolist() == alone[other]
        assert dict(zip(FEATURE_NAMES, case.matrix[case.candidate_ids.index(other)], strict=True))["partner"] == 0
        seen = set(fold.fitted_on[i])
        model = fold_model(never, seen, {c.training.partnership_id for c in never} - seen)
        assert learned_rank(model, case) == fold.ranks[i]


def test_fit_save_and_load_round_trip(seed, register, tmp_path):
    cases, _skipped = collect_cases(seed[:30], register)
    model = fit_model([c.training for c in cases], data_version="test-version")
    path = save_model(model, tmp_path / "model.json")
    assert load_model(path) == model
    saved = json.loads(path.read_text())
    assert saved["data_version"] == "test-version" and saved["trained_on"][:4].isdigit()
    assert set(saved["weights"]) == set(FEATURE_NAMES)


def test_the_shipped_model_is_a_small_readable_file():
    model = load_model()
    assert MODEL_PATH.stat().st_size < 20_000 and MODEL_PATH.suffix == ".json"
    assert model.trained_on and model.data_version and model.partnerships >= 80
    assert model.weights["near"] > 0 and model.weights["neighbour"] + model.weights["border"] > 0


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (None, r"no model file at .*recommend --fit"),
        ("{not json", r"cannot be read .*recommend --fit"),
        (
            '{"weights": {"moon_phase": 1.0}, "group_weights": {}}',
            r"features this version does not know \(moon_phase\)",
        ),
    ],
)
def test_a_missing_or_broken_model_file_names_the_refit_command(tmp_path, content, match):
    path = tmp_path / "model.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ModelFileError, match=match):
        load_model(path)


def test_similarity_labels_are_read_and_credited(shared_data):
    labels = load_labels()
    assert len(labels) > 350
    assert labels["BOT"].imd is not None and labels["BOT"].rural_text  # Boston
    assert "Council similarity © mySociety (CC-BY 4.0)" in sources.credits()
    assert any("Local Authority Similarity" in line for line in exports.attribution_lines())


def test_new_optional_columns_in_the_partnerships_table_change_nothing(seed, register, tmp_path):
    """verified_on and evidence say how a row was checked: they must not move the model's features."""
    import csv

    from sharedmap.publishing.dataset import load_seed, seed_path

    with seed_path().open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["verified_on"], row["evidence"] = "2026-11-01", "checked against the council's site"
    path = tmp_path / "partnerships.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    wider = load_seed(path, register)
    assert [p.id for p in wider] == [p.id for p in seed]
    before = collect_cases(seed[:20], register)[0]
    after = collect_cases(wider[:20], register)[0]
    assert [c.training.matrix.tolist() for c in before] == [c.training.matrix.tolist() for c in after]


def test_cli_fit_writes_a_model_the_command_then_reads(tmp_path, capsys):
    path = tmp_path / "model.json"
    assert main(["recommend", "--fit", "--model", str(path)]) == 0
    assert f"wrote {path}" in capsys.readouterr().out
    fitted = load_model(path)
    assert fitted.data_version and fitted.partnerships >= 80 and fitted.cases > fitted.partnerships
    assert main(["recommend", "Blaby", "--service", "ICT", "--model", str(path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["model"]["trained_on"] == fitted.trained_on


def test_cli_without_a_model_file_names_the_fit_command(tmp_path, capsys):
    assert main(["recommend", "Blaby", "--model", str(tmp_path / "none.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: no model file at") and "recommend --fit" in err and err.count("\n") == 1


LATER_UNDATED = Partnership(
    "SS998",
    "Boston and Fenland ICT (made up: undated, evidenced only in 2025)",
    ("BOT", "FEN"),
    ("ICT",),
    Status.OPERATIONAL,
    source_date=PartialDate(2025, 6),
)


def test_a_case_never_sees_a_partnership_that_may_have_formed_after_it(seed, register):
    """An undated partnership evidenced only in 2025 may have formed then: no earlier case may see it, so adding it
    changes neither the earlier cases' features and hand ranks nor the weights fitted on them (the old backtest let
    undated rows into every case)."""
    by_id = {p.id: p for p in seed}
    formed_before = {p.id for p in seed if (when := p.start or p.source_date) and when.year < 2025}
    before, _ = collect_cases(seed, register)
    after, _ = collect_cases([*seed, LATER_UNDATED], register)
    earlier = [c for c in after if c.training.partnership_id in formed_before]
    same = {(c.training.partnership_id, c.training.council_id): c for c in before}
    undated = [c for c in earlier if by_id[c.training.partnership_id].start is None]
    assert undated  # undated partnerships evidenced before 2025: the old backtest showed their cases SS998
    for case in earlier:
        old = same[(case.training.partnership_id, case.training.council_id)]
        assert case.hand_rank == old.hand_rank
        assert case.training.matrix.tolist() == old.training.matrix.tolist()
    fitted = fit_model([c.training for c in earlier])
    baseline = fit_model([same[(c.training.partnership_id, c.training.council_id)].training for c in earlier])
    assert fitted.weights == baseline.weights


def test_an_ended_partnership_counts_as_running_before_its_end_and_a_planned_one_never_formed(seed, register):
    ended = next(p for p in seed if p.status is Status.ENDED and p.end)
    then = build_context(seed, register, min(max(ended.end.year, 2014), 2025), as_at=ended.end.year)
    today = build_context(seed, register, 2025)
    assert then.running(ended) and not today.running(ended)
    planned = next(p for p in seed if p.status is Status.PLANNED)
    assert planned.id in hidden_for(next(p for p in seed if p.id != planned.id), seed)
