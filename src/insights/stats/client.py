"""One client's headline figures against a baseline: the previous period, or the other clients.

The tests behind the "vs previous" and "vs other clients" lines of a client report: NPS with the
z test, CSAT and mean overall with Welch's t (CSAT as the mean of a 0/100 top-box indicator).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from insights.data.survey import SurveyDefinition
from insights.stats import metrics
from insights.stats.comparisons import ALPHA

__all__ = ["Comparison", "compare_headlines", "top_box_mean"]


@dataclass(frozen=True)
class Comparison:
    """One headline figure against a baseline (the previous period, or the rest of the portfolio)."""

    label: str
    baseline: str
    difference: metrics.Difference | None

    @property
    def significant(self) -> bool:
        """Whether the two-sided p-value is below :data:`~insights.stats.comparisons.ALPHA`."""
        d = self.difference
        return d is not None and not math.isnan(d.p_value) and d.p_value < ALPHA

    def text(self, digits: int, unit: str = "") -> str:
        """The difference in words, e.g. ``"+12 vs 2026-09 (significant)"``."""
        d = self.difference
        if d is None or math.isnan(d.estimate):
            return f"no {self.baseline} figure to compare"
        mark = " (significant)" if self.significant else " (not significant)"
        return f"{d.estimate:+.{digits}f}{unit} vs {self.baseline}{mark}"


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
    current: pd.DataFrame, baseline: pd.DataFrame, survey: SurveyDefinition, baseline_name: str
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

    Returns
    -------
    dict
        ``"nps"`` (z test, :func:`~insights.stats.comparisons.compare_nps`), ``"csat"`` and
        ``"mean"`` (Welch t, :func:`~insights.stats.comparisons.compare_means`) as
        :class:`Comparison`; without a difference when either side is empty.

    References
    ----------
    Welch, B. L. (1947). *Biometrika* 34(1-2), 28-35.
    Rocks, B. (2016). *The American Statistician* 70(4), 365-372.
    """
    if baseline.empty or current.empty:
        return {key: Comparison(key, baseline_name, None) for key in ("nps", "csat", "mean")}
    return {
        "nps": Comparison(
            "NPS", baseline_name, metrics.compare_nps(metrics.nps(current), metrics.nps(baseline))
        ),
        "csat": Comparison(
            "CSAT",
            baseline_name,
            metrics.compare_means(top_box_mean(current, survey), top_box_mean(baseline, survey)),
        ),
        "mean": Comparison(
            "Mean overall",
            baseline_name,
            metrics.compare_means(metrics.mean_score(current), metrics.mean_score(baseline)),
        ),
    }
