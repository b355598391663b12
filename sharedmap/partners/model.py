"""The learned weights of find-a-partner: a regularised logistic regression over the partnerships that formed.

Each training row is one candidate for one member of one real partnership (1 when it was a partner, 0 otherwise).
Weights are shared by all services, plus a group's own adjustment (``MODEL_GROUPS``) where the data has at least
``MIN_GROUP_PARTNERSHIPS`` partnerships of that group; L2 regularisation pulls the adjustments to 0 where the
evidence is thin. The shipped model is a small JSON file (weights, training date, data version), written by
``python -m sharedmap recommend --fit`` and only read when the page or command runs.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from sharedmap.errors import SharedMapError
from sharedmap.partners.features import FEATURE_NAMES, service_group

MODEL_PATH = Path(__file__).with_name("model.json")
REGULARISATION_C = 1.0  # sklearn's inverse strength; fixed before measuring, not tuned on the backtest
MIN_GROUP_PARTNERSHIPS = 12  # fewer partnerships of a service group than this: it uses the shared weights only


class ModelFileError(SharedMapError):
    """The model file is missing or unreadable: run ``python -m sharedmap recommend --fit``."""


@dataclass(frozen=True)
class LearnedModel:
    weights: dict[str, float]  # feature → points per unit, for every service
    group_weights: dict[str, dict[str, float]]  # service group → feature → points added for that group
    trained_on: str = ""  # ISO date and time (UTC) of the fit
    data_version: str = ""  # the published version the partnerships came from
    partnerships: int = 0
    cases: int = 0
    regularisation_c: float = REGULARISATION_C
    partnership_ids: tuple[str, ...] = field(default=(), repr=False)  # what it was fitted on (the leakage test)

    def weights_for(self, service: str | None) -> dict[str, float]:
        extra = self.group_weights.get(service_group(service) or "", {})
        return {name: self.weights.get(name, 0.0) + extra.get(name, 0.0) for name in FEATURE_NAMES}

    def points(self, values: dict[str, float], service: str | None) -> dict[str, float]:
        """Each feature's contribution in points: its weight for the service times its value."""
        weights = self.weights_for(service)
        return {name: round(weights[name] * values.get(name, 0.0), 2) for name in FEATURE_NAMES}

    def score_matrix(self, matrix: np.ndarray, service: str | None) -> np.ndarray:
        weights = self.weights_for(service)
        return matrix @ np.array([weights[name] for name in FEATURE_NAMES])

    def as_dict(self) -> dict:
        found = asdict(self)
        found["partnership_ids"] = list(self.partnership_ids)
        return found

    def summary(self) -> dict:
        """What the page and JSON say about the model: when it was fitted, on what."""
        return {
            "trained_on": self.trained_on,
            "data_version": self.data_version,
            "partnerships": self.partnerships,
            "cases": self.cases,
            "groups": sorted(self.group_weights),
        }


@dataclass(frozen=True)
class TrainingCase:
    """One member of one partnership asking for partners: its candidates' features and which were partners."""

    partnership_id: str
    council_id: str
    service: str
    year: int
    candidate_ids: tuple[str, ...]
    matrix: np.ndarray  # candidates × FEATURE_NAMES
    targets: np.ndarray  # bool per candidate: a member of the partnership
    distances: np.ndarray  # km per candidate
    same_county: np.ndarray  # bool per candidate
    # (row, column, partnership ids) of each cell that is 1 only because of those partnerships ("partner",
    # "experienced", "active"): a fold's model must not learn from partnerships it will be tested on
    evidence: tuple[tuple[int, int, frozenset[str]], ...] = ()

    def hiding(self, hidden: set[str]) -> TrainingCase:
        """This case as it would read with the ``hidden`` partnerships never having existed."""
        changed = [(row, column) for row, column, ids in self.evidence if ids and ids <= hidden]
        if not changed:
            return self
        matrix = self.matrix.copy()
        for row, column in changed:
            matrix[row, column] = 0.0
        return replace(self, matrix=matrix)


def design(cases: list[TrainingCase], groups: tuple[str, ...]) -> np.ndarray:
    """The cases' rows: the shared features, then one copy per fitted group that is zero outside that group."""
    blocks = []
    for case in cases:
        own = service_group(case.service)
        extra = [case.matrix if own == group else np.zeros_like(case.matrix) for group in groups]
        blocks.append(np.hstack([case.matrix, *extra]))
    return np.vstack(blocks)


def fit_model(cases: list[TrainingCase], data_version: str = "", c: float = REGULARISATION_C) -> LearnedModel:
    """Fit on these cases only: the backtest calls it once per fold, ``--fit`` once on everything."""
    if not cases or not any(case.targets.any() for case in cases):
        raise ModelFileError("no partnership with two councils on the boundaries to learn from")
    by_group: dict[str, set[str]] = {}
    for case in cases:
        by_group.setdefault(service_group(case.service) or "", set()).add(case.partnership_id)
    groups = tuple(sorted(g for g, ids in by_group.items() if g and len(ids) >= MIN_GROUP_PARTNERSHIPS))
    x = design(cases, groups)
    y = np.concatenate([case.targets for case in cases]).astype(int)
    fitted = LogisticRegression(C=c, max_iter=2000).fit(x, y)
    coefficients = fitted.coef_[0]
    width = len(FEATURE_NAMES)
    shared = {name: round(float(w), 4) for name, w in zip(FEATURE_NAMES, coefficients[:width], strict=True)}
    per_group = {
        group: {
            name: round(float(w), 4)
            for name, w in zip(FEATURE_NAMES, coefficients[width * (i + 1) : width * (i + 2)], strict=True)
        }
        for i, group in enumerate(groups)
    }
    ids = tuple(sorted({case.partnership_id for case in cases}))
    return LearnedModel(
        shared, per_group, datetime.now(UTC).isoformat(timespec="seconds"), data_version, len(ids), len(cases), c, ids
    )


def save_model(model: LearnedModel, path: Path = MODEL_PATH) -> Path:
    Path(path).write_text(json.dumps(model.as_dict(), indent=1) + "\n", encoding="utf-8")
    return Path(path)


def load_model(path: Path = MODEL_PATH) -> LearnedModel:
    """The shipped model; ModelFileError naming the refit command when it is missing or broken."""
    try:
        found = json.loads(Path(path).read_text(encoding="utf-8"))
        found["partnership_ids"] = tuple(found.get("partnership_ids", ()))
        model = LearnedModel(**found)
    except FileNotFoundError as exc:
        raise ModelFileError(f"no model file at {path}; run `python -m sharedmap recommend --fit`") from exc
    except (ValueError, TypeError) as exc:
        raise ModelFileError(
            f"model file {path} cannot be read ({exc}); run `python -m sharedmap recommend --fit`"
        ) from exc
    unknown = set(model.weights) - set(FEATURE_NAMES)
    if unknown:
        raise ModelFileError(
            f"model file {path} has features this version does not know ({', '.join(sorted(unknown))})"
            "; run `python -m sharedmap recommend --fit`"
        )
    return model
