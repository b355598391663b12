"""About: what the map shows, how it is drawn, its sources, licences and attribution."""

import streamlit as st

from sharedmap import freshness, sources
from sharedmap.app import ui

ui.view()
st.title("About the Shared Services Map")
st.markdown(f"""
UK councils share services (a management team, ICT, revenues and benefits, waste, legal, audit…) to save money
and keep services going. This map shows who shares what with whom, and what the public sources say it saved.

**How to read the map**

- Each council is coloured by the measure chosen in the sidebar: the number of partnerships it is part of, its
  annual savings, its annual savings per resident (population from the council register), or how many years ago
  the status of its running or planned partnerships was last evidenced (the newest evidence among them).
- Lines join the councils of each partnership, coloured by the group of its first-listed service, wider for a
  bigger saving, dashed when planned and dotted when ended. A partnership of three or more councils is drawn as a
  hub with spokes.
- Each figure says what it covers: the whole partnership (the default), *each council* (every member saves that
  much), or one named council. Where a source gives only a partnership's total, each council's share is an equal
  split, marked *estimated*. Annual, cumulative and target savings are never added together; one-off funding and
  combined spend are not savings and are listed apart.
- A partnership's status is as at its source's date. One still running or planned whose source is more than
  {freshness.stale_after_years():g} years old is marked *may be out of date*; the sidebar can hide such
  partnerships. The Data page's *Data quality* section lists them, with gaps and possible duplicates.
- Choose a year to see the councils as they were then; a council abolished since is drawn as it was, and one
  that has been merged is drawn as the council that took it over (“now part of …”).
- The lower-tier view draws districts and unitary councils, with county councils as diamonds; the upper-tier
  view draws counties and unitaries, with districts as diamonds. A county–district partnership appears in both.

**Accessibility.** The map has a text alternative: the tables under it hold the same information and can be
read with a keyboard and a screen reader; with a mouse, choosing a row selects that council, and from the
keyboard, typing a council into *Find a council* does the same. Colours are colour-blind-safe
(ColorBrewer Blues; Okabe and Ito's palette for lines) and never the only cue: every figure is in the tooltips,
the panel and the tables. We aim to meet WCAG 2.2 AA.

**Works offline.** The map's scripts are served by this app; it loads nothing from other sites and uses no map
tiles unless its operator configures them.
""")

st.header("Sources, licences and attribution")
for source in sources.load_manifest():
    st.markdown(
        f"**{ui.md(source.title)}**  \n{ui.md(source.attribution)}  \n"
        f"Licence: [{ui.md(source.licence)}](<{source.licence_url}>) · [Source file](<{source.url}>)"
    )
st.markdown("""
**Partnerships.** Compiled from councils' own reports, committee papers and local news; every partnership
names its sources, shown in the panel and in the downloads.

**Software.** Leaflet (BSD-2-Clause) and topojson-client (ISC), served from this app; Streamlit, folium,
streamlit-folium, GeoPandas and Altair.
""")
