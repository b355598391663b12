"""Single sign-on: which ``[auth]`` settings Streamlit's ``st.login`` (OpenID Connect) needs, and the store account
a signed-in council email stands for.

The identity provider (Microsoft Entra ID, Google, …) vouches for the email; what that person may do is still
decided here: an SSO user needs an officer or reviewer account in the store, made with ``users add``.
"""

from __future__ import annotations

from collections.abc import Mapping

from sharedmap.errors import AuthenticationError
from sharedmap.publishing import auth
from sharedmap.publishing.store import Store

REQUIRED = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")


def missing_settings(section: Mapping | None) -> list[str]:
    """The ``[auth]`` keys of secrets.toml still missing (all of them when there is no section)."""
    section = section or {}
    return [key for key in REQUIRED if not str(section.get(key) or "").strip()]


def configured(section: Mapping | None) -> bool:
    return not missing_settings(section)


def account(store: Store, email: str | None) -> auth.User:
    """The store account for the email the provider vouched for; AuthenticationError saying what to do if none."""
    if not email or not str(email).strip():
        raise AuthenticationError(
            "your council account did not tell us your email address, so we cannot find "
            "your account here; ask your IT team to release the email claim to this app"
        )
    user = auth.get_user(store, str(email))
    if user is None:
        raise AuthenticationError(
            f"you signed in with your council account as {auth.normalise_email(str(email))}, but there is no "
            "officer or reviewer account for that email here; ask the map's administrators to create one "
            f"(python -m sharedmap users add {auth.normalise_email(str(email))} --role officer --council …)"
        )
    return user
