"""Synthetic partnerships for scale tests: made up and marked so everywhere, over real councils, never in data/."""

from __future__ import annotations

from collections import Counter

from bench.synthetic import ID_PREFIX, SOURCE_URL, is_synthetic, synthetic_partnerships
from sharedmap import config
from sharedmap.exports import partnerships_frame
from sharedmap.validate import validate_file


def test_every_record_says_it_is_synthetic(register):
    made = synthetic_partnerships(300, register, seed=7)
    assert len({p.id for p in made}) == 300
    for p in made:
        assert is_synthetic(p) and p.id.startswith(ID_PREFIX)
        assert "(not real)" in p.name and "Synthetic" in p.description
        assert all(url.startswith(SOURCE_URL) for url in p.source_urls)
        assert all(c in register.councils for c in p.council_ids) and len(set(p.council_ids)) == len(p.council_ids)


def test_shapes_follow_the_real_table(register):
    made = synthetic_partnerships(2000, register, seed=1)
    sizes = Counter(len(p.council_ids) for p in made)
    assert 0.35 < sizes[2] / len(made) < 0.55 and max(sizes) == 13
    assert synthetic_partnerships(50, register, seed=1) == made[:50]  # the same seed, the same list


def test_synthetic_records_pass_validation(register, tmp_path):
    """Written as an officer's file, they are read back as valid: realistic enough to load and publish."""
    made = synthetic_partnerships(40, register, seed=3)
    path = tmp_path / "synthetic.csv"
    partnerships_frame(made, register).to_csv(path, index=False)
    report = validate_file(path, register)
    assert report.ok, [(r.row, r.errors[:1]) for r in report.rows if r.errors][:3]
    assert [p.name for p in report.partnerships] == [p.name for p in made]


def test_none_is_shipped_as_data():
    for path in (config.PROJECT_ROOT / "data").rglob("*"):
        if path.is_file():
            assert ID_PREFIX not in path.read_text(encoding="utf-8", errors="replace"), path
