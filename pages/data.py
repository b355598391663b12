"""Data: the partnerships in view as a table, with CSV (safe for spreadsheets), GeoJSON and data package
downloads."""

import streamlit as st

from sharedmap import datapackage, exports
from sharedmap.app import ui
from sharedmap.freshness import Standing

view = ui.view()
register = ui.register()
label, everything = ui.published()
partnerships, network = ui.filtered(label, view.filters, everything)

st.title("Data")
st.markdown(
    f"The {len(partnerships)} partnerships in view (councils as in {view.year}, with the sidebar's "
    "filters). Each row names its public source."
)
frame = exports.partnerships_frame(partnerships, register)
st.dataframe(
    frame,
    hide_index=True,
    column_config={"headline_saving_gbp": st.column_config.NumberColumn("headline saving (£)", format="localized")},
)

left, middle, right = st.columns(3)
left.download_button(
    "Download CSV",
    data=lambda: exports.partnerships_csv(partnerships, register),
    file_name=f"shared-services-{view.year}.csv",
    mime="text/csv",
    icon=":material/download:",
    help="Text cells starting with = + - or @ get a leading apostrophe, so no spreadsheet runs them.",
)
middle.download_button(
    "Download GeoJSON",
    data=lambda: exports.partnerships_geojson(partnerships, register, network),
    file_name=f"shared-services-{view.year}.geojson",
    mime="application/geo+json",
    icon=":material/download:",
    help="One feature per partnership: its members as points.",
)
right.download_button(
    "Download data package (zip)",
    data=lambda: datapackage.package_zip(
        datapackage.view_files(partnerships, register, network, ui.research_log(), f"shared-services-{view.year}"),
        label,
    ),
    file_name=f"shared-services-{view.year}-datapackage.zip",
    mime="application/zip",
    icon=":material/download:",
    help="The CSV, the GeoJSON and the research log with datapackage.json: each table's schema (types, required "
    "fields, allowed values), the licences and the sources, as data portals and `frictionless validate` read them.",
)

st.subheader("Licence and attribution")
st.markdown(ui.md(exports.DATA_NOTE))
for line in exports.attribution_lines():
    st.markdown("- " + ui.md(line))

st.header("Data quality")
quality = ui.quality_report(label, everything)
st.markdown(
    f"The whole published table ({quality.partnerships} partnerships, before the sidebar's filters), as "
    "`python -m sharedmap data check` reports it. A partnership counts once in each nation, region and "
    "council type of its members, so those counts add up to more than the total."
)
cols = st.columns(5)
cols[0].metric("Councils with none recorded", len(quality.councils_without))
cols[1].metric(
    "Councils not yet searched",
    len(quality.councils_not_searched),
    help="Today's councils with no line in the research log: 'none recorded' is only news for a council searched.",
)
cols[2].metric("Without a savings figure", len(quality.without_saving))
cols[3].metric(
    "Not confirmed recently",
    len(quality.stale),
    help=f"Said to be running or planned, but the newest evidence is over {quality.stale_after_years:g} years old.",
)
cols[4].metric("Without status evidence", len(quality.without_status_evidence))
st.caption(
    "Status as the map shows it today: "
    + ", ".join(f"{n} {Standing(s).label}" for s, n in quality.by_status.items() if n)
    + "."
)
left, middle, right = st.columns(3)
left.dataframe(quality.by_nation, hide_index=True)
middle.dataframe(quality.by_region, hide_index=True)
right.dataframe(quality.by_council_type, hide_index=True, column_config={"council_type": "council type"})
if quality.problems:
    st.error(
        f"{len(quality.problems)} row(s) break a rule: "
        + ui.md("; ".join(f"{p.id} ({p.rule}): {p.message}" for p in quality.problems))
    )
st.subheader(f"Possible duplicates: {len(quality.duplicates)}")
st.caption(
    "The same councils sharing a service twice, or a grant row beside the partnership it funded (a grant "
    "belongs in that partnership's row as its one-off funding figure)."
)
st.dataframe(
    [
        {
            "rows": " / ".join(d["ids"]),
            "names": " / ".join(d["names"]),
            "why": d["why"],
            "services in common": ", ".join(d["services"]),
        }
        for d in quality.duplicates
    ],
    hide_index=True,
)
with st.expander(f"Today's councils with no partnership recorded ({len(quality.councils_without)})"):
    st.dataframe(quality.councils_without, hide_index=True)
with st.expander(f"Today's councils not yet searched ({len(quality.councils_not_searched)})"):
    st.dataframe(quality.councils_not_searched, hide_index=True)
with st.expander("Rows without a saving, without a start date, or not confirmed recently"):
    st.markdown("**No savings figure:** " + ui.md(", ".join(quality.without_saving) or "none"))
    st.markdown("**No start date:** " + ui.md(", ".join(quality.without_start) or "none"))
    st.markdown("**Not confirmed recently:** " + ui.md(", ".join(quality.stale) or "none"))
    st.markdown("**No status evidence:** " + ui.md(", ".join(quality.without_status_evidence) or "none"))
    for column, ids in quality.untraced.items():
        st.markdown(f"**No {ui.md(column)}:** " + ui.md(", ".join(ids) or "none"))
with st.expander("Sources by domain and by year"):
    left, right = st.columns(2)
    left.dataframe(quality.sources_by_domain, hide_index=True)
    right.dataframe(quality.sources_by_year, hide_index=True)
