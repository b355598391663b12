"""Review and publish (reviewers): approve or reject pending submissions with a comment; earlier versions viewed
and restored; the audit log of who did what, when, with which file."""

import streamlit as st

from sharedmap import exports
from sharedmap.app import officer as officer
from sharedmap.app import ui
from sharedmap.publishing import reports, workflow
from sharedmap.publishing import review_tables as tables
from sharedmap.publishing.auth import Role
from sharedmap.publishing.store import SubmissionStatus

st.title("Review and publish")
officer.flash()
user = officer.require_account(Role.REVIEWER)
if user is None:
    st.stop()
register, store = ui.register(), officer.store()
pending = store.submissions(SubmissionStatus.PENDING)
current = store.current()[0]
queue = reports.suggestions_list(store)
pending_tab, reports_tab, decided_tab, versions_tab, audit_tab = st.tabs(
    [
        f"Pending submissions ({len(pending)})",
        f"Reports from the public ({len(queue)})",
        "Decided",
        "Versions",
        "Audit log",
    ]
)

with pending_tab:
    if not pending:
        st.markdown("Nothing is waiting for review.")
    else:
        by_id = {s.id: s for s in pending}
        chosen = by_id[
            st.selectbox(
                "Submission",
                list(by_id),
                format_func=lambda i: tables.submission_title(by_id[i]),
                key="review_submission",
            )
        ]
        st.markdown(ui.md(tables.submission_details(chosen)))
        if chosen.comment:
            st.markdown("Officer's note: " + ui.md(chosen.comment))
        others, outside = workflow.touched(store, chosen.id, register)
        if others:
            st.info("Changes published records of other councils too: " + ui.md("; ".join(others)))
        if outside:
            st.warning(
                "Changes partnerships that do not include the officer's council (approval will refuse "
                "them): " + ui.md("; ".join(outside))
            )
        problems = workflow.conflicts(store, chosen.id)
        for problem in problems:
            st.warning("Conflict: " + ui.md(problem))
        officer.show_preview(workflow.submission_preview(store, chosen.id), register)
        own = chosen.submitted_by == user.email
        if own:
            st.info("You made this submission, so another reviewer must approve it (you may still reject it).")
        comment = st.text_input("Comment (required to reject: the officer sees it)", key=f"review_comment_{chosen.id}")
        left, right = st.columns(2)
        if left.button("Approve and publish", type="primary", key="approve", disabled=own or bool(problems)):
            officer.act(
                lambda: workflow.approve(store, user, chosen.id, comment),
                lambda v: (
                    f"Approved submission {chosen.id}: published as version {v.number} "
                    f"({v.partnership_count} partnerships). The map shows it on every visitor's next click."
                ),
            )
        if right.button("Reject", key="reject"):
            officer.act(
                lambda: workflow.reject(store, user, chosen.id, comment),
                lambda s: f"Rejected submission {s.id}; {s.submitted_by} can see why.",
            )

with reports_tab:
    st.markdown(
        "What visitors reported, oldest first; shown as they typed it, never as links or formatting. Make one into "
        "a submission (download the prefilled row, edit it, upload it on *Upload partnerships*, then close the "
        "report with the submission's number) or dismiss it with a reason. Either way the reporter's email is deleted."
    )
    for item in queue:
        with st.container(border=True):
            about = item.partnership_id or (register.get(item.council_id).name if item.council_id else "a new one")
            st.markdown(
                f"**Report {item.id}** · {item.created_at:%Y-%m-%d %H:%M} · {ui.md(reports.ABOUT[item.about])} · "
                + ui.md(about)
            )
            st.text(item.message)  # plain text: no link, formatting or HTML from a visitor
            if item.source_url:
                st.text("Source given: " + item.source_url)
            if item.email:
                st.text("Reply to: " + item.email + " (deleted when the report is closed)")
            row_name, row_data = reports.prefilled(store, item.id, register)
            left, middle, right = st.columns(3)
            left.download_button("Prefilled row (CSV)", row_data, row_name, "text/csv", key=f"report_row_{item.id}")
            made = middle.number_input("Submission made from it", min_value=1, step=1, key=f"report_sub_{item.id}")
            if middle.button("Close as submitted", key=f"report_accept_{item.id}"):
                officer.act(
                    lambda item=item, made=made: reports.accept(store, user, item.id, int(made)),
                    lambda r: f"Report {r.id} closed as submission {r.submission_id}.",
                )
            reason = right.text_input("Why dismiss it", key=f"report_reason_{item.id}", max_chars=reports.MAX_REASON)
            if right.button("Dismiss", key=f"report_dismiss_{item.id}"):
                officer.act(
                    lambda item=item, reason=reason: reports.dismiss(store, user, item.id, reason),
                    lambda r: f"Report {r.id} dismissed.",
                )
    if not queue:
        st.markdown("No report is waiting.")

with decided_tab:
    decided = [s for s in store.submissions() if s.status is not SubmissionStatus.PENDING]
    st.dataframe(tables.submissions_frame(decided), hide_index=True)

with versions_tab:
    versions = store.versions()
    st.dataframe(tables.versions_frame(versions, current), hide_index=True)
    by_number = {v.number: v for v in versions}
    shown = by_number[
        st.selectbox(
            "Look at version",
            list(by_number),
            key="review_version",
            format_func=lambda n: tables.version_text(by_number[n], current),
        )
    ]
    st.dataframe(exports.partnerships_frame(store.partnerships(shown.number), register), hide_index=True)
    if shown.number != current:
        reason = st.text_input("Why restore it (kept in the audit log)", key=f"restore_reason_{shown.number}")
        if st.button(f"Restore version {shown.number}", key="restore"):
            officer.act(
                lambda: workflow.rollback(store, user, shown.number, reason),
                lambda v: f"Restored version {shown.number} as version {v.number}; it is published now.",
            )

with audit_tab:
    st.dataframe(tables.audit_frame(store.audit_log(500)), hide_index=True)
