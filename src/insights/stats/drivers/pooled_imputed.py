"""Partial pooling on multiply imputed data: a client's pooled drivers when answers were skipped.

A client report pools each client's driver effects toward the portfolio's
(:mod:`insights.stats.drivers.pooling`), which needs complete responses. When listwise deletion
would leave out more than :data:`~insights.stats.drivers.imputed.IMPUTE_ABOVE` of the responses,
the skipped answers are imputed ``m`` times by chained equations with the outcome in the model
(:func:`~insights.stats.drivers.imputation.multiply_impute`), the pooled model is fitted to each
completed portfolio, and the client's figures are combined by Rubin's rules:

* the pooled coefficients: mean over the imputations; their covariance ``W + (1 + 1/m) B``
  (``W`` the mean of the imputations' total covariances, ``B`` the covariance of their means), so
  the importance intervals drawn from it carry the imputation's uncertainty too;
* each coefficient's interval from :func:`~insights.stats.drivers.rubin.rubin_pool` (Barnard-Rubin
  degrees of freedom, with the client's responses minus the drivers as complete-data degrees);
* the driver covariance and means, the outcome's mean, the residual variance and the lean on the
  portfolio: means over the imputations (they enter the importance shares, not their spread).

References: Rubin (1987), *Multiple Imputation for Nonresponse in Surveys*, 3.1; Barnard & Rubin
(1999), Biometrika 86(4); van Buuren (2018), *Flexible Imputation of Missing Data*, 5.1.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pandas as pd

from insights.stats.drivers.imputation import multiply_impute
from insights.stats.drivers.pooling import PooledClient, fit_pooled_drivers
from insights.stats.drivers.rubin import rubin_pool
from insights.stats.memo import cached, frame_key

#: Imputations behind a report's pooled drivers: with a fraction of missing information of 0.2,
#: five keep 96% of the efficiency of infinitely many (Rubin 1987, p. 114) at a quarter of the cost of 20.
REPORT_IMPUTATIONS = 5


def combine_pooled_clients(clients: Sequence[PooledClient]) -> PooledClient:
    """One client's partially pooled figures from ``m >= 2`` imputed portfolios, by Rubin's rules.

    Parameters
    ----------
    clients : sequence of PooledClient
        The same client read from fits of each completed data set
        (:meth:`~insights.stats.drivers.pooling.PooledDrivers.for_client`).

    Returns
    -------
    PooledClient
        Mean coefficients with total covariance ``W + (1 + 1/m) B`` and Rubin intervals; the rest
        averaged (see the module notes).

    Examples
    --------
    >>> from insights.data.simulated_drivers import simulated_driver_portfolio
    >>> frame, _ = simulated_driver_portfolio(3, clients=20)
    >>> fits = [fit_pooled_drivers(frame.sample(frac=1.0, replace=True, random_state=i)) for i in range(3)]
    >>> combined = combine_pooled_clients([fit.for_client("S01") for fit in fits])
    >>> list(combined.coefficients.columns)[:5]
    ['driver', 'coef', 'se', 'ci_low', 'ci_high']
    """
    if len(clients) < 2:
        raise ValueError("Rubin's rules need at least two imputations")
    m = len(clients)
    means = np.stack([c.mean for c in clients])
    within = np.mean([c.cov for c in clients], axis=0)
    between = np.atleast_2d(np.cov(means, rowvar=False, ddof=1))
    total = within + (1 + 1 / m) * between
    first = clients[0]
    df_complete = max(first.n - len(first.drivers), 1)
    pooled = rubin_pool(
        means, np.stack([np.diag(c.cov) for c in clients]), df_complete, terms=list(first.drivers)
    )
    own = rubin_pool(
        np.stack([c.coefficients["own_coef"].to_numpy(float) for c in clients]),
        np.stack([np.square(c.coefficients["own_se"].to_numpy(float)) for c in clients]),
        df_complete,
        terms=list(first.drivers),
    )
    coefficients = pd.DataFrame(
        {
            "driver": list(first.drivers),
            "coef": pooled["estimate"].to_numpy(),
            "se": pooled["se"].to_numpy(),
            "ci_low": pooled["ci_low"].to_numpy(),
            "ci_high": pooled["ci_high"].to_numpy(),
            "own_coef": own["estimate"].to_numpy(),
            "own_se": own["se"].to_numpy(),
        }
    )
    average = lambda name: np.mean([getattr(c, name) for c in clients], axis=0)  # noqa: E731
    return dataclasses.replace(
        first,
        lean=float(average("lean")),
        coefficients=coefficients,
        mean=means.mean(axis=0),
        cov=total,
        driver_cov=average("driver_cov"),
        driver_means=average("driver_means"),
        outcome_mean=float(average("outcome_mean")),
        sigma2=float(average("sigma2")),
        portfolio_mean=average("portfolio_mean"),
        portfolio_driver_cov=average("portfolio_driver_cov"),
    )


def pooled_client_imputed(
    responses: pd.DataFrame,
    client_id: str,
    drivers: Sequence[str],
    outcome: str = "overall_satisfaction",
    *,
    m: int = REPORT_IMPUTATIONS,
    seed: int = 0,
) -> PooledClient | None:
    """The client's pooled drivers from ``m`` imputations of the portfolio's skipped answers, combined
    by :func:`combine_pooled_clients`; None when a fit fails or leaves the client out.

    ``responses`` is the whole portfolio of the window (every client): the imputation model and the
    pooled fit both borrow from the other clients.
    """
    key = (frame_key(responses, ["client_id", outcome, *drivers]), tuple(drivers), outcome, m, seed)
    fits = cached("pooled_imputed", key, lambda: _imputed_fits(responses, list(drivers), outcome, m, seed))
    if not all(fit.ok and client_id in set(fit.clients["client_id"]) for fit in fits):
        return None
    return combine_pooled_clients([fit.for_client(client_id) for fit in fits])


def _imputed_fits(responses: pd.DataFrame, drivers: list[str], outcome: str, m: int, seed: int) -> list:
    """The pooled model fitted to each of ``m`` imputations of the portfolio (the same for every client:
    kept in :mod:`insights.stats.memo`)."""
    rated = responses[outcome].notna().to_numpy()  # an imputed outcome is not an answer to explain
    completed = multiply_impute(responses, [*drivers, outcome], m=m, seed=seed)
    return [fit_pooled_drivers(frame[rated], drivers, outcome) for frame in completed]
