from pathlib import Path

import pytest

from sharedmap import config, sources


def test_search_path_prefers_the_environment(tmp_path, monkeypatch):
    (tmp_path / "uk_topo_2014_2025.json").write_text("{}")
    monkeypatch.setenv("SHAREDMAP_DATA_PATH", str(tmp_path))
    assert sources.source_path("uk-topojson") == tmp_path / "uk_topo_2014_2025.json"


@pytest.mark.shared_data
def test_shared_files_are_found_and_match_the_manifest():
    for source in sources.load_manifest():
        path = sources.find_file(source.file)
        assert sources.sha256_of(path) == source.sha256, source.name


def test_no_shared_file_is_committed_into_the_repo():
    shared = {sources.sha256_of(p) for p in config.shared_data_dir().rglob("*") if p.is_file()}
    repo = [
        p
        for p in Path(config.PROJECT_ROOT).rglob("*")
        if p.is_file() and ".venv" not in p.parts and ".git" not in p.parts and "cache" not in p.parts
    ]
    assert not [p for p in repo if p.stat().st_size > 2048 and sources.sha256_of(p) in shared]


def test_settings_come_from_the_environment_then_the_secrets_file(tmp_path, monkeypatch):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('SHAREDMAP_PORT = 9001\nSHAREDMAP_ADDRESS = "0.0.0.0"\n[auth]\nSHAREDMAP_TILES = "no"\n')
    monkeypatch.setattr(config, "SECRETS_FILE", secrets)
    monkeypatch.delenv("SHAREDMAP_PORT", raising=False)
    monkeypatch.setenv("SHAREDMAP_ADDRESS", "10.1.2.3")
    assert config.get("SHAREDMAP_PORT") == "9001"  # from the file
    assert config.get("SHAREDMAP_ADDRESS") == "10.1.2.3"  # the environment wins
    assert config.get("SHAREDMAP_TILES") == ""  # a section's keys are not settings


SKIPPING_TEST = """
import pytest

def test_needs_a_browser():
    pytest.skip("Debian's Chromium is not installed")
"""


@pytest.mark.parametrize(("ci", "outcome"), [("true", {"failed": 1}), ("", {"skipped": 1})])
def test_under_ci_a_skip_is_a_failure_naming_what_to_install(pytester, monkeypatch, ci, outcome):
    monkeypatch.setenv("CI", ci)
    pytester.makepyfile(SKIPPING_TEST)
    result = pytester.runpytest_inprocess("-p", "ci_skips")
    result.assert_outcomes(**outcome)
    if ci:
        result.stdout.fnmatch_lines(["*skipped under CI*apt-get install chromium*"])
