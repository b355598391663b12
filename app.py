"""The Shared Services Map: `streamlit run app.py`. The frame: page config, the shared sidebar, the pages."""

import streamlit as st

from sharedmap.app import ui
from sharedmap.errors import SharedMapError

st.set_page_config(page_title="Shared Services Map", page_icon="🤝", layout="wide")

REPORT = st.Page("pages/report.py", title="Report a mistake", icon=":material/flag:", url_path="report")
PAGES = [
    st.Page("pages/map.py", title="Map", icon=":material/map:", default=True),
    st.Page("pages/find_partner.py", title="Find a partner", icon=":material/handshake:"),
    st.Page("pages/statistics.py", title="Statistics", icon=":material/bar_chart:"),
    st.Page("pages/data.py", title="Data", icon=":material/table:"),
    st.Page("pages/what_changed.py", title="What changed", icon=":material/history:"),
    st.Page("pages/about.py", title="About", icon=":material/info:"),
    REPORT,
]
OFFICER_PAGES = [  # keeping the map current: the map's filters do not apply there, so no sidebar filters
    st.Page("pages/sign_in.py", title="Sign in", icon=":material/login:"),
    st.Page("pages/upload.py", title="Upload partnerships", icon=":material/upload_file:"),
    st.Page("pages/confirm.py", title="Confirm partnerships", icon=":material/task_alt:"),
    st.Page("pages/review.py", title="Review and publish", icon=":material/fact_check:"),
]

page = st.navigation({"The map": PAGES, "For council officers": OFFICER_PAGES})
banner = st.empty()  # filled when the data store cannot be reached (ui.store_banner)
try:
    if page.url_path not in {p.url_path for p in [*OFFICER_PAGES, REPORT]}:  # the map's filters do not apply
        ui.sidebar()
    page.run()
except SharedMapError as exc:  # the data's own errors, in its own words; anything else is a bug and shows as one
    st.error(str(exc))
ui.store_banner(banner)
ui.footer()
