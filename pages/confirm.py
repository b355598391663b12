"""Confirm partnerships (officers): your council's partnerships, the oldest evidence first, each still true,
changed or ended. Each answer is a submission a reviewer publishes; it then shows as "confirmed by … on …"."""

import datetime as dt

import streamlit as st

from sharedmap.app import officer, ui
from sharedmap.errors import SharedMapError
from sharedmap.parsing import parse_date
from sharedmap.publishing import confirm
from sharedmap.publishing.auth import Role

st.title("Confirm partnerships")
officer.flash()
user = officer.require_account(Role.OFFICER)
if user is None:
    st.stop()
register, store = ui.register(), officer.store()
try:
    listed = confirm.own_partnerships(store, user, register)
except SharedMapError as exc:
    st.error(ui.md(f"Not allowed: {exc}."))
    st.stop()
st.markdown(
    "Your council's partnerships on the map, the one confirmed longest ago first. For each, say whether it is "
    "**still true**, has **changed** (download the row, edit it and upload it on *Upload partnerships* with "
    "*only add and update*) or has **ended**. A reviewer publishes each answer."
)
if not listed:
    st.markdown("None of your council's partnerships is on the map (ended ones need no confirming).")
for item in listed:
    p = item.partnership
    with st.container(border=True):
        st.markdown(f"**{ui.md(p.name)}** ({ui.md(p.id)}) · {ui.md(item.standing.label)}")
        st.caption(ui.md(item.freshness[:1].upper() + item.freshness[1:]) + ".")
        still, changed, ended = st.columns(3)
        link = still.text_input("Link (optional)", key=f"confirm_link_{p.id}", max_chars=confirm.MAX_LINK_CHARS)
        if still.button("Still true", key=f"confirm_{p.id}", type="primary"):
            officer.act(
                lambda p=p, link=link: confirm.confirm(store, user, register, p.id, link),
                lambda s: f"Submission {s.id}: {s.comment}. A reviewer publishes it.",
            )
        changed.download_button(  # the listed rows are the officer's own (own_partnerships checked the scope)
            "Changed: download the row", confirm.rows_csv([p], register), f"{p.id}.csv", "text/csv", key=f"edit_{p.id}"
        )
        when = ended.date_input("Ended on", value=None, max_value=dt.date.today(), key=f"ended_on_{p.id}")
        if ended.button("Ended", key=f"end_{p.id}", disabled=when is None):
            officer.act(
                lambda p=p, when=when: confirm.end(store, user, register, p.id, parse_date(when, "end")),
                lambda s: f"Submission {s.id}: {s.comment}. A reviewer publishes it.",
            )
