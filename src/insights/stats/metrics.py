"""Headline survey metrics: NPS, CSAT (top-box share) and mean ratings, alone or as the headline.

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
  (top-2-box on 1-5 is "4 or 5").  ``top_box=0`` is a scale without a top box (the survey
  definition's ``top_box = 0``): :func:`csat` refuses it with a ``ValueError``, :func:`summary`
  returns a headline whose ``csat`` is None, and a scorecard's ``top2`` is NaN.
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

The comparisons (:mod:`insights.stats.comparisons`), scorecards and trends
(:mod:`insights.stats.scorecard`) build on these and are importable from here too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from insights.data.survey import DEFAULT_DRIVERS  # noqa: F401 (re-exported)
from insights.stats.cells import (
    check_confidence,
    check_nps_range,
    check_scale_max,
    nps_cells,
    one_cell,
    rating_cells,
    ratings,
    require_columns,
    survey_weights,
    top_box_threshold,
)
from insights.stats.comparisons import compare_means, compare_nps
from insights.stats.intervals import t_interval, wilson_interval
from insights.stats.nps import DETRACTOR_MAX, NPS_SCALE, PROMOTER_MIN, nps_interval  # noqa: F401
from insights.stats.results import CSATResult, Difference, Headline, MeanResult, NPSResult
from insights.stats.scorecard import (  # noqa: F401 (constants importable from here as before the split)
    NPS_COMPONENT,
    SCORECARD_COLUMNS,
    TREND_COLUMNS,
    TrendKind,
    scorecard,
    trend,
)

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


# --------------------------------------------------------------------------- single estimates


def _nps_result(values, weights, confidence: float) -> NPSResult:
    cells = nps_cells(values, weights, one_cell(len(values)), 1)
    low, high = nps_interval(cells.score, cells.se, confidence)
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
    cells = rating_cells(values, weights, one_cell(len(values)), 1, threshold)
    share, n_eff = cells.top_share, cells.n_eff
    low, high = wilson_interval(share, n_eff, confidence)
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
    cells = rating_cells(values, weights, one_cell(len(values)), 1)
    low, high = t_interval(cells.mean, cells.se, cells.n - 1, confidence)
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
    require_columns(df, column, weight)
    check_confidence(confidence)
    values = ratings(df, column)
    check_nps_range(values, column)
    return _nps_result(values, survey_weights(df, weight), confidence)


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
        of range (``top_box=0``, a scale without a top box, has no CSAT: use :func:`mean_score`),
        or a weight is not positive.

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
    require_columns(df, column, weight)
    check_confidence(confidence)
    threshold = top_box_threshold(scale_max, top_box)
    values = ratings(df, column)
    check_scale_max(values, scale_max, column)
    return _csat_result(values, survey_weights(df, weight), threshold, confidence)


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
    require_columns(df, column, weight)
    check_confidence(confidence)
    return _mean_result(ratings(df, column), survey_weights(df, weight), confidence)


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
        Scale of ``overall``; see :func:`csat`.  ``top_box=0`` (a scale without a top box)
        gives no CSAT: the headline's ``csat`` is None (``null`` in ``to_dict()``).
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
    >>> summary(responses, top_box=0).to_dict()["csat"] is None  # a scale without a top box
    True
    """
    require_columns(df, overall, nps, weight)
    check_confidence(confidence)
    threshold = top_box_threshold(scale_max, top_box) if top_box != 0 else None
    weights = survey_weights(df, weight)
    overall_values = ratings(df, overall)
    check_scale_max(overall_values, scale_max, overall)
    nps_values = ratings(df, nps)
    check_nps_range(nps_values, nps)
    return Headline(
        n=len(df),
        nps=_nps_result(nps_values, weights, confidence),
        csat=None if threshold is None else _csat_result(overall_values, weights, threshold, confidence),
        mean_overall=_mean_result(overall_values, weights, confidence),
    )
