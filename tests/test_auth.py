"""Accounts in the store: Argon2 hashes, roles, and sign-in throttling that holds across replicas."""

from __future__ import annotations

from datetime import timedelta

import pytest
from store_fixtures import PASSWORD, snapshot

from sharedmap.errors import AuthenticationError, PermissionDeniedError, StoreError
from sharedmap.publishing import auth, db
from sharedmap.publishing.store import Store

OFFICER = "officer@eastlindsey.gov.uk"


@pytest.fixture
def officer(store, register):
    return auth.create_user(store, OFFICER, PASSWORD, "officer", "ELI", register)


def test_an_account_signs_in_with_its_password(store, officer):
    assert (officer.role, officer.council_id) == (auth.Role.OFFICER, "ELI")
    user = auth.authenticate(store, "  Officer@EastLindsey.gov.uk ", PASSWORD)
    assert (user.id, user.email) == (officer.id, OFFICER)
    assert auth.get_user(store, OFFICER).last_sign_in_at is not None
    assert auth.get_user(store, "nobody@example.org") is None


def test_passwords_are_stored_as_argon2id_hashes_only(store, officer):
    with store.read() as conn:
        stored = conn.execute(db.users.select()).one().password_hash
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_the_default_profile_is_rfc_9106_and_weaker_hashes_are_upgraded_on_sign_in(store, officer, monkeypatch):
    monkeypatch.setenv("SHAREDMAP_ARGON2_PROFILE", "RFC_9106_LOW_MEMORY")
    auth.authenticate(store, OFFICER, PASSWORD)
    with store.read() as conn:
        stored = conn.execute(db.users.select()).one().password_hash
    assert "m=65536,t=3,p=4" in stored
    assert auth.authenticate(store, OFFICER, PASSWORD).email == OFFICER


def test_an_unknown_argon2_profile_is_named(monkeypatch):
    monkeypatch.setenv("SHAREDMAP_ARGON2_PROFILE", "FASTEST")
    with pytest.raises(StoreError, match="'FASTEST' is not a profile"):
        auth.hasher()


@pytest.mark.parametrize(
    ("email", "password"),
    [
        (OFFICER, "wrong password!"),
        ("nobody@eastlindsey.gov.uk", PASSWORD),
    ],
)
def test_wrong_email_or_password_get_the_same_answer(store, officer, email, password):
    with pytest.raises(AuthenticationError, match="^wrong email or password$"):
        auth.authenticate(store, email, password)


@pytest.mark.parametrize(("failures", "seconds"), [(1, 0), (4, 0), (5, 30), (6, 60), (7, 120), (12, 3600), (40, 3600)])
def test_lock_grows_with_each_failure_after_five(failures, seconds):
    assert auth.lock_seconds(failures) == seconds


def test_five_failures_lock_the_account_across_replicas(store_url, store, officer):
    for _ in range(4):
        with pytest.raises(AuthenticationError, match="^wrong email or password$"):
            auth.authenticate(store, OFFICER, "wrong password!")
    with pytest.raises(AuthenticationError, match="locked for 30 seconds"):
        auth.authenticate(store, OFFICER, "wrong password!")
    replica = Store.open(store_url)  # another app process on the same database
    with pytest.raises(AuthenticationError, match=r"too many failed sign-ins .* try again in (30|31) seconds"):
        auth.authenticate(replica, OFFICER, PASSWORD)
    later = db.utcnow() + timedelta(seconds=31)
    with pytest.raises(AuthenticationError, match="locked for 60 seconds"):
        auth.authenticate(replica, OFFICER, "wrong again!!", now=later)
    much_later = later + timedelta(seconds=61)
    assert auth.authenticate(replica, OFFICER, PASSWORD, now=much_later).email == OFFICER
    with pytest.raises(AuthenticationError, match="^wrong email or password$"):  # the count starts again
        auth.authenticate(store, OFFICER, "wrong password!", now=much_later)
    locks = [e for e in store.audit_log() if e.action == "sign_in_locked"]
    assert [e.detail for e in locks] == ["6 failed sign-ins; locked for 60 s", "5 failed sign-ins; locked for 30 s"]
    replica.close()


def test_a_success_resets_the_count(store, officer):
    for _ in range(4):
        with pytest.raises(AuthenticationError):
            auth.authenticate(store, OFFICER, "wrong password!")
    auth.authenticate(store, OFFICER, PASSWORD)
    for _ in range(4):
        with pytest.raises(AuthenticationError, match="^wrong email or password$"):
            auth.authenticate(store, OFFICER, "wrong password!")


def test_a_new_password_lifts_the_lock(store, officer):
    for _ in range(5):
        with pytest.raises(AuthenticationError):
            auth.authenticate(store, OFFICER, "wrong password!")
    auth.set_password(store, OFFICER, "a brand new passphrase")
    assert auth.authenticate(store, OFFICER, "a brand new passphrase").email == OFFICER
    with pytest.raises(StoreError, match="no account for nobody@example.org"):
        auth.set_password(store, "nobody@example.org", "a brand new passphrase")


@pytest.mark.parametrize(
    ("email", "password", "role", "council", "message"),
    [
        ("not-an-email", PASSWORD, "officer", "ELI", "'not-an-email' is not an email address"),
        ("x@boston.gov.uk", PASSWORD, "admin", None, "role must be officer or reviewer"),
        ("x@boston.gov.uk", PASSWORD, "officer", None, "an officer account needs --council"),
        ("x@boston.gov.uk", PASSWORD, "officer", "ZZZ", "'ZZZ' is not a council id in the register"),
        ("x@boston.gov.uk", "short", "reviewer", None, "at least 10 characters"),
        ("longer.name@boston.gov.uk", "Longer.Name@Boston.gov.uk", "reviewer", None, "must not be the email address"),
        (OFFICER, PASSWORD, "reviewer", None, f"an account for {OFFICER} already exists"),
    ],
)
def test_bad_accounts_are_refused_and_nothing_changes(
    store, officer, register, email, password, role, council, message
):
    before = snapshot(store)
    with pytest.raises(AuthenticationError, match=message):
        auth.create_user(store, email, password, role, council, register)
    assert snapshot(store) == before


def test_roles_decide_what_a_user_may_do(store, officer, register):
    reviewer = auth.create_user(store, "reviewer@lga.gov.uk", PASSWORD, "reviewer", register=register)
    assert auth.require_role(officer, auth.Role.OFFICER, "upload") is officer
    assert auth.require_role(reviewer, auth.Role.OFFICER, "upload") is reviewer
    with pytest.raises(
        PermissionDeniedError, match="only a reviewer may approve; officer@eastlindsey.gov.uk is an officer"
    ):
        auth.require_role(officer, auth.Role.REVIEWER, "approve")
    with pytest.raises(PermissionDeniedError, match="^sign in to upload$"):
        auth.require_role(None, auth.Role.OFFICER, "upload")
    assert [u.email for u in auth.list_users(store)] == [OFFICER, "reviewer@lga.gov.uk"]
