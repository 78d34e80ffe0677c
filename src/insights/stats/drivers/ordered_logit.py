"""The ordered-logit robustness check: the proportional-odds model fitted to the same responses
as the linear model, with cluster-robust, sandwich (HC0) or model-based standard errors.

The outcome is an ordinal rating, so a linear model's conclusions are checked against a model
that treats it as one (McCullagh 1980).  Failures (no convergence, separation) become notes,
never exceptions.

References
----------
McCullagh, P. (1980). Regression models for ordinal data. *Journal of the
Royal Statistical Society, Series B*, 42(2), 109-142.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from insights.stats.drivers.ordered_logit_model import _ordered_logit_class
from insights.stats.drivers.prepare import _names, _Sample
from insights.stats.drivers.quiet import _silenced
from insights.stats.drivers.result import _ORDERED_LOGIT_COLUMNS, _THRESHOLD_COLUMNS, _empty

#: Outcomes with more distinct values than an 11-point (0-10) scale are not
#: treated as ordinal; an ordered logit would need one threshold per value.
MAX_ORDINAL_LEVELS = 11

# An ordered-logit slope so large that one SD of the driver multiplies the
# odds by more than e^10 (about 22,000) signals separation, not an estimate.
_SEPARATION_LOG_ODDS = 10.0

# Newton's method with exact derivatives converges in a handful of iterations; if it does not
# (separation, a poor start), BFGS gets its turn, with the same exact gradient.
_ORDERED_LOGIT_METHODS = (("newton", 100), ("bfgs", 2000))


#: From this many responses on, Newton starts from the estimate on a subsample (every k-th
#: response, about _WARM_START_SIZE of them): it ends at the same maximum of the full
#: likelihood, in two or three fewer passes over all the responses.
_WARM_START_ABOVE = 200_000
_WARM_START_SIZE = 50_000


def _ordered_logit_start(sample: _Sample, weights: np.ndarray | None, n_levels: int) -> np.ndarray | None:
    """Start values for the full fit from a fit on every k-th response, or None (statsmodels'
    own start: the thresholds of the model without drivers) if the data are small or the
    subsample fit is not usable.  Deterministic: no random draws."""
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    n = len(sample.y)
    if n < _WARM_START_ABOVE:
        return None
    step = n // _WARM_START_SIZE
    y, x = sample.y[::step], np.ascontiguousarray(sample.x[::step])
    if len(np.unique(y)) != n_levels:
        return None
    model = _ordered_logit_class()(y, x, None if weights is None else weights[::step])
    with _silenced() as caught:
        try:
            fit = model.fit(method="newton", maxiter=50, disp=False)
        except (np.linalg.LinAlgError, ValueError, OverflowError):
            return None
        converged = fit.mle_retvals.get("converged", False) and not any(
            issubclass(w.category, ConvergenceWarning) for w in caught
        )
    params = np.asarray(fit.params)
    return params if converged and np.isfinite(params).all() else None


def _fit_ordered_logit(
    sample: _Sample, outcome: str
) -> tuple[pd.DataFrame, pd.DataFrame, str | None, list[str]]:
    """(driver coefficients, thresholds, SE type, notes); empty tables if not usable."""
    empty = _empty(_ORDERED_LOGIT_COLUMNS), _empty(_THRESHOLD_COLUMNS)
    levels = np.unique(sample.y)
    if len(levels) > MAX_ORDINAL_LEVELS:
        note = (
            f"Ordered logit skipped: {outcome} takes {len(levels)} distinct values, "
            "too many for an ordinal rating scale."
        )
        return *empty, None, [note]

    weights = None
    if sample.weights is not None:
        # Normalised to mean 1 so the pseudo-log-likelihood keeps the scale
        # of n responses; the sandwich below makes the SEs scale-free anyway.
        weights = sample.weights / sample.weights.mean()
    model = _ordered_logit_class()(sample.y, sample.x, weights)
    start_params = _ordered_logit_start(sample, weights, model.k_levels)
    se_type = _ordered_logit_se_type(sample)
    params, bse, failures = _fit_with_fallback(model, start_params, se_type, sample)
    if params is None:
        note = f"Ordered logit did not converge ({'; '.join(failures)}); its estimates are not reported."
        return *empty, None, [note]
    with _silenced():
        # Normal reference distribution: the usual large-sample MLE inference.
        z = stats.norm.ppf(0.975)
        pvalues = 2 * stats.norm.sf(np.abs(params / bse))
        cutpoints = model.transform_threshold_params(params)[1:-1]

    notes: list[str] = []
    p = len(sample.drivers)
    sd_x = sample.moments.sd[1:]
    per_sd = np.abs(params[:p]) * sd_x
    if np.any(per_sd > _SEPARATION_LOG_ODDS):
        # Under (quasi-)separation the likelihood keeps rising as a slope
        # grows, the optimiser stops somewhere arbitrary and the standard
        # errors are meaningless, yet the estimates can look "significant".
        suspects = [d for d, v in zip(sample.drivers, per_sd) if v > _SEPARATION_LOG_ODDS]
        notes.append(
            "Ordered logit not reported: the outcome levels are (almost) perfectly "
            f"separated by {_names(suspects)}, so its estimates are not finite."
        )
        return *empty, None, notes
    if not np.isfinite(bse[:p]).all():
        notes.append(
            "Ordered logit standard errors could not be computed (the information matrix is singular)."
        )
    table = pd.DataFrame(
        {
            "term": sample.drivers,
            "coef": params[:p],
            "se": bse[:p],
            "ci_low": params[:p] - z * bse[:p],
            "ci_high": params[:p] + z * bse[:p],
            "p": pvalues[:p],
        }
    )
    thresholds = pd.DataFrame(
        {
            "term": [f"{low:g}|{high:g}" for low, high in zip(levels[:-1], levels[1:])],
            "threshold": cutpoints,
        }
    )
    return table, thresholds, se_type, notes


def _ordered_logit_se_type(sample: _Sample) -> str:
    """Cluster-robust when clustering, the sandwich (HC0) under weights, model-based otherwise."""
    if sample.groups is not None:
        return "cluster"
    if sample.weights is not None:
        # Under sampling weights the inverse Hessian is not the variance of
        # the pseudo-ML estimator; the sandwich is.
        return "HC0"
    return "nonrobust"


def _fit_with_fallback(
    model, start_params: np.ndarray | None, se_type: str, sample: _Sample
) -> tuple[np.ndarray | None, np.ndarray | None, list[str]]:
    """(estimates, standard errors, failures) from the first of ``_ORDERED_LOGIT_METHODS`` that
    converges to finite estimates; (None, None, failures) if none does."""
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    groups = sample.groups
    failures: list[str] = []
    with _silenced() as caught:
        for method, maxiter in _ORDERED_LOGIT_METHODS:
            del caught[:]
            try:
                candidate = model.fit(start_params=start_params, method=method, maxiter=maxiter, disp=False)
                converged = candidate.mle_retvals.get("converged", False) and not any(
                    issubclass(w.category, ConvergenceWarning) for w in caught
                )
                if not (converged and np.isfinite(candidate.params).all()):
                    failures.append(f"{method}: no convergence")
                    continue
                params = np.asarray(candidate.params)
                if se_type == "nonrobust":
                    bse = np.asarray(candidate.bse)
                else:
                    # The sandwich, as statsmodels' cov_type="cluster" (with its correction
                    # G/(G-1) (n-1)/(n-k)) or "HC0" computes it.
                    cov = model.sandwich(params, groups)
                    if groups is not None:
                        n, k, n_groups = len(sample.y), len(params), int(groups.max()) + 1
                        cov *= n_groups / (n_groups - 1.0) * ((n - 1.0) / (n - k))
                    bse = np.sqrt(np.diag(cov))
            except (np.linalg.LinAlgError, ValueError, OverflowError) as error:
                failures.append(f"{method}: {error}")
                continue
            return params, bse, failures
    return None, None, failures
