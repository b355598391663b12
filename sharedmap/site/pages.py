"""The site's HTML: the map page and the embed (the app's own folium map, ``mapview.build_map``, wrapped in a page
with a search box, a service filter and a panel), one plain page per council, and the data page.

Every page is a Jinja template with autoescaping on, so each text from the data is escaped; the map's data goes
in as script-safe JSON (``payload.script_json``), and the browser side writes panel text with ``textContent``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from branca.element import Figure
from folium.template import Template
from jinja2 import Environment, FileSystemLoader, select_autoescape

from sharedmap import sources
from sharedmap.errors import SharedMapError
from sharedmap.maps import mapview
from sharedmap.maps.payload import script_json
from sharedmap.partnerships import SERVICES
from sharedmap.report_links import REPORT_LABEL, report_url
from sharedmap.site.content import SiteData

TEMPLATES = Path(__file__).with_name("templates")
environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.globals.update(report_url=report_url, report_label=REPORT_LABEL)  # no link without SHAREDMAP_PUBLIC_URL
# The sources' credits come from geo/sources.json, like the app's; the partnerships' own line is the site's.
LICENCES = (
    sources.credits() + ". Partnerships: compiled from the public sources linked on each one; figures as the "
    "sources state them, not audited."
)


class SiteHooks(mapview._LiteralMacro):
    """Hands the map and its layers to the site's script (folium names them by random ids)."""

    _name = "SiteHooks"
    _template = Template("""{% macro script(this, kwargs) %}
window.map = {{ this._parent.get_name() }};
window.sharedmapMap = {map: {{ this._parent.get_name() }}, councils: {{ this.councils }},
  links: {{ this.links }}, points: {{ this.points }}};
{% endmacro %}""")

    def __init__(self, councils: str, links: str, points: str):
        super().__init__()
        self.councils, self.links, self.points = councils, links, points


@dataclass(frozen=True)
class MapParts:
    head: str
    body: str
    script: str


def map_parts(data: SiteData, js: list[str], css: list[str]) -> MapParts:
    """The app's map for this version, rendered by folium, in the three parts a page places."""
    view = data.payload
    m = mapview.build_map(view.councils_json, data.links_json, view.points_json, view.legend_title, view.legend_classes)
    m.default_js = [(f"sharedmap_js_{i}", url) for i, url in enumerate(js)]
    m.default_css = [(f"sharedmap_css_{i}", url) for i, url in enumerate(css)]
    names = {type(child).__name__: child.get_name() for child in m._children.values()}
    SiteHooks(names["CouncilsLayer"], names["LinksLayer"], names["PointsLayer"]).add_to(m)
    figure = m.get_root()
    if not isinstance(figure, Figure):  # folium maps always sit in a Figure; branca types get_root as any Element
        raise SharedMapError(f"the map's root is a {type(figure).__name__}, not a branca Figure: cannot render it")
    for child in figure._children.values():
        child.render()
    head = figure.header.render()
    # folium's viewport forbids zooming the page (WCAG 1.4.4); the page template sets its own.
    head = re.sub(r'<meta name="viewport".*?/>', "", head, flags=re.S)
    head = re.sub(r"<style>html, body \{.*?</style>", "", head, flags=re.S)
    return MapParts(head, figure.html.render(), figure.script.render())


def render_map_page(data: SiteData, parts: MapParts, urls: dict[str, str], mode: str) -> str:
    """The full map (``mode`` "map") or the embed ("embed"): the same map, with or without search and panel."""
    config = script_json(
        {
            "panels": urls["panels"],
            "names": urls["names"],
            "mode": mode,
            "skipped": len(data.skipped),
            "report": report_url() or "",  # the app's report page when SHAREDMAP_PUBLIC_URL is set
            "reportLabel": REPORT_LABEL,
        }
    )
    return environment.get_template("map.html.j2").render(
        data=data,
        parts=parts,
        urls=urls,
        config=config,
        mode=mode,
        services=SERVICES,
        licences=LICENCES,
        skipped=len(data.skipped),
        count=len(data.partnerships),
    )


def render_page(template: str, data: SiteData, urls: dict[str, str], root: str = "../", **values) -> str:
    """A plain page one folder down (council/, data/), or at the top with ``root`` "": works without JavaScript."""
    return environment.get_template(template).render(
        data=data, urls_css=root + urls["site.css"], licences=LICENCES, skipped=len(data.skipped), **values
    )
