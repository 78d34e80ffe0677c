"""The linear model: OLS (WLS with weights) with cluster-robust, HC3 or HC1 standard errors,
from the sample's moments and one pass over the residuals.

References
----------
Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to
cluster-robust inference. *Journal of Human Resources*, 50(2), 317-372.

MacKinnon, J. G., & White, H. (1985). Some heteroskedasticity-consistent
covariance matrix estimators with improved finite sample properties.
*Journal of Econometrics*, 29(3), 305-325.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from insights.stats.drivers.moments import _blocks, _group_sums
from insights.stats.drivers.prepare import _Sample


def _fit_linear(sample: _Sample) -> tuple[pd.DataFrame, float, float, str, list[str]]:
    """OLS (WLS with weights) with cluster-robust, HC3 or HC1 standard errors, in numpy.

    The same estimates, covariances, small-sample corrections and reference distributions as
    statsmodels' ``OLS/WLS(...).fit(cov_type=..., use_t=True)``, but from the sample's
    moments (the centred, weighted cross-products of outcome and drivers) and one pass over
    the residuals, so that a million responses take a fraction of a second (statsmodels
    forms the pseudo-inverse of the whole design matrix).

    * Coefficients: the normal equations of the centred design, ``b = M^-1 X_c'W y_c`` with
      ``M = X_c'W X_c``, plus one step of iterative refinement; intercept ``y_bar - x_bar'b``.
    * Covariance in the centred parametrisation (intercept at the means), where the bread is
      block-diagonal, ``diag(1/sum(w), M^-1)``, then mapped to (intercept, slopes).
    * Cluster-robust: scores ``w e (1, x_c)`` summed within clusters, times
      ``G/(G-1) (n-1)/(n-k)``; t with ``G - 1`` degrees of freedom (Cameron & Miller 2015).
    * HC3: scores divided by ``1 - h_ii``, with the leverage
      ``h_ii = w_i (1/sum(w) + x_ci' M^-1 x_ci)`` (MacKinnon & White 1985); HC1 (``n/(n-k)``)
      when a response has leverage one; t with ``n - k`` degrees of freedom.

    Returns
    -------
    tuple
        (coefficient table, R^2, adjusted R^2, SE type, notes).
    """
    notes: list[str] = []
    moments = sample.moments
    n, p = sample.x.shape
    k = p + 1
    mean_x = moments.mean[1:]
    cross = moments.cross[1:, 1:]
    try:
        cross_inv = np.linalg.inv(cross)
    except np.linalg.LinAlgError:
        cross_inv = np.linalg.pinv(cross)
    params, residual, weighted_residual = _least_squares(sample, cross_inv)

    with np.errstate(all="ignore"):
        if sample.groups is not None:
            se_type = "cluster"
            meat, df_resid = _cluster_meat(sample, weighted_residual)
        else:
            se_type, meat, df_resid = _heteroskedastic_meat(sample, weighted_residual, cross_inv, notes)
        bread = np.zeros((k, k))
        bread[0, 0] = 1 / moments.total
        bread[1:, 1:] = cross_inv
        centred_cov = bread @ meat @ bread
        # (intercept, slopes) = T (intercept at the means, slopes), T = [[1, -x_bar'], [0, I]]
        to_raw = np.eye(k)
        to_raw[0, 1:] = -mean_x
        cov = to_raw @ centred_cov @ to_raw.T
        bse = np.sqrt(np.diag(cov))
        t_values = params / bse
        q = stats.t.ppf(0.975, df_resid)
        pvalues = 2 * stats.t.sf(np.abs(t_values), df_resid)
        ci = np.column_stack([params - q * bse, params + q * bse])
        ssr = residual @ weighted_residual
        tss = moments.cross[0, 0]
        r2 = float(1 - ssr / tss)
        adj_r2 = float(1 - (n - 1) / (n - k) * (1 - r2))
        sd = moments.sd
        std_coef = np.concatenate([[np.nan], params[1:] * sd[1:] / sd[0]])
    if not np.isfinite(bse).all():
        notes.append("Some standard errors could not be computed; their confidence intervals are missing.")
    table = pd.DataFrame(
        {
            "term": ["Intercept", *sample.drivers],
            "coef": params,
            "se": bse,
            "ci_low": ci[:, 0],
            "ci_high": ci[:, 1],
            "p": pvalues,
            "std_coef": std_coef,
        }
    )
    return table, r2, adj_r2, se_type, notes


def _least_squares(sample: _Sample, cross_inv: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(intercept and slopes, residuals, weighted residuals) from the normal equations of the
    centred design, refined once."""
    x, y, moments, w = sample.x, sample.y, sample.moments, sample.weights
    mean_y, mean_x = moments.mean[0], moments.mean[1:]

    def residuals(slopes: np.ndarray) -> np.ndarray:
        return y - x @ slopes - (mean_y - mean_x @ slopes)

    slopes = cross_inv @ moments.cross[1:, 0]
    residual = residuals(slopes)
    weighted_residual = residual if w is None else w * residual
    # One step of iterative refinement (X_c'W e = X'W e - x_bar sum(W e)): exact to the last digits.
    slopes = slopes + cross_inv @ (weighted_residual @ x - mean_x * weighted_residual.sum())
    residual = residuals(slopes)
    weighted_residual = residual if w is None else w * residual
    intercept = mean_y - mean_x @ slopes
    return np.concatenate([[intercept], slopes]), residual, weighted_residual


def _cluster_meat(sample: _Sample, weighted_residual: np.ndarray) -> tuple[np.ndarray, int]:
    """(meat of the cluster-robust sandwich with its small-sample correction, G - 1 degrees of
    freedom), in the centred parametrisation."""
    x, groups = sample.x, sample.groups
    n, p = x.shape
    k = p + 1
    mean_x = sample.moments.mean[1:]
    n_groups = int(groups.max()) + 1
    sums = np.empty((n_groups, k))
    sums[:, 0] = np.bincount(groups, weights=weighted_residual, minlength=n_groups)
    # sum of w e (x - x_bar) within each cluster
    sums[:, 1:] = _group_sums(x, groups, n_groups, weighted_residual) - np.outer(sums[:, 0], mean_x)
    meat = sums.T @ sums * (n_groups / (n_groups - 1) * (n - 1) / (n - k))
    return meat, n_groups - 1


def _heteroskedastic_meat(
    sample: _Sample, weighted_residual: np.ndarray, cross_inv: np.ndarray, notes: list[str]
) -> tuple[str, np.ndarray, int]:
    """(``"HC3"``, or ``"HC1"`` when a response has leverage one; the meat of that sandwich;
    n - k degrees of freedom), in the centred parametrisation."""
    x, w = sample.x, sample.weights
    n, p = x.shape
    k = p + 1
    mean_x = sample.moments.mean[1:]
    leverage = np.empty(n)
    for rows in _blocks(n):
        centred = x[rows] - mean_x
        leverage[rows] = np.einsum("ij,ij->i", centred @ cross_inv, centred) + 1 / sample.moments.total
    if w is not None:
        leverage *= w
    if leverage.max() > 1 - 1e-8:
        # HC3 divides by (1 - h_ii)^2; a response that alone determines a
        # coefficient (e.g. the only one with a different rating) has h_ii = 1.
        se_type = "HC1"
        factor = weighted_residual
        correction = n / (n - k)
        notes.append(
            "HC3 standard errors are undefined because a response has leverage 1 "
            "(it alone determines a coefficient); HC1 used instead."
        )
    else:
        se_type = "HC3"
        factor = weighted_residual / (1 - leverage)
        correction = 1.0
    squared = factor**2
    meat = np.zeros((k, k))
    meat[0, 0] = squared.sum()
    for rows in _blocks(n):
        centred = x[rows] - mean_x
        weighted = centred * squared[rows, None]
        meat[0, 1:] += weighted.sum(axis=0)
        meat[1:, 1:] += weighted.T @ centred
    meat[1:, 0] = meat[0, 1:]
    meat *= correction
    return se_type, meat, n - k
