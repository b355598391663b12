"""Something wrong or missing? Tell us: the public's report form (no account). ``?council=`` or ``?partnership=``
fills in what it is about; the report waits for a reviewer, and nothing written here is published without review."""

import streamlit as st

from sharedmap.app import officer, ui
from sharedmap.errors import SharedMapError
from sharedmap.publishing import reports

ui.leave_pages_folder_mode()  # this page is often a server's first: opened from a link on the static site
st.title("Something wrong or missing? Tell us")
st.markdown(
    "Tell us what is wrong about a council's partnerships, or about a partnership missing from the map. A reviewer "
    "reads every report; nothing you write is published without review. No account is needed."
)
register, store = ui.register(), officer.store()
asked_council = st.query_params.get("council", "")[:200]
asked_partnership = st.query_params.get("partnership", "")[:80]
partnerships = {p.id: p.name for p in ui.published()[1]}
council_names = sorted({c.name for c in register.councils.values() if c.current})
if asked_council and asked_council in register.councils:
    asked_council = register.councils[asked_council].name
elif asked_council:
    try:
        asked_council = register.resolve(asked_council).council.name
    except SharedMapError:
        asked_council = ""

with st.form("report", clear_on_submit=False):
    about = st.radio("What is it about?", list(reports.ABOUT), format_func=reports.ABOUT.get, key="report_about")
    ids = ["", *partnerships]
    partnership = st.selectbox(
        "Which partnership (leave empty for a missing one)",
        ids,
        index=ids.index(asked_partnership) if asked_partnership in partnerships else 0,
        format_func=lambda i: f"{partnerships[i]} ({i})" if i else "—",
        key="report_partnership",
    )
    names = ["", *council_names]
    council = st.selectbox(
        "Which council",
        names,
        index=names.index(asked_council) if asked_council in council_names else 0,
        key="report_council",
    )
    message = st.text_area(
        "What is wrong or missing", max_chars=reports.MAX_MESSAGE, key="report_message", placeholder="The saving is…"
    )
    source = st.text_input(
        "A public source link (required for a figure, a status or a missing partnership)",
        max_chars=reports.MAX_LINK,
        key="report_source",
    )
    email = st.text_input(
        "Your email, if you would like a reply (never published; deleted when the report is closed)",
        max_chars=reports.MAX_EMAIL,
        key="report_email",
    )
    with st.container(key="report_hp"):  # hidden from people by the style below; automated senders fill it in
        honeypot = st.text_input("Leave this empty", key="report_website", max_chars=200, label_visibility="collapsed")
    sent = st.form_submit_button("Send the report", type="primary")
st.html("<style>.st-key-report_hp{position:absolute;left:-10000px;height:1px;overflow:hidden}</style>")

if sent:
    try:
        number = reports.report(
            store,
            register,
            client=officer.client_address(),
            about=about,
            message=message,
            council=council,
            partnership=partnership,
            source_url=source,
            reply_to=email,
            honeypot=honeypot,
        )
    except SharedMapError as exc:
        st.error(ui.md(f"Not sent: {exc}."))
    else:
        st.success(f"Thank you: report {number} is with the reviewers.")
