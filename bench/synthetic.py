"""Synthetic partnerships over the real councils, for scale tests and benchmarks only: never published as data.

Every one is marked as made up in its id (``SYN-00001``), its name ("Synthetic partnership 1 (not real)"), its
description and its source link (``https://synthetic.invalid/``, a domain that can never resolve). Shapes follow
the real seed table: mostly pairs and threes of neighbouring councils, a few large hubs, some former councils
(drawn as their successors), a mix of statuses, services and savings kinds.
"""

from __future__ import annotations

import numpy as np

from sharedmap.partnerships import SERVICES, PartialDate, Partnership, Savings, SavingsKind, Status
from sharedmap.register import Register
from sharedmap.spatial.boundaries import LATEST_YEAR

ID_PREFIX = "SYN-"
SOURCE_URL = "https://synthetic.invalid/"  # .invalid is reserved (RFC 2606): never a real site
NEAREST = 10  # members are drawn from the anchor council's nearest councils
# Partnership sizes and their weights, after the seed table (2: 45, 3: 24, 4: 7, 5: 6, 6: 5, 7-8: 4, 13: 1).
SIZES = (2, 3, 4, 5, 6, 7, 8, 13)
SIZE_WEIGHTS = (45, 24, 7, 6, 5, 2, 2, 1)
STATUSES = ((Status.OPERATIONAL, 0.6), (Status.PLANNED, 0.3), (Status.ENDED, 0.1))
KINDS = (
    (SavingsKind.ANNUAL, 0.35),
    (SavingsKind.TARGET, 0.3),
    (SavingsKind.CUMULATIVE, 0.15),
    (SavingsKind.ONE_OFF_FUNDING, 0.12),
    (SavingsKind.COMBINED_SPEND, 0.08),
)
EXCLUDED_TYPES = {"COMB", "SRA", "CC"}  # combined authorities and other bodies: never members here


def is_synthetic(p: Partnership) -> bool:
    return p.id.startswith(ID_PREFIX)


def candidate_councils(register: Register) -> list:
    """Councils a synthetic partnership may include: current ones, and former ones abolished since 2009, each
    with a position (for choosing neighbours)."""
    chosen = []
    for council in register.councils.values():
        if council.type_code in EXCLUDED_TYPES or council.lat is None or council.lon is None:
            continue
        if council.current or (council.end and council.end.year >= 2009):
            chosen.append(council)
    return sorted(chosen, key=lambda c: c.id)


def synthetic_partnerships(count: int, register: Register, seed: int = 0) -> list[Partnership]:
    """``count`` made-up partnerships between real, mostly neighbouring councils; the same ``seed`` gives the same
    list, so benchmark runs compare like with like."""
    rng = np.random.default_rng(seed)
    councils = candidate_councils(register)
    positions = np.radians(np.array([[c.lat, c.lon] for c in councils]))
    # Squared distances on a plane scaled by cos(latitude): good enough to pick neighbours.
    x = positions[:, 1] * np.cos(positions[:, 0].mean())
    y = positions[:, 0]
    distance = (x[:, None] - x[None, :]) ** 2 + (y[:, None] - y[None, :]) ** 2
    nearest = np.argsort(distance, axis=1)[:, 1 : NEAREST + 1]
    size_weights = np.array(SIZE_WEIGHTS) / sum(SIZE_WEIGHTS)
    made = []
    for i in range(count):  # one partnership at a time: the first n of a longer list are the same n
        anchor = int(rng.integers(len(councils)))
        size = int(rng.choice(SIZES, p=size_weights))
        pool = nearest[anchor] if size <= NEAREST + 1 else np.argsort(distance[anchor])[1 : size * 2]
        others = rng.choice(pool, size=min(size - 1, len(pool)), replace=False)
        members = tuple(councils[j].id for j in (anchor, *others))
        status = STATUSES[int(rng.choice(len(STATUSES), p=[w for _, w in STATUSES]))][0]
        start = int(rng.integers(2005, 2026))
        end = PartialDate(min(start + int(rng.integers(1, 8)), LATEST_YEAR)) if status is Status.ENDED else None
        picked = tuple(SERVICES[int(j)] for j in rng.choice(len(SERVICES), size=int(rng.integers(1, 4)), replace=False))
        number = i + 1
        made.append(
            Partnership(
                id=f"{ID_PREFIX}{number:05d}",
                name=f"Synthetic partnership {number} (not real)",
                council_ids=members,
                services=picked,
                status=status,
                start=PartialDate(start, int(rng.integers(1, 13))),
                end=end,
                savings=_savings(rng),
                description="Synthetic: made up for a scale test; not a real partnership.",
                source_urls=(f"{SOURCE_URL}{number}",),
                source_title="Synthetic record (not real)",
            )
        )
    return made


def _savings(rng: np.random.Generator) -> tuple[Savings, ...]:
    """None, one or two figures, log-uniform between £20,000 and £20m (as the real figures spread)."""
    figures = []
    for _ in range(int(rng.choice(3, p=[0.4, 0.45, 0.15]))):
        kind = KINDS[int(rng.choice(len(KINDS), p=[w for _, w in KINDS]))][0]
        amount = float(round(10 ** rng.uniform(4.3, 7.3), -3))
        figures.append(Savings(amount, kind, "synthetic"))
    return tuple(figures)
