"""Rubin's rules: estimates from m imputed data sets combined into one, with intervals that carry
both the uncertainty within each data set and the spread between them.

References
----------
Rubin, D. B. (1987). *Multiple Imputation for Nonresponse in Surveys*. Wiley.

Barnard, J., & Rubin, D. B. (1999). Small-sample degrees of freedom with multiple imputation.
*Biometrika*, 86(4), 948-955.

van Buuren, S. (2018). *Flexible Imputation of Missing Data* (2nd ed.), section 2.3. CRC Press.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

#: The columns of :func:`rubin_pool`'s table.
POOLED_COLUMNS = [
    "term",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "p",
    "df",
    "within",
    "between",
    "total",
    "riv",
    "fmi",
]


def rubin_pool(
    estimates: np.ndarray | Sequence[Sequence[float]],
    variances: np.ndarray | Sequence[Sequence[float]],
    df_complete: float = np.inf,
    *,
    terms: Sequence[str] | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Combine the estimates of m imputed data sets by Rubin's rules.

    For each term, with ``Q_i`` and ``U_i`` the estimate and its squared standard error in
    imputation ``i``:

    * pooled estimate ``Q = mean(Q_i)``; within-imputation variance ``W = mean(U_i)``;
      between-imputation variance ``B = var(Q_i)`` (divisor m - 1);
    * total variance ``T = W + (1 + 1/m) B`` (Rubin 1987, 3.1);
    * relative increase in variance ``r = (1 + 1/m) B / W`` and ``lambda = (1 + 1/m) B / T``;
    * degrees of freedom: Rubin's ``nu_old = (m - 1) / lambda^2``; with finite complete-data
      degrees of freedom ``nu_com``, Barnard & Rubin's (1999) small-sample version
      ``nu = nu_old nu_obs / (nu_old + nu_obs)``, ``nu_obs = (nu_com + 1)/(nu_com + 3) nu_com (1 - lambda)``;
    * fraction of missing information ``fmi = (r + 2 / (nu + 3)) / (1 + r)``;
    * interval ``Q -/+ t(nu) sqrt(T)`` and the two-sided p-value of ``Q / sqrt(T)`` against ``t(nu)``.

    Parameters
    ----------
    estimates, variances : array-like, shape (m, k) or (m,)
        Point estimates and their squared standard errors, one row per imputation.
    df_complete : float
        Degrees of freedom the analysis would have without missing data (``n - k`` for OLS,
        ``G - 1`` with cluster-robust errors); ``inf`` gives Rubin's large-sample rule.
    terms : sequence of str, optional
        Names of the k estimates (default ``"0", "1", ...``).
    level : float
        Confidence level of the interval.

    Returns
    -------
    pandas.DataFrame
        One row per term: ``term, estimate, se, ci_low, ci_high, p, df, within, between,
        total, riv, fmi``. With no between-imputation spread (nothing imputed) the result is
        the complete-data analysis: ``se = sqrt(W)`` and ``df = df_complete``.

    Raises
    ------
    ValueError
        If the shapes differ, fewer than two imputations are given, or a variance is negative.

    Examples
    --------
    >>> pooled = rubin_pool([[1.0], [1.2], [1.1]], [[0.04], [0.05], [0.06]], df_complete=50, terms=["b"])
    >>> pooled[["estimate", "within", "between", "total"]].round(4).to_dict("records")
    [{'estimate': 1.1, 'within': 0.05, 'between': 0.01, 'total': 0.0633}]
    """
    q = np.asarray(estimates, dtype=float)
    u = np.asarray(variances, dtype=float)
    if q.ndim == 1:
        q = q[:, None]
        u = u[:, None] if u.ndim == 1 else u
    if q.shape != u.shape:
        raise ValueError(f"estimates {q.shape} and variances {u.shape} differ in shape")
    m, k = q.shape
    if m < 2:
        raise ValueError("Rubin's rules need at least two imputations")
    if np.any(u < 0):
        raise ValueError("variances must not be negative")
    terms = [str(j) for j in range(k)] if terms is None else list(terms)
    if len(terms) != k:
        raise ValueError(f"{len(terms)} term names for {k} estimates")

    estimate = q.mean(axis=0)
    within = u.mean(axis=0)
    between = q.var(axis=0, ddof=1)
    inflated = (1 + 1 / m) * between
    total = within + inflated
    with np.errstate(divide="ignore", invalid="ignore"):
        riv = inflated / within
        lam = np.where(total > 0, inflated / total, 0.0)
        df = _barnard_rubin_df(lam, m, df_complete)
        fmi = (riv + 2 / (df + 3)) / (1 + riv)
        se = np.sqrt(total)
        t_values = estimate / se
    quantile = stats.t.ppf(0.5 + level / 2, df)
    return pd.DataFrame(
        {
            "term": terms,
            "estimate": estimate,
            "se": se,
            "ci_low": estimate - quantile * se,
            "ci_high": estimate + quantile * se,
            "p": 2 * stats.t.sf(np.abs(t_values), df),
            "df": df,
            "within": within,
            "between": between,
            "total": total,
            "riv": riv,
            "fmi": fmi,
        }
    )


def _barnard_rubin_df(lam: np.ndarray, m: int, df_complete: float) -> np.ndarray:
    """Degrees of freedom of the pooled estimate: Rubin's (1987) ``(m - 1) / lambda^2``, made
    small-sample by Barnard & Rubin (1999) when ``df_complete`` is finite; ``df_complete``
    itself where ``lambda`` is zero (no spread between imputations: the complete-data analysis)."""
    with np.errstate(divide="ignore"):
        df_old = np.where(lam > 0, (m - 1) / np.square(lam), np.inf)
    if not np.isfinite(df_complete):
        return df_old
    df_obs = (df_complete + 1) / (df_complete + 3) * df_complete * (1 - lam)
    with np.errstate(invalid="ignore"):
        combined = df_old * df_obs / (df_old + df_obs)
    return np.where(lam > 0, combined, float(df_complete))


def pooled_r2(r2: Sequence[float]) -> float:
    """R^2 averaged over imputations on Fisher's z scale of R (Harel 2009), ``tanh(mean(atanh(sqrt(R^2))))^2``.

    Harel, O. (2009). The estimation of R^2 and adjusted R^2 in incomplete data sets using
    multiple imputation. *Journal of Applied Statistics*, 36(10), 1109-1118.
    """
    values = np.sqrt(np.clip(np.asarray(r2, dtype=float), 0.0, 1.0 - 1e-15))
    return float(np.tanh(np.arctanh(values).mean()) ** 2)
