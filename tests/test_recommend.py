"""Find a partner on the shipped partnerships, the real register and the real boundaries; and its backtest."""

import json

import pytest

from sharedmap import config
from sharedmap.cli.commands import main
from sharedmap.errors import CouncilNotFoundError, ValidationError
from sharedmap.partners.backtest import HIT_AT, run_backtest
from sharedmap.partners.features import FEATURES
from sharedmap.partners.model import load_model
from sharedmap.partners.recommend import (
    WEIGHTS,
    build_context,
    compatible,
    council_for,
    find_partners,
    recommend,
    resolve_service,
)

pytestmark = pytest.mark.shared_data  # the full boundaries and register


@pytest.fixture(scope="module")
def context(seed, register, shared_data):
    return build_context(seed, register, 2025)


def ask(context, name, service=None, top=10, ignore=frozenset()):
    council, note = council_for(context, name)
    return find_partners(context, council.id, service, top, ignore, note)


def names(councils):
    return {c.council.short_name for c in councils}


def test_boston_is_offered_east_lindseys_neighbours_and_lincolnshire_councils(context):
    found = ask(context, "Boston")
    areas = context.areas
    east_lindsey = context.places[context.register.resolve("East Lindsey").council.id]
    sharing = {s.gss for s in found.already_sharing}
    lincolnshire = areas.county[found.gss]
    wanted = {code for code in areas.neighbours[east_lindsey] if areas.county.get(code) == lincolnshire} - sharing
    suggested = {s.gss for s in found.suggestions}
    assert wanted - {found.gss} <= suggested and wanted - {found.gss}
    in_lincolnshire = [s for s in found.suggestions if areas.county.get(s.gss) == lincolnshire]
    assert len(in_lincolnshire) >= 3
    assert all(any(r.kind == "county" for r in s.reasons) for s in in_lincolnshire)
    assert found.suggestions[0].score >= found.suggestions[-1].score


def test_blaby_ict_lists_its_ict_partners_as_already_sharing(context):
    found = ask(context, "Blaby District Council", "ICT")
    assert names(found.already_sharing) == {"Hinckley and Bosworth", "Oadby and Wigston"}
    assert not names(found.already_sharing) & names(found.suggestions)
    assert {p.id for s in found.already_sharing for p in s.partnerships} == {"SS004"}


def test_hidden_partnership_is_not_evidence(context):
    found = ask(context, "Blaby", "ICT", top=None, ignore=frozenset({"SS004"}))
    assert "Hinckley and Bosworth" not in names(found.already_sharing)
    hinckley = next(s for s in found.suggestions if s.council.short_name == "Hinckley and Bosworth")
    evidence = [p["id"] for r in hinckley.reasons for p in r.evidence.get("partnerships", [])]
    assert "SS004" not in evidence


def test_every_score_is_the_sum_of_its_reasons_weights(context):
    found = ask(context, "Worcester", "Audit")
    for suggestion in found.suggestions:
        assert {r.kind for r in suggestion.reasons} <= WEIGHTS.keys()
        assert suggestion.score == pytest.approx(sum(r.points for r in suggestion.reasons), abs=0.01)
        fixed = [r for r in suggestion.reasons if r.kind != "near"]
        assert all(r.points == WEIGHTS[r.kind].points for r in fixed)


def test_without_a_service_every_current_partner_is_already_sharing(context):
    found = ask(context, "Boston")
    assert names(found.already_sharing) == {"East Lindsey", "South Holland", "Lincolnshire"}


def test_a_partner_in_another_service_is_a_reason(context):
    found = ask(context, "Boston", "ICT", top=None)
    east_lindsey = next(s for s in found.suggestions if s.council.short_name == "East Lindsey")
    partner = next(r for r in east_lindsey.reasons if r.kind == "partner")
    assert {p["id"] for p in partner.evidence["partnerships"]} == {"SS001", "SS002"}
    assert found.suggestions.index(east_lindsey) < 3


@pytest.mark.parametrize(
    ("asker", "candidate", "service", "expected"),
    [
        ("Boston", "Lincolnshire County Council", None, True),  # a district and its own county
        ("Boston", "Norfolk County Council", None, False),  # ... but not another county
        ("Lincolnshire County Council", "Boston", None, True),
        ("Lincolnshire County Council", "Norfolk County Council", None, True),
        ("Boston", "Rutland", None, True),  # single-tier councils pair with any tier
        ("Rutland", "Norfolk County Council", None, True),
        ("Boston", "City of Lincoln", "Children's services", False),  # an upper-tier service
        ("Boston", "Lincolnshire County Council", "Children's services", True),
    ],
)
def test_natural_partners_by_tier(context, asker, candidate, service, expected):
    ask_council, cand = (context.register.resolve(n).council for n in (asker, candidate))
    assert compatible(context, ask_council, cand, service) is expected


def test_a_former_council_stands_for_its_successor(seed, register):
    found = recommend("Forest Heath", seed, register, "ICT", top=3, year=2025)
    assert found.council.short_name == "West Suffolk" and "Forest Heath" in found.note
    then = recommend("Forest Heath", seed, register, "Waste", top=3, year=2018)
    assert then.council.short_name == "Forest Heath" and not then.note
    assert then.suggestions[0].council.short_name == "St Edmundsbury"


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("Gotham City Council", r"Unknown council 'Gotham City Council'.*Did you mean"),
        ("Northamptonshire County Council", r"split by 2025.*North Northamptonshire Council"),
    ],
)
def test_councils_that_cannot_be_asked_about(seed, register, name, match):
    with pytest.raises(CouncilNotFoundError, match=match):
        recommend(name, seed, register)


@pytest.mark.parametrize(("text", "expected"), [("ict", "ICT"), (" Waste ", "Waste"), ("", None), (None, None)])
def test_services_are_matched_without_case(text, expected):
    assert resolve_service(text) == expected


def test_a_service_is_read_as_uploads_read_it_and_an_unknown_one_names_the_closest(seed, register):
    assert resolve_service("itc") == "ICT" and resolve_service("payroll") == "HR"
    with pytest.raises(ValidationError, match=r"service: .*did you mean .*Parking") as caught:
        recommend("Boston", seed, register, "parkin lots")
    assert "Parking" in caught.value.suggestions


def test_a_year_outside_the_boundaries_is_refused(seed, register):
    with pytest.raises(ValidationError, match=r"year: the boundaries cover 2014 to 2025 \(got 2013\)"):
        recommend("Boston", seed, register, year=2013)


def test_cli_json_shape(capsys):
    assert main(["recommend", "Blaby", "--service", "ICT", "--top", "3", "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["council"]["name"] == "Blaby District Council" and payload["council"]["gss"] == "E07000129"
    assert payload["service"] == "ICT" and len(payload["suggestions"]) == 3
    first = payload["suggestions"][0]
    assert {"gss", "name", "score", "reasons"} <= first.keys()
    assert all({"kind", "text", "evidence"} <= reason.keys() for reason in first["reasons"])
    assert {s["name"] for s in payload["already_sharing"]} == {
        "Hinckley and Bosworth Borough Council",
        "Oadby and Wigston Borough Council",
    }
    assert [w["kind"] for w in payload["weights"]] == list(FEATURES)  # the learned model's points per reason
    assert payload["scoring"] == "learned" and payload["model"]["partnerships"] > 50
    assert all(isinstance(reason["points"], float) for reason in first["reasons"])
    assert payload["why_not"] is None and len(payload["councils_like_yours"]) == 3  # ICT travels: the second list


def test_cli_text_shows_reasons_and_weights(capsys):
    assert main(["recommend", "Boston", "--top", "2"]) == 0
    out = capsys.readouterr().out
    assert "  1. " in out and "shares a boundary with Boston" in out
    assert "How the score works (learned from" in out and all(f.why in out for f in FEATURES.values())
    assert "Councils like yours" in out  # no service chosen: the at-a-distance list is shown


def test_cli_why_not_names_the_rank_and_what_kept_it_down(capsys):
    assert main(["recommend", "Boston", "--service", "Waste", "--why-not", "Norwich"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Norwich City Council ranks ") and "outside the top 10" in out
    assert "What keeps it below" in out


def test_cli_why_not_a_council_already_sharing(capsys):
    assert main(["recommend", "Blaby", "--service", "ICT", "--why-not", "Oadby and Wigston", "--format", "json"]) == 0
    answer = json.loads(capsys.readouterr().out)["why_not"]
    assert answer["rank"] is None and "already shares ICT" in answer["answer"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["recommend", "Gotham City Council"], "error: Unknown council 'Gotham City Council'"),
        (["recommend"], "error: give either a council, --backtest or --fit"),
        (["recommend", "Boston", "--fit"], "error: give either a council, --backtest or --fit"),
        (["recommend", "Boston", "--why-not", "Boston"], "error: why-not: that is Boston Borough Council itself"),
        (["recommend", "Boston", "--top", "0"], "error: --top must be at least 1"),
        (["recommend", "Boston", "--service", "gardening"], "error: service: not a service"),
    ],
)
def test_cli_errors_are_one_line_exit_2(capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1


def test_backtest_on_the_shipped_data(seed, register):
    result = run_backtest(seed, register, curve=False)
    figures = result.figures()
    assert figures["cases"] == len(result.cases) > 100
    for key in (f"hit_at_{HIT_AT}", "mrr", f"baseline_hit_at_{HIT_AT}", "baseline_mrr"):
        assert 0 <= figures[key] <= 1
    assert set(figures["methods"]) == {"learned", "hand weights", "distance only", "county then distance"}
    for found in figures["methods"].values():
        assert found["hit_at_1"] <= found["hit_at_5"] <= found["hit_at_10"]
        assert found["mrr_ci"][0] <= found["mrr"] <= found["mrr_ci"][1]
    assert all(c.targets and c.training.council_id not in c.targets for c in result.cases)
    assert all(rank is None or rank >= 1 for ranks in result.ranks.values() for rank in ranks)
    # the learned model, scored out of fold, beats distance alone on the shipped data: the paired interval is above 0
    assert figures["learned_minus_distance"]["mrr_ci"][0] > 0


def test_cli_backtest_json(capsys):
    assert main(["recommend", "--backtest", "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["cases"] == len(payload["case_list"]) and 0 <= payload["mrr"] <= 1


def test_find_partner_page(shared_data, seed, register):
    """The page in the real app: Blaby asking about ICT sees its ICT partners apart and ranked suggestions."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(config.PROJECT_ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/find_partner.py").run()
    assert not at.exception
    assert any("Type your council" in info.value for info in at.info)
    at.text_input(key="partner_council").input("Blaby").run()
    at.selectbox(key="partner_service").select("ICT").run()
    assert not at.exception and not at.error
    shown = " ".join(m.value for m in at.markdown)
    assert "Already sharing with you:" in shown and "Hinckley and Bosworth" in shown and "Oadby and Wigston" in shown
    first = recommend("Blaby", seed, register, "ICT", top=1, model=load_model()).suggestions[0]
    assert f"**1. {first.council.name}**" in shown  # the same list as the command line
    assert any("Councils like yours" in h.value for h in at.subheader)
    at.text_input(key="partner_why_not").input("Norwich").run()
    assert not at.exception and any(m.value.startswith("Norwich City Council ranks ") for m in at.markdown)
    assert at.query_params["for"] == "Blaby" and at.query_params["share"] == "ICT"  # the list is a link
    at.text_input(key="partner_council").input("Gotham City Council").run()
    assert at.error and "Did you mean" in at.error[0].value


def test_a_find_a_partner_link_opens_on_its_list(shared_data, seed, register):
    """A councillor sends /find_partner?for=Blaby&share=ICT&top=3: the colleague sees the same three councils."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(config.PROJECT_ROOT / "app.py"), default_timeout=60)
    at.query_params.update({"for": "Blaby", "share": "ICT", "top": "3"})
    at.run()
    at.switch_page("pages/find_partner.py").run()
    assert not at.exception and not at.error
    assert at.text_input(key="partner_council").value == "Blaby" and at.number_input(key="partner_top").value == 3
    cards = [m.value for m in at.markdown if m.value.startswith("**") and ". " in m.value[:8]]
    assert [card.split("**")[1].split(". ")[0] for card in cards] == ["1", "2", "3"]
    expected = recommend("Blaby", seed, register, "ICT", top=3, model=load_model()).suggestions
    assert [card.split("**")[1].split(". ", 1)[1] for card in cards] == [s.council.name for s in expected]
    fresh = AppTest.from_file(str(config.PROJECT_ROOT / "app.py"), default_timeout=60)
    fresh.query_params.update({"for": "Blaby", "top": "500"})
    fresh.run()
    assert any("top='500'" in warning.value for warning in fresh.warning)


def test_learned_reasons_say_each_thing_once_with_signed_points(context, seed_model):
    """Cornwall, any service: its neighbours' busy sharing is one reason (not "this service" and "any" twice), it
    counts against them, and the points add up to the score shown."""
    council, _note = council_for(context, "Cornwall")
    found = find_partners(context, council.id, None, 5, model=seed_model)
    for suggestion in found.suggestions:
        kinds = [r.kind for r in suggestion.reasons]
        assert len(kinds) == len(set(kinds)) and "experienced" not in kinds
        assert abs(sum(r.points for r in suggestion.reasons) - suggestion.score) < 0.011
    devon = next(s for s in found.suggestions if s.council.short_name == "Devon")
    active = next(r for r in devon.reasons if r.kind == "active")
    assert active.points < 0 and "Devon Audit Partnership" in active.text
    assert active.evidence["partnerships"][0]["name"] == "Devon Audit Partnership"


def test_reasons_are_shown_against_the_average_candidate_and_the_order_is_unchanged(context, seed_model):
    """Fenland and revenues and benefits: a trait nearly every candidate shares ("also in England") is worth little
    against the field, the largest reason of the first suggestion is one that sets it apart, and each score is
    still the sum of its reasons' own points."""
    found = find_partners(context, "FEN", "Revenues and benefits", top=None, model=seed_model)
    first = found.suggestions[0]
    assert first.reasons[0].relative == max(r.relative for r in first.reasons)
    assert "also in England" not in first.reasons[0].text
    england = [r for s in found.suggestions for r in s.reasons if r.text == "also in England"]
    assert england and all(abs(r.relative) < abs(r.points) for r in england)
    assert all(abs(s.score - round(sum(r.points for r in s.reasons), 2)) < 0.011 for s in found.suggestions)
    scores = [s.score for s in found.suggestions]
    assert scores == sorted(scores, reverse=True)
