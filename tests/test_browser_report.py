"""A reader reports a mistake from a static council page, in a real browser (Debian's Chromium through Playwright),
against a real `streamlit run app.py` on a temporary SQLite store: the council page (served by a plain file server,
as a CDN would) links to the app's report page with the council filled in; the report is refused without a source
link, then sent; a reviewer sees it as text (the HTML in it never runs) and dismisses it, deleting the email.

Screenshots of the static page's link, the filled-in form and the reviewers' queue go to test-output/.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from browser_fixtures import LOCAL_HOSTS, OUTPUT, static_server, streamlit_servers
from store_fixtures import ACCOUNTS, PASSWORD

from sharedmap.publishing import auth, reports
from sharedmap.publishing.dataset import load_seed
from sharedmap.publishing.store import Store
from sharedmap.site import pages

pytestmark = pytest.mark.browser
pytest.importorskip("playwright.sync_api")

REVIEWER, BOSTON = "reviewer@lga.gov.uk", "E07000136"
IMG = "<img src=x onerror=alert(1)>"
WAIT_MS = 45_000


@pytest.fixture(scope="module")
def store(tmp_path_factory, seed_file):
    url = f"sqlite:///{tmp_path_factory.mktemp('report_store') / 'store.sqlite'}"
    store = Store.open(url)
    store.ensure_seeded(load_seed(seed_file), seed_file.name, "0" * 64)
    auth.create_user(store, REVIEWER, PASSWORD, *ACCOUNTS[REVIEWER])
    yield store
    store.close()


def shot(page, name: str) -> None:
    OUTPUT.mkdir(exist_ok=True)
    page.wait_for_timeout(400)
    page.screenshot(path=str(OUTPUT / name), full_page=True)


def test_a_reader_reports_from_a_static_council_page_and_a_reviewer_dismisses_it(
    browser, store, seed_file, tmp_path, monkeypatch
):
    env = {"SHAREDMAP_DATABASE_URL": str(store.engine.url), "SHAREDMAP_PARTNERSHIPS": str(seed_file)}
    with streamlit_servers(tmp_path, (env, [])) as (app,):
        monkeypatch.setenv("SHAREDMAP_PUBLIC_URL", app)
        panel = SimpleNamespace(
            name="Boston Borough Council", kind="district", partnerships=[], code=BOSTON, savings=""
        )
        html = pages.render_page(
            "council.html.j2", SimpleNamespace(year=2025, skipped=()), {"site.css": "site.css"}, panel=panel
        )
        (tmp_path / "council").mkdir()
        (tmp_path / "council" / f"{BOSTON}.html").write_text(html, encoding="utf-8")
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
        with static_server(tmp_path) as site:
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
        reviewer.get_by_role("textbox", name="Email").fill(REVIEWER)
        reviewer.get_by_role("textbox", name="Password").fill(PASSWORD)
        reviewer.get_by_role("button", name="Sign in", exact=True).click()
        reviewer.get_by_role("tab", name="Reports from the public (1)").click()
        reviewer.get_by_text(f"It ended in March 2025 {IMG}").wait_for()  # the HTML shown as the text it is
        assert reviewer.evaluate("() => !Array.from(document.images).some(i => i.getAttribute('src') === 'x')")
        reviewer.get_by_text("reader@example.org").wait_for()
        shot(reviewer, "report-review-queue.png")
        reviewer.get_by_label("Why dismiss it").fill("The council confirmed it still runs")
        reviewer.get_by_label("Why dismiss it").press("Enter")
        reviewer.get_by_role("button", name="Dismiss").click()
        reviewer.get_by_text("Report 1 dismissed.").wait_for()
        context.close()
    assert dialogs == []
    closed = reports.suggestion(store, 1)
    assert (closed.status, closed.email) == ("dismissed", None)
