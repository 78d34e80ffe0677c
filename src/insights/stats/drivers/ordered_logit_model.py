"""The proportional-odds (ordered logit) likelihood with its derivatives in closed form.

statsmodels' ``OrderedModel`` differentiates the log-likelihood numerically, which takes
minutes on a million responses; the model here gives it the exact log-likelihood, score,
Hessian and sandwich from one pass over the responses (McCullagh 1980), with an optional
weight per response (pseudo-ML).  statsmodels is imported on first use, inside
:func:`_ordered_logit_class`.

Notation: response i at level k_i has ``P_i = F(u_i) - F(l_i)`` with ``u_i = t_(k_i) - x_i'b``,
``l_i = t_(k_i - 1) - x_i'b`` (infinite at the ends) and the logistic ``F`` (``f = F(1 - F)``,
``f' = f(1 - 2F)``).  A "bound" is one of the K + 1 values -inf, t_1 .. t_(K-1), inf; level c
lies between bound c (below) and bound c + 1 (above).

References
----------
McCullagh, P. (1980). Regression models for ordinal data. *Journal of the
Royal Statistical Society, Series B*, 42(2), 109-142.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from insights.stats.drivers.moments import _blocks, _group_sums


@functools.cache
def _ordered_logit_class():
    """The :class:`OrderedLogit` model class, defined on first use so that statsmodels is
    imported only when an ordered logit is fitted."""
    from scipy.special import expit
    from statsmodels.base.model import GenericLikelihoodModel
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    class OrderedLogit(OrderedModel):
        """``OrderedModel(distr="logit")`` with an optional weight per response and the
        log-likelihood's derivatives in closed form.

        The weights multiply each response's log-likelihood (pseudo-ML).  statsmodels
        differentiates the log-likelihood numerically (two evaluations per parameter for the
        gradient, many more for the Hessian), which takes minutes on a million responses.
        The proportional-odds model has closed-form derivatives (McCullagh 1980): here
        ``loglike``, ``score`` and ``hessian`` come from one pass over the responses, in
        blocks that stay in the processor's cache, and Newton's method converges in a handful
        of iterations.  The pass is cached per parameter vector (statsmodels asks for the
        Hessian and the score at the same point separately).

        The derivatives are taken in the direct parametrisation (b, t) and mapped to
        statsmodels' parameters (b, t_1, log-increments of the thresholds) by the chain rule,
        including the second derivatives of the thresholds, ``d2 t_j / d a_m^2 = exp(a_m)``.
        """

        def __init__(self, endog, exog, response_weights=None):
            # hasconst=False: there is no constant among the drivers (constant and aliased
            # drivers, an implicit constant, were dropped before), so statsmodels' search for
            # one (the rank of the whole design, twice) is skipped.
            super().__init__(endog, exog, distr="logit", hasconst=False)
            self.response_weights = response_weights
            self._x = np.asarray(self.exog, dtype=float)
            self._levels = np.asarray(self.endog, dtype=np.intp)  # 0 .. k_levels - 1
            self._w = None if response_weights is None else np.asarray(response_weights, dtype=float)
            self._cached_key: bytes | None = None
            self._cached: dict = {}

        def initialize(self):
            # GenericLikelihoodModel.initialize computes the rank of the design (an SVD of
            # the whole matrix) for degrees of freedom that OrderedModel.__init__ overwrites.
            super(GenericLikelihoodModel, self).initialize()
            self.df_model = self.df_resid = np.nan

        def _initialize_labels(self, labels, k_levels=None):
            # statsmodels names unnamed columns after a variance check of every column of the
            # whole design; the names are never shown here.
            self.data.xnames = [f"x{j + 1}" for j in range(np.shape(self.exog)[1])]
            super()._initialize_labels(labels, k_levels)

        def cdf(self, x):
            return expit(x)

        def pdf(self, x):
            probability = expit(x)
            return probability * (1 - probability)

        # --- one pass: log-likelihood, gradient and Hessian ---------------------------------

        def _evaluate(self, params) -> dict:
            params = np.asarray(params, dtype=float)
            key = params.tobytes()
            if key == self._cached_key:
                return self._cached
            p = self.k_vars
            thresholds = self.transform_threshold_params(params)  # -inf, t_1 .. t_(K-1), inf
            by_bound = _derivatives_by_bound(self._x, self._levels, self._w, params[:p], thresholds)
            grad_cuts = by_bound.grad_bounds[1:-1]
            jacobian = self._threshold_jacobian(params)
            self._cached_key = key
            self._cached = {
                "loglike": float(by_bound.loglike),
                "score": np.concatenate([by_bound.grad_beta, jacobian.T @ grad_cuts]),
                "hessian": _hessian_in_cut_params(by_bound, jacobian, np.exp(params[p:])),
            }
            return self._cached

        def _threshold_jacobian(self, params) -> np.ndarray:
            """d thresholds / d (t_1, log-increments): ones in the first column, exp(a_m)
            from row m on in column m."""
            n_cuts = self.k_levels - 1
            increments = np.exp(np.asarray(params, dtype=float)[self.k_vars :])
            jacobian = np.tril(np.ones((n_cuts, n_cuts))) * increments[None, :]
            jacobian[:, 0] = 1.0
            return jacobian

        def loglike(self, params):
            return self._evaluate(params)["loglike"]

        def score(self, params):
            return self._evaluate(params)["score"].copy()

        def hessian(self, params):
            # A copy: statsmodels' Newton adds its ridge to the diagonal in place.
            return self._evaluate(params)["hessian"].copy()

        # --- per response: log-likelihoods and scores (for the sandwich) ---------------------

        def _per_response(self, params) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            params = np.asarray(params, dtype=float)
            thresholds = self.transform_threshold_params(params)
            return _per_response_terms(self._x, self._levels, self._w, params[: self.k_vars], thresholds)

        def loglikeobs(self, params):
            return self._per_response(params)[0]

        def score_obs(self, params):
            _, wg_upper, wg_lower = self._per_response(params)
            d_eta = wg_lower - wg_upper
            increments = np.exp(np.asarray(params, dtype=float)[self.k_vars :])
            return np.column_stack(
                [self._x * d_eta[:, None], _cut_scores(self._levels, increments, wg_upper, wg_lower)]
            )

        def sandwich(self, params, groups=None) -> np.ndarray:
            """``H^-1 S H^-1`` with ``S`` the cross-products of the per-response scores
            (HC0), or of their sums within ``groups`` (clusters; no correction factor), as
            statsmodels' ``cov_type="HC0"`` and ``"cluster"`` compute it, without building the
            (n, k) matrix of scores."""
            hessian_inv = np.linalg.inv(self.hessian(params))
            _, wg_upper, wg_lower = self._per_response(params)
            increments = np.exp(np.asarray(params, dtype=float)[self.k_vars :])
            if groups is None:
                meat = _score_cross_products(self._x, self._levels, increments, wg_upper, wg_lower)
            else:
                meat = _cluster_score_cross_products(
                    self._x, self._levels, np.asarray(groups), increments, wg_upper, wg_lower
                )
            return hessian_inv @ meat @ hessian_inv.T

    return OrderedLogit


def _logistic(z: np.ndarray) -> np.ndarray:
    """The logistic cdf 1 / (1 + exp(-z)), as scipy's expit computes it, in numpy's
    vectorised exp (twice as fast); 0 and 1 at -inf and inf."""
    out = np.exp(-z)
    out += 1
    return np.reciprocal(out, out=out)


def _bound_terms(
    x: np.ndarray, levels: np.ndarray, beta: np.ndarray, thresholds: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For a block of responses: F(u), F(l), f(u)/P, f(l)/P and P (the bound at an end is
    infinite: F is 0 or 1 there, f 0)."""
    eta = x @ beta
    with np.errstate(over="ignore"):
        cdf_upper = _logistic(thresholds[levels + 1] - eta)
        cdf_lower = _logistic(thresholds[levels] - eta)
    prob = np.maximum(cdf_upper - cdf_lower, 0)
    # The derivatives of statsmodels' log(P + 1e-20), which stay finite where P is 0.
    g_upper = cdf_upper * (1 - cdf_upper) / (prob + 1e-20)
    g_lower = cdf_lower * (1 - cdf_lower) / (prob + 1e-20)
    return cdf_upper, cdf_lower, g_upper, g_lower, prob


@dataclass
class _BoundDerivatives:
    """The log-likelihood and its derivatives in the direct parametrisation (b, the bounds)."""

    loglike: float
    grad_beta: np.ndarray  # (p,)
    grad_bounds: np.ndarray  # (K + 1,)
    h_beta: np.ndarray  # (p, p)
    h_beta_bounds: np.ndarray  # (p, K + 1)
    h_bounds_diag: np.ndarray  # (K + 1,)
    h_bounds_next: np.ndarray  # (K,): between bound c and bound c + 1


def _derivatives_by_bound(
    x_all: np.ndarray,
    levels_all: np.ndarray,
    weights_all: np.ndarray | None,
    beta: np.ndarray,
    thresholds: np.ndarray,
) -> _BoundDerivatives:
    """Log-likelihood, gradient and Hessian in (b, bounds), in one pass over the responses."""
    p, n_levels = len(beta), len(thresholds) - 1
    loglike = 0.0
    grad_beta = np.zeros(p)
    grad_bounds = np.zeros(n_levels + 1)
    h_beta = np.zeros((p, p))
    h_beta_bounds = np.zeros((p, n_levels + 1))
    h_bounds_diag = np.zeros(n_levels + 1)
    h_bounds_next = np.zeros(n_levels)
    for rows in _blocks(len(x_all)):
        x, levels = x_all[rows], levels_all[rows]
        weights = None if weights_all is None else weights_all[rows]
        cdf_upper, cdf_lower, g_upper, g_lower, prob = _bound_terms(x, levels, beta, thresholds)
        # Second derivatives of log(F(u) - F(l)) in (u, l).
        h_uu = g_upper * (1 - 2 * cdf_upper) - g_upper**2
        h_ll = -g_lower * (1 - 2 * cdf_lower) - g_lower**2
        h_ul = g_upper * g_lower
        loglikes = np.log(prob + 1e-20)
        d_eta = g_lower - g_upper  # d loglike / d eta, eta = x'b
        if weights is not None:
            loglikes, d_eta = loglikes * weights, d_eta * weights
            g_upper, g_lower = g_upper * weights, g_lower * weights
            h_uu, h_ll, h_ul = h_uu * weights, h_ll * weights, h_ul * weights
        loglike += loglikes.sum()
        grad_beta += d_eta @ x
        above, below = levels + 1, levels
        grad_bounds += np.bincount(above, g_upper, n_levels + 1) - np.bincount(below, g_lower, n_levels + 1)
        # d u / d b = d l / d b = -x
        h_beta += (x * (h_uu + 2 * h_ul + h_ll)[:, None]).T @ x
        toward = np.zeros((len(levels), n_levels + 1))
        index = np.arange(len(levels))
        toward[index, above] = h_uu + h_ul
        toward[index, below] = h_ul + h_ll
        h_beta_bounds -= x.T @ toward
        h_bounds_diag += np.bincount(above, h_uu, n_levels + 1) + np.bincount(below, h_ll, n_levels + 1)
        h_bounds_next += np.bincount(below, h_ul, n_levels)
    return _BoundDerivatives(
        loglike, grad_beta, grad_bounds, h_beta, h_beta_bounds, h_bounds_diag, h_bounds_next
    )


def _hessian_in_cut_params(
    by_bound: _BoundDerivatives, jacobian: np.ndarray, increments: np.ndarray
) -> np.ndarray:
    """The Hessian in statsmodels' parameters (b, t_1, log-increments), by the chain rule."""
    p = len(by_bound.grad_beta)
    n_cuts = len(increments)
    grad_cuts = by_bound.grad_bounds[1:-1]
    h_cuts = np.diag(by_bound.h_bounds_diag[1:-1])
    for j in range(n_cuts - 1):
        # level j + 1 lies between thresholds j and j + 1 (0-based)
        h_cuts[j, j + 1] = h_cuts[j + 1, j] = by_bound.h_bounds_next[j + 1]
    curvature = np.zeros(n_cuts)  # sum over j >= m of dL/dt_j * d2 t_j / d a_m^2
    curvature[1:] = increments[1:] * np.cumsum(grad_cuts[::-1])[::-1][1:]
    hessian = np.empty((p + n_cuts, p + n_cuts))
    hessian[:p, :p] = by_bound.h_beta
    hessian[:p, p:] = by_bound.h_beta_bounds[:, 1:-1] @ jacobian
    hessian[p:, :p] = hessian[:p, p:].T
    hessian[p:, p:] = jacobian.T @ h_cuts @ jacobian + np.diag(curvature)
    return hessian


def _per_response_terms(
    x_all: np.ndarray,
    levels_all: np.ndarray,
    weights_all: np.ndarray | None,
    beta: np.ndarray,
    thresholds: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per response, weighted: the log-likelihood, and d loglike / d upper and
    d loglike / d lower bound."""
    n = len(x_all)
    loglikes, wg_upper, wg_lower = np.empty(n), np.empty(n), np.empty(n)
    for rows in _blocks(n):
        _, _, g_upper, g_lower, prob = _bound_terms(x_all[rows], levels_all[rows], beta, thresholds)
        scale = 1.0 if weights_all is None else weights_all[rows]
        loglikes[rows] = np.log(prob + 1e-20) * scale
        wg_upper[rows], wg_lower[rows] = g_upper * scale, g_lower * scale
    return loglikes, wg_upper, wg_lower


def _cut_scores(
    levels: np.ndarray, increments: np.ndarray, wg_upper: np.ndarray, wg_lower: np.ndarray
) -> np.ndarray:
    """Per response, d loglike / d (t_1, log-increments of the thresholds); ``increments`` are
    exp(log-increments)."""
    n_cuts = len(increments)
    scores = np.empty((len(wg_upper), n_cuts), order="F")
    scores[:, 0] = wg_upper - wg_lower
    for m in range(1, n_cuts):
        # Threshold j moves with a_m when j >= m: levels c >= m through their upper
        # bound, levels c >= m + 1 through their lower bound.
        scores[:, m] = increments[m] * (
            np.where(levels >= m, wg_upper, 0.0) - np.where(levels >= m + 1, wg_lower, 0.0)
        )
    return scores


def _score_cross_products(
    x: np.ndarray, levels: np.ndarray, increments: np.ndarray, wg_upper: np.ndarray, wg_lower: np.ndarray
) -> np.ndarray:
    """Sum over responses of score score' (the HC0 meat), in blocks: no (n, k) matrix of scores."""
    d_eta = wg_lower - wg_upper
    p = x.shape[1]
    k = p + len(increments)
    cut_scores = _cut_scores(levels, increments, wg_upper, wg_lower)
    meat = np.zeros((k, k))
    squared = d_eta**2
    for rows in _blocks(len(d_eta)):
        block = x[rows]
        meat[:p, :p] += (block * squared[rows, None]).T @ block
        meat[:p, p:] += (block * d_eta[rows, None]).T @ cut_scores[rows]
    meat[p:, p:] = cut_scores.T @ cut_scores
    meat[p:, :p] = meat[:p, p:].T
    return meat


def _cluster_score_cross_products(
    x: np.ndarray,
    levels: np.ndarray,
    groups: np.ndarray,
    increments: np.ndarray,
    wg_upper: np.ndarray,
    wg_lower: np.ndarray,
) -> np.ndarray:
    """Sum over clusters of (scores summed in the cluster) times its transpose; the thresholds'
    scores summed within clusters come from sums per (cluster, level)."""
    d_eta = wg_lower - wg_upper
    p = x.shape[1]
    n_levels = len(increments) + 1
    k = p + n_levels - 1
    n_groups = int(groups.max()) + 1
    sums = np.empty((n_groups, k))
    sums[:, :p] = _group_sums(x, groups, n_groups, d_eta)
    cell = groups * n_levels + levels
    upper = np.bincount(cell, wg_upper, n_groups * n_levels).reshape(n_groups, n_levels)
    lower = np.bincount(cell, wg_lower, n_groups * n_levels).reshape(n_groups, n_levels)
    upper_from = np.cumsum(upper[:, ::-1], axis=1)[:, ::-1]  # levels >= c
    lower_from = np.cumsum(lower[:, ::-1], axis=1)[:, ::-1]
    sums[:, p] = upper_from[:, 0] - lower_from[:, 0]
    for m in range(1, n_levels - 1):
        sums[:, p + m] = increments[m] * (upper_from[:, m] - lower_from[:, m + 1])
    return sums.T @ sums
