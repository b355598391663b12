"""Every view is a link: filters, year, tier, measure and selection to the URL's query and back."""

import pytest

from sharedmap.filters import Filters
from sharedmap.maps.viewstate import (
    LATEST_YEAR,
    Options,
    PartnerQuestion,
    View,
    partner_from_query,
    partner_to_query,
    same_query,
    view_from_query,
    view_to_query,
)
from sharedmap.partnerships import Status

OPTIONS = Options(
    nations=("England", "Scotland", "Wales"),
    regions=("East Midlands", "London"),
    council_types=("district", "county", "unitary"),
)


@pytest.mark.parametrize(
    "view",
    [
        View(),
        View(Filters(year=2018), tier="utla", measure="savings", council="BOT"),
        View(
            Filters(services=("Waste", "ICT"), statuses=(Status.OPERATIONAL, Status.PLANNED), year=2025),
            partnership="SS001",
        ),
        View(
            Filters(
                nations=("England",),
                regions=("East Midlands",),
                council_types=("district", "county"),
                year=2014,
                min_savings=250_000.0,
            ),
            measure="per_resident",
        ),
    ],
)
def test_round_trip(view):
    query = view_to_query(view)
    # st.query_params gives every value of a key as a list of strings
    params = {key: value if isinstance(value, list) else [value] for key, value in query.items()}
    assert view_from_query(params, OPTIONS) == (view, [])


@pytest.mark.parametrize(
    ("view", "query"),
    [
        (View(), {}),
        (View(Filters(year=2019)), {"year": "2019"}),
        (View(council="BOT"), {"council": "BOT"}),
        (
            View(Filters(services=("Waste",), min_savings=1e6, year=LATEST_YEAR)),
            {"service": ["Waste"], "min_savings": "1000000"},
        ),
    ],
)
def test_links_hold_only_what_differs_from_the_default(view, query):
    assert view_to_query(view) == query


@pytest.mark.parametrize(
    ("params", "expected", "problem"),
    [
        ({"year": "1999"}, View(), "year='1999' is outside 2014-2025; showing 2025"),
        ({"year": "twenty"}, View(), "year='twenty' is outside"),
        (
            {"service": ["Waste", "Juggling"]},
            View(Filters(services=("Waste",), year=LATEST_YEAR)),
            "service='Juggling' is not a known value",
        ),
        (
            {"status": "gone"},
            View(),
            "status='gone' is not a known value (ended, funded, operational, planned, unconfirmed)",
        ),
        ({"min_savings": "-5"}, View(), "min_savings='-5' must be an amount in pounds from 0 to"),
        ({"min_savings": "1e309"}, View(), "min_savings='1e309' must be an amount in pounds from 0 to"),
        ({"min_savings": "nan"}, View(), "min_savings='nan' must be an amount in pounds from 0 to"),
        ({"year": "²"}, View(), "year='²' is outside"),
        ({"year": "9" * 5000}, View(), "year='999"),
        ({"tier": "parish"}, View(), "tier='parish' must be one of ltla, utla; showing ltla"),
        ({"measure": "joy"}, View(), "measure='joy' must be one of partnerships, savings, per_resident, evidence_age"),
    ],
)
def test_bad_values_are_reported_and_ignored(params, expected, problem):
    view, problems = view_from_query(params, OPTIONS)
    assert view == expected
    assert len(problems) == 1 and problems[0].startswith(problem)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"service": "waste", "nation": "ENGLAND", "status": "Operational"},
            Filters(services=("Waste",), nations=("England",), statuses=(Status.OPERATIONAL,), year=LATEST_YEAR),
        ),
        ({"min_savings": "£1,500,000"}, Filters(year=LATEST_YEAR, min_savings=1_500_000.0)),
        ({"service": ["Waste", "Waste"]}, Filters(services=("Waste",), year=LATEST_YEAR)),
        ({"year": ["2015", "2016"]}, Filters(year=2016)),
    ],
)
def test_values_are_read_leniently(params, expected):
    view, problems = view_from_query(params, OPTIONS)
    assert (view.filters, problems) == (expected, [])


def test_council_text_is_kept_for_the_resolver():
    view, _ = view_from_query({"council": " Hinckley and Bosworth "}, OPTIONS)
    assert view.council == "Hinckley and Bosworth"


@pytest.mark.parametrize(
    ("current", "wanted", "same"),
    [
        ({}, {}, True),
        ({"council": ["BOT"]}, {"council": "BOT"}, True),
        ({"service": ["Waste", "ICT"]}, {"service": ["ICT", "Waste"]}, False),
        ({"council": ["BOT"]}, {}, False),
    ],
)
def test_same_query(current, wanted, same):
    assert same_query(current, wanted) is same


@pytest.mark.parametrize(
    ("question", "query"),
    [
        (PartnerQuestion(), {}),
        (PartnerQuestion("Blaby", "ICT"), {"for": "Blaby", "share": "ICT"}),
        (PartnerQuestion("Hinckley & Bosworth", "", 5), {"for": "Hinckley & Bosworth", "top": "5"}),
    ],
)
def test_find_a_partner_question_round_trips_through_a_short_link(question, query):
    assert partner_to_query(question) == query
    assert partner_from_query({key: [value] for key, value in query.items()}) == (question, [])


@pytest.mark.parametrize(
    ("params", "expected", "problem"),
    [
        ({"for": ["Blaby"], "share": ["Time travel"]}, PartnerQuestion("Blaby"), "share='Time travel' is not a known"),
        ({"for": ["Blaby"], "top": ["500"]}, PartnerQuestion("Blaby"), "top='500' must be a whole number from 1 to 30"),
        ({"for": ["Blaby"], "top": ["-2"]}, PartnerQuestion("Blaby"), "top='-2' must be a whole number"),
        ({"share": ["ict"]}, PartnerQuestion(service="ICT"), None),
    ],
)
def test_a_bad_partner_link_is_reported_and_read_as_far_as_it_goes(params, expected, problem):
    question, problems = partner_from_query(params)
    assert question == expected
    assert (problem is None and problems == []) or (len(problems) == 1 and problems[0].startswith(problem))
