"""The static site's build: its files, the hashes in their names, escaping, the data files' shape, a record it
cannot render skipped and reported, an atomic swap that a failed build leaves untouched, and a rebuild on every
publish and rollback."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from pathlib import Path

import frictionless
import pytest
from store_fixtures import write_csv

from sharedmap.errors import SharedMapError
from sharedmap.publishing import announce, workflow
from sharedmap.site import build, follow_publishing, pages
from sharedmap.site.build import build_site, live_label

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>window.__xss=1</script>"
BOSTON = "E07000136"
BAD_LINK = "https://[evil.example/report"  # an unclosed IPv6 bracket: urlsplit raises on it
ELI, REVIEWER = "officer@eastlindsey.gov.uk", "reviewer@lga.gov.uk"


def hostile_and_broken(seed):
    """The real table, plus a Boston partnership named with the app's XSS payloads (and a source link no browser
    can open, shown without it) and one naming a council the register does not know (which the site cannot
    render)."""
    boston = next(p for p in seed if p.id == "SS001")
    hostile = boston.with_changes(
        id="SSX01", name=IMG, description=SCRIPT, source_title=SCRIPT, source_urls=(BAD_LINK, *boston.source_urls)
    )
    broken = boston.with_changes(id="SSBAD", council_ids=("NO-SUCH-COUNCIL", "BOT"))
    return [*seed, hostile, broken]


@pytest.fixture(scope="module")
def site(tmp_path_factory, seed, register):
    """The site of the hostile table, with a research log of three councils beside the table it was seeded from."""
    folder = tmp_path_factory.mktemp("site")
    log = (Path(__file__).parents[1] / "data" / "research_log.csv").read_text(encoding="utf-8").splitlines()
    (folder / "research_log.csv").write_text("\n".join(log[:4]) + "\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SHAREDMAP_PARTNERSHIPS", str(folder / "partnerships.csv"))
        return build_site(folder / "site", hostile_and_broken(seed), register, "v9-test", version=9)


def test_the_site_has_a_map_an_embed_a_page_per_council_and_the_data(site):
    root = site.path
    for name in (
        "index.html",
        "embed.html",
        f"council/{BOSTON}.html",
        "council/index.html",
        "data/index.html",
        "data/manifest.json",
        "build.json",
    ):
        assert (root / name).is_file(), name
    assert len(list((root / "council").glob("E*.html"))) > 300  # every council of the 2025 map
    assert live_label(root) == "v9-test" and root.is_symlink()


def test_files_that_change_with_the_content_carry_its_hash(site):
    hashed = [p for p in site.path.rglob("*") if re.search(r"\.[0-9a-f]{10}\.\w+$", p.name)]
    assert {p.suffix for p in hashed} >= {".js", ".css", ".json", ".csv", ".geojson", ".topojson"}
    for path in hashed:
        assert path.name.split(".")[-2] == hashlib.sha256(path.read_bytes()).hexdigest()[:10], path.name
    index = (site.path / "index.html").read_text(encoding="utf-8")
    for src in re.findall(r'(?:src|href)="(assets/[^"]+)"', index):
        assert (site.path / src).is_file() and re.search(r"\.[0-9a-f]{10}\.", src), src


def test_nothing_is_fetched_from_a_third_party(site):
    for page in ("index.html", "embed.html"):
        text = (site.path / page).read_text(encoding="utf-8")
        assert not re.findall(r'(?:src|href)="(?:https?:)?//', text), page


def test_every_text_from_the_data_is_escaped(site):
    council = (site.path / "council" / f"{BOSTON}.html").read_text(encoding="utf-8")
    assert IMG not in council and SCRIPT not in council
    assert "&lt;img src=x onerror=alert(1)&gt;" in council and "&lt;script&gt;window.__xss=1&lt;/script&gt;" in council
    for page in ("index.html", "embed.html"):
        text = (site.path / page).read_text(encoding="utf-8")
        assert IMG not in text and SCRIPT not in text
    panel = json.loads(next(site.path.glob(f"data/panel-*/{BOSTON}.json")).read_text(encoding="utf-8"))
    assert IMG in [p["name"] for p in panel["partnerships"]]  # the browser writes it as text (test_browser_site)


def test_the_data_files_state_their_licences_and_keep_their_shape(site, seed):
    manifest = json.loads((site.path / "data" / "manifest.json").read_text(encoding="utf-8"))
    files = {name: site.path / path for name, path in manifest["files"].items()}
    records = json.loads(files["partnerships.json"].read_text(encoding="utf-8"))
    assert "Open Government Licence v3.0" in records["licence"] and "CC-BY 4.0" in records["licence"]
    assert {r["id"] for r in records["partnerships"]} == {p.id for p in seed} | {"SSX01"}
    assert {"id", "name", "council_ids", "services", "status", "savings", "source_urls"} <= set(
        records["partnerships"][0]
    )
    geo = json.loads(files["partnerships.geojson"].read_text(encoding="utf-8"))
    assert geo["type"] == "FeatureCollection" and geo["features"][0]["geometry"]["type"] == "MultiPoint"
    topo = json.loads(files["councils.topojson"].read_text(encoding="utf-8"))
    councils = topo["objects"]["councils"]["geometries"]
    assert topo["type"] == "Topology" and "CC-BY 4.0" in topo["licence"]
    assert {"c": BOSTON, "name": "Boston Borough Council"} in [g["properties"] for g in councils]
    csv_text = files["partnerships.csv"].read_text(encoding="utf-8-sig")
    assert csv_text.startswith("id,name,councils") and "Boston and East Lindsey Strategic Alliance" in csv_text


def test_the_data_folder_is_a_data_package_that_frictionless_validates(site):
    descriptor = json.loads((site.path / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in descriptor["resources"]] == ["partnerships", "partnerships-geojson", "research-log"]
    assert {licence["name"] for licence in descriptor["licenses"]} == {"OGL-UK-3.0", "CC-BY-4.0"}
    report = frictionless.validate(str(site.path / "data" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert 'href="datapackage.json"' in (site.path / "data" / "index.html").read_text(encoding="utf-8")


def test_a_council_page_says_when_each_status_was_last_evidenced_and_by_whom(site):
    council = (site.path / "council" / f"{BOSTON}.html").read_text(encoding="utf-8")
    assert re.search(r"status as at [^<]+ \((a public source|the row&#39;s source)\)", council)


def test_a_council_panel_lists_partners_savings_and_sources(site):
    panel = json.loads(next(site.path.glob(f"data/panel-*/{BOSTON}.json")).read_text(encoding="utf-8"))
    alliance = next(p for p in panel["partnerships"] if p["id"] == "SS001")
    assert panel["name"] == "Boston Borough Council" and panel["kind"] == "district"
    assert alliance["partners"] == ["Boston Borough Council", "East Lindsey District Council"]
    assert "£15.4m target over 10 years for the whole partnership (estimate)" in alliance["savings"]
    assert alliance["sources"] and alliance["sources"][0][1].startswith("https://")
    assert BOSTON in alliance["codes"] and len(alliance["codes"]) == 2
    hostile = next(p for p in panel["partnerships"] if p["id"] == "SSX01")  # shown, its bad link left out
    assert [url for _title, url in hostile["sources"]] == [url for _title, url in alliance["sources"]]
    assert hostile["left_out"] == [
        "a source link that is not a web link (its host opens a bracket '[' that does "
        "not close (or holds one that is not an IPv6 address))"
    ]
    assert "<dt>Left out</dt>" in (site.path / "council" / f"{BOSTON}.html").read_text(encoding="utf-8")


def test_a_record_it_cannot_render_is_skipped_logged_and_counted(seed, register, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="sharedmap.events")
    built = build_site(tmp_path / "site", hostile_and_broken(seed), register, "v1-bad")
    assert built.skipped == ("SSBAD",)
    skipped = [r for r in caplog.records if r.getMessage() == "site_record_skipped"]
    assert [r.fields["partnership_id"] for r in skipped] == ["SSBAD"]
    assert "NO-SUCH-COUNCIL" in skipped[0].fields["reason"]
    for page in ("index.html", f"council/{BOSTON}.html", "data/index.html"):
        assert "1 partnership could not be shown." in (built.path / page).read_text(encoding="utf-8"), page


def test_a_build_that_fails_midway_leaves_the_live_site(seed, register, tmp_path, monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger="sharedmap.events")
    first = build_site(tmp_path / "site", seed, register, "v1-good", version=1)
    before = sorted(p.relative_to(first.path) for p in first.path.rglob("*"))
    written = []

    def fail_after_some_pages(template, *args, **kwargs):
        written.append(template)
        if len(written) > 50:
            raise OSError("disk full")
        return real(template, *args, **kwargs)

    real = pages.render_page
    monkeypatch.setattr(pages, "render_page", fail_after_some_pages)
    with pytest.raises(SharedMapError, match="could not be built .*disk full.*the live site is unchanged"):
        build_site(tmp_path / "site", seed[:10], register, "v2-broken", version=2)
    assert live_label(tmp_path / "site") == "v1-good"
    assert sorted(p.relative_to(first.path) for p in first.path.rglob("*")) == before
    assert not [p for p in (tmp_path / "site-builds").iterdir() if p.name.startswith(".")]  # no half build left
    failure = next(r for r in caplog.records if r.getMessage() == "site_build" and r.fields["outcome"] == "failure")
    assert failure.fields["label"] == "v2-broken" and "disk full" in failure.fields["reason"]


def test_publishing_rebuilds_the_site_and_rollback_restores_the_older_one(
    store, accounts, register, tmp_path, seed_rows, monkeypatch
):
    output = tmp_path / "site"
    monkeypatch.setenv("SHAREDMAP_SITE_DIR", str(output))
    first_label = store.current_label()
    build.rebuild_published(store, register)
    boston_page = output / "council" / f"{BOSTON}.html"
    assert "Boston and East Lindsey Strategic Alliance" in boston_page.read_text(encoding="utf-8")
    # East Lindsey's officer sends their complete list without the alliance: it is withdrawn.
    rows = [r for r in seed_rows if "ELI" in r["council_ids"] and r["id"] != "SS001"]
    upload = workflow.read_upload(write_csv(tmp_path / "eli.csv", rows), register)
    submission = workflow.submit(store, accounts[ELI], upload, register, withdraw_missing=True)
    follow_publishing()
    published = workflow.approve(store, accounts[REVIEWER], submission.id)  # returns once committed
    announce.wait()  # the site follows in the background
    assert live_label(output) == published.label != first_label
    assert "Boston and East Lindsey Strategic Alliance" not in boston_page.read_text(encoding="utf-8")
    restored = workflow.rollback(store, accounts[REVIEWER], 1, "withdrawn by mistake")
    announce.wait()
    assert live_label(output) == restored.label
    assert "Boston and East Lindsey Strategic Alliance" in boston_page.read_text(encoding="utf-8")
    assert len([p for p in (tmp_path / "site-builds").iterdir() if not p.name.startswith(".")]) == build.KEEP_BUILDS


def test_a_failed_rebuild_never_undoes_the_publish(store, accounts, register, tmp_path, seed_rows, monkeypatch):
    monkeypatch.setenv("SHAREDMAP_SITE_DIR", str(tmp_path / "site"))
    monkeypatch.setattr(build, "site_data", lambda *a, **k: (_ for _ in ()).throw(ValueError("broken table")))
    rows = [r for r in seed_rows if "ELI" in r["council_ids"] and r["id"] != "SS001"]
    upload = workflow.read_upload(write_csv(tmp_path / "eli.csv", rows), register)
    follow_publishing()
    published = workflow.approve(
        store, accounts[REVIEWER], workflow.submit(store, accounts[ELI], upload, register, withdraw_missing=True).id
    )
    announce.wait()
    assert store.current_label() == published.label and published.number == 2
    assert live_label(tmp_path / "site") is None


def test_the_map_page_links_to_the_site_the_app_serves(seed, register, tmp_path, monkeypatch):
    from sharedmap import config
    from sharedmap.site.links import site_links

    monkeypatch.setattr(config, "PROJECT_ROOT", tmp_path)
    monkeypatch.setenv("SHAREDMAP_SITE_DIR", "static/site")
    assert site_links("/app/static", BOSTON) == ""  # not built yet: no link to a missing page
    build_site(tmp_path / "static" / "site", seed[:5], register, "v1-links")
    links = site_links("/app/static", BOSTON)
    assert "[Fast public map](/app/static/site/index.html#council=E07000136)" in links
    assert "[Embed this map](/app/static/site/embed.html#council=E07000136)" in links
    monkeypatch.setenv("SHAREDMAP_SITE_DIR", str(tmp_path / "cdn-folder"))
    build_site(tmp_path / "cdn-folder", seed[:5], register, "v1-links")
    assert site_links("/app/static", BOSTON) == ""  # outside ./static the app does not serve it


def test_site_build_if_stale_builds_when_missing_and_again_after_an_upgrade(
    configured_store, tmp_path, monkeypatch, capsys
):
    """What `dev.py start` and `serve` run: the site is built when missing, left alone when it shows the published
    version, and built again when older code wrote it (the previous release's build.json has no code hash)."""
    from sharedmap.cli.commands import main

    output = tmp_path / "site"
    monkeypatch.setenv("SHAREDMAP_SITE_DIR", str(output))

    def build_if_stale() -> dict:
        assert main(["site", "build", "--if-stale", "--format", "json"]) == 0
        return json.loads(capsys.readouterr().out)

    first = build_if_stale()
    assert first["built"] and first["label"] == live_label(output)
    assert build_if_stale() == {"built": False, "output": str(output), "label": first["label"]}
    stamp = json.loads((output / build.STAMP).read_text(encoding="utf-8"))
    del stamp["builder"]
    (output / build.STAMP).write_text(json.dumps(stamp), encoding="utf-8")
    again = build_if_stale()
    assert again["built"] and again["build"] != first["build"] and again["label"] == first["label"]
    monkeypatch.setenv("SHAREDMAP_SITE_DIR", "off")
    assert build_if_stale() == {"built": False, "output": None}


def test_the_code_hash_changes_with_any_file_of_the_code(tmp_path, monkeypatch):
    package = tmp_path / "sharedmap"
    (package / "site" / "templates").mkdir(parents=True)
    (package / "site" / "templates" / "site.js").write_text("var a = 1;", encoding="utf-8")
    (package / "payload.py").write_text("X = 1\n", encoding="utf-8")
    monkeypatch.setattr(build, "PACKAGE", package)
    before = build.builder()
    assert build.builder() == before
    (package / "site" / "templates" / "site.js").write_text("var a = 2;", encoding="utf-8")
    assert build.builder() != before


def test_the_site_search_knows_every_spelling_the_app_resolves(seed, register):
    """The site's search reads the same names as the app: former councils (to their successor on this map),
    codes, register ids and short names; a name two councils share is left out rather than guessed."""
    codes = {"E07000245", "E07000136", "E06000058", "S12000036", "W06000015"}
    index = build.name_index(register, codes)
    assert index[build.search_key("Forest Heath District Council")] == "E07000245"  # now West Suffolk
    assert index[build.search_key("E07000201")] == "E07000245"  # Forest Heath's former GSS code
    assert index["bot"] == index["boston"] == "E07000136"
    assert index["bcp"] == "E06000058" and index[build.search_key("Caerdydd")] == "W06000015"
    assert build.search_key("Ynys Môn & Co.") == "ynys mon and co"
    assert set(index.values()) <= codes


def test_the_site_says_what_changed_in_a_page_and_feeds_a_reader_parses(store, accounts, register, tmp_path, seed_rows):
    import feedparser
    from test_history import publish_end_of_alliance

    published = publish_end_of_alliance(store, accounts, register, tmp_path, seed_rows)
    built = build.rebuild_published(store, register, output=tmp_path / "site")
    ended = "Boston and East Lindsey Strategic Alliance ended (January 2022)"
    feed = feedparser.parse((built.path / "changes.atom").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert [e.title.split(":")[0] for e in feed.entries] == ["Version 2", "Version 1"]  # newest first
    assert ended in feed.entries[0].content[0].value and feed.entries[0].link.endswith("what-changed.html#v2")
    assert feed.entries[0].updated_parsed is not None
    assert b"officer@eastlindsey.gov.uk" not in (built.path / "changes.atom").read_bytes()  # notes stay private
    boston = feedparser.parse((built.path / "council" / f"{BOSTON}.atom").read_bytes())
    assert not boston.bozo and len(boston.entries) == 1 and ended in boston.entries[0].content[0].value
    elsewhere = feedparser.parse((built.path / "council" / "E06000001.atom").read_bytes())  # Hartlepool: untouched
    assert not elsewhere.bozo and elsewhere.entries == []
    page = (built.path / "what-changed.html").read_text(encoding="utf-8")
    assert page.index('id="v2"') < page.index('id="v1"') and ended in page and published.label == built.label
    council_page = (built.path / "council" / f"{BOSTON}.html").read_text(encoding="utf-8")
    feed_link = f'type="application/atom+xml" title="Boston Borough Council: what changed" href="{BOSTON}.atom"'
    assert f'<link rel="alternate" {feed_link}>' in council_page
    assert 'type="application/atom+xml"' in (built.path / "index.html").read_text(encoding="utf-8")


def test_council_pages_link_to_the_report_form_only_when_the_app_has_a_public_address(site, monkeypatch):
    from types import SimpleNamespace

    page = (site.path / f"council/{BOSTON}.html").read_text(encoding="utf-8")
    assert "Tell us" not in page  # built without SHAREDMAP_PUBLIC_URL
    monkeypatch.setenv("SHAREDMAP_PUBLIC_URL", "https://map.example.org")
    panel = SimpleNamespace(name="Boston Borough Council", kind="district", partnerships=[], code=BOSTON, savings="")
    data = SimpleNamespace(year=2025, skipped=())
    html = pages.render_page("council.html.j2", data, {"site.css": "assets/site.css"}, panel=panel)
    assert f'href="https://map.example.org/report?council={BOSTON}">Something wrong or missing? Tell us</a>' in html


def test_the_map_and_embed_panels_link_to_the_report_form_and_a_new_address_rebuilds(
    seed, register, tmp_path, monkeypatch
):
    """With the app's public address set, every partnership card of the map and the embed links to the report
    page with that partnership filled in (site.js reads it from the page's config); changing the address makes the
    live site out of date, so serve and dev.py start rebuild it."""
    before = build.builder()
    monkeypatch.setenv("SHAREDMAP_PUBLIC_URL", "https://map.example.org")
    assert build.builder() != before
    built = build_site(tmp_path / "site", seed[:5], register, "v1-report")
    for page in ("index.html", "embed.html"):
        html = (built.path / page).read_text(encoding="utf-8")
        config = json.loads(
            re.search(r'<script type="application/json" id="site-config">(.*?)</script>', html).group(1)
        )
        assert config["report"] == "https://map.example.org/report"
        assert config["reportLabel"] == "Something wrong or missing? Tell us"
    script = next((built.path / "assets").glob("site.*.js")).read_text(encoding="utf-8")
    assert 'config.report + "?partnership=" + encodeURIComponent(p.id)' in script
