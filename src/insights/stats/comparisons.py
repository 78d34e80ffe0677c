"""Two-sample comparisons of the headline metrics: Welch's t for means, a z test for NPS.

Both work from summary results (:class:`~insights.stats.results.MeanResult`,
:class:`~insights.stats.results.NPSResult`), so weighted estimates are compared the same way, and
both also run vectorised over whole scorecards (:func:`welch_test`, :func:`z_test`).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from insights.stats.cells import check_confidence
from insights.stats.intervals import normal_interval, t_interval
from insights.stats.results import Difference, MeanResult, NPSResult

__all__ = ["ALPHA", "compare_means", "compare_nps", "welch_test", "z_test"]

#: Significance level of every test a report calls "significant" (two-sided, one test at a time).
ALPHA = 0.05


# --------------------------------------------------------------------------- tests from summaries


def welch_test(difference, se_first, n_first, se_second, n_second):
    """Welch's unequal-variance t test from summary statistics (vectorised).

    Parameters
    ----------
    difference : float or array
        Estimate of the first minus the second.
    se_first, se_second : float or array
        Standard errors of the two estimates.
    n_first, n_second : float or array
        Their numbers of answers (``n - 1`` degrees of freedom each).

    Returns
    -------
    (se, dof, statistic, p_value)
        ``se = sqrt(se1**2 + se2**2)``, the Welch-Satterthwaite degrees of freedom, t and the
        two-sided p-value; NaN where undefined.

    References
    ----------
    Welch, B. L. (1947). *Biometrika* 34(1-2), 28-35.
    """
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


def z_test(difference, se_first, se_second):
    """z test of a difference of independent estimates (vectorised).

    Returns
    -------
    (se, statistic, p_value)
        ``se = sqrt(se1**2 + se2**2)``, ``z = difference / se`` (NaN when ``se`` is 0) and the
        two-sided normal p-value.
    """
    se = np.sqrt(np.square(se_first) + np.square(se_second))
    with np.errstate(invalid="ignore", divide="ignore"):
        statistic = np.where(se > 0, difference / se, np.nan)
    return se, statistic, 2 * stats.norm.sf(np.abs(statistic))


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
    >>> from insights.stats.metrics import mean_score
    >>> now = mean_score(pd.DataFrame({"overall_satisfaction": [5, 4, 4, 5, 5, 4]}))
    >>> before = mean_score(pd.DataFrame({"overall_satisfaction": [3, 4, 2, 3, 4, 3, 2]}))
    >>> compare_means(now, before)
    Difference +1.50 (95% CI +0.66 to +2.34), Welch t = 3.94, df = 10.5, p = 0.00255
    """
    check_confidence(confidence)
    difference = first.score - second.score
    se, dof, statistic, p_value = welch_test(difference, first.se, first.n, second.se, second.n)
    low, high = t_interval(difference, se, dof, confidence)
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
    (see the notes of :func:`insights.stats.scorecard.scorecard`).

    References
    ----------
    Rocks, B. (2016). Interval estimation for the "Net Promoter Score". *The American
    Statistician* 70(4), 365-372.

    Examples
    --------
    >>> import pandas as pd
    >>> from insights.stats.metrics import nps
    >>> now = nps(pd.DataFrame({"likelihood_to_recommend": [10, 9, 9, 10, 8, 7, 6, 9]}))
    >>> before = nps(pd.DataFrame({"likelihood_to_recommend": [3, 9, 5, 10, 8, 2, 6, 9]}))
    >>> compare_nps(now, before)
    Difference +62.5 (95% CI -18.3 to +143.3), z = 1.52, p = 0.129
    """
    check_confidence(confidence)
    difference = first.score - second.score
    se, statistic, p_value = z_test(difference, first.se, second.se)
    low, high = normal_interval(difference, se, confidence)
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
