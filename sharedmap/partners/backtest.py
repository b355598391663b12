"""Does find-a-partner work? Hide each real partnership, ask for partners of each member, see where the others rank.

A case is one member of one partnership asking for partners in the partnership's service, in the year the
partnership started (clamped to the boundary years). A partnership without a start date started by its source's
date at the latest, so that year stands in. A case sees only the past, strictly: the hidden partnership, every
partnership that may have formed after the case's year (its start, or for an undated one its source's date, is
later), and every partnership still only planned are left out of the evidence; an ended partnership counts as
running in the years before its end. Its targets are the other members, less any already
sharing that service with the asker elsewhere (listed apart by the tool; a case with none left is skipped).

Four rankings of the same candidates, side by side: the learned model scored out of fold (folds grouped by
partnership, so no case is scored by a model that saw its partnership), the hand weights, distance alone, and same
county first then distance. hit@1/5/10 and MRR, each with a 95% bootstrap interval (partnerships resampled), and a
learning curve: the learned model's figures when it is fitted on a share of the training partnerships.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from sklearn.model_selection import GroupKFold

from sharedmap.partners.context import PartnerContext, build_context
from sharedmap.partners.features import FEATURE_NAMES
from sharedmap.partners.model import LearnedModel, TrainingCase, fit_model
from sharedmap.partners.recommend import candidate_reasons, candidate_table, relations
from sharedmap.partnerships import Partnership, Status
from sharedmap.register import Register
from sharedmap.spatial.boundaries import FIRST_YEAR, LATEST_YEAR

HIT_AT = 5
CUTS = (1, 5, 10)
METHODS = ("learned", "hand weights", "distance only", "county then distance")
FOLDS = 5
BOOTSTRAP = 1000
CURVE_SHARES = (0.25, 0.5, 0.75)  # of each fold's training partnerships; all of them is the main run
SEED = 12
EVIDENCED = ("partner", "experienced", "active")  # the features that other partnerships make 1


def latest_start(p: Partnership) -> int | None:
    """The latest year ``p`` can have formed: its start, else its source's date (it existed by then)."""
    when = p.start or p.source_date
    return when.year if when else None


def case_year(p: Partnership) -> int:
    """The year a partnership's members chose each other, within the years the boundaries cover."""
    start = latest_start(p)
    return LATEST_YEAR if start is None else min(max(start, FIRST_YEAR), LATEST_YEAR)


def case_service(p: Partnership) -> str:
    """The partnership's first named service; "Other" only when it names nothing else."""
    return next((s for s in p.services if s != "Other"), p.services[0] if p.services else "Other")


def hidden_for(p: Partnership, partnerships: list[Partnership]) -> frozenset[str]:
    """What a case of ``p`` may not see: ``p`` itself, every partnership that may have formed after the case's
    year, and every one that is still only planned (it never formed)."""
    year = case_year(p)
    return frozenset(
        {p.id}
        | {
            q.id
            for q in partnerships
            if (start := latest_start(q)) is None or start > year or q.status is Status.PLANNED
        }
    )


@dataclass(frozen=True)
class Case:
    training: TrainingCase
    targets: tuple[str, ...]
    hand_rank: int | None


def collect_cases(partnerships: list[Partnership], register: Register) -> tuple[list[Case], dict[str, int]]:
    """Every case of every partnership, with its candidates' features and the hand weights' rank."""
    contexts: dict[int, PartnerContext] = {}
    cases: list[Case] = []
    skipped: dict[str, int] = {}  # why → how many
    for p in partnerships:
        if p.status is Status.FUNDED:
            why = "grants not known to have formed a partnership"
            skipped[why] = skipped.get(why, 0) + 1
            continue
        year = case_year(p)
        if year not in contexts:
            contexts[year] = build_context(partnerships, register, year, as_at=year)
        context = contexts[year]
        members = context.members[p.id]
        if len(members) < 2:
            why = "partnerships with fewer than two councils on the boundaries of their year"
            skipped[why] = skipped.get(why, 0) + 1
            continue
        service, ignore = case_service(p), hidden_for(p, partnerships)
        for council_id in sorted(members):
            case = build_case(context, p, council_id, service, ignore)
            if case is None:
                why = "cases whose partners all share that service with it elsewhere"
                skipped[why] = skipped.get(why, 0) + 1
            else:
                cases.append(case)
    return cases, skipped


def build_case(
    context: PartnerContext, p: Partnership, council_id: str, service: str, ignore: frozenset[str]
) -> Case | None:
    sharing, candidates = candidate_table(context, council_id, service, ignore)
    targets = tuple(sorted(context.members[p.id] - {council_id} - set(sharing)))
    if not targets:
        return None
    ids = tuple(c.council.id for c in candidates)
    matrix = np.array([[c.facts.values[name] for name in FEATURE_NAMES] for c in candidates])
    evidence = tuple(
        (row, FEATURE_NAMES.index(name), frozenset(c.facts.evidence[name]["partnerships"]))
        for row, c in enumerate(candidates)
        for name in EVIDENCED
        if name in c.facts.evidence
    )
    training = TrainingCase(
        p.id,
        council_id,
        service,
        context.year,
        ids,
        matrix,
        np.array([cid in targets for cid in ids]),
        np.array([c.distance_km for c in candidates]),
        np.array([c.facts.values["county"] > 0 for c in candidates]),
        evidence,
    )
    asker = context.register.get(council_id)
    _sharing, partnered = relations(context, asker, service, ignore)
    hand = [
        sum(
            r.points
            for r in candidate_reasons(context, asker, c.council, service, partnered.get(c.council.id, []), ignore)
        )
        for c in candidates
    ]
    return Case(training, targets, rank_by(training, -np.round(hand, 2), training.distances))


def rank_by(case: TrainingCase, *keys: np.ndarray) -> int | None:
    """Best target rank when the candidates are sorted by ``keys`` (first key first, ascending), ties by id."""
    order = np.lexsort((np.array(case.candidate_ids), *reversed(keys)))
    hits = np.flatnonzero(case.targets[order])
    return int(hits[0]) + 1 if hits.size else None


def learned_rank(model: LearnedModel, case: TrainingCase) -> int | None:
    return rank_by(case, -np.round(model.score_matrix(case.matrix, case.service), 6), case.distances)


@dataclass(frozen=True)
class OutOfFold:
    ranks: list[int | None]  # per case, by a model fitted without its partnership
    sizes: list[int]  # partnerships each fold's model was fitted on
    fitted_on: list[tuple[str, ...]]  # per case, the partnerships of the model that scored it (the leakage test)


def out_of_fold(cases: list[Case], share: float = 1.0, rng: np.random.Generator | None = None) -> OutOfFold:
    """Each case's rank by a model fitted without its partnership (folds grouped by partnership); with
    ``share`` < 1, each fold's model sees only that share of its training partnerships, drawn by ``rng`` (seeded
    with SEED when not given)."""
    draw = rng if rng is not None else np.random.default_rng(SEED)
    groups = np.array([c.training.partnership_id for c in cases])
    ranks: list[int | None] = [None] * len(cases)
    fitted_on: list[tuple[str, ...]] = [()] * len(cases)
    sizes = []
    for train, test in GroupKFold(n_splits=min(FOLDS, len(set(groups)))).split(cases, groups=groups):
        chosen = np.unique(groups[train])
        if share < 1:
            chosen = draw.choice(chosen, max(2, round(share * len(chosen))), replace=False)
        picked = set(chosen.tolist())
        model = fold_model(cases, picked, set(groups[test].tolist()))
        sizes.append(len(picked))
        for i in test:
            ranks[i] = learned_rank(model, cases[i].training)
            fitted_on[i] = model.partnership_ids
    return OutOfFold(ranks, sizes, fitted_on)


def fold_model(cases: list[Case], picked: set[str], tested: set[str]) -> LearnedModel:
    """A model fitted on the cases of the ``picked`` partnerships, read as if the ``tested`` ones never existed:
    a partnership under test is neither a training case nor evidence in one (e.g. "already shares services")."""
    return fit_model([c.training.hiding(tested) for c in cases if c.training.partnership_id in picked])


@dataclass(frozen=True)
class BacktestResult:
    cases: list[Case]
    ranks: dict[str, list[int | None]]  # method → best target rank per case
    skipped: dict[str, int]
    curve: list[dict]  # share of training partnerships → learned model's figures

    def figures(self) -> dict:
        partnerships = [c.training.partnership_id for c in self.cases]
        methods = {method: metrics(ranks, partnerships) for method, ranks in self.ranks.items()}
        return {
            "measured_on": date.today().isoformat(),
            "cases": len(self.cases),
            "partnerships": len(set(partnerships)),
            f"hit_at_{HIT_AT}": methods["learned"][f"hit_at_{HIT_AT}"],
            "mrr": methods["learned"]["mrr"],
            f"baseline_hit_at_{HIT_AT}": methods["distance only"][f"hit_at_{HIT_AT}"],
            "baseline_mrr": methods["distance only"]["mrr"],
            "methods": methods,
            "learned_minus_distance": metrics(self.ranks["learned"], partnerships, self.ranks["distance only"]),
            "learned_minus_hand": metrics(self.ranks["learned"], partnerships, self.ranks["hand weights"]),
            "learning_curve": self.curve,
            "skipped": dict(self.skipped),
        }

    def as_dict(self) -> dict:
        return {
            **self.figures(),
            "case_list": [
                {
                    "partnership_id": c.training.partnership_id,
                    "council_id": c.training.council_id,
                    "service": c.training.service,
                    "year": c.training.year,
                    "targets": list(c.targets),
                    "ranks": {method: ranks[i] for method, ranks in self.ranks.items()},
                }
                for i, c in enumerate(self.cases)
            ],
        }


def _columns(ranks: list[int | None]) -> dict[str, np.ndarray]:
    depth = np.array([np.inf if r is None else r for r in ranks])
    return {f"hit_at_{k}": (depth <= k).astype(float) for k in CUTS} | {"mrr": 1 / depth}


def metrics(ranks: list[int | None], partnerships: list[str], versus: list[int | None] | None = None) -> dict:
    """hit@1/5/10 and MRR, each with its 95% interval from resampling whole partnerships (their cases go together);
    with ``versus``, the same for the difference between the two rankings on the same cases."""
    columns = _columns(ranks)
    if versus is not None:
        columns = {name: column - _columns(versus)[name] for name, column in columns.items()}
    ids = sorted(set(partnerships))
    index = {pid: i for i, pid in enumerate(ids)}
    owner = np.array([index[p] for p in partnerships])
    counts = np.bincount(owner, minlength=len(ids))
    rng = np.random.default_rng(SEED)
    draws = rng.integers(0, len(ids), size=(BOOTSTRAP, len(ids)))
    weights = np.stack([np.bincount(d, minlength=len(ids)) for d in draws])  # times each partnership is drawn
    found: dict[str, float | list[float]] = {}
    for name, column in columns.items():
        sums = np.bincount(owner, weights=column, minlength=len(ids))
        boot = (weights @ sums) / (weights @ counts)
        low, high = np.percentile(boot, [2.5, 97.5])
        found[name] = round(float(column.mean()), 3)
        found[f"{name}_ci"] = [round(float(low), 3), round(float(high), 3)]
    return found


def run_backtest(partnerships: list[Partnership], register: Register, curve: bool = True) -> BacktestResult:
    cases, skipped = collect_cases(partnerships, register)
    if not cases:
        return BacktestResult([], {m: [] for m in METHODS}, skipped, [])
    learned = out_of_fold(cases).ranks
    ranks = {
        "learned": learned,
        "hand weights": [c.hand_rank for c in cases],
        "distance only": [rank_by(c.training, c.training.distances) for c in cases],
        "county then distance": [rank_by(c.training, ~c.training.same_county, c.training.distances) for c in cases],
    }
    points = learning_curve(cases, learned) if curve else []
    return BacktestResult(cases, ranks, skipped, points)


def learning_curve(cases: list[Case], full: list[int | None]) -> list[dict]:
    """The learned model's out-of-fold figures when each fold's model sees a share of its partnerships
    (``full``: the main run's ranks, every training partnership seen)."""
    rng = np.random.default_rng(SEED)
    partnerships = [c.training.partnership_id for c in cases]
    everything = len(set(partnerships)) * (FOLDS - 1) / FOLDS
    points = []
    ranks: list[int | None]
    sizes: Sequence[float]
    for share in (*CURVE_SHARES, 1.0):
        if share < 1:
            fold = out_of_fold(cases, share, rng)
            ranks, sizes = fold.ranks, fold.sizes
        else:
            ranks, sizes = full, [everything]
        found = metrics(ranks, partnerships)
        points.append(
            {
                "share": share,
                "training_partnerships": round(float(np.mean(sizes))),
                f"hit_at_{HIT_AT}": found[f"hit_at_{HIT_AT}"],
                "mrr": found["mrr"],
            }
        )
    return points


def format_backtest(result: BacktestResult) -> str:
    figures = result.figures()
    lines = [
        f"Backtest: {figures['cases']} cases from {figures['partnerships']} partnerships "
        f"(learned model out of fold, {FOLDS} folds grouped by partnership; 95% intervals from "
        f"{BOOTSTRAP} resamples of partnerships)"
    ]
    lines += [f"  skipped {count} {why}" for why, count in figures["skipped"].items()]
    lines.append(f"{'':<22}" + "".join(f"{name:>22}" for name in ("hit@1", "hit@5", "hit@10", "MRR")))
    for method, found in figures["methods"].items():
        cells = [
            f"{found[key]:.3f} [{found[key + '_ci'][0]:.3f}-{found[key + '_ci'][1]:.3f}]"
            for key in ("hit_at_1", "hit_at_5", "hit_at_10", "mrr")
        ]
        lines.append(f"{method:<22}" + "".join(f"{cell:>22}" for cell in cells))
    if figures["learning_curve"]:
        lines.append("Learning curve (learned model, out of fold):")
        lines.append(f"  {'training partnerships':>22} {'hit@5':>7} {'MRR':>7}")
        lines += [
            f"  {p['training_partnerships']:>22} {p[f'hit_at_{HIT_AT}']:>7.3f} {p['mrr']:>7.3f}"
            for p in figures["learning_curve"]
        ]
    for name, key in (("distance only", "learned_minus_distance"), ("hand weights", "learned_minus_hand")):
        found = figures[key]
        lines.append(
            f"Learned minus {name} (paired, same cases): "
            + ", ".join(
                f"{label} {found[k]:+.3f} [{found[k + '_ci'][0]:+.3f} to {found[k + '_ci'][1]:+.3f}]"
                for label, k in (("hit@5", "hit_at_5"), ("MRR", "mrr"))
            )
        )
    return "\n".join(lines)
