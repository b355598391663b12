"""Find a partner: councils to talk to about sharing a service, ranked, with the reasons a councillor can repeat."""

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from sharedmap.app import ui
from sharedmap.errors import SharedMapError
from sharedmap.maps import mapview, payload, viewstate
from sharedmap.partners.explain import councils_like_yours, shared_at_a_distance, why_not
from sharedmap.partners.recommend import council_for, find_partners, weights_table
from sharedmap.partnerships import SERVICES

ui.require_map_assets()
view = ui.view(asks_for_partners=True)
register = ui.register()
label, everything = ui.published()

st.title("Find a partner")
st.markdown(
    f"Pick your council and the service you want to share: you get the councils of {view.year} to talk to "
    "first, each with its reasons. Councils already sharing that service with you are listed apart."
)
name_column, service_column, top_column = st.columns([3, 2, 1])
name = name_column.text_input("Your council", key=ui.K_PARTNER_COUNCIL, placeholder="e.g. Boston, Blaby, E07000136")
service = service_column.selectbox("Service", [ui.ANY_SERVICE, *SERVICES], key=ui.K_PARTNER_SERVICE)
top = top_column.number_input("How many", min_value=1, max_value=viewstate.PARTNER_TOP_MAX, key=ui.K_PARTNER_TOP)
if not name.strip():
    st.info("Type your council's name to see suggestions.")
    st.stop()

context = ui.partner_context(label, view.year, everything)
model = ui.partner_model()
chosen = None if service == ui.ANY_SERVICE else service
try:
    council, note = council_for(context, name)
except SharedMapError as exc:
    st.error(str(exc))
    st.stop()
found = find_partners(context, council.id, chosen, int(top), note=note, model=model)
if model is None:
    st.warning("No learned model file: points are the hand-set weights. Run `python -m sharedmap recommend --fit`.")

st.subheader(f"Partners for {ui.md(found.council.name)}: {ui.md(found.service or 'any service')}")
if found.note:
    st.caption(ui.md(found.note))
if found.already_sharing:
    st.markdown(
        "**Already sharing with you:** "
        + "; ".join(
            f"{ui.md(s.council.name)} ({ui.md(', '.join(p.name for p in s.partnerships))})"
            for s in found.already_sharing
        )
    )

list_column, map_column = st.columns(2, gap="medium")
with list_column:
    for number, suggestion in enumerate(found.suggestions, 1):
        with st.container(border=True):
            st.markdown(
                f"**{number}. {ui.md(suggestion.council.name)}** · score {suggestion.score:.2f}  \n"
                + "  \n".join(f"{r.relative:+.2f} {ui.md(r.text)}" for r in suggestion.reasons)
            )
            if st.button("Its partnerships on the map", key=f"partner_show_{suggestion.council.id}"):
                ui.open_on_map(suggestion.council.id)
with map_column:
    areas = ui.areas(view.year)
    shown = ui.view_payload(label, view.filters, view.tier, view.measure, everything)
    base = mapview.build_map(
        shown.councils_json,
        shown.links_json,
        shown.points_json,
        shown.legend_title,
        shown.legend_classes,
        static_url=ui.static_url(),
        **ui.tiles(),
    )
    codes = [s.gss for s in found.suggestions]
    empty = payload.script_json({"type": "FeatureCollection", "features": []})
    layer = mapview.selection_layer(
        payload.script_json(payload.area_features(areas, {found.gss})),
        payload.script_json(payload.area_features(areas, codes)),
        empty,
    )
    mapview.fit_to(base, areas.loc[[found.gss, *codes]].total_bounds)
    st_folium(
        base, key="partner_map", height=600, use_container_width=True, feature_group_to_add=layer, returned_objects=[]
    )
    st.caption("Your council is filled; the suggestions are outlined. " + ui.ATTRIBUTION_SHORT)

other = st.text_input("Why not…? Another council", key="partner_why_not", placeholder="e.g. Norwich")
if other.strip():
    try:
        answer = why_not(context, council.id, other, chosen, model, int(top))
    except SharedMapError as exc:
        st.error(str(exc))
    else:
        st.markdown(ui.md(answer.answer))
        if answer.kept_down:
            st.dataframe(
                pd.DataFrame(answer.kept_down)[["label", "points", "theirs", "text"]],
                hide_index=True,
                column_config={
                    "label": "reason",
                    "points": f"{answer.other} (points)",
                    "theirs": f"{answer.compared_with} (points)",
                    "text": "evidence",
                },
            )

if shared_at_a_distance(chosen):
    st.subheader("Councils like yours, at any distance")
    st.caption(
        "Same type, similar population, deprivation and rurality (mySociety), whatever the distance: "
        "worth a call for back-office services that need no shared roads."
    )
    like = councils_like_yours(context, council.id, chosen, int(top))
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "council": r["name"],
                    "likeness (0-4)": r["likeness"],
                    "km": r["distance_km"],
                    "why": "; ".join(x["text"] for x in r["reasons"]),
                }
                for r in like
            ]
        ),
        hide_index=True,
    )

st.subheader("How the score works")
learned = (
    f"Points learned from {model.partnerships} partnerships that formed (fitted {model.trained_on[:10]}, "
    f"data {model.data_version}); "
    if model
    else "Hand-set points; "
)
st.markdown(learned + "each reason adds its points per unit; the list is sorted by the total, then by distance.")
weights = pd.DataFrame(weights_table(model, chosen))[["label", "points", "why"]]
st.dataframe(weights, hide_index=True, column_config={"label": "reason", "why": "why it counts"})
