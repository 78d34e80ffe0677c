"""Means and differences of responses that go together: cluster-robust by client.

The responses of one client are not independent (the same people, the same account team), so a
mean over responses of several clients, and the difference between two groups of clients
(internal against external), get cluster-robust (CR1) standard errors with Student t on the
number of clients, not the number of responses (Cameron & Miller 2015).  With six internal
clients the intervals are much wider than those of a test that treats every response as
independent.

References
----------
Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to cluster-robust inference.
*Journal of Human Resources*, 50(2), 317-372.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from insights.stats.metrics import Difference

__all__ = ["ClusteredMean", "clustered_difference", "clustered_mean"]


@dataclass(frozen=True)
class ClusteredMean:
    """A mean over responses whose interval allows for responses of one client going together."""

    score: float
    se: float
    ci_low: float
    ci_high: float
    n: int
    clusters: int


def clustered_mean(
    values: pd.Series | np.ndarray, clusters: pd.Series | np.ndarray, confidence: float = 0.95
) -> ClusteredMean:
    """Mean of ``values`` (NaN = not answered) with a cluster-robust (CR1) standard error.

    ``se**2 = G / (G - 1) * sum_g (sum_{i in g} (y_i - mean))**2 / N**2`` over the ``G``
    clusters (clients) and ``N`` answers; the interval is Student t on ``G - 1`` degrees of
    freedom.  With equal cluster sizes this is exactly the t interval of the mean of the
    cluster means; one cluster gives NaN intervals.
    """
    y = np.asarray(values, dtype=float)
    g = np.asarray(clusters).astype(str)
    keep = ~np.isnan(y)
    y, g = y[keep], g[keep]
    n = len(y)
    if n == 0:
        return ClusteredMean(math.nan, math.nan, math.nan, math.nan, 0, 0)
    mean = float(y.mean())
    sums = pd.Series(y - mean).groupby(g).sum().to_numpy()
    k = len(sums)
    if k < 2:
        return ClusteredMean(mean, math.nan, math.nan, math.nan, n, k)
    se = math.sqrt(k / (k - 1) * float((sums**2).sum())) / n
    half = float(stats.t.ppf(0.5 + confidence / 2, k - 1)) * se
    return ClusteredMean(mean, se, mean - half, mean + half, n, k)


def clustered_difference(first: ClusteredMean, second: ClusteredMean, confidence: float = 0.95) -> Difference:
    """``first - second`` for two groups of distinct clients (independent clusters).

    ``se = sqrt(se1**2 + se2**2)`` from the cluster-robust standard errors, t on Welch-
    Satterthwaite degrees of freedom with ``G - 1`` per group; with equal cluster sizes this is
    Welch's test on the client means.  ``test`` is ``"cluster_welch_t"``.
    """
    estimate = first.score - second.score
    v1, v2 = first.se**2, second.se**2
    se = math.sqrt(v1 + v2) if not (math.isnan(v1) or math.isnan(v2)) else math.nan
    if math.isnan(se) or se == 0:
        return Difference(
            estimate, se, math.nan, math.nan, math.nan, math.nan, math.nan, "cluster_welch_t", confidence
        )
    dof = (v1 + v2) ** 2 / (v1**2 / (first.clusters - 1) + v2**2 / (second.clusters - 1))
    statistic = estimate / se
    half = float(stats.t.ppf(0.5 + confidence / 2, dof)) * se
    return Difference(
        float(estimate),
        float(se),
        float(estimate - half),
        float(estimate + half),
        float(statistic),
        float(dof),
        float(2 * stats.t.sf(abs(statistic), dof)),
        "cluster_welch_t",
        confidence,
    )
