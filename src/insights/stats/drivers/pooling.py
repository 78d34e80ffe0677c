"""Per-client driver effects with partial pooling: each client's own regression shrunk toward the
portfolio's, as far as its own data are less informative than the spread between clients.

The model (random slopes by client, fixed client levels)::

    y_ij = a_j + x_ij' b_j + e_ij,    b_j ~ N(beta, T),    e_ij ~ N(0, sigma^2)

is fitted by empirical Bayes in three steps, all from per-client sufficient statistics (one pass
over the responses), so a portfolio of a hundred clients takes milliseconds:

1. Each client's own OLS fit on its within-client centred data: ``b_hat_j`` with covariance
   ``V_j = sigma^2 (X_j'X_j)^-1``; ``sigma^2`` is the pooled within-client residual variance.
2. The between-client covariance ``T`` by a weighted multivariate method of moments (the
   DerSimonian-Laird idea for several effects: Jackson, White & Riley 2010; Chen, Manning &
   Dupuis 2012): ``E[sum_j w_j (b_hat_j - b_w)(b_hat_j - b_w)'] = T (W - sum w^2 / W) +
   sum_j w_j (1 - w_j / W) V_j``, solved for ``T`` and projected onto the positive semidefinite
   matrices; first with equal weights, then with ``w_j = 1 / (tr T / p + tr V_j / p)``. The
   portfolio mean ``beta`` is the mean of the own slopes weighted by ``w_j`` (recomputed with the
   final ``T``): close to the GLS mean, and cheap enough to repeat for every bootstrap draw.
3. Each client's posterior given ``(beta, T, sigma^2)``, in information form so that clients
   with too few responses for their own regression still get one (they lean wholly on the
   portfolio): with ``L_j = X_j'X_j / sigma^2`` and ``u_j = X_j'y_j / sigma^2``,
   ``m_j = (I + T L_j)^-1 (beta + T u_j)`` and ``C_j = (I + T L_j)^-1 T``.

Intervals. ``C_j`` alone treats ``beta`` and ``T`` as known and is too narrow (Morris 1983);
Kass & Steffey (1989) add the first-order variance of ``m_j`` over the hyperparameters'
sampling distribution. That variance is estimated here by a parametric bootstrap of the
hyperparameters (Laird & Louis 1987): ``b_hat*_j ~ N(beta, T + V_j)`` and
``sigma^2* ~ sigma^2 chi^2_df / df`` are drawn, ``(beta*, T*)`` re-estimated by the same
moments, and the client's posterior recomputed from its own (observed) data, so that

    Var(b_j | data) ~= mean*( C_j(theta*) ) + cov*( m_j(theta*) ),

the conditional variance averaged over, plus the spread of the posterior mean across, the
plausible hyperparameters: the uncertainty of the portfolio mean and of the between-client
spread. 95% intervals are ``m_j +- 1.96 sd``.

How much a client leans on the portfolio: ``lean_j = tr((I + T L_j)^-1) / p``, the average
weight of ``beta`` in ``m_j = (I - B_j) beta + B_j b_hat_j`` (in one dimension
``1 - tau^2 / (tau^2 + v_j)``): 0 for a client whose own data decide, 1 for one with none.

Multiple imputation: the fit takes complete responses (rows missing the outcome or a driver
are left out, with a note); to combine it with imputation, fit each completed data set and pool
``coef`` and ``se`` of :attr:`PooledDrivers.coefficients` by Rubin's rules.

References
----------
Chen, H., Manning, A. K., & Dupuis, J. (2012). A method of moments estimator for random effect
multivariate meta-analysis. *Biometrics*, 68(4), 1278-1284.

Jackson, D., White, I. R., & Riley, R. D. (2010). Quantifying the impact of between-study
heterogeneity in multivariate meta-analyses. *Statistics in Medicine*, 31(29), 3805-3820.

Kass, R. E., & Steffey, D. (1989). Approximate Bayesian inference in conditionally independent
hierarchical models (parametric empirical Bayes models). *JASA*, 84(407), 717-726.

Laird, N. M., & Louis, T. A. (1987). Empirical Bayes confidence intervals based on bootstrap
samples. *JASA*, 82(399), 739-750.

Morris, C. N. (1983). Parametric empirical Bayes inference: theory and applications. *JASA*,
78(381), 47-55.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from insights.core.jsonsafe import json_value
from insights.stats.drivers.moments import _group_sums
from insights.stats.drivers.prepare import _check_columns, _default_drivers, _numeric

#: Clients with their own full-rank regression needed to estimate the between-client spread.
MIN_POOLING_CLIENTS = 8

#: Parametric bootstrap draws of the hyperparameters behind the intervals.
DEFAULT_POOLING_DRAWS = 200

_Z95 = 1.959963984540054


@dataclass(frozen=True)
class _ClientData:
    """Within-client sufficient statistics: counts, means, centred cross-products."""

    ids: np.ndarray  # (J,) client ids as str
    n: np.ndarray  # (J,)
    mean_x: np.ndarray  # (J, p)
    mean_y: np.ndarray  # (J,)
    xx: np.ndarray  # (J, p, p)  sum (x - x_bar)(x - x_bar)'
    xy: np.ndarray  # (J, p)     sum (x - x_bar)(y - y_bar)
    yy: np.ndarray  # (J,)       sum (y - y_bar)^2


def _client_data(codes: np.ndarray, ids: np.ndarray, x: np.ndarray, y: np.ndarray) -> _ClientData:
    """Per-client sums of the complete responses (``codes`` index ``ids``), one driver column at a
    time so that a million responses never need an (n, p * p) intermediate; clients without a
    complete response are left out."""
    present = np.flatnonzero(np.bincount(codes, minlength=len(ids)) > 0)
    groups = np.searchsorted(present, codes)  # dense 0..J-1
    n_groups = len(present)
    n = np.bincount(groups, minlength=n_groups).astype(float)
    mean_x = _group_sums(x, groups, n_groups) / n[:, None]
    mean_y = _group_sums(y, groups, n_groups) / n
    xc = x - mean_x[groups]
    yc = y - mean_y[groups]
    xx = np.stack([_group_sums(xc, groups, n_groups, xc[:, k]) for k in range(x.shape[1])], axis=1)
    xy = _group_sums(xc, groups, n_groups, yc)
    yy = _group_sums(yc, groups, n_groups, yc)
    return _ClientData(ids[present], n, mean_x, mean_y, xx, xy, yy)


@dataclass(frozen=True)
class _OwnFits:
    """The clients with a full-rank own regression: which, their slopes and ``(X'X)^-1``."""

    full: np.ndarray  # (J,) bool
    b: np.ndarray  # (J_f, p)
    xx_inv: np.ndarray  # (J_f, p, p)
    sigma2: float
    df: int


def _own_fits(data: _ClientData) -> _OwnFits:
    """Per-client OLS on the within-client centred data, and the pooled residual variance."""
    p = data.xy.shape[1]
    full = data.n > p + 1
    if full.any():
        sd = np.sqrt(np.einsum("jkk->jk", data.xx[full]))
        with np.errstate(divide="ignore", invalid="ignore"):
            corr = data.xx[full] / (sd[:, :, None] * sd[:, None, :])
            smallest = np.where(
                np.isfinite(corr).all(axis=(1, 2)), np.linalg.eigvalsh(np.nan_to_num(corr))[:, 0], 0
            )
        full[np.flatnonzero(full)] = smallest > 1e-6
    xx_inv = np.linalg.inv(data.xx[full]) if full.any() else np.zeros((0, p, p))
    b = np.einsum("jkl,jl->jk", xx_inv, data.xy[full])
    ssr = data.yy[full] - np.einsum("jk,jk->j", data.xy[full], b)
    df = int((data.n[full] - p - 1).sum())
    sigma2 = float(ssr.sum() / df) if df > 0 else np.nan
    return _OwnFits(full, b, xx_inv, sigma2, df)


def _psd(matrix: np.ndarray) -> np.ndarray:
    """The nearest positive semidefinite matrices (negative eigenvalues set to zero), batched."""
    values, vectors = np.linalg.eigh((matrix + np.swapaxes(matrix, -1, -2)) / 2)
    return (vectors * np.clip(values, 0, None)[..., None, :]) @ np.swapaxes(vectors, -1, -2)


def _moments_spread(b: np.ndarray, v: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted method-of-moments between-client covariance, batched over leading dimensions.

    ``b`` (..., J, p) own slopes, ``v`` (..., J, p, p) their covariances, ``w`` (..., J) weights.
    """
    total = w.sum(-1)
    mean = (w[..., None, :] @ b)[..., 0, :] / total[..., None]
    dev = b - mean[..., None, :]
    q = np.swapaxes(dev * w[..., None], -1, -2) @ dev
    noise_weights = w * (1 - w / total[..., None])
    expected_noise = (noise_weights[..., None, :] @ v.reshape(v.shape[:-2] + (-1,)))[..., 0, :]
    scale = total - (w**2).sum(-1) / total
    return _psd((q - expected_noise.reshape(q.shape)) / scale[..., None, None])


def _hyperparameters(b: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(beta, T, the clients' weights w), batched: T by equal-weight moments, then by moments weighted
    ``w_j = 1 / (tr T / p + tr V_j / p)``; beta the mean of the own slopes weighted by ``w``."""
    p = b.shape[-1]
    tau = _moments_spread(b, v, np.ones(b.shape[:-1]))
    noise = np.einsum("...jkk->...j", v) / p
    w = 1 / (np.einsum("...kk->...", tau)[..., None] / p + noise)
    tau = _moments_spread(b, v, w)
    w = 1 / (np.einsum("...kk->...", tau)[..., None] / p + noise)
    beta = (w[..., None, :] @ b)[..., 0, :] / w.sum(-1)[..., None]
    return beta, tau, w


def _posterior(
    beta: np.ndarray, tau: np.ndarray, sigma2: np.ndarray | float, data: _ClientData
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(posterior means (..., J, p), covariances (..., J, p, p), lean (..., J)), batched over leading
    dimensions of ``beta`` (..., p), ``tau`` (..., p, p) and ``sigma2`` (...)."""
    p = beta.shape[-1]
    sigma2 = np.asarray(sigma2, dtype=float)[..., None, None, None]
    info = data.xx / sigma2  # (..., J, p, p)
    score = data.xy / sigma2[..., 0]  # (..., J, p)
    t = tau[..., None, :, :]
    a = np.eye(p) + t @ info
    rhs = beta[..., None, :] + np.einsum("...jkl,...jl->...jk", np.broadcast_to(t, info.shape), score)
    mean = np.linalg.solve(a, rhs[..., None])[..., 0]
    cov = np.linalg.solve(a, np.broadcast_to(t, a.shape))
    cov = (cov + np.swapaxes(cov, -1, -2)) / 2
    lean = np.einsum("...kk->...", np.linalg.inv(a)) / p
    return mean, cov, lean


@dataclass(frozen=True, repr=False, eq=False)
class PooledDrivers:
    """Result of :func:`fit_pooled_drivers`: every client's driver effects, partially pooled.

    Attributes
    ----------
    status : str
        ``"ok"`` or ``"insufficient data"`` (then ``reason`` says why and the tables are empty).
    outcome, client : str
        The outcome and client columns.
    drivers : tuple of str
    portfolio : DataFrame
        ``driver, coef, se, ci_low, ci_high, spread``: the portfolio mean effect ``beta`` (se
        ``sqrt(sum w_j^2 (T + V_j)_kk) / sum w_j``) and the between-client SD ``sqrt(T_kk)``.
    coefficients : DataFrame
        (Computed on first use.) One row per client and driver: ``client_id, driver, coef, se,
        ci_low, ci_high, own_coef, own_se`` (the pooled estimate with its 95% interval, and the
        client's own OLS estimate, NaN when it has too few responses for one).
    clients : DataFrame
        One row per client: ``client_id, n, lean`` (the weight of the portfolio in its figures).
    tau : ndarray
        The between-client covariance ``T`` (p x p).
    sigma2 : float
        Within-client residual variance.
    draws : int
        Bootstrap draws of the hyperparameters.
    notes : tuple of str
        What was left out of the fit (incomplete responses).

    The ids in ``coefficients`` and ``clients`` are the ``client`` column's values as text, in
    the column ``client_id`` whatever its name in the responses.
    """

    status: str
    reason: str | None
    outcome: str
    client: str
    drivers: tuple[str, ...]
    portfolio: pd.DataFrame = field(default_factory=pd.DataFrame)
    clients: pd.DataFrame = field(default_factory=pd.DataFrame)
    tau: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    sigma2: float = np.nan
    draws: int = 0
    notes: tuple[str, ...] = ()
    _state: dict = field(default_factory=dict, compare=False)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @functools.cached_property
    def coefficients(self) -> pd.DataFrame:
        """Every client's pooled coefficients (see the class docstring)."""
        if not self.ok:
            columns = ["client_id", "driver", "coef", "se", "ci_low", "ci_high", "own_coef", "own_se"]
            return pd.DataFrame(columns=columns)
        return _coefficient_rows(self._state, self.drivers, np.arange(len(self.clients)))

    def for_client(self, client_id: str) -> PooledClient:
        """One client's pooled coefficients (``driver, coef, se, ci_low, ci_high, own_coef, own_se``),
        its lean on the portfolio and what the importance decomposition needs; computes the
        intervals of this client only.

        Raises
        ------
        KeyError
            If the client is not in the fit (or the fit failed).
        """
        if not self.ok:
            raise KeyError(f"no pooled fit ({self.reason})")
        hits = np.flatnonzero(self.clients["client_id"].to_numpy() == str(client_id))
        if not len(hits):
            raise KeyError(f"client not in the pooled fit: {client_id}")
        rows = hits[:1]
        j = int(rows[0])
        state, data = self._state, self._state["data"]
        return PooledClient(
            client_id=str(client_id),
            n=int(data.n[j]),
            lean=float(self.clients["lean"].iloc[j]),
            n_clients=len(self.clients),
            drivers=self.drivers,
            coefficients=_coefficient_rows(state, self.drivers, rows).drop(columns="client_id"),
            mean=state["mean"][j],
            cov=_total_cov(state, rows)[0],
            driver_cov=state["driver_cov"][j],
            driver_means=data.mean_x[j],
            outcome_mean=float(data.mean_y[j]),
            sigma2=self.sigma2,
            portfolio_mean=state["hyper"][0],
            portfolio_driver_cov=_pooled_driver_cov(data),
        )

    def __repr__(self) -> str:
        if not self.ok:
            return f"PooledDrivers({self.outcome}: insufficient data - {self.reason})"
        lean = self.clients["lean"]
        head = (
            f"PooledDrivers({self.outcome} ~ {len(self.drivers)} drivers, {len(self.clients)} clients, "
            f"lean on the portfolio {lean.min():.0%} to {lean.max():.0%}, {self.draws} draws)"
        )
        return head + "\n" + self.portfolio.round(3).to_string(index=False)

    def to_dict(self) -> dict:
        """JSON-ready portfolio summary (no per-client rows)."""
        return {
            "method": "partial",
            "n_clients": len(self.clients),
            "sigma": json_value(np.sqrt(self.sigma2)),
            "draws": self.draws,
            "portfolio": [
                {k: json_value(v) for k, v in row.items()} for row in self.portfolio.to_dict(orient="records")
            ],
        }


@dataclass(frozen=True, repr=False)
class PooledClient:
    """One client's partially pooled driver effects (:meth:`PooledDrivers.for_client`)."""

    client_id: str
    n: int
    lean: float
    n_clients: int
    drivers: tuple[str, ...]
    coefficients: pd.DataFrame
    mean: np.ndarray  # pooled coefficients (p,)
    cov: np.ndarray  # their total covariance (p, p)
    driver_cov: np.ndarray  # the client's driver covariance, shrunk toward the portfolio's (p, p)
    driver_means: np.ndarray  # the client's mean ratings (p,)
    outcome_mean: float
    sigma2: float
    portfolio_mean: np.ndarray  # the portfolio's effects beta (p,)
    portfolio_driver_cov: np.ndarray  # the pooled within-client driver covariance (p, p)

    @property
    def lean_text(self) -> str:
        """``"figures for C23 lean 70% on the portfolio: 18 responses"``."""
        return (
            f"figures for {self.client_id} lean {self.lean:.0%} on the portfolio of {self.n_clients} clients: "
            f"{self.n} response{'s' if self.n != 1 else ''}"
        )

    def __repr__(self) -> str:
        return f"PooledClient({self.lean_text})\n" + self.coefficients.round(3).to_string(index=False)


def fit_pooled_drivers(
    responses: pd.DataFrame,
    drivers: Sequence[str] | None = None,
    outcome: str = "overall_satisfaction",
    *,
    client: str = "client_id",
    draws: int = DEFAULT_POOLING_DRAWS,
    random_state: int | np.random.Generator | None = 0,
) -> PooledDrivers:
    """Every client's driver effects, partially pooled toward the portfolio's (empirical Bayes).

    The model, the estimator and the intervals are described in the module docstring
    (:mod:`insights.stats.drivers.pooling`): random slopes by client with fixed client levels;
    own OLS fits, a weighted method-of-moments between-client covariance, weighted portfolio mean,
    and intervals that add the hyperparameters' uncertainty by a parametric bootstrap
    (Morris 1983; Kass & Steffey 1989; Laird & Louis 1987). Fit once for the portfolio, then
    read clients with :meth:`PooledDrivers.for_client`.

    Parameters
    ----------
    responses : DataFrame
        One row per response, all clients of the portfolio (the window of interest). Rows missing
        the outcome, a driver or the client are left out (listwise); pass a completed
        (imputed) data set to fit each imputation and combine ``coef``/``se`` by Rubin's rules.
    drivers : sequence of str, optional
        Driver columns; default the default drivers present.
    outcome, client : str
        Outcome and client columns.
    draws : int
        Parametric bootstrap draws of the hyperparameters (0: conditional intervals only, which
        are too narrow; for tests).
    random_state : int, Generator or None
        Seed of the bootstrap.

    Returns
    -------
    PooledDrivers

    Examples
    --------
    >>> from insights.data.simulated_drivers import simulated_driver_portfolio
    >>> frame, truth = simulated_driver_portfolio(1)
    >>> pooled = fit_pooled_drivers(frame)
    >>> pooled.for_client("S01").coefficients.columns.tolist()
    ['driver', 'coef', 'se', 'ci_low', 'ci_high', 'own_coef', 'own_se']
    """
    drivers = tuple(_default_drivers(responses) if drivers is None else drivers)
    _check_columns(responses, [outcome, client, *drivers])
    if draws < 0:
        raise ValueError("draws must be zero or positive")
    values = _numeric(responses, [outcome, *drivers])
    codes_all, uniques = pd.factorize(responses[client].astype("string"), use_na_sentinel=True)
    complete = np.isfinite(values).all(axis=1) & (codes_all >= 0)
    notes = []
    if not complete.all():
        notes.append(f"{int((~complete).sum())} incomplete response(s) left out of the pooled fit.")
    empty = PooledDrivers("insufficient data", None, outcome, client, drivers, notes=tuple(notes))
    if not complete.any():
        return _replace_reason(empty, "no complete responses")
    data = _client_data(
        codes_all[complete],
        np.asarray(uniques, dtype=object).astype(str),
        values[complete, 1:],
        values[complete, 0],
    )
    own = _own_fits(data)
    if own.full.sum() < MIN_POOLING_CLIENTS or not np.isfinite(own.sigma2):
        return _replace_reason(
            empty,
            f"{int(own.full.sum())} client(s) with enough responses for their own regression; "
            f"partial pooling needs at least {MIN_POOLING_CLIENTS}",
        )
    return _fit(data, own, drivers, outcome, client, draws, random_state, tuple(notes))


def _replace_reason(result: PooledDrivers, reason: str) -> PooledDrivers:
    return replace(result, reason=reason)


def _fit(data, own, drivers, outcome, client, draws, random_state, notes) -> PooledDrivers:
    """Hyperparameters, posteriors and the bootstrap draws of the hyperparameters (see the module
    docstring); the intervals are computed from the draws when asked for."""
    p = len(drivers)
    v = own.sigma2 * own.xx_inv
    beta, tau, w = _hyperparameters(own.b, v)
    mean, _, lean = _posterior(beta, tau, own.sigma2, data)
    hyper = None
    if draws > 0:
        rng = np.random.default_rng(random_state)
        sigma2_star = own.sigma2 * rng.chisquare(own.df, draws) / own.df
        v_star = sigma2_star[:, None, None, None] * own.xx_inv
        chol = np.linalg.cholesky(tau + v + 1e-12 * np.eye(p))
        b_star = beta + np.einsum("jkl,rjl->rjk", chol, rng.standard_normal((draws, len(v), p)))
        hyper = (*_hyperparameters(b_star, v_star)[:2], sigma2_star)
    own_b = np.full((len(data.n), p), np.nan)
    own_se = np.full((len(data.n), p), np.nan)
    own_b[own.full] = own.b
    own_se[own.full] = np.sqrt(np.einsum("jkk->jk", v))
    # Var(sum w_j b_j / W) = sum w_j^2 (T + V_j) / W^2 for fixed weights
    beta_se = np.sqrt(np.diag(np.einsum("j,jkl->kl", w**2, tau + v)) / w.sum() ** 2)
    portfolio = pd.DataFrame(
        {
            "driver": drivers,
            "coef": beta,
            "se": beta_se,
            "ci_low": beta - _Z95 * beta_se,
            "ci_high": beta + _Z95 * beta_se,
            "spread": np.sqrt(np.diag(tau)),
        }
    )
    clients = pd.DataFrame({"client_id": data.ids, "n": data.n.astype(int), "lean": lean})
    state = {
        "data": data,
        "hyper": (beta, tau, own.sigma2),
        "draws": hyper,
        "mean": mean,
        "own_coef": own_b,
        "own_se": own_se,
        "driver_cov": _shrunk_driver_cov(data),
    }
    return PooledDrivers(
        "ok", None, outcome, client, tuple(drivers), portfolio, clients, tau, own.sigma2, draws, notes, state
    )


def _total_cov(state: dict, rows: np.ndarray) -> np.ndarray:
    """The posterior covariance of the clients ``rows`` with the hyperparameters' uncertainty:
    ``mean*(C_j(theta*)) + cov*(m_j(theta*))`` over the bootstrap draws, or ``C_j`` without draws."""
    data = state["data"]
    part = _ClientData(*(getattr(data, name)[rows] for name in _ClientData.__dataclass_fields__))
    if state["draws"] is None:
        beta, tau, sigma2 = state["hyper"]
        return _posterior(beta, tau, sigma2, part)[1]
    beta_star, tau_star, sigma2_star = state["draws"]
    mean_star, cov_star, _ = _posterior(beta_star, tau_star, sigma2_star, part)
    dev = mean_star - mean_star.mean(axis=0)
    return cov_star.mean(axis=0) + np.einsum("rjk,rjl->jkl", dev, dev) / max(len(dev) - 1, 1)


def _coefficient_rows(state: dict, drivers: Sequence[str], rows: np.ndarray) -> pd.DataFrame:
    """The pooled coefficients of the clients ``rows`` with their 95% intervals, and their own."""
    p = len(drivers)
    mean = state["mean"][rows]
    se = np.sqrt(np.einsum("jkk->jk", _total_cov(state, rows)))
    return pd.DataFrame(
        {
            "client_id": np.repeat(state["data"].ids[rows], p),
            "driver": np.tile(np.asarray(drivers, dtype=object), len(rows)),
            "coef": mean.ravel(),
            "se": se.ravel(),
            "ci_low": (mean - _Z95 * se).ravel(),
            "ci_high": (mean + _Z95 * se).ravel(),
            "own_coef": state["own_coef"][rows].ravel(),
            "own_se": state["own_se"][rows].ravel(),
        }
    )


#: Prior weight, in responses, of the portfolio's driver covariance in a client's own.
DRIVER_COV_PRIOR_RESPONSES = 20


def _shrunk_driver_cov(data: _ClientData) -> np.ndarray:
    """Each client's driver covariance shrunk toward the pooled within-client one:
    ``(X_j'X_j + n0 S) / (n_j - 1 + n0)`` with ``n0 = DRIVER_COV_PRIOR_RESPONSES`` (the posterior
    mean under an inverse-Wishart prior centred on the portfolio's ``S``)."""
    pooled = _pooled_driver_cov(data)
    n0 = DRIVER_COV_PRIOR_RESPONSES
    return (data.xx + n0 * pooled) / (np.clip(data.n - 1, 0, None) + n0)[:, None, None]


def _pooled_driver_cov(data: _ClientData) -> np.ndarray:
    """The pooled within-client covariance of the drivers."""
    return data.xx.sum(axis=0) / max((data.n - 1).sum(), 1)
