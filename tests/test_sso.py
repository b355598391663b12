"""Single sign-on's settings and the store account a provider's email maps to."""

from __future__ import annotations

import pytest

from sharedmap.errors import AuthenticationError
from sharedmap.publishing import auth, sso

SETTINGS = {
    "redirect_uri": "https://map.example/oauth2callback",
    "cookie_secret": "s" * 32,
    "client_id": "id",
    "client_secret": "secret",
    "server_metadata_url": "https://login.example/.well-known/openid-configuration",
}


@pytest.mark.parametrize(
    ("section", "missing"),
    [
        (None, list(sso.REQUIRED)),
        ({}, list(sso.REQUIRED)),
        (SETTINGS, []),
        ({**SETTINGS, "client_secret": " "}, ["client_secret"]),
        ({k: v for k, v in SETTINGS.items() if k != "redirect_uri"}, ["redirect_uri"]),
    ],
)
def test_missing_settings(section, missing):
    assert sso.missing_settings(section) == missing
    assert sso.configured(section) is (not missing)


def test_an_email_maps_to_its_account_whatever_its_case(store, register):
    made = auth.create_user(store, "jo@e-lindsey.gov.uk", "correct horse battery", "officer", "ELI", register)
    assert sso.account(store, " Jo@E-Lindsey.gov.uk ") == made


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("nobody@e-lindsey.gov.uk", r"as nobody@e-lindsey\.gov\.uk, but there is no officer or reviewer account"),
        ("", "did not tell us your email address"),
        (None, "did not tell us your email address"),
    ],
)
def test_an_email_without_an_account_is_refused(store, email, message):
    with pytest.raises(AuthenticationError, match=message):
        sso.account(store, email)
