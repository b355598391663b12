"""`serve` starts Streamlit through sharedmap.app.warm, so the Map page's first visitor finds the boundaries,
register and opening view's payload already loaded."""

from __future__ import annotations

import pytest

from sharedmap.app import ui, warm
from sharedmap.cli import serve
from sharedmap.maps import payload, viewstate
from sharedmap.maps.viewstate import View


def test_serve_starts_streamlit_through_the_warm_up():
    command = serve.streamlit_command()
    assert command[1:5] == ["-m", "sharedmap.app.warm", "run", str(serve.APP)]


def test_the_warmed_view_is_the_one_a_first_visitor_opens(register):
    opened, problems = viewstate.view_from_query({}, ui.options())
    assert opened == View() and not problems


def test_after_the_warm_up_the_opening_view_is_not_built_again(configured_store, monkeypatch):
    steps = warm.warm()
    assert {"register", "boundaries", "topology", "payload", "first render"} <= set(steps)
    built = []
    monkeypatch.setattr(payload, "build_view_payload", lambda *a, **k: built.append(a) or pytest.fail("rebuilt"))
    label, everything = ui.published()
    opening = View()
    assert ui.view_payload(label, opening.filters, opening.tier, opening.measure, everything).legend_title
    assert built == []
