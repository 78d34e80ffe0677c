"""One client's headline figures against a baseline: its earlier months, or the other clients.

The differences behind the "vs earlier months" and "vs other clients" lines of a client report.
Whether a change is a significant fall is not decided here, one test at a time: it is the
client's ``drop`` flag (:mod:`insights.stats.alerts`), which a :class:`Comparison` carries.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from insights.data.survey import SurveyDefinition
from insights.stats import metrics

__all__ = ["Comparison", "compare_headlines", "flag_text", "top_box_mean", "with_flags"]


def flag_text(p: float, q: float) -> str:
    """``"p = 0.0012, q = 0.031"`` (``""`` for a rule without a test)."""
    if p is None or q is None or math.isnan(p) or math.isnan(q):
        return ""
    return f"p = {p:.2g}, q = {q:.2g}"


@dataclass(frozen=True)
class Comparison:
    """One headline figure against a baseline (the client's earlier months, or the other clients).

    ``flag`` is the alert that calls the change a significant fall (a ``drop`` flag of
    :func:`insights.stats.alerts.compute_alerts`, as a dict), or None.  A comparison that is not
    ``tested`` is shown for information only: no significance is claimed either way.
    """

    label: str
    baseline: str
    difference: metrics.Difference | None
    flag: dict | None = None
    tested: bool = True

    @property
    def significant(self) -> bool:
        """Whether the change is flagged (a significant fall in its family of flags)."""
        return self.flag is not None

    def text(self, digits: int, unit: str = "") -> str:
        """The difference in words, e.g. ``"-12 vs 2025-11 to 2026-09 (significant fall: p = ..., q = ...)"``."""
        d = self.difference
        if d is None or math.isnan(d.estimate):
            return f"no {self.baseline} figure to compare"
        figure = f"{d.estimate:+.{digits}f}{unit} vs {self.baseline}"
        if not self.tested:
            return figure
        if self.flag is not None:
            return f"{figure} (significant fall: {flag_text(self.flag['p'], self.flag['q'])})"
        return f"{figure} (no significant fall)"


def with_flags(comparisons: dict[str, Comparison], flags: pd.DataFrame) -> dict[str, Comparison]:
    """The comparisons with their metric's ``drop`` flag (from ``flags``, one client's alert rows)
    attached, and marked as tested."""
    drops = flags[flags["kind"] == "drop"].set_index("metric") if len(flags) else flags
    return {
        key: Comparison(
            c.label,
            c.baseline,
            c.difference,
            drops.loc[key].to_dict() if key in getattr(drops, "index", ()) else None,
            True,
        )
        for key, c in comparisons.items()
    }


def top_box_mean(df: pd.DataFrame, survey: SurveyDefinition) -> metrics.MeanResult:
    """CSAT as the mean of a 0/100 top-box indicator of overall satisfaction.

    As a mean, Welch's comparison of means (:func:`~insights.stats.comparisons.compare_means`)
    applies to it; unanswered ratings stay out.

    Parameters
    ----------
    df : DataFrame
        Responses with ``overall_satisfaction``.
    survey : SurveyDefinition
        For the overall scale's top-box threshold.

    Returns
    -------
    MeanResult
        The share in percent with its t interval.
    """
    column = df["overall_satisfaction"]
    indicator = (column >= survey.overall_scale.top_box_threshold).astype(float) * 100
    return metrics.mean_score(pd.DataFrame({"top": indicator.where(column.notna())}), "top")


def compare_headlines(
    current: pd.DataFrame,
    baseline: pd.DataFrame,
    survey: SurveyDefinition,
    baseline_name: str,
    *,
    tested: bool = False,
) -> dict[str, Comparison]:
    """NPS, CSAT and mean overall of ``current`` against ``baseline``.

    Parameters
    ----------
    current, baseline : DataFrame
        Two independent sets of responses (e.g. this period and the previous one, or this client
        and the other clients in the same period).
    survey : SurveyDefinition
        For the overall scale's top box.
    baseline_name : str
        How the baseline is named in the comparisons' text.
    tested : bool
        Whether the comparisons are judged (by flags attached with :func:`with_flags`) or shown
        for information only.

    Returns
    -------
    dict
        ``"nps"`` (:func:`~insights.stats.comparisons.compare_nps`), ``"csat"`` and ``"mean"``
        (:func:`~insights.stats.comparisons.compare_means`) as :class:`Comparison`, without a
        flag; without a difference when either side is empty.  No ``"csat"`` when the survey
        reports none (its overall scale has no top box, ``survey.reports_csat``).  The differences'
        own p-values are one test at a time and decide nothing.

    References
    ----------
    Welch, B. L. (1947). *Biometrika* 34(1-2), 28-35.
    Rocks, B. (2016). *The American Statistician* 70(4), 365-372.
    """
    if baseline.empty or current.empty:
        keys = ("nps", "csat", "mean") if survey.reports_csat else ("nps", "mean")
        return {key: Comparison(key, baseline_name, None, None, tested) for key in keys}
    comparisons = {
        "nps": Comparison(
            "NPS",
            baseline_name,
            metrics.compare_nps(metrics.nps(current), metrics.nps(baseline)),
            None,
            tested,
        ),
    }
    if survey.reports_csat:
        comparisons["csat"] = Comparison(
            "CSAT",
            baseline_name,
            metrics.compare_means(top_box_mean(current, survey), top_box_mean(baseline, survey)),
            None,
            tested,
        )
    comparisons["mean"] = Comparison(
        "Mean overall",
        baseline_name,
        metrics.compare_means(metrics.mean_score(current), metrics.mean_score(baseline)),
        None,
        tested,
    )
    return comparisons
