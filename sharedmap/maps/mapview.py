"""The folium map: a base map built once per view (councils, links, legend) and a small selection layer that
changes on each click, plus reading st_folium's answer back as "which council or partnership was clicked".

Built from the compact payloads of ``payload``; every script uses only the Leaflet and topojson-client the app
serves itself (``assets``), so the map works with no third-party request and no tiles.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import folium
from branca.element import Element, Figure, MacroElement
from folium.template import Template

from sharedmap import sources
from sharedmap.maps import assets
from sharedmap.maps.payload import script_json
from sharedmap.maps.style import SERVICE_GROUPS

UK_BOUNDS = [[49.85, -8.2], [60.9, 1.8]]  # [south, west], [north, east]
LEGEND_FOLD_BELOW_PX = 560  # a map narrower than this (a phone) opens with its key folded
ATTRIBUTION = sources.credits()  # from geo/sources.json; the full licences are on About and in every download
PANES = {"sm-councils": 400, "sm-selected": 420, "sm-links": 450, "sm-points": 460, "sm-focus": 470}
CSS = """<style>
.leaflet-pane > svg { pointer-events: none; }
.leaflet-container { background: #f4f8fb; font: 14px/1.4 "Source Sans Pro", system-ui, sans-serif; }
.sm-tip { min-width: 200px; max-width: 320px; white-space: normal; color: #1a1a1a; }
.sm-legend { background: rgba(255,255,255,.94); color: #1a1a1a; padding: 6px 8px; border-radius: 4px;
  line-height: 1.3; box-shadow: 0 1px 4px rgba(0,0,0,.35); max-width: 210px; font-size: 12px; }
.sm-legend h2 { font-size: 12px; margin: 0 0 3px; }
.sm-legend summary { cursor: pointer; font-weight: 600; min-height: 24px; line-height: 24px; }
.sm-legend details[open] summary { margin-bottom: 2px; }
.sm-legend .sw { display: inline-block; width: 12px; height: 12px; margin-right: 5px; vertical-align: -2px;
  border: 1px solid #767676; }
.sm-legend .ln { display: inline-block; width: 18px; height: 0; margin-right: 5px; vertical-align: 3px;
  border-top: 3px solid; }
.leaflet-control-attribution { font-size: 11px; }
.sm-point { background: none; border: none; }
.sm-diamond { width: 10px; height: 10px; margin: 2px; transform: rotate(45deg); border: 2px solid #1a1a1a;
  box-sizing: border-box; }
.leaflet-interactive:focus:not(:focus-visible) { outline: none; }
</style>"""
# A tooltip arrives as lines of plain text (payload.council_tooltip, link_tooltip): set as text, never parsed as
# HTML, so a name can hold "<" or "&" and stay a name; the first line is the title. Defined by each layer's script
# (st_folium runs only the map's scripts, not the page header).
TOOLTIP_JS = (
    "window.smTip = window.smTip || function (lines) { var tip = document.createElement('div');"
    " (lines || []).forEach(function (text, i) {"
    " tip.appendChild(document.createElement(i ? 'div' : 'strong')).textContent = text; }); return tip; };"
)


class _Literal(Element):
    """Text our own template already rendered, inserted as it is. branca's MacroElement would compile it as a new
    Jinja template on every render: slow for the councils' 260 KB (about 25 ms of each rerun), and it would
    evaluate any "{{ … }}" inside the data, such as a partnership's name (server-side template injection)."""

    _template = Template("{{ this.text }}")

    def __init__(self, text: str):
        super().__init__()
        self.text = text


class _LiteralMacro(MacroElement):
    """A MacroElement whose rendered header, html and script parts go into the figure literally (``_Literal``)."""

    def render(self, **kwargs):
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError("a map layer can only be rendered inside a folium Figure")
        macros = self._template.module.__dict__
        for part in ("header", "html", "script"):
            if macros.get(part) is not None:
                getattr(figure, part).add_child(_Literal(macros[part](self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


class _Layer(_LiteralMacro):
    """A layer whose data is pre-serialised, script-safe JSON (``payload.script_json``)."""

    # Chromium puts every SVG shape with a tooltip in the Tab order (450 stops before the search box and the
    # tables, which hold the same content for keyboard users): take the layer's shapes out of it once drawn.
    tooltip_js = TOOLTIP_JS
    untab_js = (
        "(function untab(g) { g.eachLayer(function (l) { if (l.eachLayer) { untab(l); } "
        "else if (l.getElement && l.getElement()) { l.getElement().setAttribute('tabindex', '-1'); } }); })"
    )

    def __init__(self, data_json: str, pane: str = "sm-councils", interactive: bool = True):
        super().__init__()
        self.data_json = data_json
        self.pane = pane
        self.interactive = interactive

    def render(self, **kwargs):
        figure = self.get_root()
        if isinstance(figure, Figure):
            figure.header.add_child(_Literal(CSS), name="sharedmap_css")
        super().render(**kwargs)


class CouncilsLayer(_Layer):
    """The year's council areas from TopoJSON, filled by the chosen measure, each with its tooltip."""

    _name = "CouncilsLayer"
    _template = Template("""{% macro script(this, kwargs) %}
{{ this.tooltip_js }}
var {{ this.get_name() }} = (function (map) {
  for (const [pane, z] of Object.entries({{ this.panes }})) {
    if (!map.getPane(pane)) { map.createPane(pane).style.zIndex = z; }
  }
  map.getPane("sm-selected").style.pointerEvents = "none";
  map.getPane("sm-focus").style.pointerEvents = "none";
  var topo = {{ this.data_json }};
  var layer = L.geoJSON(topojson.feature(topo, topo.objects.councils), {
    pane: "sm-councils",
    style: function (f) { return {fillColor: f.properties.f, fillOpacity: 1, color: "#ffffff", weight: 0.7}; },
    onEachFeature: function (f, l) {
      l.bindTooltip(function () { return smTip(f.properties.t); }, {sticky: true, className: "sm-tip"});
      l.on("mouseover", function () { l.setStyle({color: "#1a1a1a", weight: 2}); });
      l.on("mouseout", function () { layer.resetStyle(l); });
    }
  });
  layer.addTo(map);
  {{ this.untab_js }}(layer);
  return layer;
})({{ this._parent.get_name() }});
{% endmacro %}""")

    def __init__(self, data_json: str):
        super().__init__(data_json)
        self.panes = script_json(PANES)


class LinksLayer(_Layer):
    """Partnership lines (coloured by service, width by savings, dashed when planned) and hub points."""

    _name = "LinksLayer"
    _template = Template("""{% macro script(this, kwargs) %}
{{ this.tooltip_js }}
var {{ this.get_name() }} = (function (map) {
  var data = {{ this.data_json }};
  var lineOf = {};  // a hub point carries only its partnership's id: the rest is its line's
  data.features.forEach(function (f) { if (f.properties.p && !f.properties.hub) { lineOf[f.properties.p] = f; } });
  data.features.forEach(function (f) {
    var line = f.properties.hub && lineOf[f.properties.p];
    if (line) { f.properties = Object.assign({}, line.properties, f.properties); }
  });
  var style = function (f) {
    return {color: f.properties.k, weight: f.properties.w + {{ this.extra_weight }}, opacity: 0.95,
            dashArray: f.properties.d || null, lineCap: "round"};
  };
  var casing = L.geoJSON(data, {pane: "{{ this.pane }}", interactive: false,
    filter: function (f) { return !f.properties.hub; },
    style: function (f) { return {color: "#ffffff", weight: f.properties.w + {{ this.extra_weight }} + 3,
                                  opacity: 0.85}; }});
  var layer = L.geoJSON(data, {
    pane: "{{ this.pane }}", interactive: {{ this.interactive|tojson }}, style: style,
    pointToLayer: function (f, latlng) {
      return L.circleMarker(latlng, {radius: 6, fillColor: "#ffffff", fillOpacity: 1, color: f.properties.k,
                                     weight: 3, pane: "{{ this.pane }}",
                                     interactive: {{ this.interactive|tojson }}});
    },
    onEachFeature: function (f, l) {
      {% if this.interactive %}
      l.bindTooltip(function () { return smTip(f.properties.t); }, {sticky: true, className: "sm-tip"});
      {% endif %}
    }
  });
  var group = L.featureGroup([casing, layer]).addTo(map);
  {{ this.untab_js }}(group);
  return group;
})({{ this._parent.get_name() }});
{% endmacro %}""")

    def __init__(self, data_json: str, pane: str = "sm-links", interactive: bool = True, extra_weight: float = 0):
        super().__init__(data_json, pane, interactive)
        self.extra_weight = extra_weight


class PointsLayer(_Layer):
    """Members whose area is in the other tier (a county council in the lower-tier view): diamonds, so they are
    not mistaken for the hubs of large partnerships, which are circles."""

    _name = "PointsLayer"
    _template = Template("""{% macro script(this, kwargs) %}
{{ this.tooltip_js }}
var {{ this.get_name() }} = L.geoJSON({{ this.data_json }}, {
  pointToLayer: function (f, latlng) {
    var diamond = document.createElement("div");
    diamond.className = "sm-diamond";
    diamond.style.background = f.properties.f;
    return L.marker(latlng, {icon: L.divIcon({html: diamond, className: "sm-point", iconSize: [14, 14]}),
                             pane: "sm-points", keyboard: false});
  },
  onEachFeature: function (f, l) {
    l.bindTooltip(function () { return smTip(f.properties.t); }, {sticky: true, className: "sm-tip"});
  }
}).addTo({{ this._parent.get_name() }});
{% endmacro %}""")


class HighlightLayer(_Layer):
    """Outlines of selected areas; not interactive, so clicks reach the councils beneath."""

    _name = "HighlightLayer"
    _template = Template("""{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.geoJSON({{ this.data_json }}, {
  pane: "{{ this.pane }}", interactive: false,
  style: function () { return {{ this.style }}; }
}).addTo({{ this._parent.get_name() }});
{% endmacro %}""")

    def __init__(self, data_json: str, colour: str, weight: float, pane: str = "sm-selected", fill: str = ""):
        super().__init__(data_json, pane, interactive=False)
        style = {
            "color": colour,
            "weight": weight,
            "fill": bool(fill),
            "fillColor": fill or colour,
            "fillOpacity": 0.85 if fill else 0,
        }
        self.style = script_json(style)


class Legend(_LiteralMacro):
    """The map's key: the choropleth classes and the link colours, as a Leaflet control."""

    _name = "Legend"
    _template = Template("""{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.control({position: "topright"});
{{ this.get_name() }}.onAdd = function () {
  var div = L.DomUtil.create("div", "sm-legend");
  div.innerHTML = {{ this.html_json }};
  if ({{ this._parent.get_name() }}.getSize().x < {{ this.fold_below_px }}) {
    div.querySelector("details").removeAttribute("open");
  }
  L.DomEvent.disableClickPropagation(div);
  L.DomEvent.disableScrollPropagation(div);
  return div;
};
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.attribution_json }});
{{ this._parent.get_name() }}.getContainer().setAttribute("aria-label", {{ this.label_json }});
{% endmacro %}""")

    def __init__(self, title: str, classes: list[tuple[str, str]]):
        super().__init__()
        self.html_json = script_json(legend_html(title, classes))
        self.fold_below_px = LEGEND_FOLD_BELOW_PX
        self.attribution_json = script_json(html.escape(ATTRIBUTION))
        self.label_json = script_json(
            f"Map of UK councils coloured by {title.lower()}, with lines joining the "
            "councils of each partnership. The tables under the map hold the same "
            "information."
        )


def legend_html(title: str, classes: list[tuple[str, str]]) -> str:
    """The key folds away (a native disclosure, keyboard-operable) so it never has to cover a phone's map."""
    rows = ["<details open><summary>Key</summary>", f"<h2>{html.escape(title)}</h2>"]
    rows += [
        f'<div><span class="sw" style="background:{colour}"></span>{html.escape(label)}</div>'
        for colour, label in classes
    ]
    rows.append("<h2 style='margin-top:6px'>Partnerships, by first service</h2>")
    rows += [
        f'<div><span class="ln" style="border-color:{colour}"></span>{html.escape(group)}</div>'
        for group, (colour, _) in SERVICE_GROUPS.items()
    ]
    rows.append(
        "<div>Wider: bigger saving · dashed: planned · dash-dot: not confirmed recently · dotted: ended</div></details>"
    )
    return "".join(rows)


def build_map(
    councils_json: str,
    links_json: str,
    points_json: str,
    legend_title: str,
    legend_classes: list[tuple[str, str]],
    static_url: str = assets.STATIC_URL,
    tiles: str | None = None,
    tiles_attribution: str | None = None,
) -> folium.Map:
    """The base map of one view. No tiles by default; scripts and styles come from the app's own static path."""
    m = folium.Map(tiles=None, zoom_control=True, min_zoom=5, max_zoom=12, zoom_snap=0.25, prefer_canvas=False)
    js, css = assets.asset_urls(static_url)
    m.default_js = [(f"sharedmap_js_{i}", url) for i, url in enumerate(js)]
    m.default_css = [(f"sharedmap_css_{i}", url) for i, url in enumerate(css)]
    if tiles:
        folium.TileLayer(tiles, attr=tiles_attribution or "Map tiles", name="Base map").add_to(m)
    CouncilsLayer(councils_json).add_to(m)
    LinksLayer(links_json).add_to(m)
    PointsLayer(points_json).add_to(m)
    Legend(legend_title, legend_classes).add_to(m)
    m.fit_bounds(UK_BOUNDS)
    return m


def fit_to(m: folium.Map, bounds) -> None:
    """Open the map on ``bounds`` (minx, miny, maxx, maxy) instead of the whole UK: the base map's own fit goes,
    since two fits in a row leave the first view."""
    for child_name in [n for n, child in m._children.items() if isinstance(child, folium.FitBounds)]:
        del m._children[child_name]
    minx, miny, maxx, maxy = bounds
    m.fit_bounds([[miny, minx], [maxy, maxx]])


def selection_layer(selected_json: str, partners_json: str, links_json: str) -> folium.FeatureGroup:
    """What changes on a click: the selected council (filled outline), its partners (outlined) and the
    selected partnerships' lines drawn again on top, wider."""
    group = folium.FeatureGroup(name="Selection", control=False)
    HighlightLayer(partners_json, colour="#1a1a1a", weight=2.5).add_to(group)
    HighlightLayer(selected_json, colour="#000000", weight=4, fill="#ffc20a").add_to(group)
    LinksLayer(links_json, pane="sm-focus", interactive=False, extra_weight=1).add_to(group)
    return group


@dataclass(frozen=True)
class Clicked:
    kind: str  # "council" (value: GSS code) or "partnership" (value: partnership id)
    value: str
    where: tuple[float, float] | None = None


def clicked_target(returned: dict | None) -> Clicked | None:
    """What st_folium says was last clicked: a council area or point (property ``c``) or a partnership line or
    hub (``p``); None when nothing of ours was clicked."""
    if not returned:
        return None
    feature = returned.get("last_active_drawing") or {}
    properties = feature.get("properties") or {}
    point = returned.get("last_object_clicked") or {}
    where = (point["lat"], point["lng"]) if "lat" in point and "lng" in point else None
    if properties.get("p"):
        return Clicked("partnership", str(properties["p"]), where)
    if properties.get("c"):
        return Clicked("council", str(properties["c"]), where)
    return None


def view_for_bounds(
    bounds: tuple[float, float, float, float],
    width_px: int = 570,
    height_px: int = 640,
    right_inset_px: int = 230,
    max_zoom: float = 10.0,
) -> tuple[tuple[float, float], float]:
    """Centre (lat, lon) and Web-Mercator zoom that fit lon/lat bounds (minx, miny, maxx, maxy) with a margin, in
    the part of the map left of the legend (``right_inset_px`` wide), so the legend never hides the selection."""
    minx, miny, maxx, maxy = bounds

    def mercator_y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    usable = max(width_px - right_inset_px, 200)
    span_x = max(maxx - minx, 1e-6) / 360
    span_y = max(mercator_y(maxy) - mercator_y(miny), 1e-6) / (2 * math.pi)
    zoom = min(math.log2(usable / 256 / span_x), math.log2(height_px / 256 / span_y)) - 0.5
    zoom = max(5.0, min(max_zoom, math.floor(zoom * 4) / 4))
    centre_y = (mercator_y(maxy) + mercator_y(miny)) / 2
    centre_lat = math.degrees(2 * math.atan(math.exp(centre_y)) - math.pi / 2)
    shift_lon = (width_px - usable) / 2 / (256 * 2**zoom) * 360  # move the map east: the selection sits left
    return (round(centre_lat, 4), round((minx + maxx) / 2 + shift_lon, 4)), zoom
