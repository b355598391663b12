"""The What changed page's loader: the published versions in words (``publishing.history``), read once per
published version and kept while it stays published."""

from __future__ import annotations

import streamlit as st

from sharedmap.app import ui
from sharedmap.publishing.history import VersionChanges, version_history
from sharedmap.publishing.store import open_store


@st.cache_resource(show_spinner="Reading the versions…", max_entries=2)
def history(label: str) -> list[VersionChanges]:
    """The versions up to the published one ``label``, newest first, each with its changes in words."""
    return version_history(open_store(), names=ui.register())
