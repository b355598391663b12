"""A reader reports a mistake from a static council page, in a real browser (Debian's Chromium through Playwright),
against a real `streamlit run app.py` on a temporary SQLite store: the council page (served by a plain file server,
as a CDN would) links to the app's report page with the council filled in; the report is refused without a source
link, then sent; a reviewer sees it as text (the HTML in it never runs) and dismisses it, deleting the email. A
second report is made into a submission and published: the app rebuilds the static site in the background, and its
map panel, the council page and both feeds (the site's and Boston's) show the partnership ended.

Screenshots of the static page's link, the filled-in form and the reviewers' queue go to test-output/.
"""

from __future__ import annotations

import csv
import io
import re
import time
from pathlib import Path

import feedparser
import pytest
from browser_fixtures import LOCAL_HOSTS, OUTPUT, static_server, streamlit_servers
from store_fixtures import ACCOUNTS, PASSWORD

from sharedmap.publishing import auth, reports
from sharedmap.publishing.dataset import load_seed
from sharedmap.publishing.store import Store
from sharedmap.site import build

pytestmark = pytest.mark.browser
pytest.importorskip("playwright.sync_api")

REVIEWER, SECOND, BOSTON = "reviewer@lga.gov.uk", "second.reviewer@lga.gov.uk", "E07000136"
IMG = "<img src=x onerror=alert(1)>"
WAIT_MS = 45_000


@pytest.fixture(scope="module")
def store(tmp_path_factory, seed_file):
    url = f"sqlite:///{tmp_path_factory.mktemp('report_store') / 'store.sqlite'}"
    store = Store.open(url)
    store.ensure_seeded(load_seed(seed_file), seed_file.name, "0" * 64)
    for email in (REVIEWER, SECOND):
        auth.create_user(store, email, PASSWORD, *ACCOUNTS[email])
    yield store
    store.close()


def shot(page, name: str) -> None:
    OUTPUT.mkdir(exist_ok=True)
    page.wait_for_timeout(400)
    page.screenshot(path=str(OUTPUT / name), full_page=True)


def sign_in(page, email: str) -> None:
    page.get_by_role("textbox", name="Email").fill(email)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_text(re.compile("^Signed in as")).wait_for()


def ended_row(prefilled: bytes) -> bytes:
    """The reviewer's edit of the prefilled row: the partnership ended in March 2025, as the report's source says."""
    rows = list(csv.DictReader(io.StringIO(prefilled.decode("utf-8-sig"))))
    rows[0].update(
        status="ended",
        end="2025-03",
        status_source_url="https://www.boston.gov.uk/minutes-2025",
        status_source_date="2025-03-31",
        status_evidence="Council minutes, March 2025: the alliance ends",
    )
    out = io.StringIO()
    writer = csv.DictWriter(out, list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def test_readers_report_from_a_static_council_page_and_reviewers_dismiss_one_and_publish_another(
    browser, store, seed_file, register, tmp_path, monkeypatch
):
    output = tmp_path / "site"
    env = {
        "SHAREDMAP_DATABASE_URL": str(store.engine.url),
        "SHAREDMAP_PARTNERSHIPS": str(seed_file),
        "SHAREDMAP_SITE_DIR": str(output),
    }
    with streamlit_servers(tmp_path, (env, [])) as (app,):
        monkeypatch.setenv("SHAREDMAP_PUBLIC_URL", app)
        env["SHAREDMAP_PUBLIC_URL"] = app
        first = build.rebuild_published(store, register, output=output)  # the real site, as a CDN would serve it
        dialogs: list[str] = []
        context = browser.new_context(viewport={"width": 1300, "height": 1400})
        context.set_default_timeout(WAIT_MS)
        context.route(
            lambda url: (
                bool(re.match(r"^\w+://([^/:]+)", url))
                and re.match(r"^\w+://([^/:]+)", url).group(1) not in LOCAL_HOSTS
            ),
            lambda route: route.abort(),
        )
        context.on("page", lambda page: page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss())))
        with static_server(output) as site:
            page = context.new_page()
            page.goto(f"{site}/council/{BOSTON}.html")
            link = page.get_by_role("link", name="Something wrong or missing? Tell us")
            assert link.get_attribute("href") == f"{app}/report?council={BOSTON}"
            shot(page, "report-static-link.png")
            link.click()
        page.get_by_role("heading", name="Something wrong or missing? Tell us").wait_for()
        page.get_by_role("button", name="Send the report").wait_for()
        shot(page, "report-form-opened.png")
        # the council comes filled in from the link: the report sent below is about Boston (council_id BOT)
        page.get_by_text("whether it still runs (its status)").click()
        page.get_by_label("What is wrong or missing").fill(f"It ended in March 2025 {IMG}")
        page.get_by_label(re.compile("^Your email")).fill("reader@example.org")
        page.get_by_role("button", name="Send the report").click()
        page.get_by_text(re.compile("needs a public source link")).wait_for()
        page.get_by_label(re.compile("^A public source link")).fill("https://www.boston.gov.uk/minutes-2025")
        page.get_by_role("button", name="Send the report").click()
        page.get_by_text("Thank you: report 1 is with the reviewers.").wait_for()
        shot(page, "report-form-sent.png")
        [queued] = reports.suggestions_list(store)
        assert (queued.council_id, queued.about, queued.email) == ("BOT", "status", "reader@example.org")

        reviewer = context.new_page()
        reviewer.goto(f"{app}/review")
        sign_in(reviewer, REVIEWER)
        reviewer.get_by_role("tab", name="Reports from the public (1)").click()
        reviewer.get_by_text(f"It ended in March 2025 {IMG}").wait_for()  # the HTML shown as the text it is
        assert reviewer.evaluate("() => !Array.from(document.images).some(i => i.getAttribute('src') === 'x')")
        reviewer.get_by_text("reader@example.org").wait_for()
        shot(reviewer, "report-review-queue.png")
        reviewer.get_by_label("Why dismiss it").fill("The council confirmed it still runs")
        reviewer.get_by_label("Why dismiss it").press("Enter")
        reviewer.get_by_role("button", name="Dismiss").click()
        reviewer.get_by_text("Report 1 dismissed.").wait_for()
        assert reports.suggestion(store, 1).email is None

        # a second report, about the partnership, is made into a submission from its prefilled row and published
        page.goto(f"{app}/report?partnership=SS001")
        page.get_by_text("whether it still runs (its status)").click()
        page.get_by_label("What is wrong or missing").fill("The alliance ended in March 2025")
        page.get_by_label(re.compile("^A public source link")).fill("https://www.boston.gov.uk/minutes-2025")
        page.get_by_role("button", name="Send the report").click()
        page.get_by_text("Thank you: report 2 is with the reviewers.").wait_for()
        reviewer.reload()  # a new session: sign in again
        sign_in(reviewer, REVIEWER)
        reviewer.get_by_role("tab", name="Reports from the public (1)").click()
        with reviewer.expect_download() as download:
            reviewer.get_by_role("button", name="Prefilled row (CSV)").click()
        prefilled = Path(download.value.path()).read_bytes()
        assert b"Report 2" in prefilled and b"SS001" in prefilled
        upload = context.new_page()
        upload.goto(f"{app}/upload")
        sign_in(upload, REVIEWER)
        upload.locator("input[type=file]").set_input_files(
            files=[{"name": "report-2.csv", "mimeType": "text/csv", "buffer": ended_row(prefilled)}]
        )
        upload.get_by_text("What would change on the map").wait_for()
        upload.get_by_role("button", name="Submit for review").click()
        upload.get_by_text(re.compile("^Submitted as submission 1 ")).wait_for()
        reviewer.reload()
        sign_in(reviewer, REVIEWER)
        reviewer.get_by_role("tab", name="Reports from the public (1)").click()
        reviewer.get_by_role("button", name="Close as submitted").click()
        reviewer.get_by_text("Report 2 closed as submission 1.").wait_for()
        context.close()

        second = browser.new_context(viewport={"width": 1300, "height": 1400})
        second.set_default_timeout(WAIT_MS)
        approver = second.new_page()
        approver.goto(f"{app}/review")
        sign_in(approver, SECOND)
        approver.get_by_role("button", name="Approve and publish").click()
        approver.get_by_text(re.compile("published as version 2")).wait_for()
        # the app rebuilds the static site in the background; its map, council page and feeds show the ending
        deadline = time.monotonic() + 120
        while build.live_label(output) == first.label and time.monotonic() < deadline:
            time.sleep(0.5)
        assert build.live_label(output) != first.label
        ended = "Boston and East Lindsey Strategic Alliance ended (March 2025)"
        for feed in (output / "changes.atom", output / "council" / f"{BOSTON}.atom"):
            parsed = feedparser.parse(feed.read_bytes())
            assert not parsed.bozo and ended in parsed.entries[0].content[0].value
        with static_server(output) as site:
            after = second.new_page()
            after.goto(f"{site}/council/{BOSTON}.html")
            after.get_by_text(re.compile("ended \\(March 2025\\)")).first.wait_for()
            after.goto(f"{site}/index.html#council={BOSTON}")
            after.locator("#panel").get_by_text(re.compile("ended \\(March 2025\\)")).first.wait_for()
            shot(after, "report-published-site-panel.png")
        second.close()
    assert dialogs == []
    closed = reports.suggestion(store, 2)
    assert (closed.status, closed.email, closed.submission_id) == ("accepted", None, 1)
    alliance = next(p for p in store.partnerships() if p.id == "SS001")
    assert (alliance.status.value, alliance.end.iso()) == ("ended", "2025-03")
