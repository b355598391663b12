"""A partnership as the panel beside the map shows it: facts, scope of each figure, sources, evidence, freshness."""

from __future__ import annotations

import streamlit as st

from sharedmap.app.ui import md, report_link
from sharedmap.maps.panel import PartnershipFacts


def partnership_card(facts: PartnershipFacts, key: str) -> bool:
    """One partnership in the panel; returns True when its "Show on map" button was pressed."""
    with st.container(border=True):
        st.markdown(f"**{md(facts.name)}**  \n{md(facts.services)} · {md(facts.status)} · {md(facts.dates)}")
        st.markdown("Partners: " + md("; ".join(facts.partners)))
        st.markdown("Savings: " + md("; ".join(facts.savings)))
        if facts.sources:
            st.markdown(
                "Sources: " + " · ".join(f"[{md(title)}](<{url.replace('>', '%3E')}>)" for title, url in facts.sources)
            )
        if facts.evidence:
            st.markdown("Where the source says so: " + md(facts.evidence))
        if facts.status_source:
            label, url = facts.status_source
            st.markdown(f"[{md(label)}](<{url.replace('>', '%3E')}>)" + (": " + md(facts.status_evidence)))
        if facts.left_out:
            st.caption("Left out: " + md("; ".join(facts.left_out)) + ".")
        if facts.stale:  # a badge, not st.warning: warnings on these pages are about the link or the store
            st.badge("Not confirmed recently", icon=":material/schedule:", color="orange")
        st.caption(md(facts.freshness[:1].upper() + facts.freshness[1:]) + ".")
        st.markdown(report_link(partnership=facts.id))  # the app's own report page
        return st.button("Show this partnership", key=key)
