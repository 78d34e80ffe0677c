"""The findings: short conclusions in plain language, with their numbers and uncertainty.

A driver is called significant only when its 95% coefficient interval excludes zero, the
strongest only when a bootstrap shows its share ahead of the runner-up, and the one to fix
first only when its score is significantly below the average driver (a paired comparison
within responses, clustered like the regression).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from insights.stats.drivers.moments import _blocks, _group_sums
from insights.stats.drivers.prepare import _Sample


def _percent(value: float) -> str:
    return f"{100 * value:.0f}%"


def _signed(value: float) -> str:
    return f"{value:+.2f}"


def _ci(low: float, high: float, unit: str = "") -> str:
    if unit == "%":
        return f"95% CI {low:.0f}% to {high:.0f}%"
    return f"95% CI {low:.2f} to {high:.2f}"


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _performance_gaps(sample: _Sample) -> pd.DataFrame:
    """Each driver's mean score minus the average of all driver means, with a 95% CI.

    The gap is the mean of d_i = x_ij - (mean over drivers of x_i), so the
    comparison is paired within responses. Its standard error treats each
    cluster (or each response) as an independent unit, with the same
    G/(G-1) correction and t(G-1) reference as the regression.
    """
    x, weights = sample.x, sample.weights
    n, p = x.shape
    w = np.ones(n) if weights is None else weights

    def deviations(rows: slice) -> np.ndarray:
        block = x[rows]
        return block - block.mean(axis=1, keepdims=True)

    # In blocks of responses: no (n, p) intermediate for a million of them.
    gap = sum(w[rows] @ deviations(rows) for rows in _blocks(n)) / w.sum()
    # Influence of each unit on the weighted mean, summed within the unit.
    squares = np.zeros(p)
    if sample.groups is None:
        n_units = n
        for rows in _blocks(n):
            squares += (((deviations(rows) - gap) * w[rows, None]) ** 2).sum(axis=0)
    else:
        n_units = int(sample.groups.max()) + 1
        unit_sums = np.zeros((n_units, p))
        for rows in _blocks(n):
            unit_sums += _group_sums(deviations(rows) - gap, sample.groups[rows], n_units, w[rows])
        squares = (unit_sums**2).sum(axis=0)
    se = np.sqrt(n_units / (n_units - 1) * squares) / w.sum()
    half_width = stats.t.ppf(0.975, n_units - 1) * se
    return pd.DataFrame(
        {"gap": gap, "ci_low": gap - half_width, "ci_high": gap + half_width},
        index=sample.drivers,
    )


@dataclass(frozen=True)
class _Evidence:
    """The fitted numbers the findings quote, by driver, and how they are put into words."""

    coefficients: pd.DataFrame  # indexed by term (``Intercept`` and the drivers)
    importance: pd.DataFrame  # indexed by driver, strongest first
    labels: Mapping[str, str]
    significant: pd.Series  # by term: the 95% interval of the coefficient excludes zero
    bootstrapped: bool

    @classmethod
    def of(cls, coefficients: pd.DataFrame, importance: pd.DataFrame, labels: Mapping[str, str]) -> _Evidence:
        coefficients = coefficients.set_index("term")
        importance = importance.set_index("driver")
        significant = coefficients["ci_low"].gt(0) | coefficients["ci_high"].lt(0)
        return cls(coefficients, importance, labels, significant, "share_ci_low" in importance.columns)

    def label(self, name: str) -> str:
        return self.labels.get(name) or name.replace("_", " ").capitalize()

    def share_text(self, driver: str) -> str:
        row = self.importance.loc[driver]
        text = f"{row['share']:.0f}% of explained variance"
        if self.bootstrapped:
            text += f" ({_ci(row['share_ci_low'], row['share_ci_high'], '%')})"
        return text

    def effect_text(self, driver: str) -> str:
        row = self.coefficients.loc[driver]
        return f"{_signed(row['coef'])} per point, {_ci(row['ci_low'], row['ci_high'])}"


def _findings(
    sample: _Sample,
    coefficients: pd.DataFrame,
    importance: pd.DataFrame,
    ordered: pd.DataFrame,
    *,
    r2: float,
    n_clusters: int | None,
    outcome: str,
    labels: Mapping[str, str],
    share_gap_ci: tuple[float, float] | None,
) -> list[str]:
    """Plain-language conclusions; only 95%-significant effects are claimed.

    In this order: how much the drivers explain; the strongest driver; the other significant
    ones; negative effects; what to fix first; drivers without a significant effect; whether
    the ordered logit agrees.
    """
    evidence = _Evidence.of(coefficients, importance, labels)
    coefficients, importance, significant = evidence.coefficients, evidence.importance, evidence.significant
    label, effect_text, share_text = evidence.label, evidence.effect_text, evidence.share_text
    outcome_label = labels.get(outcome) or outcome.replace("_", " ")
    positive = [d for d in importance.index if significant[d] and coefficients.loc[d, "coef"] > 0]
    negative = [d for d in importance.index if significant[d] and coefficients.loc[d, "coef"] < 0]
    null = [d for d in importance.index if not significant[d]]

    findings = [
        _explained_finding(sample, evidence, r2=r2, n_clusters=n_clusters, outcome_label=outcome_label)
    ]
    top = importance.index[0]
    findings.append(_strongest_finding(evidence, top in positive, outcome_label, share_gap_ci))

    others = [d for d in positive if d != top]
    if others:
        findings.append(
            "Also significant: "
            + "; ".join(f"{label(d)} ({effect_text(d)}; {share_text(d)})" for d in others)
            + "."
        )

    for driver in negative:
        findings.append(
            f"{label(driver)} has a negative coefficient with the other drivers held fixed "
            f"({effect_text(driver)}); with correlated drivers this is often a suppression "
            "effect, so read it with care."
        )

    findings += _fix_first_findings(sample, evidence, positive)

    if null and len(importance) > 1:
        findings.append(
            "No significant effect detected for "
            + _join([f"{label(d)} ({effect_text(d)})" for d in null])
            + "."
        )

    if len(ordered):
        findings.append(_robustness_finding(evidence, ordered))
    return findings


def _explained_finding(
    sample: _Sample, evidence: _Evidence, *, r2: float, n_clusters: int | None, outcome_label: str
) -> str:
    """How much of the outcome's variance the drivers explain, from how many responses."""
    if n_clusters:
        unit = "clients" if sample.cluster == "client_id" else f"clusters of {sample.cluster}"
        source = f" from {n_clusters} {unit}"
    else:
        source = ""
    subject = (
        f"The {len(sample.drivers)} drivers together explain"
        if len(sample.drivers) > 1
        else f"{evidence.label(sample.drivers[0])} explains"
    )
    return (
        f"{subject} {_percent(r2)} of the variance in {outcome_label} "
        f"(R² = {r2:.2f}, n = {len(sample.y):,} responses{source})."
    )


def _strongest_finding(
    evidence: _Evidence, top_is_positive: bool, outcome_label: str, share_gap_ci: tuple[float, float] | None
) -> str:
    """The driver with the largest share: its effect, and whether it is clearly ahead."""
    coefficients, importance = evidence.coefficients, evidence.importance
    label, share_text = evidence.label, evidence.share_text
    top = importance.index[0]
    if len(importance) == 1:
        # A share of 100% says nothing; the effect itself is the finding.
        verdict = "is significant" if evidence.significant[top] else "is not significant"
        return f"The effect of {label(top)} {verdict} ({evidence.effect_text(top)})."
    if not top_is_positive:
        return (
            f"{label(top)} has the largest share ({share_text(top)}), but its own effect is "
            f"not significant once the other drivers are held fixed ({evidence.effect_text(top)})."
        )
    if share_gap_ci is not None and share_gap_ci[0] > 0:
        lead = f"{label(top)} is the strongest driver: {share_text(top)}"
    elif share_gap_ci is not None:
        runner_up = importance.index[1]
        lead = (
            f"{label(top)} has the largest share, {share_text(top)}, but is not clearly "
            f"ahead of {label(runner_up)} ({importance.loc[runner_up, 'share']:.0f}%)"
        )
    else:
        lead = f"{label(top)} has the largest share: {share_text(top)}"
    return (
        f"{lead}; each extra point goes with {_signed(coefficients.loc[top, 'coef'])} "
        f"points of {outcome_label} "
        f"({_ci(coefficients.loc[top, 'ci_low'], coefficients.loc[top, 'ci_high'])})."
    )


def _fix_first_findings(sample: _Sample, evidence: _Evidence, positive: list[str]) -> list[str]:
    """The weakest of the important, significant drivers in the "Fix first" quadrant, if its
    score is significantly below the average driver; else that none stands out."""
    importance, label = evidence.importance, evidence.label
    candidates = [
        d for d in importance.index if importance.loc[d, "quadrant"] == "Fix first" and d in positive
    ]
    if not candidates:
        return []
    gaps = _performance_gaps(sample)
    weak = [d for d in candidates if gaps.loc[d, "ci_high"] < 0]
    if weak:
        weakest = min(weak, key=lambda d: gaps.loc[d, "gap"])
        row = gaps.loc[weakest]
        return [
            f"{label(weakest)} is the weakest important driver: mean score "
            f"{importance.loc[weakest, 'performance']:.2f}, {-row['gap']:.2f} below the "
            f"average driver ({_ci(-row['ci_high'], -row['ci_low'])}), with "
            f"{evidence.share_text(weakest)}. Fix it first."
        ]
    return [
        f"{_join([label(d) for d in candidates])} "
        + ("is" if len(candidates) == 1 else "are")
        + " important and score below the average driver, but not significantly "
        "below it; no driver stands out as the one to fix first."
    ]


def _robustness_finding(evidence: _Evidence, ordered: pd.DataFrame) -> str:
    """Whether the ordered logit finds the same drivers significant, with the same signs."""
    coefficients, significant = evidence.coefficients, evidence.significant
    ordered = ordered.set_index("term")
    ordered_significant = ordered["ci_low"].gt(0) | ordered["ci_high"].lt(0)
    disagree = [
        d
        for d in evidence.importance.index
        if bool(significant[d]) != bool(ordered_significant[d])
        or (significant[d] and np.sign(coefficients.loc[d, "coef"]) != np.sign(ordered.loc[d, "coef"]))
    ]
    if disagree:
        return (
            "The ordered logit robustness check disagrees on "
            + _join([evidence.label(d) for d in disagree])
            + " (significant in only one of the two models, or with opposite signs); "
            "treat those with caution."
        )
    return "The ordered logit robustness check agrees: the same drivers are significant, with the same signs."
