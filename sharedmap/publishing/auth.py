"""Accounts kept in the store: officers and reviewers, Argon2 password hashes, and throttled sign-in.

Failed sign-ins are counted in the database (not in a process), so the throttle holds across app replicas:
after ``MAX_FAILURES`` in a row an account is locked for ``LOCK_SECONDS``, doubling with each further failure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache

import argon2
import sqlalchemy as sa
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from sharedmap import config, events
from sharedmap.errors import AuthenticationError, PermissionDeniedError, StoreError
from sharedmap.publishing import db
from sharedmap.publishing.db import users
from sharedmap.publishing.store import Store
from sharedmap.register import Register

MAX_FAILURES = 5
LOCK_SECONDS = 30
MAX_LOCK_SECONDS = 3600
MIN_PASSWORD_LENGTH = 10
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
WRONG_CREDENTIALS = "wrong email or password"


class Role(StrEnum):
    OFFICER = "officer"  # submits their own council's partnerships
    REVIEWER = "reviewer"  # submits any, approves or rejects others' submissions, rolls back


@dataclass(frozen=True)
class User:
    """A signed-in account. Only ``authenticate`` (password) or ``get_user`` (single sign-on) hand these out."""

    id: int
    email: str
    role: Role
    council_id: str | None
    created_at: datetime
    last_sign_in_at: datetime | None = None

    @property
    def is_reviewer(self) -> bool:
        return self.role == Role.REVIEWER


@cache
def _hasher(profile: str) -> argon2.PasswordHasher:
    parameters = getattr(argon2.profiles, profile, None)
    if not isinstance(parameters, argon2.Parameters):
        raise StoreError(
            f"SHAREDMAP_ARGON2_PROFILE={profile!r} is not a profile in argon2.profiles (e.g. RFC_9106_LOW_MEMORY)"
        )
    return argon2.PasswordHasher.from_parameters(parameters)


def hasher() -> argon2.PasswordHasher:
    return _hasher(config.get("SHAREDMAP_ARGON2_PROFILE"))


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password(password: str, email: str = "") -> None:
    """Refuse passwords too weak to be worth hashing, with the reason."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthenticationError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters long")
    if email and password.strip().lower() == normalise_email(email):
        raise AuthenticationError("the password must not be the email address")


def create_user(
    store: Store,
    email: str,
    password: str,
    role: Role | str,
    council_id: str | None = None,
    register: Register | None = None,
) -> User:
    """A new account; officers need a council (give its register id, or resolve a name with ``register``)."""
    email = normalise_email(email)
    if not EMAIL.match(email):
        raise AuthenticationError(f"{email!r} is not an email address")
    try:
        role = Role(role)
    except ValueError:
        raise AuthenticationError(f"role must be officer or reviewer (got {role!r})") from None
    if role == Role.OFFICER and not council_id:
        raise AuthenticationError(
            "an officer account needs --council: officers submit their own council's partnerships"
        )
    if council_id and register is not None and council_id not in register.councils:
        raise AuthenticationError(f"{council_id!r} is not a council id in the register")
    check_password(password, email)
    password_hash = hasher().hash(password)
    with store.write() as conn:
        if conn.execute(sa.select(users.c.id).where(users.c.email == email)).first():
            raise AuthenticationError(f"an account for {email} already exists")
        conn.execute(
            users.insert().values(
                email=email, role=role.value, council_id=council_id, password_hash=password_hash, created_at=db.utcnow()
            )
        )
        store.audit(
            conn,
            "user_add",
            None,
            detail=f"{email} as {role.value}" + (f" for council {council_id}" if council_id else ""),
        )
    user = get_user(store, email)
    if user is None:  # written in the transaction above, so only a concurrent delete could get here
        raise AuthenticationError(f"the account for {email} was removed as it was being added")
    return user


def set_password(store: Store, email: str, password: str) -> None:
    """Replace a password (and lift any sign-in lock): for the command line, which only the host can use."""
    email = normalise_email(email)
    check_password(password, email)
    password_hash = hasher().hash(password)
    with store.write() as conn:
        done = conn.execute(
            users.update()
            .where(users.c.email == email)
            .values(password_hash=password_hash, failed_sign_ins=0, locked_until=None)
        ).rowcount
        if not done:
            raise StoreError(f"there is no account for {email}")
        store.audit(conn, "user_password", None, detail=email)


def get_user(store: Store, email: str) -> User | None:
    """The account for an email, without a password: for single sign-on, where the provider vouched for it."""
    with store.read() as conn:
        row = conn.execute(sa.select(users).where(users.c.email == normalise_email(email))).one_or_none()
    return None if row is None else _user(row)


def list_users(store: Store) -> list[User]:
    with store.read() as conn:
        rows = conn.execute(sa.select(users).order_by(users.c.email)).all()
    return [_user(r) for r in rows]


@events.logged("sign_in")
def authenticate(store: Store, email: str, password: str, now: datetime | None = None) -> User:
    """The account whose password this is; AuthenticationError otherwise, or while the account is locked."""
    now = now or db.utcnow()
    email = normalise_email(email)
    with store.write() as conn:
        row = conn.execute(sa.select(users).where(users.c.email == email).with_for_update()).one_or_none()
        if row is None:
            _verify(_dummy_hash(), password)  # the same work as for a real account: no telling which emails exist
            raise AuthenticationError(WRONG_CREDENTIALS)
        locked_until = db.as_utc(row.locked_until)
        if locked_until and locked_until > now:
            wait = int((locked_until - now).total_seconds()) + 1
            raise AuthenticationError(f"too many failed sign-ins for {email}; try again in {wait} seconds")
        if _verify(row.password_hash, password):
            new_hash = hasher().hash(password) if hasher().check_needs_rehash(row.password_hash) else None
            conn.execute(
                users.update()
                .where(users.c.id == row.id)
                .values(
                    failed_sign_ins=0,
                    locked_until=None,
                    last_sign_in_at=now,
                    **({"password_hash": new_hash} if new_hash else {}),
                )
            )
            return _user(row)
        failures = row.failed_sign_ins + 1
        lock = lock_seconds(failures)
        conn.execute(
            users.update()
            .where(users.c.id == row.id)
            .values(failed_sign_ins=failures, locked_until=now + timedelta(seconds=lock) if lock else None)
        )
        if lock:
            store.audit(conn, "sign_in_locked", email, detail=f"{failures} failed sign-ins; locked for {lock} s")
    # outside the transaction, so the failure count is committed before we refuse
    if lock:
        raise AuthenticationError(
            f"{WRONG_CREDENTIALS}; after {failures} failed sign-ins the account is locked for {lock} seconds"
        )
    raise AuthenticationError(WRONG_CREDENTIALS)


def lock_seconds(failures: int) -> int:
    """How long the account is locked after this many failures in a row: 0 below the limit, then doubling."""
    if failures < MAX_FAILURES:
        return 0
    return min(LOCK_SECONDS * 2 ** (failures - MAX_FAILURES), MAX_LOCK_SECONDS)


def require_role(user: User | None, role: Role, action: str) -> User:
    """The user, if signed in with the role (a reviewer may do all an officer may); PermissionDeniedError if not."""
    if not isinstance(user, User):
        raise PermissionDeniedError(f"sign in to {action}")
    if role == Role.REVIEWER and not user.is_reviewer:
        raise PermissionDeniedError(f"only a reviewer may {action}; {user.email} is an {user.role.value}")
    return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    return hasher().hash("not-a-real-password-0")


def _user(row) -> User:
    return User(
        row.id, row.email, Role(row.role), row.council_id, db.as_utc(row.created_at), db.as_utc(row.last_sign_in_at)
    )
