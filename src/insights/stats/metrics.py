"""Headline survey metrics: NPS, CSAT (top-box share), mean ratings, scorecards and trends.

Every function is pure: it takes the tidy response frame produced by the loader (one row
per response) plus column names and scale information as keyword arguments, and returns a
small frozen dataclass or a tidy DataFrame.  Nothing here plots, prints or touches disk,
and nothing depends on the survey-definition object.

Conventions shared by every function
------------------------------------
* ``NaN`` in a rated column means "not answered": the row is ignored and not counted in ``n``.
* Empty input (``n == 0``) never raises: estimates and intervals are ``NaN`` so that a
  report can say "not enough data".
* NPS, CSAT and top-box shares are percentages on a 0-100 scale.
* Top-``k``-box on a ``1..scale_max`` scale means ratings ``>= scale_max - top_box + 1``
  (top-2-box on 1-5 is "4 or 5").
* Survey weights are optional (``weight="weight"``).  With weights, shares and means are
  weighted, ``n`` stays the number of answers and ``n_eff`` is Kish's effective sample size
  ``(sum w)**2 / sum w**2``.  Counts (promoters, satisfied, ...) are always unweighted.

Variance estimators
-------------------
* NPS: the multinomial variance of the difference of two shares,
  ``se = 100 * sqrt((p + d - (p - d)**2) / n)`` with ``n_eff`` in place of ``n`` when
  weighted (Rocks 2016).  Intervals are normal (Wald), truncated to the scale's range
  [-100, 100] so that no report shows an impossible bound; a truncated interval is itself a
  sign that ``n`` is too small.
* Top-box share: Wilson (1927) score interval, with ``n_eff`` in place of ``n`` when weighted.
* Mean: the usual ``s / sqrt(n)`` with a Student t interval on ``n - 1`` degrees of freedom.
  Weighted, the mean is the ratio estimator ``sum(w y) / sum(w)`` and its variance the
  with-replacement linearisation estimator
  ``n / (n - 1) * sum(w**2 * (y - mean)**2) / sum(w)**2`` (what R's ``survey::svymean``
  reports for a one-stage design), still on ``n - 1`` degrees of freedom.  It reduces to
  ``s / sqrt(n)`` when all weights are equal, and it already reflects unequal weights, so
  Kish's ``n_eff`` is reported for the mean but not used in its standard error.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from insights.core.jsonsafe import json_value
from insights.data.survey import DEFAULT_DRIVERS

__all__ = [
    "DEFAULT_DRIVERS",
    "CSATResult",
    "Difference",
    "Headline",
    "MeanResult",
    "NPSResult",
    "compare_means",
    "compare_nps",
    "csat",
    "mean_score",
    "nps",
    "scorecard",
    "summary",
    "trend",
]

NPS_COMPONENT = "nps"
PROMOTER_MIN = 9
DETRACTOR_MAX = 6
NPS_SCALE = (0, 10)

SCORECARD_COLUMNS = (
    "component",
    "n",
    "n_eff",
    "mean",
    "sd",
    "se",
    "top2",
    "prev_period",
    "prev_n",
    "prev_mean",
    "change",
    "p_value",
    "significant",
    "test",
    "rank",
)
TREND_COLUMNS = ("n", "estimate", "se", "ci_low", "ci_high", "suppressed")
TrendKind = Literal["mean", "nps", "top2"]


# --------------------------------------------------------------------------- results


def _signed(value: float, digits: int) -> str:
    return "n/a" if math.isnan(value) else f"{value:+.{digits}f}"


def _level(confidence: float) -> str:
    return f"{100 * confidence:g}%"


def _sample_size(n: int, n_eff: float) -> str:
    weighted = not math.isclose(n, n_eff, rel_tol=1e-9)
    return f"n={n} (effective {n_eff:.1f})" if weighted else f"n={n}"


class _Reportable:
    def to_dict(self) -> dict[str, object]:
        """All fields as JSON-able Python scalars (NaN becomes None)."""
        return {f.name: json_value(getattr(self, f.name)) for f in fields(self)}


@dataclass(frozen=True, repr=False)
class NPSResult(_Reportable):
    """Net Promoter Score with its standard error, normal CI and the three groups.

    ``promoters``, ``passives`` and ``detractors`` are unweighted counts; the ``pct_*``
    fields are the (weighted, when weights were given) shares in percent.
    """

    score: float
    se: float
    ci_low: float
    ci_high: float
    n: int
    n_eff: float
    promoters: int
    passives: int
    detractors: int
    pct_promoters: float
    pct_passives: float
    pct_detractors: float
    confidence: float = 0.95

    def __repr__(self) -> str:
        if self.n == 0:
            return "NPS n/a (no responses)"
        return (
            f"NPS {_signed(self.score, 1)} ({_level(self.confidence)} CI "
            f"{_signed(self.ci_low, 1)} to {_signed(self.ci_high, 1)}), "
            f"{_sample_size(self.n, self.n_eff)}: {self.promoters} promoters, "
            f"{self.passives} passives, {self.detractors} detractors"
        )


@dataclass(frozen=True, repr=False)
class CSATResult(_Reportable):
    """Top-box share in percent with a Wilson CI; ``se`` is the Wald standard error."""

    score: float
    se: float
    ci_low: float
    ci_high: float
    n: int
    n_eff: float
    satisfied: int
    threshold: float
    confidence: float = 0.95

    def __repr__(self) -> str:
        if self.n == 0:
            return "CSAT n/a (no responses)"
        return (
            f"CSAT {self.score:.1f}% ({_level(self.confidence)} CI {self.ci_low:.1f}% to "
            f"{self.ci_high:.1f}%), {_sample_size(self.n, self.n_eff)}: "
            f"{self.satisfied} rated {self.threshold:g} or higher"
        )


@dataclass(frozen=True, repr=False)
class MeanResult(_Reportable):
    """Mean rating with its standard error and Student t CI (``n - 1`` degrees of freedom)."""

    score: float
    se: float
    ci_low: float
    ci_high: float
    n: int
    n_eff: float
    sd: float
    confidence: float = 0.95

    def __repr__(self) -> str:
        if self.n == 0:
            return "Mean n/a (no responses)"
        interval = "n/a" if math.isnan(self.ci_low) else f"{self.ci_low:.2f} to {self.ci_high:.2f}"
        spread = "" if math.isnan(self.sd) else f", sd={self.sd:.2f}"
        return (
            f"Mean {self.score:.2f} ({_level(self.confidence)} CI {interval}), "
            f"{_sample_size(self.n, self.n_eff)}{spread}"
        )


@dataclass(frozen=True, repr=False)
class Difference(_Reportable):
    """A two-sample difference (first minus second) with its CI and two-sided p-value.

    ``test`` is ``"welch_t"`` (``statistic`` is t, ``dof`` the Welch-Satterthwaite degrees
    of freedom) or ``"z"`` (``statistic`` is z, ``dof`` is infinite).
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    statistic: float
    dof: float
    p_value: float
    test: str
    confidence: float = 0.95

    def __repr__(self) -> str:
        digits = 1 if self.test == "z" else 2
        if math.isnan(self.p_value):
            test = "test undefined"
        elif self.test == "z":
            test = f"z = {self.statistic:.2f}, p = {self.p_value:.3g}"
        else:
            test = f"Welch t = {self.statistic:.2f}, df = {self.dof:.1f}, p = {self.p_value:.3g}"
        return (
            f"Difference {_signed(self.estimate, digits)} ({_level(self.confidence)} CI "
            f"{_signed(self.ci_low, digits)} to {_signed(self.ci_high, digits)}), {test}"
        )


@dataclass(frozen=True, repr=False)
class Headline:
    """The headline block of a report: response count, NPS, CSAT and mean overall."""

    n: int
    nps: NPSResult
    csat: CSATResult
    mean_overall: MeanResult

    def to_dict(self) -> dict[str, object]:
        """The command-line JSON contract; other tools rely on exactly these keys.

        ``{"n": int,
        "nps": {"score", "se", "ci_low", "ci_high", "promoters", "passives", "detractors"},
        "csat": {"score", "ci_low", "ci_high"},
        "mean_overall": {"score", "ci_low", "ci_high"}}``, floats as Python floats
        (NaN as None) and counts as Python ints.
        """

        def pick(result: _Reportable, keys: Sequence[str]) -> dict[str, object]:
            values = result.to_dict()
            return {key: values[key] for key in keys}

        return {
            "n": int(self.n),
            "nps": pick(
                self.nps,
                ("score", "se", "ci_low", "ci_high", "promoters", "passives", "detractors"),
            ),
            "csat": pick(self.csat, ("score", "ci_low", "ci_high")),
            "mean_overall": pick(self.mean_overall, ("score", "ci_low", "ci_high")),
        }

    def __repr__(self) -> str:
        return "\n".join(
            [
                f"Headline ({self.n} responses)",
                f"  {self.nps!r}",
                f"  {self.csat!r}",
                f"  {self.mean_overall!r}",
            ]
        )


# --------------------------------------------------------------------------- validation


def _require_columns(df: pd.DataFrame, *columns: str | None) -> None:
    missing = [column for column in columns if column is not None and column not in df.columns]
    if missing:
        raise KeyError(f"not in the response frame: {', '.join(map(repr, missing))}")


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")


def _check_no_missing_keys(df: pd.DataFrame, keys: Sequence[str]) -> None:
    # Silently dropping responses without a client or period would change n unnoticed.
    for key in keys:
        if df[key].isna().any():
            raise ValueError(f"{key!r} has missing values; every response needs one")


def _ratings(df: pd.DataFrame, column: str) -> np.ndarray:
    return df[column].to_numpy(dtype=float, na_value=np.nan)


def _survey_weights(df: pd.DataFrame, weight: str | None) -> np.ndarray | None:
    if weight is None:
        return None
    weights = df[weight].to_numpy(dtype=float, na_value=np.nan)
    if not np.all(np.isfinite(weights) & (weights > 0)):
        raise ValueError(f"weights in {weight!r} must be positive and finite")
    return weights


def _top_box_threshold(scale_max: float, top_box: int) -> float:
    if not 1 <= top_box <= scale_max:
        raise ValueError(f"top_box must be between 1 and scale_max={scale_max}, got {top_box}")
    return scale_max - top_box + 1


def _check_scale_max(values: np.ndarray, scale_max: float, column: str) -> None:
    # A rating above the scale means the wrong scale was passed: top-box shares would be wrong.
    if np.any(values > scale_max):
        raise ValueError(f"{column!r} has ratings above scale_max={scale_max}")


def _check_nps_range(values: np.ndarray, column: str) -> None:
    low, high = NPS_SCALE
    if np.any((values < low) | (values > high)):
        raise ValueError(f"{column!r} has likelihood-to-recommend values outside {low}-{high}")


def _period_freq(df: pd.DataFrame, period: str):
    dtype = df[period].dtype
    if not isinstance(dtype, pd.PeriodDtype):
        raise TypeError(f"{period!r} must have a pandas Period dtype (e.g. period[M]), got {dtype}")
    return dtype.freq


# --------------------------------------------------------------------------- intervals and tests


def _z_quantile(confidence: float) -> float:
    return float(stats.norm.ppf(0.5 + confidence / 2))


def _normal_interval(estimate, se, confidence: float):
    half = _z_quantile(confidence) * np.asarray(se, dtype=float)
    return estimate - half, estimate + half


def _nps_interval(estimate, se, confidence: float):
    low, high = _normal_interval(estimate, se, confidence)
    return np.clip(low, -100.0, 100.0), np.clip(high, -100.0, 100.0)


def _t_interval(estimate, se, dof, confidence: float):
    dof = np.asarray(dof, dtype=float)
    quantile = stats.t.ppf(0.5 + confidence / 2, np.where(dof > 0, dof, np.nan))
    half = quantile * np.asarray(se, dtype=float)
    return estimate - half, estimate + half


def _wilson_interval(share, n, confidence: float):
    """Wilson score interval for a proportion; ``n`` may be a (non-integer) effective size."""
    z = _z_quantile(confidence)
    share = np.asarray(share, dtype=float)
    n = np.where(np.asarray(n, dtype=float) > 0, n, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        shrink = 1 + z**2 / n
        centre = (share + z**2 / (2 * n)) / shrink
        half = z * np.sqrt(share * (1 - share) / n + z**2 / (4 * n**2)) / shrink
    # At a share of exactly 0 (or 1) the bound is exactly 0 (or 1); rounding would leave 1e-15.
    low = np.where(share == 0, 0.0, np.clip(centre - half, 0, 1))
    high = np.where(share == 1, 1.0, np.clip(centre + half, 0, 1))
    return low, high


def _welch_test(difference, se_first, n_first, se_second, n_second):
    """Welch's unequal-variance t test from summary statistics: (se, dof, t, p)."""
    var_first, var_second = np.square(se_first), np.square(se_second)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(var_first + var_second)
        dof = (var_first + var_second) ** 2 / (
            var_first**2 / (np.asarray(n_first, float) - 1)
            + var_second**2 / (np.asarray(n_second, float) - 1)
        )
        statistic = np.where(se > 0, difference / se, np.nan)
    p_value = 2 * stats.t.sf(np.abs(statistic), dof)
    return se, dof, statistic, p_value


def _z_test(difference, se_first, se_second):
    """z test of a difference of independent estimates: (se, z, p)."""
    se = np.sqrt(np.square(se_first) + np.square(se_second))
    with np.errstate(invalid="ignore", divide="ignore"):
        statistic = np.where(se > 0, difference / se, np.nan)
    return se, statistic, 2 * stats.norm.sf(np.abs(statistic))


# --------------------------------------------------------------------------- grouped kernels
#
# Every estimate is computed per "cell" (e.g. client x month) from sums taken with
# np.bincount over integer cell codes: one pass over the rows per component, no Python loop
# over cells.  A single overall estimate is the one-cell case.


@dataclass(frozen=True)
class _RatingCells:
    n: np.ndarray
    n_eff: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    se: np.ndarray
    top_share: np.ndarray
    top_count: np.ndarray


@dataclass(frozen=True)
class _NPSCells:
    n: np.ndarray
    n_eff: np.ndarray
    promoters: np.ndarray
    passives: np.ndarray
    detractors: np.ndarray
    promoter_share: np.ndarray
    passive_share: np.ndarray
    detractor_share: np.ndarray
    score: np.ndarray
    sd: np.ndarray
    se: np.ndarray


def _answer_weights(values: np.ndarray, weights: np.ndarray | None):
    answered = ~np.isnan(values)
    if weights is None:
        return answered, answered.astype(float)
    return answered, np.where(answered, weights, 0.0)


def _kish_n_eff(n, sum_w, sum_w2):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, sum_w**2 / sum_w2, 0.0)


def _rating_cells(
    values: np.ndarray,
    weights: np.ndarray | None,
    codes: np.ndarray,
    n_cells: int,
    threshold: float = math.inf,
) -> _RatingCells:
    answered, w = _answer_weights(values, weights)

    def total(x: np.ndarray) -> np.ndarray:
        return np.bincount(codes, weights=x, minlength=n_cells)

    n = total(answered.astype(float))
    sum_w = total(w)
    is_top = answered & (np.where(answered, values, -np.inf) >= threshold)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total(w * np.where(answered, values, 0.0)) / sum_w
        # Two passes (deviations from the cell mean) rather than sum of squares: no cancellation.
        deviation = np.where(answered, values - mean[codes], 0.0)
        bessel = n / (n - 1)
        sd = np.sqrt(total(w * deviation**2) / sum_w * bessel)
        se = np.sqrt(total(w**2 * deviation**2) / sum_w**2 * bessel)
        top_share = total(w * is_top) / sum_w
    return _RatingCells(
        n=n.astype(np.int64),
        n_eff=_kish_n_eff(n, sum_w, total(w**2)),
        mean=mean,
        sd=sd,
        se=se,
        top_share=top_share,
        top_count=total(is_top.astype(float)).astype(np.int64),
    )


def _nps_cells(values: np.ndarray, weights: np.ndarray | None, codes: np.ndarray, n_cells: int) -> _NPSCells:
    answered, w = _answer_weights(values, weights)

    def total(x: np.ndarray) -> np.ndarray:
        return np.bincount(codes, weights=x, minlength=n_cells)

    filled = np.where(answered, values, np.nan)
    promoter = filled >= PROMOTER_MIN
    detractor = filled <= DETRACTOR_MAX
    passive = answered & ~promoter & ~detractor
    n = total(answered.astype(float))
    sum_w = total(w)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = total(w * promoter) / sum_w
        d = total(w * detractor) / sum_w
        n_eff = _kish_n_eff(n, sum_w, total(w**2))
        # Rounding can push p + d - (p - d)^2 a hair below zero when all answers are one group.
        variance = np.maximum(p + d - (p - d) ** 2, 0.0)
        se = 100 * np.sqrt(variance / np.where(n > 0, n_eff, np.nan))
    return _NPSCells(
        n=n.astype(np.int64),
        n_eff=n_eff,
        promoters=total(promoter.astype(float)).astype(np.int64),
        passives=total(passive.astype(float)).astype(np.int64),
        detractors=total(detractor.astype(float)).astype(np.int64),
        promoter_share=p,
        passive_share=1 - p - d,
        detractor_share=d,
        score=100 * (p - d),
        sd=100 * np.sqrt(variance),
        se=se,
    )


def _one_cell(length: int) -> np.ndarray:
    return np.zeros(length, dtype=np.intp)


# --------------------------------------------------------------------------- single estimates


def _nps_result(values, weights, confidence: float) -> NPSResult:
    cells = _nps_cells(values, weights, _one_cell(len(values)), 1)
    low, high = _nps_interval(cells.score, cells.se, confidence)
    return NPSResult(
        score=float(cells.score[0]),
        se=float(cells.se[0]),
        ci_low=float(low[0]),
        ci_high=float(high[0]),
        n=int(cells.n[0]),
        n_eff=float(cells.n_eff[0]),
        promoters=int(cells.promoters[0]),
        passives=int(cells.passives[0]),
        detractors=int(cells.detractors[0]),
        pct_promoters=float(100 * cells.promoter_share[0]),
        pct_passives=float(100 * cells.passive_share[0]),
        pct_detractors=float(100 * cells.detractor_share[0]),
        confidence=confidence,
    )


def _csat_result(values, weights, threshold: float, confidence: float) -> CSATResult:
    cells = _rating_cells(values, weights, _one_cell(len(values)), 1, threshold)
    share, n_eff = cells.top_share, cells.n_eff
    low, high = _wilson_interval(share, n_eff, confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(share * (1 - share) / n_eff)
    return CSATResult(
        score=float(100 * share[0]),
        se=float(100 * se[0]),
        ci_low=float(100 * low[0]),
        ci_high=float(100 * high[0]),
        n=int(cells.n[0]),
        n_eff=float(n_eff[0]),
        satisfied=int(cells.top_count[0]),
        threshold=float(threshold),
        confidence=confidence,
    )


def _mean_result(values, weights, confidence: float) -> MeanResult:
    cells = _rating_cells(values, weights, _one_cell(len(values)), 1)
    low, high = _t_interval(cells.mean, cells.se, cells.n - 1, confidence)
    return MeanResult(
        score=float(cells.mean[0]),
        se=float(cells.se[0]),
        ci_low=float(low[0]),
        ci_high=float(high[0]),
        n=int(cells.n[0]),
        n_eff=float(cells.n_eff[0]),
        sd=float(cells.sd[0]),
        confidence=confidence,
    )


def nps(
    df: pd.DataFrame,
    column: str = "likelihood_to_recommend",
    *,
    weight: str | None = None,
    confidence: float = 0.95,
) -> NPSResult:
    """Net Promoter Score: percent promoters (9-10) minus percent detractors (0-6).

    Parameters
    ----------
    df : DataFrame
        Responses, one per row.
    column : str
        The 0-10 likelihood-to-recommend column; NaN means not answered and is not counted.
    weight : str, optional
        Column of positive survey weights.  Shares become weighted and Kish's effective
        sample size ``n_eff = (sum w)**2 / sum w**2`` replaces ``n`` in the standard error.
    confidence : float
        Level of the normal interval ``score +/- z * se``.

    Returns
    -------
    NPSResult
        ``score`` in [-100, 100], ``se = 100 * sqrt((p + d - (p - d)**2) / n)``, the
        interval (truncated to [-100, 100]; see the module notes), unweighted counts of
        promoters, passives and detractors, and the shares in percent.  With no answers the
        score, se and interval are NaN.

    Raises
    ------
    ValueError
        If a value lies outside 0-10, or a weight is not positive.

    References
    ----------
    Reichheld, F. F. (2003). The one number you need to grow. *Harvard Business Review*
    81(12), 46-54.
    Rocks, B. (2016). Interval estimation for the "Net Promoter Score". *The American
    Statistician* 70(4), 365-372.
    Kish, L. (1965). *Survey Sampling*. Wiley.

    Examples
    --------
    >>> import pandas as pd
    >>> responses = pd.DataFrame({"likelihood_to_recommend": [10, 9, 9, 10, 9, 8, 7, 6, 3, 5]})
    >>> result = nps(responses)
    >>> result
    NPS +20.0 (95% CI -34.0 to +74.0), n=10: 5 promoters, 2 passives, 3 detractors
    >>> round(result.se, 2)
    27.57
    """
    _require_columns(df, column, weight)
    _check_confidence(confidence)
    values = _ratings(df, column)
    _check_nps_range(values, column)
    return _nps_result(values, _survey_weights(df, weight), confidence)


def csat(
    df: pd.DataFrame,
    column: str = "overall_satisfaction",
    *,
    scale_max: float = 5,
    top_box: int = 2,
    weight: str | None = None,
    confidence: float = 0.95,
) -> CSATResult:
    """CSAT as the top-box share of a rating, in percent, with a Wilson score interval.

    Parameters
    ----------
    df : DataFrame
        Responses, one per row.
    column : str
        The rating column (``1..scale_max``); NaN means not answered and is not counted.
    scale_max : float
        Top of the rating scale.
    top_box : int
        How many top categories count as satisfied: ratings ``>= scale_max - top_box + 1``.
    weight : str, optional
        Column of positive survey weights: a weighted share, and Kish's ``n_eff`` in place of
        ``n`` in the Wilson interval.
    confidence : float
        Level of the interval.

    Returns
    -------
    CSATResult
        ``score`` (percent), the Wilson interval (percent), the Wald ``se`` (percent, for
        comparisons), ``n``, ``n_eff``, the unweighted count of satisfied answers and the
        threshold used.  NaN estimates when nobody answered.

    Raises
    ------
    ValueError
        If a rating lies above ``scale_max`` (the wrong scale was passed), ``top_box`` is out
        of range, or a weight is not positive.

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. *Journal of the American Statistical Association* 22(158), 209-212.
    Brown, L. D., Cai, T. T. and DasGupta, A. (2001). Interval estimation for a binomial
    proportion. *Statistical Science* 16(2), 101-133.
    Kish, L. (1965). *Survey Sampling*. Wiley.

    Examples
    --------
    >>> import pandas as pd
    >>> responses = pd.DataFrame({"overall_satisfaction": [5, 4, 4, 3, 5, 2, 4, 5, 1, 4]})
    >>> csat(responses)
    CSAT 70.0% (95% CI 39.7% to 89.2%), n=10: 7 rated 4 or higher
    """
    _require_columns(df, column, weight)
    _check_confidence(confidence)
    threshold = _top_box_threshold(scale_max, top_box)
    values = _ratings(df, column)
    _check_scale_max(values, scale_max, column)
    return _csat_result(values, _survey_weights(df, weight), threshold, confidence)


def mean_score(
    df: pd.DataFrame,
    column: str = "overall_satisfaction",
    *,
    weight: str | None = None,
    confidence: float = 0.95,
) -> MeanResult:
    """Mean of a rating with a Student t confidence interval.

    Parameters
    ----------
    df : DataFrame
        Responses, one per row.
    column : str
        The rating column; NaN means not answered and is not counted.
    weight : str, optional
        Column of positive survey weights.  The mean becomes ``sum(w y) / sum(w)`` and its
        standard error the linearisation (sandwich) estimator
        ``sqrt(n / (n - 1) * sum(w**2 (y - mean)**2)) / sum(w)`` -- not ``sd / sqrt(n_eff)``.
    confidence : float
        Level of the interval ``mean +/- t(n - 1) * se``.

    Returns
    -------
    MeanResult
        ``score`` (the mean), ``se``, interval, ``n``, ``n_eff`` and ``sd`` (weighted, with
        the ``n / (n - 1)`` correction).  One answer gives a mean but NaN se and interval;
        none gives NaN throughout.

    References
    ----------
    Student (1908). The probable error of a mean. *Biometrika* 6(1), 1-25.
    Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*, ch. 2. Wiley.
    Kish, L. (1965). *Survey Sampling*. Wiley.

    Examples
    --------
    >>> import pandas as pd
    >>> responses = pd.DataFrame({"overall_satisfaction": [5, 4, 4, 3, 5, 2, 4, 5, 1, 4]})
    >>> mean_score(responses)
    Mean 3.70 (95% CI 2.74 to 4.66), n=10, sd=1.34
    """
    _require_columns(df, column, weight)
    _check_confidence(confidence)
    return _mean_result(_ratings(df, column), _survey_weights(df, weight), confidence)


# --------------------------------------------------------------------------- comparisons


def compare_means(first: MeanResult, second: MeanResult, *, confidence: float = 0.95) -> Difference:
    """Welch's two-sample comparison of two independent means: ``first - second``.

    Works from the summary results, so weighted means (linearisation standard errors) are
    compared the same way; the degrees of freedom are Welch-Satterthwaite with ``n - 1``
    per sample.  For unweighted data this is exactly
    ``scipy.stats.ttest_ind(a, b, equal_var=False)``.

    The samples must be independent: to compare a client against the portfolio, compare it
    against the *rest* of the portfolio, not a portfolio that includes the client.

    Parameters
    ----------
    first, second : MeanResult
        E.g. ``mean_score(this_month)`` and ``mean_score(last_month)``.
    confidence : float
        Level of the t interval for the difference.

    Returns
    -------
    Difference
        ``estimate``, ``se = sqrt(se1**2 + se2**2)``, t interval, ``statistic`` (t),
        ``dof``, two-sided ``p_value`` and ``test="welch_t"``.  NaN when either side has
        fewer than two answers or both have zero variance.

    References
    ----------
    Welch, B. L. (1947). The generalization of "Student's" problem when several different
    population variances are involved. *Biometrika* 34(1-2), 28-35.
    Satterthwaite, F. E. (1946). An approximate distribution of estimates of variance
    components. *Biometrics Bulletin* 2(6), 110-114.

    Examples
    --------
    >>> import pandas as pd
    >>> now = mean_score(pd.DataFrame({"overall_satisfaction": [5, 4, 4, 5, 5, 4]}))
    >>> before = mean_score(pd.DataFrame({"overall_satisfaction": [3, 4, 2, 3, 4, 3, 2]}))
    >>> compare_means(now, before)
    Difference +1.50 (95% CI +0.66 to +2.34), Welch t = 3.94, df = 10.5, p = 0.00255
    """
    _check_confidence(confidence)
    difference = first.score - second.score
    se, dof, statistic, p_value = _welch_test(difference, first.se, first.n, second.se, second.n)
    low, high = _t_interval(difference, se, dof, confidence)
    return Difference(
        estimate=float(difference),
        se=float(se),
        ci_low=float(low),
        ci_high=float(high),
        statistic=float(statistic),
        dof=float(dof),
        p_value=float(p_value),
        test="welch_t",
        confidence=confidence,
    )


def compare_nps(first: NPSResult, second: NPSResult, *, confidence: float = 0.95) -> Difference:
    """z test of the difference of two independent NPS values: ``first - second``.

    ``se_diff = sqrt(se1**2 + se2**2)``, ``z = difference / se_diff``, normal interval.  When
    both standard errors are zero (e.g. everybody a promoter on both sides) the test is
    undefined and the p-value is NaN.  The samples must be independent (see
    :func:`compare_means`).  Being a Wald test it is liberal below about 30 answers per side
    (see the notes of :func:`scorecard`).

    References
    ----------
    Rocks, B. (2016). Interval estimation for the "Net Promoter Score". *The American
    Statistician* 70(4), 365-372.

    Examples
    --------
    >>> import pandas as pd
    >>> now = nps(pd.DataFrame({"likelihood_to_recommend": [10, 9, 9, 10, 8, 7, 6, 9]}))
    >>> before = nps(pd.DataFrame({"likelihood_to_recommend": [3, 9, 5, 10, 8, 2, 6, 9]}))
    >>> compare_nps(now, before)
    Difference +62.5 (95% CI -18.3 to +143.3), z = 1.52, p = 0.129
    """
    _check_confidence(confidence)
    difference = first.score - second.score
    se, statistic, p_value = _z_test(difference, first.se, second.se)
    low, high = _normal_interval(difference, se, confidence)
    return Difference(
        estimate=float(difference),
        se=float(se),
        ci_low=float(low),
        ci_high=float(high),
        statistic=float(statistic),
        dof=math.inf,
        p_value=float(p_value),
        test="z",
        confidence=confidence,
    )


# --------------------------------------------------------------------------- headline


def summary(
    df: pd.DataFrame,
    *,
    overall: str = "overall_satisfaction",
    nps: str = "likelihood_to_recommend",
    scale_max: float = 5,
    top_box: int = 2,
    weight: str | None = None,
    confidence: float = 0.95,
) -> Headline:
    """Headline metrics of a set of responses: NPS, CSAT (top-box) and mean overall.

    Parameters
    ----------
    df : DataFrame
        Responses, one per row (already filtered to the client/period of interest).
    overall : str
        The overall-satisfaction rating column (``1..scale_max``).
    nps : str
        The 0-10 likelihood-to-recommend column.
    scale_max, top_box : int
        Scale of ``overall``; see :func:`csat`.
    weight : str, optional
        Column of survey weights, passed on to :func:`nps`, :func:`csat` and
        :func:`mean_score`.
    confidence : float
        Level of all three intervals.

    Returns
    -------
    Headline
        ``n`` is the number of responses (rows); each metric carries its own ``n`` of
        answers.  ``Headline.to_dict()`` is the command-line JSON contract.

    Examples
    --------
    >>> import pandas as pd
    >>> responses = pd.DataFrame({
    ...     "overall_satisfaction": [5, 4, 4, 3, 5, 2, 4, 5, 1, 4],
    ...     "likelihood_to_recommend": [10, 9, 9, 10, 9, 8, 7, 6, 3, None],
    ... })
    >>> summary(responses).to_dict()["nps"]["promoters"]
    5
    """
    _require_columns(df, overall, nps, weight)
    _check_confidence(confidence)
    threshold = _top_box_threshold(scale_max, top_box)
    weights = _survey_weights(df, weight)
    overall_values = _ratings(df, overall)
    _check_scale_max(overall_values, scale_max, overall)
    nps_values = _ratings(df, nps)
    _check_nps_range(nps_values, nps)
    return Headline(
        n=len(df),
        nps=_nps_result(nps_values, weights, confidence),
        csat=_csat_result(overall_values, weights, threshold, confidence),
        mean_overall=_mean_result(overall_values, weights, confidence),
    )


# --------------------------------------------------------------------------- scorecard


def _cell_codes(df: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Integer code of each row's (key1, key2, ...) cell, and the cells' keys in sorted order."""
    grouped = df.groupby(keys, observed=True, sort=True)
    codes = grouped.ngroup().to_numpy(dtype=np.intp)
    cells = grouped.size().index.to_frame(index=False)
    return codes, cells


def _with_previous_period(cells: pd.DataFrame, client: str, period: str) -> pd.DataFrame:
    answered = cells[cells["n"] > 0].sort_values(period, kind="stable")
    previous = answered.groupby([client, "component"], observed=True, sort=False)[
        [period, "n", "mean", "se"]
    ].shift(1)
    previous.columns = ["prev_period", "prev_n", "prev_mean", "prev_se"]
    return cells.join(previous)


def scorecard(
    df: pd.DataFrame,
    components: Sequence[str] | None = None,
    *,
    client: str = "client_id",
    period: str = "period",
    overall: str = "overall_satisfaction",
    nps: str | None = "likelihood_to_recommend",
    scale_max: float = 5,
    top_box: int = 2,
    weight: str | None = None,
    alpha: float = 0.05,
    rank_min_n: int = 1,
) -> pd.DataFrame:
    """Tidy client x period x component scorecard with change against the previous period.

    Parameters
    ----------
    df : DataFrame
        Responses, one per row.
    components : sequence of str, optional
        Rating columns (``1..scale_max``) to score.  Default: the default drivers present in
        ``df`` followed by ``overall``.
    client, period : str
        Columns identifying the client and the reporting period (sortable, normally
        ``period[M]``).  ``client`` may be categorical; only observed clients appear.
    overall : str
        Overall-satisfaction column, used only to build the default ``components``.
    nps : str or None
        0-10 likelihood-to-recommend column scored as an extra component named ``"nps"``;
        None leaves it out.
    scale_max, top_box : int
        Rating scale, for the top-box share (see :func:`csat`).
    weight : str, optional
        Column of survey weights (see :func:`mean_score` and :func:`nps`).
    alpha : float
        Significance level for ``significant``.
    rank_min_n : int
        Cells with fewer answers get no rank (``<NA>``).  The default ranks every cell with
        at least one answer.

    Returns
    -------
    DataFrame
        One row per client x period (with at least one response) x component, sorted by
        client, period and component (in the order given, ``"nps"`` last), with columns

        * ``<client>``, ``<period>``, ``component``;
        * ``n`` answers and Kish ``n_eff``;
        * ``mean``, ``sd``, ``se`` -- for the ``"nps"`` component these are the NPS, the
          standard deviation of the promoter = +100 / passive = 0 / detractor = -100 coding
          and the NPS standard error (NPS *is* the mean of that coding);
        * ``top2`` -- top-box share in percent (for ``"nps"``: percent promoters, the top-2
          box of the 0-10 scale);
        * ``prev_period``, ``prev_n``, ``prev_mean`` -- the previous period *with at least one
          answer to that component from that client*: the most recent earlier period, which
          may lie more than one month back when the client skipped months (``prev_period``
          shows which);
        * ``change = mean - prev_mean``, ``p_value`` (two-sided) and ``significant``
          (``p_value < alpha``; False when untestable);
        * ``test`` -- ``"welch_t"`` (Welch's t on the two cells) for ratings, ``"z"``
          (``se_diff = sqrt(se1**2 + se2**2)``) for NPS;
        * ``rank`` -- the client's rank among all clients in that period and component,
          1 = highest mean / NPS, ties share the best rank (``method="min"``).

        Cells where nobody answered a component are kept with ``n = 0`` and NaN estimates.

    Notes
    -----
    Computation is vectorised: one pass of ``np.bincount`` over the rows per component and
    groupby operations over the (much smaller) cell table, so a million responses take about
    a second.  ``p_value`` is not adjusted for the many comparisons a scorecard makes; with
    hundreds of clients expect about ``alpha`` of the unchanged cells to be flagged.  The
    NPS z test is a large-sample (Wald) test and is liberal in small cells: in simulations
    with no true change its false-positive rate at ``alpha = 0.05`` was about 18% with 3
    answers per cell, 12% with 5, 8% with 10 and 5% from about 30.  Treat NPS changes in
    small cells with caution.

    References
    ----------
    Welch, B. L. (1947). *Biometrika* 34(1-2), 28-35 (t test).
    Rocks, B. (2016). *The American Statistician* 70(4), 365-372 (NPS standard error).

    Examples
    --------
    >>> import pandas as pd
    >>> responses = pd.DataFrame({
    ...     "client_id": ["A", "A", "A", "A", "B", "B"],
    ...     "period": pd.PeriodIndex(["2024-01", "2024-01", "2024-02", "2024-02",
    ...                               "2024-01", "2024-01"], freq="M"),
    ...     "quality": [4, 5, 2, 3, 3, 3],
    ...     "likelihood_to_recommend": [9, 10, 5, 8, 7, 8],
    ... })
    >>> card = scorecard(responses, ["quality"])
    >>> card[["client_id", "period", "component", "n", "mean", "change", "rank"]]
      client_id   period component  n   mean  change  rank
    0         A  2024-01   quality  2    4.5     NaN     1
    1         A  2024-01       nps  2  100.0     NaN     1
    2         A  2024-02   quality  2    2.5    -2.0     1
    3         A  2024-02       nps  2  -50.0  -150.0     1
    4         B  2024-01   quality  2    3.0     NaN     2
    5         B  2024-01       nps  2    0.0     NaN     2
    """
    if components is None:
        components = [driver for driver in DEFAULT_DRIVERS if driver in df.columns] + [overall]
    components = list(components)
    if not components and nps is None:
        raise ValueError("nothing to score: no components and nps=None")
    _require_columns(df, client, period, *components, nps, weight)
    _check_no_missing_keys(df, [client, period])
    threshold = _top_box_threshold(scale_max, top_box)
    weights = _survey_weights(df, weight)
    codes, keys = _cell_codes(df, [client, period])

    blocks = []
    for component in components:
        values = _ratings(df, component)
        _check_scale_max(values, scale_max, component)
        rated = _rating_cells(values, weights, codes, len(keys), threshold)
        blocks.append(
            keys.assign(
                component=component,
                n=rated.n,
                n_eff=rated.n_eff,
                mean=rated.mean,
                sd=rated.sd,
                se=rated.se,
                top2=100 * rated.top_share,
                test="welch_t",
            )
        )
    if nps is not None:
        values = _ratings(df, nps)
        _check_nps_range(values, nps)
        scored = _nps_cells(values, weights, codes, len(keys))
        blocks.append(
            keys.assign(
                component=NPS_COMPONENT,
                n=scored.n,
                n_eff=scored.n_eff,
                mean=scored.score,
                sd=scored.sd,
                se=scored.se,
                top2=100 * scored.promoter_share,
                test="z",
            )
        )

    cells = pd.concat(blocks, ignore_index=True)
    # Blocks come in component order; a stable sort keeps that order within client x period.
    cells = cells.sort_values([client, period], kind="stable", ignore_index=True)
    cells = _with_previous_period(cells, client, period)

    change = cells["mean"] - cells["prev_mean"]
    _, _, _, welch_p = _welch_test(change, cells["se"], cells["n"], cells["prev_se"], cells["prev_n"])
    _, _, z_p = _z_test(change, cells["se"], cells["prev_se"])
    p_value = np.where(cells["test"] == "z", z_p, welch_p)
    rankable = cells["mean"].where(cells["n"] >= max(rank_min_n, 1))
    rank = rankable.groupby([cells[period], cells["component"]], observed=True).rank(
        method="min", ascending=False
    )
    cells = cells.assign(
        prev_n=cells["prev_n"].astype("Int64"),
        change=change,
        p_value=p_value,
        significant=p_value < alpha,
        rank=rank.astype("Int64"),
    )
    return cells[[client, period, *SCORECARD_COLUMNS]]


# --------------------------------------------------------------------------- trend


def trend(
    df: pd.DataFrame,
    column: str | None = None,
    *,
    by: str | None = None,
    period: str = "period",
    kind: TrendKind = "mean",
    min_n: int = 5,
    months: int | None = None,
    end: str | pd.Period | None = None,
    scale_max: float = 5,
    top_box: int = 2,
    weight: str | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Monthly series of a metric with confidence intervals and small-cell flags.

    Parameters
    ----------
    df : DataFrame
        Responses, one per row.
    column : str, optional
        Column to summarise.  Default: ``"likelihood_to_recommend"`` for ``kind="nps"``,
        ``"overall_satisfaction"`` otherwise.
    by : str, optional
        Grouping column (e.g. ``"client_id"``) for one series per group.
    period : str
        Column with a pandas Period dtype (normally ``period[M]``).
    kind : {"mean", "nps", "top2"}
        Mean with t interval (:func:`mean_score`), NPS with normal interval (:func:`nps`), or
        top-box share in percent with Wilson interval (:func:`csat`).
    min_n : int
        Cells with fewer answers are flagged ``suppressed=True``.  Their estimate is kept:
        the reporting layer decides whether to hide it.
    months : int, optional
        Keep only the last ``months`` periods ending at ``end``.
    end : str or Period, optional
        Last period shown (default: the last period in the data).
    scale_max, top_box : int
        Rating scale, for ``kind="top2"``.
    weight : str, optional
        Column of survey weights.
    confidence : float
        Level of the intervals.

    Returns
    -------
    DataFrame
        Columns ``[<by>,] <period>, n, estimate, se, ci_low, ci_high, suppressed``, one row
        per (group x) period.  Every period of the window is present for every group, so
        months without answers appear as rows with ``n = 0``, NaN estimates and
        ``suppressed=True`` rather than silently vanishing.  The window runs from the first
        period in the data (or ``end - months + 1``) to the last period in the data (or
        ``end``) and is the same for all groups, so a client that went quiet shows the gap
        too.  Groups are those with at least one response in the window.  For ``"top2"``
        ``se`` is the Wald standard error (the interval is Wilson).

    Examples
    --------
    >>> import pandas as pd
    >>> responses = pd.DataFrame({
    ...     "period": pd.PeriodIndex(["2024-01"] * 6 + ["2024-03"] * 2, freq="M"),
    ...     "overall_satisfaction": [5, 4, 4, 3, 5, 4, 2, 3],
    ... })
    >>> trend(responses, min_n=5)[["period", "n", "estimate", "suppressed"]]
        period  n  estimate  suppressed
    0  2024-01  6  4.166667       False
    1  2024-02  0       NaN        True
    2  2024-03  2  2.500000        True
    """
    if kind not in ("mean", "nps", "top2"):
        raise ValueError(f"kind must be 'mean', 'nps' or 'top2', got {kind!r}")
    if column is None:
        column = "likelihood_to_recommend" if kind == "nps" else "overall_satisfaction"
    if months is not None and months < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    _require_columns(df, column, period, by, weight)
    _check_confidence(confidence)
    _check_no_missing_keys(df, [period] if by is None else [period, by])
    freq = _period_freq(df, period)

    if end is None and len(df) == 0:
        return _empty_trend(df, by, period)
    periods = df[period]
    last = pd.Period(end, freq=freq) if end is not None else periods.max()
    if months is not None:
        first = last - (months - 1)
    else:
        earlier = periods[periods <= last]
        first = earlier.min() if len(earlier) else last
    window = pd.period_range(first, last, freq=freq)
    offset = periods.array.asi8 - first.ordinal
    in_window = (offset >= 0) & (offset < len(window))

    if by is None:
        group_codes, groups = _one_cell(int(in_window.sum())), None
        n_groups = 1
    else:
        group_codes, groups = pd.factorize(df.loc[in_window, by], sort=True)
        n_groups = len(groups)
    if n_groups == 0:
        return _empty_trend(df, by, period)
    codes = group_codes * len(window) + offset[in_window]
    n_cells = n_groups * len(window)
    values = _ratings(df, column)[in_window]
    weights = _survey_weights(df, weight)
    weights = None if weights is None else weights[in_window]

    if kind == "nps":
        _check_nps_range(values, column)
        scored = _nps_cells(values, weights, codes, n_cells)
        n, estimate, se = scored.n, scored.score, scored.se
        ci_low, ci_high = _nps_interval(estimate, se, confidence)
    elif kind == "top2":
        threshold = _top_box_threshold(scale_max, top_box)
        _check_scale_max(values, scale_max, column)
        rated = _rating_cells(values, weights, codes, n_cells, threshold)
        n, share = rated.n, rated.top_share
        with np.errstate(invalid="ignore", divide="ignore"):
            se = 100 * np.sqrt(share * (1 - share) / rated.n_eff)
        low, high = _wilson_interval(share, rated.n_eff, confidence)
        estimate, ci_low, ci_high = 100 * share, 100 * low, 100 * high
    else:
        rated = _rating_cells(values, weights, codes, n_cells)
        n, estimate, se = rated.n, rated.mean, rated.se
        ci_low, ci_high = _t_interval(estimate, se, n - 1, confidence)

    cell = np.arange(n_cells)
    columns: dict[str, object] = {}
    if by is not None:
        columns[by] = groups.take(cell // len(window))
    columns[period] = window.take(cell % len(window))
    columns.update(n=n, estimate=estimate, se=se, ci_low=ci_low, ci_high=ci_high, suppressed=n < min_n)
    return pd.DataFrame(columns)


def _empty_trend(df: pd.DataFrame, by: str | None, period: str) -> pd.DataFrame:
    columns: dict[str, pd.Series] = {}
    if by is not None:
        columns[by] = df[by].iloc[:0].reset_index(drop=True)
    columns[period] = df[period].iloc[:0].reset_index(drop=True)
    columns.update(
        n=pd.Series(dtype=np.int64),
        **{name: pd.Series(dtype=float) for name in ("estimate", "se", "ci_low", "ci_high")},
        suppressed=pd.Series(dtype=bool),
    )
    return pd.DataFrame(columns)
