"""Data: the partnerships in view as a table, with CSV (safe for spreadsheets) and GeoJSON downloads."""

import streamlit as st

from sharedmap import exports
from sharedmap.app import ui

view = ui.view()
register = ui.register()
label, everything = ui.published()
partnerships, network = ui.filtered(label, view.filters, everything)

st.title("Data")
st.markdown(f"The {len(partnerships)} partnerships in view (councils as in {view.year}, with the sidebar's "
            "filters). Each row names its public source.")
frame = exports.partnerships_frame(partnerships, register)
st.dataframe(frame, hide_index=True, column_config={
    "headline_saving_gbp": st.column_config.NumberColumn("headline saving (£)", format="localized")})

left, right = st.columns(2)
left.download_button("Download CSV", data=lambda: exports.partnerships_csv(partnerships, register),
                     file_name=f"shared-services-{view.year}.csv", mime="text/csv", icon=":material/download:",
                     help="Text cells starting with = + - or @ get a leading apostrophe, so no spreadsheet runs them.")
right.download_button("Download GeoJSON", data=lambda: exports.partnerships_geojson(partnerships, register, network),
                      file_name=f"shared-services-{view.year}.geojson", mime="application/geo+json",
                      icon=":material/download:", help="One feature per partnership: its members as points.")

st.subheader("Licence and attribution")
st.markdown(ui.md(exports.DATA_NOTE))
for line in exports.attribution_lines():
    st.markdown("- " + ui.md(line))
