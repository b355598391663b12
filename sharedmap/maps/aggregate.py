"""The links of a large view merged, so the browser stays responsive: with thousands of partnerships, one line per
partnership (about 5 MB and 24,000 SVG paths for 10,000) would stall it.

Above ``AGGREGATE_ABOVE`` partnerships, partnerships between the same two places become one line whose width says
how many there are, coloured by their most common service group; large partnerships (hubs) are joined at one hub
per region. Lines of the same colour and width travel together as one MultiLineString feature, whose tooltip
says what the lines of that colour and width mean. Clicking a council still lists every partnership.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from sharedmap.maps.style import COORD_DECIMALS, SERVICE_GROUPS, service_group
from sharedmap.partnerships import Partnership
from sharedmap.register import Register
from sharedmap.spatial.network import Network

AGGREGATE_ABOVE = 500  # partnerships in a view; the real table (95) is drawn one line per partnership
# (lowest count, highest count or None, line width in px) per class of "partnerships between the same two places".
CLICK_HINT = "click a council to list its partnerships"
COUNT_CLASSES = ((1, 1, 1.5), (2, 2, 2.2), (3, 3, 2.8), (4, 5, 3.4), (6, 9, 4.2), (10, 19, 5.0), (20, None, 6.0))


def count_class(count: int) -> tuple[int, int | None, float]:
    return next(c for c in COUNT_CLASSES if c[1] is None or count <= c[1])


def count_label(low: int, high: int | None) -> str:
    if high is None:
        return f"{low} or more partnerships"
    if low == high:
        return f"{low} partnership{'s' if low != 1 else ''}"
    return f"{low} to {high} partnerships"


def _point(lon: float, lat: float) -> list[float]:
    return [round(float(lon), COORD_DECIMALS), round(float(lat), COORD_DECIMALS)]


def _region(p: Partnership, register: Register) -> str:
    """Where a large partnership's hub goes: the region (or nation) most of its councils are in."""
    places = Counter(c.region or c.nation or "United Kingdom" for c in map(register.get, p.council_ids))
    return places.most_common(1)[0][0]


def aggregated_link_features(network: Network, partnerships: list[Partnership], register: Register) -> dict:
    """A FeatureCollection: one MultiLineString per (service group, count class) for pairs and for hub spokes, and
    one point per regional hub. Properties as ``payload.link_features`` draws them (t, k, w, d), without ``p``:
    a merged line stands for many partnerships, so clicking it selects none."""
    by_id = {p.id: p for p in partnerships}
    links = network.links
    columns = [
        links[c].tolist()
        for c in ("partnership_id", "kind", "from_gss", "to_gss", "from_lon", "from_lat", "to_lon", "to_lat")
    ]
    pairs: dict[tuple[str, str], Counter] = defaultdict(Counter)
    ends: dict[tuple[str, str], list[list[float]]] = {}
    spokes: dict[tuple[str, str], Counter] = defaultdict(Counter)
    member_at: dict[str, list[float]] = {}
    hubs: dict[str, list[tuple[float, float]]] = defaultdict(list)
    seen_hub: set[str] = set()
    regions: dict[str, str] = {}
    for pid, kind, a, b, alon, alat, blon, blat in zip(*columns, strict=True):
        group = service_group(by_id[pid].services)
        if kind == "pair":
            key = (a, b) if a <= b else (b, a)
            pairs[key][group] += 1
            ends.setdefault(
                key, [_point(alon, alat), _point(blon, blat)] if a <= b else [_point(blon, blat), _point(alon, alat)]
            )
            continue
        region = regions.get(pid) or regions.setdefault(pid, _region(by_id[pid], register))
        if pid not in seen_hub:
            seen_hub.add(pid)
            hubs[region].append((alon, alat))
        spokes[(region, b)][group] += 1
        member_at.setdefault(b, _point(blon, blat))
    hub_at = {
        region: _point(sum(x for x, _ in spots) / len(spots), sum(y for _, y in spots) / len(spots))
        for region, spots in hubs.items()
    }
    features = _bucketed(pairs, lambda key: ends[key], "between the two councils a line joins")
    features += _bucketed(
        spokes,
        lambda key: [hub_at[key[0]], member_at[key[1]]],
        "of three or more councils that include the council at the line's end, drawn to their region's hub",
    )
    for region, spots in sorted(hubs.items()):
        tip = [region, f"hub of {len(spots)} partnerships of three or more councils", CLICK_HINT]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": hub_at[region]},
                "properties": {"t": tip, "k": "#000000", "w": 3, "d": "", "hub": 1},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _bucketed(counts: dict, ends, meaning: str) -> list[dict]:
    """One MultiLineString per (most common service group, count class), biggest classes drawn last (on top)."""
    buckets: dict[tuple[str, tuple], list] = defaultdict(list)
    for key, groups in counts.items():
        total = sum(groups.values())
        top = max(groups.items(), key=lambda item: (item[1], -list(SERVICE_GROUPS).index(item[0])))[0]
        buckets[(top, count_class(total))].append(ends(key))
    features = []
    for (group, (low, high, width)), lines in sorted(buckets.items(), key=lambda item: (item[0][1][0], item[0][0])):
        tip = [
            f"{count_label(low, high)} {meaning}",
            f"mostly {group.lower()} ({len(lines)} such line{'s' if len(lines) != 1 else ''} in this view)",
            CLICK_HINT,
        ]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "MultiLineString", "coordinates": lines},
                "properties": {"t": tip, "k": SERVICE_GROUPS[group][0], "w": width, "d": ""},
            }
        )
    return features
