"""Map (home): who shares services with whom. Click a council or a line, or search by name."""

import streamlit as st
from streamlit_folium import st_folium

from sharedmap.app import partnership_card, ui
from sharedmap.maps import mapview, panel
from sharedmap.site.links import site_links

ui.require_map_assets()
view = ui.view()
register = ui.register()
label, everything = ui.published()
partnerships, network = ui.filtered(label, view.filters, everything)
payload = ui.view_payload(label, view.filters, view.tier, view.measure, everything)
areas = ui.areas(view.year)

st.title("Who shares services with whom")
count = f"{len(partnerships)} partnership{'' if len(partnerships) == 1 else 's'}"
st.markdown(
    f"{count} between UK councils, drawn on the councils of {view.year}. "
    "**Click a council** to list its partnerships and highlight its partners, or **click a line** for "
    "that partnership. The tables under the map hold the same information."
)

selection = ui.resolve_selection(view, register, network, areas, partnerships)
if links := site_links(ui.static_url(), selection.gss if selection else None):
    st.markdown(links)
map_column, panel_column = st.columns([5, 3], gap="medium")
with map_column:
    base = mapview.build_map(
        payload.councils_json,
        payload.links_json,
        payload.points_json,
        payload.legend_title,
        payload.legend_classes,
        static_url=ui.static_url(),
        **ui.tiles(),
    )
    layer, center, zoom = ui.selection_layer(selection, network, areas)
    returned = st_folium(
        base,
        key=ui.MAP_KEY,
        height=640,
        use_container_width=True,
        feature_group_to_add=layer,
        center=center,
        zoom=zoom,
        returned_objects=["last_active_drawing", "last_object_clicked"],
        on_change=ui.on_map_change,
    )
    ui.handle_click(mapview.clicked_target(returned), register)
    st.caption(
        f"Map of {len(payload.table)} councils coloured by {payload.legend_title.lower()}; lines join "
        "partners. " + ui.ATTRIBUTION_SHORT
    )

with panel_column:
    ui.search_box(register)
    if selection is None:
        st.subheader("Choose a council")
        st.markdown("Click a council on the map, search above, or pick a row in the councils table below.")
    else:
        st.subheader(ui.md(selection.title))
        if selection.note:
            st.caption(ui.md(selection.note))
        count = len(selection.partnerships)
        st.markdown(
            f"{count} partnership{'s' if count != 1 else ''} in this view."
            if count
            else "No partnership in this view: try clearing the filters."
        )
        for p in selection.partnerships:
            if partnership_card.partnership_card(panel.partnership_facts(p, register, network), key=f"show_{p.id}"):
                ui.select(partnership=p.id)
                st.rerun()
        if selection.council_id:  # a partnership missing, or something wrong about this council
            st.markdown(ui.report_link(council=selection.council_id))
        if st.button("Clear selection", key="clear_selection"):
            ui.select()
            st.rerun()

councils_tab, links_tab, missing_tab = st.tabs(["Councils (table)", "Partnerships (table)", "Not on the map"])
with councils_tab:
    ui.councils_table(payload.table)
with links_tab:
    ui.partnerships_table(partnerships, register)
with missing_tab:
    if network.unmatched.empty:
        st.markdown("Every member council of these partnerships is on this year's map.")
    else:
        st.dataframe(network.unmatched, hide_index=True)
