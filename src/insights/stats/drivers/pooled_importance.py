"""One client's relative importance (LMG, relative weights) from its partially pooled effects, and
its key-driver analysis with the pooled figures in place of its own regression's.

The decompositions need the correlation matrix of (outcome, drivers). For a client it is implied
by its pooled coefficients ``b``, its driver covariance ``S`` shrunk toward the portfolio's
(:func:`insights.stats.drivers.pooling._shrunk_driver_cov`) and the within-client residual
variance ``sigma^2``: ``Var(y) = b'Sb + sigma^2``, ``Cov(x, y) = S b``. The intervals come from
draws of ``b`` from its approximate posterior ``N(m, V)`` (``V`` includes the hyperparameters'
uncertainty) and of ``S`` from its inverse-Wishart posterior (mean ``S``, ``n_j - 1 + n0``
degrees of freedom), each decomposed exactly (Lindeman, Merenda & Gold 1980; Johnson 2000); 2.5% and
97.5% percentiles.

References
----------
Johnson, J. W. (2000). A heuristic method for estimating the relative weight of predictor
variables in multiple regression. *Multivariate Behavioral Research*, 35(1), 1-19.

Lindeman, R. H., Merenda, P. F., & Gold, R. Z. (1980). *Introduction to Bivariate and
Multivariate Analysis*. Scott, Foresman.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np
import pandas as pd
from scipy import stats

from insights.stats.drivers.importance import (
    _lmg_from_corr,
    _relative_weights_from_corr,
    importance_performance,
)
from insights.stats.drivers.pooling import DRIVER_COV_PRIOR_RESPONSES, PooledClient
from insights.stats.drivers.result import DriverAnalysis

#: What the pooled figures were tested against (tests/test_pooling.py), for reports' caveats.
POOLING_CALIBRATION = (
    "Tested on generated portfolios of 40 clients (about 48 responses each, client effects "
    "differing by SD 0.05): pooled effects missed the true ones by about half as much as each "
    "client's own regression (RMSE 0.05 against 0.10), and their 95% intervals covered the truth "
    "94% of the time (the LMG share intervals covered the true shares 94% of the time); on data "
    "without effects under 1% of intervals excluded zero."
)

#: Draws of a client's coefficients behind the importance intervals.
IMPORTANCE_DRAWS = 400


def _implied_corr(b: np.ndarray, driver_cov: np.ndarray, sigma2: float) -> np.ndarray:
    """Correlation matrices of (outcome, drivers) implied by coefficients ``b`` (..., p)."""
    cov_xy = np.einsum("...k,...kl->...l", b, driver_cov)  # (..., p)
    var_y = np.einsum("...k,...k->...", cov_xy, b) + sigma2
    p = b.shape[-1]
    full = np.empty(b.shape[:-1] + (p + 1, p + 1))
    full[..., 0, 0] = var_y
    full[..., 0, 1:] = cov_xy
    full[..., 1:, 0] = cov_xy
    full[..., 1:, 1:] = driver_cov
    sd = np.sqrt(np.einsum("...kk->...k", full))
    return full / (sd[..., :, None] * sd[..., None, :])


def pooled_importance(
    client: PooledClient, *, draws: int = IMPORTANCE_DRAWS, random_state: int | None = 0
) -> pd.DataFrame:
    """A client's LMG parts, relative weights and LMG shares from its pooled effects, with 95% intervals.

    Parameters
    ----------
    client : PooledClient
        From :meth:`insights.stats.drivers.pooling.PooledDrivers.for_client`.
    draws : int
        Posterior draws of the coefficients behind the percentile intervals.
    random_state : int or None
        Seed of the draws.

    Returns
    -------
    DataFrame
        One row per driver, in driver order: ``driver, lmg, lmg_ci_low, lmg_ci_high,
        relative_weight, rw_ci_low, rw_ci_high, share, share_ci_low, share_ci_high, performance,
        portfolio_share`` (the client's mean rating; the share of the portfolio's effects with the
        portfolio's driver covariance, for comparison).

    Examples
    --------
    >>> from insights.data.simulated_drivers import simulated_driver_portfolio
    >>> from insights.stats.drivers.pooling import fit_pooled_drivers
    >>> frame, _ = simulated_driver_portfolio(1)
    >>> table = pooled_importance(fit_pooled_drivers(frame).for_client("S01"))
    >>> bool(abs(table["share"].sum() - 100) < 1e-9)
    True
    """
    rng = np.random.default_rng(random_state)
    p = len(client.drivers)
    chol = np.linalg.cholesky(client.cov + 1e-12 * np.eye(p))
    b = np.vstack([client.mean, client.mean + rng.standard_normal((draws, p)) @ chol.T])
    driver_cov = np.broadcast_to(client.driver_cov, (draws + 1, p, p)).copy()
    if draws > 0:
        # the driver covariance's own uncertainty: its inverse-Wishart posterior, mean driver_cov
        n_eff = max(client.n - 1, 0) + DRIVER_COV_PRIOR_RESPONSES
        wishart = stats.invwishart(df=n_eff + p + 1, scale=n_eff * client.driver_cov)
        driver_cov[1:] = wishart.rvs(size=draws, random_state=rng).reshape(draws, p, p)
    corr = _implied_corr(b, driver_cov, client.sigma2)
    lmg = _lmg_from_corr(corr[:, 1:, 1:], corr[:, 0, 1:])
    rw = _relative_weights_from_corr(corr[:, 1:, 1:], corr[:, 0, 1:])
    share = 100 * lmg / lmg.sum(axis=1, keepdims=True)
    table = {"driver": list(client.drivers)}
    for name, values in (("lmg", lmg), ("relative_weight", rw), ("share", share)):
        prefix = "rw" if name == "relative_weight" else name
        table[name] = values[0]
        if draws > 0:
            table[f"{prefix}_ci_low"], table[f"{prefix}_ci_high"] = np.percentile(
                values[1:], [2.5, 97.5], axis=0
            )
    table["performance"] = client.driver_means
    portfolio = _implied_corr(client.portfolio_mean, client.portfolio_driver_cov, client.sigma2)
    portfolio_lmg = _lmg_from_corr(portfolio[1:, 1:], portfolio[0, 1:])
    table["portfolio_share"] = 100 * portfolio_lmg / portfolio_lmg.sum()
    return pd.DataFrame(table)


def pooled_analysis(
    own: DriverAnalysis,
    client: PooledClient,
    *,
    labels: Mapping[str, str] | None = None,
    draws: int = IMPORTANCE_DRAWS,
) -> DriverAnalysis:
    """The client's key-driver analysis with its partially pooled figures: same tables and columns as
    ``own`` (its own regression, :func:`insights.stats.drivers.key_drivers`), so reports and the
    command line show it as they show that one.

    * ``coefficients``: the pooled slopes with their 95% intervals (normal), ``p`` from
      ``coef / se``, ``std_coef`` from the implied SDs; the intercept is the client's mean outcome
      minus its mean ratings times the pooled slopes (no interval).
    * ``importance``: :func:`pooled_importance`, strongest first, with quadrants; ``r2`` is the
      implied R^2 (the sum of the LMG parts), ``adj_r2`` is not defined (NaN).
    * ``findings``: how far the figures lean on the portfolio, and the drivers whose pooled
      interval excludes zero.
    * The VIFs and the ordered logit stay the client's own (from ``own``).

    When ``own`` is not ``ok`` (too few responses for the client's own regression), the pooled
    figures stand alone: no VIFs, no ordered logit, ``own.reason`` among the warnings.
    """
    if not own.ok:
        own = DriverAnalysis(
            status="ok",
            reason=None,
            outcome=own.outcome,
            drivers=tuple(client.drivers),
            n=client.n,
            warnings=[
                *own.warnings,
                f"Too few responses for the client's own regression ({own.reason}): the figures are "
                "its pooled ones only.",
            ],
        )
    labels = dict(labels or {})
    drivers = list(client.drivers)
    importance = pooled_importance(client, draws=draws)
    matrix = importance_performance(
        importance.set_index("driver")["share"], importance.set_index("driver")["performance"]
    )
    importance["quadrant"] = matrix["quadrant"].to_numpy()
    importance = importance.sort_values("lmg", ascending=False, kind="stable").reset_index(drop=True)
    corr = _implied_corr(client.mean, client.driver_cov, client.sigma2)
    sd_y = np.sqrt(client.mean @ client.driver_cov @ client.mean + client.sigma2)
    rows = client.coefficients
    z = rows["coef"].to_numpy() / rows["se"].to_numpy()
    intercept = client.outcome_mean - client.driver_means @ client.mean
    coefficients = pd.DataFrame(
        {
            "term": ["Intercept", *drivers],
            "coef": [intercept, *rows["coef"]],
            "se": [np.nan, *rows["se"]],
            "ci_low": [np.nan, *rows["ci_low"]],
            "ci_high": [np.nan, *rows["ci_high"]],
            "p": [np.nan, *(2 * stats.norm.sf(np.abs(z)))],
            "std_coef": [np.nan, *(client.mean * np.sqrt(np.diag(client.driver_cov)) / sd_y)],
        }
    )
    r2 = float(1 - 1 / np.linalg.inv(corr)[0, 0])
    note = (
        f"Partial pooling: the {client.n} responses of {client.client_id} are combined with the "
        f"portfolio of {client.n_clients} clients (empirical Bayes, random effects by client); the "
        f"figures lean {client.lean:.0%} on the portfolio. {POOLING_CALIBRATION}"
    )
    return replace(
        own,
        drivers=tuple(drivers),
        r2=r2,
        adj_r2=np.nan,
        se_type="pooled",
        n_boot=draws,
        coefficients=coefficients,
        importance=importance,
        warnings=[*own.warnings, note, *_weight_note(own)],
        findings=_pooled_findings(client, coefficients, importance, labels),
    )


def _weight_note(own: DriverAnalysis) -> list[str]:
    """The pooled fit is unweighted: say so when the client's own analysis was weighted."""
    if own.weight is None:
        return []
    return [
        f"The pooled figures do not use the response weights ({own.weight}); the client's own regression did."
    ]


def _pooled_findings(
    client: PooledClient, coefficients: pd.DataFrame, importance: pd.DataFrame, labels: Mapping[str, str]
) -> list[str]:
    """The lean line, the drivers whose pooled interval excludes zero, and the largest share."""
    findings = [client.lean_text[0].upper() + client.lean_text[1:] + "."]
    slopes = coefficients.iloc[1:]
    clear = slopes[(slopes["ci_low"] > 0) | (slopes["ci_high"] < 0)]
    if len(clear):
        parts = [
            f"{labels.get(row.term, row.term)} ({row.coef:+.2f}, 95% CI {row.ci_low:.2f} to {row.ci_high:.2f})"
            for row in clear.sort_values("coef", ascending=False).itertuples()
        ]
        findings.append("Pooled effects whose 95% interval excludes zero: " + ", ".join(parts) + ".")
    else:
        findings.append("No driver's pooled 95% interval excludes zero.")
    top = importance.iloc[0]
    findings.append(
        f"Largest share of the explained variance: {labels.get(top['driver'], top['driver'])} "
        f"({top['share']:.0f}%, 95% CI {top.get('share_ci_low', np.nan):.0f}% to "
        f"{top.get('share_ci_high', np.nan):.0f}%)."
    )
    return findings
