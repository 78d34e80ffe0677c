"""Confidence intervals used across the package: normal, Student t and Wilson score.

Every function takes scalars or arrays (NumPy broadcasting) and returns the same shape: a scalar
caller gets NumPy scalars back (``float(low)`` works), a vectorised caller arrays.  Undefined
inputs (``n <= 0``, ``dof <= 0``, NaN standard errors) give NaN bounds rather than raising, so a
report can say "not enough data".
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["normal_interval", "t_interval", "wilson_interval", "z_quantile"]


def z_quantile(confidence: float) -> float:
    """Two-sided standard normal quantile for ``confidence``: 1.96 for 0.95.

    Parameters
    ----------
    confidence : float
        Level of the interval, between 0 and 1.

    Returns
    -------
    float
        ``Phi^-1(0.5 + confidence / 2)``.
    """
    return float(stats.norm.ppf(0.5 + confidence / 2))


def normal_interval(estimate, se, confidence: float):
    """Normal (Wald) interval ``estimate +/- z * se``.

    Parameters
    ----------
    estimate, se : float or array
        Point estimate(s) and their standard error(s).
    confidence : float
        Level of the interval.

    Returns
    -------
    (low, high)
        The bounds, shaped like ``estimate`` and ``se`` broadcast together.
    """
    half = z_quantile(confidence) * np.asarray(se, dtype=float)
    return estimate - half, estimate + half


def t_interval(estimate, se, dof, confidence: float):
    """Student t interval ``estimate +/- t(dof) * se``; ``dof <= 0`` gives NaN bounds.

    Parameters
    ----------
    estimate, se : float or array
        Point estimate(s) and their standard error(s).
    dof : float or array
        Degrees of freedom (``n - 1`` for a mean; Welch-Satterthwaite for a difference).
    confidence : float
        Level of the interval.

    Returns
    -------
    (low, high)
        The bounds, shaped like the broadcast inputs.

    References
    ----------
    Student (1908). The probable error of a mean. *Biometrika* 6(1), 1-25.
    """
    dof = np.asarray(dof, dtype=float)
    quantile = stats.t.ppf(0.5 + confidence / 2, np.where(dof > 0, dof, np.nan))
    half = quantile * np.asarray(se, dtype=float)
    return estimate - half, estimate + half


def wilson_interval(share, n, confidence: float = 0.95):
    """Wilson score interval for a proportion.

    Parameters
    ----------
    share : float or array
        Observed proportion(s), between 0 and 1.
    n : float or array
        Sample size(s); may be a non-integer effective size (Kish's ``n_eff`` for weighted
        data).  ``n <= 0`` gives NaN bounds.
    confidence : float
        Level of the interval.

    Returns
    -------
    (low, high)
        Bounds in [0, 1], as arrays shaped like the broadcast inputs (0-d for scalars, so
        ``float(low)`` works).  A share of exactly 0 (1) has a lower (upper) bound of exactly
        0 (1).

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. *Journal of the American Statistical Association* 22(158), 209-212.
    Brown, L. D., Cai, T. T. and DasGupta, A. (2001). Interval estimation for a binomial
    proportion. *Statistical Science* 16(2), 101-133.

    Examples
    --------
    >>> low, high = wilson_interval(0.7, 10)
    >>> round(float(low), 3), round(float(high), 3)
    (0.397, 0.892)
    """
    z = z_quantile(confidence)
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
