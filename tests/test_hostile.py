"""The hostile corpus (tests/hostile/) through `validate`, `import` and the upload page, on SQLite and PostgreSQL:
every file ends with its expected outcome and a clean message, never a traceback, and a refused file changes
nothing. The large files are generated once per session into a temporary folder.
"""

from __future__ import annotations

import contextlib
import io
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from hostile.generate import FILES, issue19_files, large_files, read_expectations, small_files, write
from store_fixtures import ACCOUNTS, PASSWORD

from sharedmap.cli.commands import main
from sharedmap.publishing import auth
from sharedmap.publishing.store import Store, close_open_stores
from sharedmap.renderable import drawable

BOSTON, REVIEWER = "officer@boston.gov.uk", "reviewer@lga.gov.uk"
EXPECTED = read_expectations()
EXIT_CODES = {"ok": 0, "rows": 1, "file": 2}


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> dict[str, Path]:
    """Every hostile file by name: the committed small ones, and the large ones written once for the session."""
    paths = {path.name: path for path in FILES.iterdir()}
    for path in write(large_files(), tmp_path_factory.mktemp("hostile_large")):
        paths[path.name] = path
    return paths


def run_cli(argv: list[str], stdin: str = "") -> tuple[int, str]:
    """Exit code and everything printed; any exception other than SystemExit fails the test with its traceback."""
    out, err = io.StringIO(), io.StringIO()
    real_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    finally:
        sys.stdin = real_stdin
    return code, out.getvalue() + err.getvalue()


def test_the_corpus_holds_at_least_sixty_files_each_with_its_expected_outcome(corpus):
    assert len(corpus) >= 60
    assert len(issue19_files()) >= 75, "issue 19's own files, beside the 25 added with its first fixes"
    assert set(corpus) == set(EXPECTED), "every file needs a row in tests/hostile/expectations.csv, and back"
    assert set(small_files()) == {p.name for p in FILES.iterdir()}, "run python tests/hostile/generate.py"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_validate_ends_every_file_with_a_clean_message(corpus, name):
    expected = EXPECTED[name]
    code, output = run_cli(["validate", str(corpus[name])])
    assert code == EXIT_CODES[expected["validate"]], output[:500]
    scoping = expected["validate"] == "ok" and expected["import"] == "refused"  # the message is import's
    preview = expected["message"].startswith("figures: ")  # a figure as read, in import's preview
    assert scoping or preview or expected["message"] in output
    assert "Traceback" not in output and "\x1b" not in output and "\u202e" not in output


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def hostile_store(request, tmp_path_factory, seed_file, seed_partnerships, register):
    """One seeded store per backend for the whole corpus, with the accounts; the CLI and pages open it."""
    if request.param == "sqlite":
        url, drop = f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'store.sqlite'}", None
    else:
        server = request.getfixturevalue("postgres_server")
        schema = f"test_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(server)
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url, drop = f"{server}?options=-csearch_path%3D{schema}", (admin, schema)
    store = Store.open(url)
    store.ensure_seeded(seed_partnerships, seed_file.name, "0" * 64)
    for email, (role, council) in ACCOUNTS.items():
        auth.create_user(store, email, PASSWORD, role, council, register)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SHAREDMAP_DATABASE_URL", url)
        patch.setenv("SHAREDMAP_PARTNERSHIPS", str(seed_file))
        yield store
    store.close()
    close_open_stores()
    if drop:
        admin, schema = drop
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_import_stages_or_refuses_every_file_cleanly_and_a_refusal_changes_nothing(corpus, hostile_store):
    failures = []
    for name in sorted(EXPECTED):
        expected = EXPECTED[name]
        before = len(hostile_store.submissions())
        code, output = run_cli(["import", str(corpus[name]), "--by", BOSTON, "--keep-missing"], PASSWORD + "\n")
        staged = len(hostile_store.submissions()) - before
        wanted = 1 if expected["import"] == "staged" else 0
        if staged != wanted or (code == 0) != bool(wanted) or "Traceback" in output or "\x1b" in output:
            failures.append(f"{name}: exit {code}, {staged} staged: {output[-300:]}")
        elif expected["message"] not in output:
            failures.append(f"{name}: {expected['message']!r} not in {output[-300:]!r}")
    assert not failures, "\n".join(failures)


def test_the_upload_page_shows_every_file_as_a_message_never_a_traceback(corpus, hostile_store):
    from streamlit.testing.v1 import AppTest

    import sharedmap.app.ui  # noqa: F401  (geopandas first, as test_officer_pages does)

    at = AppTest.from_file(str(Path(__file__).parent.parent / "pages" / "upload.py"), default_timeout=60).run()
    at.text_input(key="sign_in_email").input(BOSTON)
    at.text_input(key="sign_in_password").input(PASSWORD)
    at = at.button(key="FormSubmitter:sign_in-Sign in").click().run()
    failures = []
    for name in sorted(EXPECTED):
        expected = EXPECTED[name]
        at.file_uploader[0].set_value((name, corpus[name].read_bytes(), "text/csv")).run()
        errors = [e.value.replace("\\", "") for e in at.error]
        shown = "\n".join([*errors, *(m.value.replace("\\", "") for m in at.markdown)])
        if at.exception:
            failures.append(f"{name}: {at.exception[0].message}")
        elif expected["validate"] == "file":
            if not (errors and errors[0].startswith("This file cannot be read") and expected["message"] in errors[0]):
                failures.append(f"{name}: {errors}")
        elif expected["validate"] == "rows":
            if "have errors: fix them below" not in shown or "3. What would change" in [s.value for s in at.subheader]:
                failures.append(f"{name}: rows with errors not shown as such")
        elif expected["import"] == "refused":
            if not (errors and errors[0].startswith("Refused: ") and expected["message"] in errors[0]):
                failures.append(f"{name}: {errors}")
        elif errors or "4. Submit for review" not in [s.value for s in at.subheader]:
            failures.append(f"{name}: {errors} {[s.value for s in at.subheader]}")
        if "\x1b" in shown:
            failures.append(f"{name}: an escape character reached the page")
    assert not failures, "\n".join(f[:300] for f in failures)


def test_what_was_staged_publishes_and_the_map_and_exports_still_work(hostile_store, register, tmp_path):
    staged = [s for s in hostile_store.submissions("pending")]
    assert len(staged) == sum(e["import"] == "staged" for e in EXPECTED.values())
    for submission in reversed(staged):  # the 2,000-row files are published by bench/hostile_files.py, not here
        verb = "reject" if "at_limit" in submission.file_name else "approve"
        extra = ["--reason", "too big for a test"] if verb == "reject" else []
        code, output = run_cli([verb, str(submission.id), "--by", REVIEWER, *extra], PASSWORD + "\n")
        assert code == 0, output[:500]
    partnerships, unreadable = hostile_store.readable()
    shown, unshown = drawable(partnerships, register)
    added = sum(s.counts["new"] for s in staged if "at_limit" not in s.file_name)
    assert not unreadable and not unshown and len(shown) == 6 + added
    for fmt in ("csv", "geojson", "xlsx"):
        code, output = run_cli(["export", "--format", fmt, "--output", str(tmp_path / f"map.{fmt}")])
        assert code == 0 and "Traceback" not in output, output
