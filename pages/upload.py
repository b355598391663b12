"""Upload partnerships (officers): the template, a file checked row by row, names fixed by picking a suggestion,
the preview against the published map, and submission for review."""

import hashlib

import streamlit as st

from sharedmap import config
from sharedmap.app import officer as officer
from sharedmap.app import ui
from sharedmap.errors import SharedMapError
from sharedmap.publishing import review_tables as tables
from sharedmap.publishing import templates, workflow
from sharedmap.publishing.auth import Role
from sharedmap.spreadsheets import max_upload_bytes

st.title("Upload partnerships")
officer.flash()
user = officer.require_account(Role.OFFICER)
if user is None:
    st.stop()
register, store = ui.register(), officer.store()
own = [s for s in store.submissions() if s.submitted_by == user.email]
if own:
    with st.expander(f"Your submissions ({len(own)})"):
        st.dataframe(tables.submissions_frame(own), hide_index=True)

st.subheader("1. Your file")
st.markdown(
    "Start from the template (one example row to replace; the Excel one explains every column and the "
    "services list), or upload your own export: columns are matched by their headings."
)
left, right = st.columns(2)
left.download_button(
    "Download the template (Excel)",
    templates.template_xlsx(),
    f"{templates.FILE_NAME}.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/download:",
)
right.download_button(
    "Download the template (CSV)",
    templates.template_csv(),
    f"{templates.FILE_NAME}.csv",
    "text/csv",
    icon=":material/download:",
)
limit = f"at most {max_upload_bytes() / 2**20:g} MB and {config.get('SHAREDMAP_MAX_ROWS')} rows"
file = st.file_uploader(
    f"Your partnerships file (CSV or XLSX, {limit})", type=["csv", "xlsx"], key=officer.upload_key()
)
if file is None:
    st.stop()
data = file.getvalue()
sha256 = hashlib.sha256(data).hexdigest()
try:
    upload = workflow.read_upload(data, register, file.name, officer.upload_fixes(sha256))
except SharedMapError as exc:
    st.error(ui.md(f"This file cannot be read: {exc}"))
    st.stop()

st.subheader("2. Every row checked")
st.markdown(ui.md(tables.summary_text(upload)))
st.dataframe(tables.rows_frame(upload), hide_index=True)
for report in upload.report.rows:
    with st.expander(ui.md(tables.row_label(report)), expanded=not report.ok):
        for line in tables.row_lines(report):
            st.markdown("- " + ui.md(line))
        for fix in tables.fixes(report):
            officer.fix_picker(fix, sha256)
if not upload.ok:
    st.stop()

st.subheader("3. What would change on the map")
scope = "the whole map" if user.is_reviewer else "all of my council's partnerships"
withdraw = st.checkbox(
    f"This file lists {scope}: withdraw published ones missing from it", value=False, key="upload_withdraw_missing"
)
try:
    preview = workflow.preview_upload(store, user, upload, register, withdraw)
except SharedMapError as exc:
    st.error(ui.md(f"Refused: {exc}"))
    st.stop()
if withdraw:
    (st.warning if workflow.withdrawals(preview) else st.info)(ui.md(workflow.withdrawals_text(preview)))
officer.show_preview(preview, register)

st.subheader("4. Submit for review")
comment = st.text_input("A note for the reviewer (optional)", key="upload_comment")
if not preview.has_effect:
    st.info("Nothing to submit: every partnership in the file is on the map as it is.")


def _submitted(submission) -> str:
    officer.next_upload()
    return (
        f"Submitted as submission {submission.id} ({tables.counts_text(submission.counts)}). A reviewer will "
        "approve or reject it; the outcome will be under “Your submissions”."
    )


if st.button("Submit for review", type="primary", disabled=not preview.has_effect, key="upload_submit"):
    officer.act(lambda: workflow.submit(store, user, upload, register, withdraw, comment), _submitted)
