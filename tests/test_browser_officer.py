"""The officer's path in a real browser (Debian's Chromium driven by Playwright) against two real
`streamlit run app.py` servers on one temporary SQLite store:

- an officer signs in, uploads a messy CSV (one ambiguous council fixed on the page by picking a suggestion) with a
  partnership named ``<img src=x onerror=alert(1)>`` and another with ``<script>`` in its description, previews,
  submits; a reviewer (another browser context) approves; the public Map and Data pages then show that name as
  text in the link's tooltip, the panel and the tables, and no script runs;
- the second server shows the new version on its visitor's next interaction, without a restart;
- single sign-on through a local OpenID provider (oidc-provider-mock): a council email with an account is signed
  in, one without is told what to do, and signing out ends the session.

Screenshots of the upload page (messy file), the preview and the review page go to test-output/.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from browser_fixtures import (
    LOCAL_HOSTS,
    LOW_CONTRAST,
    OUTPUT,
    free_port,
    map_frame,
    point_of,
    streamlit_servers,
    tooltip_text,
)
from store_fixtures import ACCOUNTS, PASSWORD

from sharedmap.maps import assets
from sharedmap.publishing import auth
from sharedmap.publishing.dataset import load_seed
from sharedmap.publishing.store import Store
from sharedmap.validate import slugify

pytestmark = pytest.mark.browser
pytest.importorskip("playwright.sync_api")

ELI, REVIEWER = "officer@eastlindsey.gov.uk", "reviewer@lga.gov.uk"
SLOW_CI_MS = 45_000  # a wait ends as soon as its text shows; this only bounds a slow, loaded machine
IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>window.__xss=1</script>"
IMG_ID = slugify(IMG)
NEW_ROWS = [
    {
        "name": IMG,
        "councils": "East Lindsey District Council; Boston Borough Council",
        "services": "Legal",
        "status": "operational",
        "start": "2023",
        "savings": "£50,000 annual",
        "source_url": "https://www.e-lindsey.gov.uk/legal",
        "description": "Shared legal team.",
    },
    {
        "name": "Lincolnshire shared planning",
        "councils": "Lindsey DC; South Holland",
        "services": "Planning",
        "status": "planned",
        "start": "2025/26",
        "description": f"Joint local plan {SCRIPT}",
    },
]
NO_SCRIPT_RAN = """() => typeof window.__xss === "undefined" &&
    !Array.from(document.querySelectorAll("img")).some(i => i.getAttribute("src") === "x")"""


@pytest.fixture(scope="module")
def store(tmp_path_factory, seed_file):
    """A temporary SQLite store: the six real seed partnerships as version 1, an officer and a reviewer."""
    url = f"sqlite:///{tmp_path_factory.mktemp('officer_store') / 'store.sqlite'}"
    store = Store.open(url)
    store.ensure_seeded(load_seed(seed_file), seed_file.name, "0" * 64)
    for email in (ELI, REVIEWER):
        auth.create_user(store, email, PASSWORD, *ACCOUNTS[email])
    yield store
    store.close()


@pytest.fixture(scope="module")
def provider():
    """oidc-provider-mock on a free localhost port, in this process: it shows a form where one types the subject
    (used as the email claim)."""
    from oidc_provider_mock import run_server_in_thread

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # plain http on localhost
        with run_server_in_thread(port=0) as server:
            yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def servers(tmp_path_factory, store, provider, seed_file):
    """Two app servers on the one store: the first with single sign-on configured in a temporary secrets.toml
    (given with --secrets.files), the second without. Their base URLs (the first as localhost, the address its
    redirect_uri names, so the sign-in cookie comes back to it)."""
    missing = assets.missing_files()
    if missing:
        pytest.fail(f"map assets missing ({', '.join(missing)}): run `python -m sharedmap assets install`")
    folder = tmp_path_factory.mktemp("officer_servers")
    ports = [free_port(), free_port()]
    secrets = folder / "secrets.toml"
    secrets.write_text(f"""[auth]
redirect_uri = "http://localhost:{ports[0]}/oauth2callback"
cookie_secret = "a-test-cookie-secret-that-is-long-enough"
client_id = "shared-services-map"
client_secret = "test-client-secret"
server_metadata_url = "{provider}/.well-known/openid-configuration"
""")
    env = {"SHAREDMAP_DATABASE_URL": str(store.engine.url), "SHAREDMAP_PARTNERSHIPS": str(seed_file)}
    with streamlit_servers(folder, (env, ["--secrets.files", str(secrets)]), (env, []), ports=ports) as (a, b):
        yield a.replace("127.0.0.1", "localhost"), b


@pytest.fixture
def new_context(browser):
    """Browser contexts (separate sessions and cookies); a JavaScript dialog anywhere fails the test, and requests
    that would leave this machine are stopped and recorded."""
    contexts, dialogs, leaving = [], [], []

    def block(route):
        leaving.append(route.request.url)
        route.abort()

    def make():
        context = browser.new_context(viewport={"width": 1400, "height": 1800})
        context.set_default_timeout(SLOW_CI_MS)
        context.route(
            lambda url: (
                re.match(r"^(https?|wss?)://", url) and re.match(r"^\w+://([^/:]+)", url).group(1) not in LOCAL_HOSTS
            ),
            block,
        )
        context.on("page", lambda page: page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss())))
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    assert dialogs == [], f"a script ran and opened a dialog: {dialogs}"
    # the only request for another host is the mock provider's own stylesheet (a CDN link in its page)
    assert all(url.startswith("https://cdn.jsdelivr.net/npm/@picocss/") for url in leaving), leaving


def open_page(context, url: str):
    page = context.new_page()
    page.goto(url)
    return page


def sign_in(page, email: str) -> None:
    page.get_by_role("textbox", name="Email").fill(email)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_text(re.compile("^Signed in as")).wait_for()


def officer_file(seed_rows) -> bytes:
    """East Lindsey's partnerships: SS001 as published, SS002 left out (so withdrawn), two new ones."""
    columns = list(seed_rows[0])
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns)
    writer.writeheader()
    writer.writerow(seed_rows[0])
    for row in NEW_ROWS:
        writer.writerow({**dict.fromkeys(columns, ""), **row})
    return buffer.getvalue().encode("utf-8")


def shot(page, name: str) -> None:
    OUTPUT.mkdir(exist_ok=True)
    page.wait_for_timeout(400)
    page.screenshot(path=str(OUTPUT / name), full_page=True)


GRID_TEXT = """() => Array.from(document.querySelectorAll("[data-testid='stDataFrame'] table"))
    .map(t => t.innerText).join(" ")"""


def wait_for_grid_text(page, *texts: str) -> None:
    """Wait until the page's st.dataframe grids show these texts, read from the grid's accessible table (what a
    screen reader gets)."""
    page.wait_for_function(
        f"texts => texts.every(text => ({GRID_TEXT})().includes(text))", arg=list(texts), polling=250
    )


def grid_text_scrolled(page) -> str:
    """Every cell of the page's first grid: only the columns in view are in its accessible table, so scroll it
    across, half a view at a time."""
    scroller = page.locator("[data-testid='stDataFrame'] .dvn-scroller").first
    width, view = scroller.evaluate("e => [e.scrollWidth, e.clientWidth]")
    seen = []
    for left in range(0, width, max(view // 2, 1)):
        scroller.evaluate("(e, left) => { e.scrollLeft = left; }", left)
        page.wait_for_timeout(250)
        seen.append(page.evaluate(GRID_TEXT))
    return " ".join(seen)


def no_script_ran(page) -> None:
    for frame in page.frames:
        assert frame.evaluate(NO_SCRIPT_RAN), f"a script from the data ran, or an <img src=x> exists, in {frame.url}"


def test_the_officers_path_with_html_in_the_data(new_context, servers, store, seed_rows):
    app, other = servers
    # visitors already on the Data page of each server, before the publish
    visitors = [open_page(new_context(), base + "/data") for base in (app, other)]
    for visitor in visitors:
        visitor.get_by_text("The 6 partnerships in view").wait_for()

    officer = open_page(new_context(), app + "/upload")
    sign_in(officer, ELI)
    officer.locator("input[type=file]").set_input_files(
        files=[{"name": "east-lindsey.csv", "mimeType": "text/csv", "buffer": officer_file(seed_rows)}]
    )
    officer.get_by_text("1 of 3 rows of east-lindsey.csv have errors").wait_for()
    picker = officer.get_by_role("combobox", name=re.compile("Replace “Lindsey DC” in row 4"))
    picker.wait_for()
    shot(officer, "officer-upload-messy.png")
    assert officer.get_by_text("Error in councils: Unknown council 'Lindsey DC'").count() == 1
    assert officer.evaluate(LOW_CONTRAST) == []
    picker.click()
    officer.get_by_role("option", name="East Lindsey District Council").click()
    officer.get_by_role("button", name="Use this name").click()
    officer.get_by_text("All 3 rows of east-lindsey.csv are valid. 1 name fixed on this page.").wait_for()
    officer.get_by_text("What would change on the map").wait_for()
    officer.get_by_text(re.compile("withdraw published ones missing from it")).click()  # off until chosen
    officer.get_by_text(re.compile("^Submitting would withdraw 1 published partnership")).wait_for()
    shot(officer, "officer-preview.png")
    assert "Withdrawn (1)" in officer.inner_text("body")
    wait_for_grid_text(officer, IMG)
    officer.get_by_role("button", name="Submit for review").click()
    officer.get_by_text(re.compile("^Submitted as submission 1 ")).wait_for()
    no_script_ran(officer)

    reviewer = open_page(new_context(), app + "/review")
    sign_in(reviewer, REVIEWER)
    reviewer.get_by_text("Pending submissions (1)").wait_for()
    wait_for_grid_text(reviewer, IMG)
    shot(reviewer, "officer-review.png")
    assert reviewer.evaluate(LOW_CONTRAST) == []
    reviewer.get_by_label(re.compile("^Comment")).fill("Checked against the councils' pages")
    reviewer.get_by_role("button", name="Approve and publish").click()
    reviewer.get_by_text(re.compile("published as version 2")).wait_for()
    assert store.current()[0] == 2 and IMG in {p.name for p in store.partnerships()}

    public = open_page(new_context(), app + f"/?partnership={IMG_ID}")
    frame = map_frame(public)
    public.get_by_role("heading", name=IMG).wait_for()  # the panel's heading, as text
    assert public.get_by_text(IMG, exact=True).count() >= 2  # heading and card
    public.mouse.move(1, 1)
    assert IMG in tooltip_text(public, frame, point_of(frame, "p", IMG_ID))
    public.get_by_role("tab", name="Partnerships (table)").click()
    wait_for_grid_text(public, IMG)
    no_script_ran(public)

    data = open_page(new_context(), app + "/data")
    data.get_by_text("The 7 partnerships in view").wait_for()
    wait_for_grid_text(data, IMG)
    assert SCRIPT in grid_text_scrolled(data)
    no_script_ran(data)

    for visitor in visitors:  # their next click shows the new version, on both servers, without a restart
        visitor.get_by_role("button", name="Clear filters").click()
        visitor.get_by_text("The 7 partnerships in view").wait_for()
        wait_for_grid_text(visitor, IMG)


def test_single_sign_on_with_a_local_openid_provider(new_context, servers, provider):
    app, _other = servers

    def sign_in_with_provider(email: str, screenshot: str = ""):
        page = open_page(new_context(), app + "/sign_in")
        button = page.get_by_role("button", name="Sign in with your council account")
        button.wait_for()
        if screenshot:
            shot(page, screenshot)
            assert page.evaluate(LOW_CONTRAST) == []
        button.click()
        page.wait_for_url(f"{provider}/oauth2/authorize*")
        page.fill("input[name=sub]", email)
        page.get_by_role("button", name="Authorize").click()
        page.wait_for_url(re.compile(re.escape(app) + r"/(\?.*)?$"))
        page.goto(app + "/upload")
        return page

    page = sign_in_with_provider(ELI, "officer-sign-in.png")
    page.get_by_text(re.compile("^Signed in as")).wait_for()
    page.locator("input[type=file]").wait_for(state="attached")  # the upload form is there
    assert f"Signed in as {ELI}, officer for East Lindsey District Council." in page.inner_text("body")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{provider}/oauth2/end_session*")
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(re.compile(re.escape(app)))
    page.goto(app + "/upload")
    page.get_by_role("button", name="Sign in with your council account").wait_for()
    assert page.locator("input[type=file]").count() == 0

    stranger = sign_in_with_provider("stranger@eastlindsey.gov.uk")
    stranger.get_by_text(re.compile("no officer or reviewer account")).wait_for()
    assert stranger.locator("input[type=file]").count() == 0
