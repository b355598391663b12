"""Under CI (``CI`` set, as .ci/run does) a skip is a failure naming what to install; elsewhere skips stay, each
with its reason (docs/testing.md). Loaded through ``pytest_plugins`` in conftest.py."""

from __future__ import annotations

import os

import pytest

INSTALL_HINTS = {
    "Chromium": "apt-get install chromium (dev.py does it as root)",
    "playwright": "pip install -r requirements-dev.txt",
    "PostgreSQL": "apt-get install postgresql (initdb, pg_ctl) and start the server on 127.0.0.1:5432",
    "initdb": "apt-get install postgresql (initdb, pg_ctl)",
    "shared data": "put ../shared/data beside the checkout, or python -m sharedmap boundaries fetch",
}


def _under_ci() -> bool:
    return bool(os.environ.get("CI"))


def _ci_failure(reason: str) -> str:
    hint = next((h for key, h in INSTALL_HINTS.items() if key.lower() in reason.lower()), "install what it names")
    return f"skipped under CI, which must run every test: {reason} — {hint}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI (``CI`` set, as .ci/run does) a skip is a failure naming what to install; elsewhere skips stay,
    each with its reason (docs/testing.md)."""
    outcome = yield
    report = outcome.get_result()
    if _under_ci() and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = _ci_failure(reason)


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    """A module skipped at collection (``importorskip``) fails under CI too."""
    outcome = yield
    report = outcome.get_result()
    if _under_ci() and report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = _ci_failure(reason)
