"""Sign in (officers and reviewers): by email and password, or with the council's single sign-on when configured."""

import streamlit as st

from sharedmap.app import officer as officer
from sharedmap.publishing.auth import Role

st.title("Sign in")
user = officer.require_account(Role.OFFICER)
if user is not None:
    if user.is_reviewer:
        st.markdown(
            "As a reviewer you may upload any partnership, approve or reject officers' submissions and "
            "restore an earlier version: open **Upload partnerships** or **Review and publish** in the menu."
        )
    else:
        st.markdown(
            "As an officer you may upload your council's partnerships for a reviewer to approve: open "
            "**Upload partnerships** in the menu."
        )
st.caption(
    "Accounts are made by the map's administrators with `python -m sharedmap users add`. After five wrong "
    "passwords in a row an account is locked for 30 seconds, doubling with each further failure."
)
