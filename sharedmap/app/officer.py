"""The Streamlit helpers of the officers' and reviewers' pages: signing in (password or single sign-on), the
upload's fixes, workflow steps and previews. With sharedmap/app/ui.py, the only sharedmap modules that import Streamlit.
"""

from __future__ import annotations

import streamlit as st

from sharedmap import events
from sharedmap.app.ui import leave_pages_folder_mode, md, register
from sharedmap.errors import AuthenticationError, PermissionDeniedError, SharedMapError
from sharedmap.publishing import auth, review_tables, sso
from sharedmap.publishing.dataset import seeded_store
from sharedmap.publishing.preview import CHANGED, KINDS, Preview
from sharedmap.publishing.store import Store
from sharedmap.register import Register
from sharedmap.site import follow_publishing

# Session-state keys, in one place.
K_USER = "signed_in_email"
K_FLASH = "workflow_flash"
K_FIXES = "upload_fixes"
K_UPLOAD_ROUND = "upload_round"
K_SSO_LOGGED = "sso_sign_in_logged"


def store() -> Store:
    """The process's store (opened once per process), seeded from data/ on first start; every publish and
    rollback made through it rebuilds the static site in the background."""
    follow_publishing()
    return seeded_store(register())


def sso_settings() -> dict:
    """The [auth] section of .streamlit/secrets.toml, single sign-on's settings; empty without a secrets file."""
    try:
        return dict(st.secrets.get("auth", {}))
    except FileNotFoundError:
        return {}


def sso_signed_in() -> bool:
    return sso.configured(sso_settings()) and bool(getattr(st.user, "is_logged_in", False))


def signed_in_user() -> auth.User | None:
    """This session's account: signed in by password (its email kept in the session) or by single sign-on
    (st.user), read afresh from the store each run; AuthenticationError when SSO vouches for an unknown email."""
    email = st.session_state.get(K_USER)
    if email:
        return auth.get_user(store(), email)
    if sso_signed_in():
        email = st.user.get("email")  # a claim of the provider's ID token: a string when the provider sends one
        return _sso_account(email if isinstance(email, str) else None)
    return None


def _sso_account(email: str | None) -> auth.User:
    """The store's account for the email single sign-on vouches for; the sign-in is logged once per session."""
    first = st.session_state.get(K_SSO_LOGGED) != email
    st.session_state[K_SSO_LOGGED] = email
    try:
        user = sso.account(store(), email)
    except AuthenticationError as exc:
        if first:
            events.record(
                "sign_in",
                "failure",
                actor=(email or "").lower(),
                method="sso",
                error=type(exc).__name__,
                reason=str(exc),
            )
        raise
    if first:
        events.record("sign_in", "success", actor=user.email, role=str(user.role), method="sso")
    return user


def sign_out() -> None:
    for key in (K_USER, K_FIXES):
        st.session_state.pop(key, None)
    if sso_signed_in():
        st.logout()  # the browser goes to the provider's sign-out, then back to a new session
        st.stop()
    st.rerun()


def sign_in_form() -> None:
    """Single sign-on when configured, and email + password (throttled in the store after repeated failures)."""
    if sso.configured(sso_settings()):
        if st.button("Sign in with your council account", key="sso_sign_in", type="primary"):
            st.login()
        st.markdown("Or sign in with the email and password of your account on this site:")
    with st.form("sign_in", clear_on_submit=True):
        email = st.text_input("Email", key="sign_in_email", autocomplete="username")
        password = st.text_input("Password", type="password", key="sign_in_password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in")
    if submitted:
        try:
            user = auth.authenticate(store(), email, password)
        except AuthenticationError as exc:
            st.error(md(f"Not signed in: {exc}."))
            return
        st.session_state[K_USER] = user.email
        st.rerun()


def require_account(role: auth.Role) -> auth.User | None:
    """The signed-in user if their role allows the page (with who they are and a sign-out button); otherwise the
    sign-in form or the reason, and None."""
    leave_pages_folder_mode()
    try:
        user = signed_in_user()
    except AuthenticationError as exc:
        st.error(md(f"Not signed in: {exc}."))
        if st.button("Sign out of your council account", key="sign_out"):
            sign_out()
        return None
    if user is None:
        st.markdown("Visitors need no account to browse the map. To upload or review partnerships, sign in.")
        sign_in_form()
        return None
    council = register().get(user.council_id) if user.council_id else None
    left, right = st.columns([5, 1], vertical_alignment="center")
    left.markdown(
        f"Signed in as **{md(user.email)}**, {user.role.value}" + (f" for {md(council.name)}." if council else ".")
    )
    if right.button("Sign out", key="sign_out"):
        sign_out()
    try:
        return auth.require_role(user, role, "review and publish submissions")
    except PermissionDeniedError as exc:
        st.error(md(f"Not allowed: {exc}."))
        return None


def act(action, done) -> None:
    """Run a workflow step: a refusal is shown as an error naming why; success as a message after the rerun (both
    may quote the data, so both are made literal)."""
    try:
        result = action()
    except SharedMapError as exc:
        st.error(md(f"Refused: {exc}"))
        return
    st.session_state[K_FLASH] = done(result)
    st.rerun()


def flash() -> None:
    message = st.session_state.pop(K_FLASH, None)
    if message:
        st.success(md(message))


def upload_key() -> str:
    """The file uploader's key: a new one after each submission empties the uploader."""
    return f"upload_{st.session_state.get(K_UPLOAD_ROUND, 0)}"


def next_upload() -> None:
    """After a submission: an empty uploader, and no fixes carried over."""
    st.session_state[K_UPLOAD_ROUND] = st.session_state.get(K_UPLOAD_ROUND, 0) + 1
    st.session_state.pop(K_FIXES, None)


def upload_fixes(file_sha256: str) -> dict:
    """The suggestions picked on the page for this file: (row, column, typed text) → chosen name."""
    return st.session_state.get(K_FIXES, {}).get(file_sha256, {})


def fix_picker(fix: review_tables.Fix, file_sha256: str) -> None:
    """Pick one of the suggestions for a name the checker could not place; the file is checked again with it."""
    key = f"fix_{fix.row}_{fix.column}_{fix.typed}"
    choice = st.selectbox(
        md(f"Replace “{fix.typed}” in row {fix.row} ({fix.column}) with"),
        fix.suggestions,
        index=None,
        placeholder="Choose a suggestion",
        key=key,
    )
    if st.button("Use this name", key=f"{key}_use"):
        if choice is None:
            st.warning("Choose one of the suggested names first.")
            return
        st.session_state.setdefault(K_FIXES, {}).setdefault(file_sha256, {})[fix.key] = choice
        st.rerun()


def show_preview(preview: Preview, register: Register) -> None:
    """What an upload or submission changes against the published version, kind by kind, changed fields listed."""
    for column, kind in zip(st.columns(len(KINDS)), KINDS, strict=True):
        column.metric(review_tables.KIND_TITLES[kind], preview.counts[kind])
    for kind, frame in review_tables.preview_frames(preview, register).items():
        if not frame.empty:
            st.markdown(f"**{review_tables.KIND_TITLES[kind]} ({len(frame)})**: {review_tables.KIND_HELP[kind]}")
            st.dataframe(frame, hide_index=True)
    for change in preview.of_kind(CHANGED):
        with st.expander(f"What changes in {md(change.name)}"):
            st.dataframe(review_tables.field_changes(change, register), hide_index=True)


def client_address() -> str:
    """The visitor's address for the report rate limit: the last X-Forwarded-For entry (added by our own reverse
    proxy, so a visitor cannot forge it), else the connection's address."""
    forwarded = st.context.headers.get("X-Forwarded-For")
    last = forwarded.split(",")[-1].strip() if isinstance(forwarded, str) else ""
    address = st.context.ip_address
    return last or (address if isinstance(address, str) and address else "unknown")
