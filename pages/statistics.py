"""Statistics: national totals of the partnerships in view, as charts and the same figures as tables."""

import altair as alt
import pandas as pd
import streamlit as st

from sharedmap import freshness
from sharedmap.app import ui
from sharedmap.freshness import Standing
from sharedmap.partnerships import SavingsKind, format_gbp
from sharedmap.summary import national_summary

view = ui.view()
label, everything = ui.published()
partnerships, _network = ui.filtered(label, view.filters, everything)
summary = national_summary(partnerships, ui.register())

st.title("Statistics")
st.markdown(
    f"Partnerships active in {view.year} under the sidebar's filters. Savings of different kinds are never "
    "added together: each is shown as the sources state it."
)

totals = st.columns(4)
totals[0].metric("Partnerships", summary["partnerships"])
totals[1].metric(
    "Confirmed running",
    summary["confirmed_running"],
    help="Running on evidence from the last few years; the others are planned, ended, or not confirmed recently.",
)
totals[2].metric("Today's councils involved", summary["current_councils_involved"])
annual = summary["savings_by_kind"]["annual"]
totals[3].metric(
    "Annual savings achieved",
    format_gbp(annual["total_gbp"]),
    help=f"Sum over the {annual['partnerships']} partnerships that state an annual saving achieved; "
    f"estimates and targets ({format_gbp(annual['estimated_gbp'])} across {annual['estimated_partnerships']}) "
    "are counted apart, never added in.",
)
st.caption(
    "Status as the map shows it today: "
    + ", ".join(f"{n} {Standing(s).label}" for s, n in summary["by_status"].items() if n)
    + ". A partnership said to be running or planned on evidence more than a few years old is shown as "
    "not confirmed recently."
)

st.subheader("Savings by kind")
st.caption(
    "One-off funding (awards such as the Transformation Challenge Award) and combined spend (budgets and "
    "contract values pooled) are money figures the sources give, but they are not savings."
)
kinds = pd.DataFrame(
    [
        {
            "kind": kind,
            "achieved": format_gbp(v["total_gbp"]),
            "partnerships stating it achieved": v["partnerships"],
            "estimated or target": format_gbp(v["estimated_gbp"]),
            "partnerships estimating it": v["estimated_partnerships"],
            "a saving?": "yes" if SavingsKind(kind).is_saving else "no",
        }
        for kind, v in summary["savings_by_kind"].items()
    ]
)
st.dataframe(kinds, hide_index=True)


def bar_chart(frame: pd.DataFrame, category: str, title: str, sort: str | list = "-x") -> None:
    """A horizontal bar chart with its numbers as a table beside it (the chart's text alternative)."""
    if frame.empty:
        st.markdown(f"No {title.lower()} to show.")
        return
    chart = (
        alt.Chart(frame, title=title)
        .mark_bar(color="#0b5394")
        .encode(
            x=alt.X("partnerships:Q", title="Partnerships", axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y(f"{category}:N", sort=sort, title=None, axis=alt.Axis(labelLimit=220)),
            tooltip=list(frame.columns),
        )
        .configure_axis(labelColor="#1a1a1a", titleColor="#1a1a1a", labelFontSize=12)
    )
    chart_column, table_column = st.columns([3, 2])
    chart_column.altair_chart(chart, width="stretch")
    table_column.dataframe(frame, hide_index=True)


st.subheader("By service")
st.caption(
    "A partnership sharing several services is counted under each of them, so these counts add up to more "
    "than the number of partnerships. Its savings figure is for all its services together and cannot be "
    "split between them, so the money column sums only the partnerships that share that one service alone "
    "(how many, in brackets)."
)
services = pd.DataFrame(summary["by_service"])
services["annual (service alone)"] = (
    [
        f"{format_gbp(gbp)} ({n})" if n else "–"
        for gbp, n in zip(
            services.pop("annual_savings_single_service_gbp"),
            services.pop("single_service_with_annual_saving"),
            strict=True,
        )
    ]
    if len(services)
    else []
)
bar_chart(services, "service", "Partnerships by service")
st.subheader("By region")
st.caption("Counted by the region (or nation) of the first-named council.")
bar_chart(pd.DataFrame(summary["by_region"], columns=["region", "partnerships"]), "region", "Partnerships by region")
st.subheader("By start year")
years = pd.DataFrame(summary["by_start_year"], columns=["year", "partnerships"])
years["year"] = years["year"].astype(str)
bar_chart(years, "year", "Partnerships by year started", sort=None)
if summary["no_start_date"]:
    st.caption(f"{summary['no_start_date']} partnership(s) have no known start date.")

st.subheader("How fresh the statuses are")
st.caption(
    f"Per nation and council type: partnerships whose status is evidenced within the last "
    f"{freshness.stale_after_years():g} years (running or planned), not confirmed since, or ended. A partnership "
    "counts once in each nation and council type of its members, so the rows add up to more than the total."
)
left, right = st.columns(2)
left.dataframe(pd.DataFrame(summary["freshness_by_nation"]), hide_index=True)
right.dataframe(
    pd.DataFrame(summary["freshness_by_council_type"]),
    hide_index=True,
    column_config={"council_type": "council type"},
)
