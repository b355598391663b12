"""The naive baseline for bench/site.py: every 2025 council as GeoJSON through folium and ``st_folium``, with a
tooltip each, as the popular Streamlit geospatial apps do it. Leaflet comes from the app's own static path, so the
comparison is not about a CDN. Run by bench/site.py, not by hand."""

import folium
import streamlit as st
from streamlit_folium import st_folium

from sharedmap.maps import assets
from sharedmap.spatial.boundaries import load_councils


@st.cache_resource
def councils():
    return load_councils(2025, "ltla")[["code", "name", "geometry"]]


st.title("Councils (naive folium baseline)")
m = folium.Map(location=[54.5, -3], zoom_start=5, tiles=None)
js, css = assets.asset_urls()
m.default_js = [(f"js{i}", url) for i, url in enumerate(js[:1])]
m.default_css = [(f"css{i}", url) for i, url in enumerate(css)]
folium.GeoJson(councils(), tooltip=folium.GeoJsonTooltip(["name", "code"])).add_to(m)
st_folium(m, height=640, use_container_width=True, returned_objects=[])
