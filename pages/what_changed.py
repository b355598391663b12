"""What changed: every published version, newest first, with its changes in words and its date."""

import streamlit as st

from sharedmap.app import ui
from sharedmap.app.history import history

ui.view()
label, _partnerships = ui.published()
versions = history(label)

st.title("What changed")
st.markdown(
    "Each version of the map, newest first, with what it changed from the one before. The public static map "
    "offers the same as feeds for a feed reader: `changes.atom`, and one per council on each council's page."
)
if not versions:
    st.info("Nothing is published yet.")
for version in versions:
    with st.container(border=True):
        st.subheader(version.title, anchor=f"v{version.number}")
        st.caption(version.published_at.strftime("%-d %B %Y, %H:%M UTC"))  # the note is the reviewers' own
        if version.lines:
            st.markdown("\n".join(f"- {ui.md(line.text)}" for line in version.lines))
