"""Key-driver analysis of client satisfaction.

Which service drivers (communication, responsiveness, quality, ...) go with
higher overall satisfaction, how much of the explained variance each one
accounts for, and where to act first.

The analysis combines

* an OLS (or WLS) regression of the outcome on the drivers with
  heteroskedasticity-robust (HC3) or cluster-robust standard errors,
* two decompositions of R^2 that cope with correlated drivers: the exact
  LMG / Shapley decomposition and Johnson's relative weights, optionally
  with bootstrap percentile intervals,
* a proportional-odds (ordered logit) model as a robustness check, because
  the outcome is an ordinal rating,
* collinearity diagnostics (VIF) and an importance-performance matrix,
* short findings in plain language that claim nothing which is not
  significant at the 95% level.

All functions are pure: no plotting, no I/O, nothing printed, and no Python
warnings emitted. Problems with the data are collected in
``DriverAnalysis.warnings``; too little data gives
``status == "insufficient data"`` with a ``reason`` instead of an exception.
Exceptions are reserved for misuse (unknown columns, negative weights, ...).

References
----------
Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to
cluster-robust inference. *Journal of Human Resources*, 50(2), 317-372.

Grömping, U. (2006). Relative importance for linear regression in R: the
package relaimpo. *Journal of Statistical Software*, 17(1), 1-27.

Johnson, J. W. (2000). A heuristic method for estimating the relative weight
of predictor variables in multiple regression. *Multivariate Behavioral
Research*, 35(1), 1-19.

Lindeman, R. H., Merenda, P. F., & Gold, R. Z. (1980). *Introduction to
Bivariate and Multivariate Analysis*. Glenview, IL: Scott, Foresman.

MacKinnon, J. G., & White, H. (1985). Some heteroskedasticity-consistent
covariance matrix estimators with improved finite sample properties.
*Journal of Econometrics*, 29(3), 305-325.

McCullagh, P. (1980). Regression models for ordinal data. *Journal of the
Royal Statistical Society, Series B*, 42(2), 109-142.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "DEFAULT_DRIVERS",
    "QUADRANTS",
    "DriverAnalysis",
    "importance_performance",
    "key_drivers",
    "lmg",
    "relative_weights",
    "vif",
]

DEFAULT_DRIVERS: tuple[str, ...] = (
    "communication",
    "responsiveness",
    "quality",
    "timeliness",
    "value",
    "expertise",
)

#: Quadrant names of the importance-performance matrix, keyed by
#: (above-average importance, above-average performance).
QUADRANTS: dict[tuple[bool, bool], str] = {
    (True, False): "Fix first",
    (True, True): "Keep up",
    (False, False): "Monitor",
    (False, True): "Possible overkill",
}

#: A regression needs some residual degrees of freedom beyond the p slopes
#: and the intercept before its R^2, standard errors and bootstrap mean
#: anything; ten spare responses is a floor, not a recommendation.
MIN_SPARE_RESPONSES = 10

#: Conventional threshold above which collinearity inflates standard errors
#: enough to make individual coefficients hard to interpret.
VIF_WARNING_THRESHOLD = 5.0

#: Cameron & Miller (2015): with fewer clusters than this, cluster-robust
#: standard errors tend to be too small even with the small-sample correction.
FEW_CLUSTERS = 20

#: Exact LMG visits all 2^p subsets; beyond this it is neither fast nor useful.
MAX_LMG_DRIVERS = 20

#: Outcomes with more distinct values than an 11-point (0-10) scale are not
#: treated as ordinal; an ordered logit would need one threshold per value.
MAX_ORDINAL_LEVELS = 11

# A driver whose variance left after regressing it on the other drivers is
# below this fraction of its total variance is treated as an exact linear
# combination of them (VIF above 1e8) and dropped.
_ALIASING_TOLERANCE = 1e-8

# An ordered-logit slope so large that one SD of the driver multiplies the
# odds by more than e^10 (about 22,000) signals separation, not an estimate.
_SEPARATION_LOG_ODDS = 10.0

_COEFFICIENT_COLUMNS = ["term", "coef", "se", "ci_low", "ci_high", "p", "std_coef"]
_IMPORTANCE_COLUMNS = ["driver", "lmg", "relative_weight", "share", "performance", "quadrant"]
_ORDERED_LOGIT_COLUMNS = ["term", "coef", "se", "ci_low", "ci_high", "p"]


# ---------------------------------------------------------------------------
# Result
# ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, repr=False)
class DriverAnalysis:
    """Result of :func:`key_drivers`.

    Attributes
    ----------
    status : str
        ``"ok"`` or ``"insufficient data"``.
    reason : str or None
        Why the analysis could not be run (``None`` when ``status == "ok"``).
    outcome : str
        Outcome column.
    drivers : tuple of str
        Drivers actually used (after dropping empty, constant or aliased ones).
    n : int
        Complete responses used (listwise deletion).
    n_clusters : int or None
        Number of clusters when standard errors are cluster-robust.
    r2, adj_r2 : float
        (Weighted) R^2 and adjusted R^2 of the linear model.
    se_type : str or None
        Covariance estimator of the linear model: ``"cluster"``, ``"HC3"``,
        or ``"HC1"`` when HC3 is undefined (a response with leverage one).
    cluster : str or None
        Column whose values define the clusters.
    weight : str or None
        Weight column, if the model is weighted (WLS).
    n_boot : int
        Bootstrap resamples behind the importance intervals (0 = none).
    coefficients : pandas.DataFrame
        One row per term (``Intercept`` first): ``term, coef, se, ci_low,
        ci_high, p, std_coef``. Confidence intervals are 95%.
    importance : pandas.DataFrame
        One row per driver, strongest first: ``driver, lmg, relative_weight,
        share, performance, quadrant``; with a bootstrap also
        ``lmg_ci_low, lmg_ci_high, rw_ci_low, rw_ci_high, share_ci_low,
        share_ci_high``. ``lmg`` and ``relative_weight`` are parts of R^2;
        ``share`` is the LMG part as a percentage of R^2.
    ordered_logit : pandas.DataFrame
        Proportional-odds coefficients per driver (log-odds scale):
        ``term, coef, se, ci_low, ci_high, p``. Empty if the model was skipped
        or did not converge (see ``warnings``).
    ordered_logit_thresholds : pandas.DataFrame
        Cut-points of the ordered logit: ``term, threshold``.
    ordered_logit_se_type : str or None
        Covariance estimator of the ordered logit.
    vif : pandas.DataFrame
        Variance inflation factor per driver: ``driver, vif``.
    warnings : list of str
        Data problems met on the way, in plain language.
    findings : list of str
        Plain-language conclusions with their numbers and uncertainty.
    """

    status: str
    reason: str | None
    outcome: str
    drivers: tuple[str, ...]
    n: int
    n_clusters: int | None = None
    r2: float = math.nan
    adj_r2: float = math.nan
    se_type: str | None = None
    cluster: str | None = None
    weight: str | None = None
    n_boot: int = 0
    coefficients: pd.DataFrame = field(default_factory=lambda: _empty(_COEFFICIENT_COLUMNS))
    importance: pd.DataFrame = field(default_factory=lambda: _empty(_IMPORTANCE_COLUMNS))
    ordered_logit: pd.DataFrame = field(default_factory=lambda: _empty(_ORDERED_LOGIT_COLUMNS))
    ordered_logit_thresholds: pd.DataFrame = field(
        default_factory=lambda: _empty(["term", "threshold"])
    )
    ordered_logit_se_type: str | None = None
    vif: pd.DataFrame = field(default_factory=lambda: _empty(["driver", "vif"]))
    warnings: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the analysis ran (``status == "ok"``)."""
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (the contract used by the command-line tools).

        NaN becomes ``None`` and numpy scalars become Python numbers.

        Returns
        -------
        dict
            ``{"n", "r2", "adj_r2", "se_type", "coefficients", "importance",
            "ordered_logit", "vif", "warnings", "findings", "status",
            "reason"}``. Each ``importance`` row has ``driver, lmg,
            relative_weight, share, performance, quadrant`` and, when
            bootstrapped, ``lmg_ci_low, lmg_ci_high, rw_ci_low, rw_ci_high``.
        """
        importance_keys = list(_IMPORTANCE_COLUMNS)
        if self.n_boot > 0:
            importance_keys += ["lmg_ci_low", "lmg_ci_high", "rw_ci_low", "rw_ci_high"]
        return {
            "n": int(self.n),
            "r2": _jsonable(self.r2),
            "adj_r2": _jsonable(self.adj_r2),
            "se_type": self.se_type,
            "coefficients": _records(self.coefficients, _COEFFICIENT_COLUMNS),
            "importance": _records(self.importance, importance_keys),
            "ordered_logit": _records(self.ordered_logit, ["term", "coef", "se"]),
            "vif": _records(self.vif, ["driver", "vif"]),
            "warnings": list(self.warnings),
            "findings": list(self.findings),
            "status": self.status,
            "reason": self.reason,
        }

    def __repr__(self) -> str:
        if not self.ok:
            lines = [f"DriverAnalysis({self.outcome}: insufficient data - {self.reason})"]
        else:
            se = self.se_type
            if self.se_type == "cluster":
                se = f"cluster by {self.cluster}, {self.n_clusters} clusters"
            lines = [
                f"DriverAnalysis({self.outcome} ~ {len(self.drivers)} "
                f"driver{'s' if len(self.drivers) != 1 else ''}, n={self.n}, "
                f"R2={self.r2:.3f}, adj. R2={self.adj_r2:.3f}, SE: {se}"
                + (f", weighted by {self.weight}" if self.weight else "")
                + ")",
                _summary_table(self).to_string(index=False),
            ]
        lines.append(
            f"{len(self.warnings)} warning(s), {len(self.findings)} finding(s): "
            "see .warnings and .findings"
        )
        return "\n".join(lines)


def _summary_table(result: DriverAnalysis) -> pd.DataFrame:
    coefficients = result.coefficients.set_index("term")
    importance = result.importance.set_index("driver")
    vifs = result.vif.set_index("driver")["vif"]
    rows = []
    for term in coefficients.index:
        coef = coefficients.loc[term]
        row = {
            "term": term,
            "coef": f"{coef['coef']:.3f}",
            "95% CI": f"[{coef['ci_low']:.3f}, {coef['ci_high']:.3f}]",
            "p": _format_p(coef["p"]),
            "beta": "" if pd.isna(coef["std_coef"]) else f"{coef['std_coef']:.2f}",
            "LMG %": "",
            "RW %": "",
            "mean": "",
            "quadrant": "",
            "VIF": f"{vifs[term]:.1f}" if term in vifs.index else "",
        }
        if term in importance.index:
            imp = importance.loc[term]
            row["LMG %"] = f"{imp['share']:.1f}"
            row["RW %"] = f"{100 * imp['relative_weight'] / result.r2:.1f}"
            row["mean"] = f"{imp['performance']:.2f}"
            row["quadrant"] = imp["quadrant"]
        rows.append(row)
    return pd.DataFrame(rows)


def _format_p(p: float) -> str:
    if pd.isna(p):
        return ""
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=object) for column in columns})


def _jsonable(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if not math.isfinite(value) else float(value)
    return value


def _records(frame: pd.DataFrame, columns: Sequence[str]) -> list[dict[str, Any]]:
    return [
        {column: _jsonable(row[column]) for column in columns}
        for row in frame.to_dict(orient="records")
    ]


# ---------------------------------------------------------------------------
# Correlation matrices and the building blocks computed from them
# ---------------------------------------------------------------------------


def _weighted_corr(values: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Correlation matrix of the columns of ``values`` (optionally weighted).

    Centring before the cross-product avoids the cancellation of the
    one-pass formula, which matters for 1-5 ratings with a large mean.
    """
    if weights is None:
        centred = values - values.mean(axis=0)
        cov = centred.T @ centred
    else:
        mean = weights @ values / weights.sum()
        centred = values - mean
        cov = (centred * weights[:, None]).T @ centred
    sd = np.sqrt(np.diag(cov))
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = cov / np.outer(sd, sd)
    np.fill_diagonal(corr, 1.0)
    return corr


def _weighted_mean_sd(
    values: np.ndarray, weights: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Column means and population SDs; callers only use ratios of SDs."""
    weights = np.ones(len(values)) if weights is None else weights
    mean = weights @ values / weights.sum()
    sd = np.sqrt(weights @ (values - mean) ** 2 / weights.sum())
    return mean, sd


@dataclass(frozen=True)
class _SubsetLayout:
    """Index arrays shared by every LMG computation with ``p`` drivers.

    Subsets are bitmasks: bit j set means driver j is in the subset.
    """

    by_size: tuple[tuple[np.ndarray, np.ndarray], ...]  # (masks, members) per size 1..p
    without: np.ndarray  # (p, 2^(p-1)) masks of subsets that leave driver j out
    shapley_weights: np.ndarray  # (p, 2^(p-1)) |S|!(p-|S|-1)!/p! for those subsets


@functools.lru_cache(maxsize=8)
def _subset_layout(p: int) -> _SubsetLayout:
    masks = np.arange(1 << p)
    membership = ((masks[:, None] >> np.arange(p)) & 1).astype(bool)
    sizes = membership.sum(axis=1)
    by_size = []
    for size in range(1, p + 1):
        rows = np.flatnonzero(sizes == size)
        # np.nonzero walks row-major, so each row's members come out together.
        members = np.nonzero(membership[rows])[1].reshape(len(rows), size)
        by_size.append((rows, members))
    bits = 1 << np.arange(p)
    without = np.stack([masks[(masks & bit) == 0] for bit in bits])
    # |S|!(p-|S|-1)!/p! written as 1 / (p * C(p-1, |S|)) to stay exact in floats.
    weight_of_size = np.array([1.0 / (p * math.comb(p - 1, s)) for s in range(p)])
    layout = _SubsetLayout(tuple(by_size), without, weight_of_size[sizes[without]])
    # Cached and shared between calls, so nobody may modify them.
    for array in (layout.without, layout.shapley_weights, *(a for pair in by_size for a in pair)):
        array.flags.writeable = False
    return layout


def _subset_r2(corr_xx: np.ndarray, r_xy: np.ndarray) -> np.ndarray:
    """R^2 of every subset of drivers, from the correlation matrix alone.

    R^2(S) = r_yS' R_SS^-1 r_yS. All subsets of one size are solved in a
    single batched call, so the Python loop runs only p times. Leading
    dimensions of ``corr_xx`` (..., p, p) and ``r_xy`` (..., p) are batch
    dimensions (used by the bootstrap). Returns (..., 2^p), indexed by bitmask.
    """
    p = r_xy.shape[-1]
    layout = _subset_layout(p)
    r2 = np.zeros(r_xy.shape[:-1] + (1 << p,))
    for masks, members in layout.by_size:
        block = corr_xx[..., members[:, :, None], members[:, None, :]]
        r_block = r_xy[..., members]
        try:
            solved = np.linalg.solve(block, r_block[..., None])[..., 0]
        except np.linalg.LinAlgError:
            # Aliased drivers: the pseudo-inverse gives the R^2 of the
            # projection, which is still well defined.
            solved = (np.linalg.pinv(block) @ r_block[..., None])[..., 0]
        r2[..., masks] = np.einsum("...k,...k->...", r_block, solved)
    return r2


def _lmg_from_corr(corr_xx: np.ndarray, r_xy: np.ndarray) -> np.ndarray:
    """Exact LMG (Shapley) parts of R^2, batched like :func:`_subset_r2`."""
    p = r_xy.shape[-1]
    if p > MAX_LMG_DRIVERS:
        raise ValueError(
            f"exact LMG visits all 2^p subsets; {p} drivers is more than the "
            f"supported {MAX_LMG_DRIVERS}"
        )
    layout = _subset_layout(p)
    r2 = _subset_r2(corr_xx, r_xy)
    bits = (1 << np.arange(p))[:, None]
    gains = r2[..., layout.without | bits] - r2[..., layout.without]
    return (gains * layout.shapley_weights).sum(axis=-1)


def _relative_weights_from_corr(corr_xx: np.ndarray, r_xy: np.ndarray) -> np.ndarray:
    """Johnson's (2000) relative weights, batched over leading dimensions.

    With R_xx = V diag(e) V', Lambda = R_xx^{1/2} = V diag(sqrt e) V' links the
    drivers to their closest orthonormal counterparts Z; beta = R_xx^{-1/2} r_xy
    regresses y on Z, and weight_j = sum_k Lambda_jk^2 beta_k^2.
    """
    eigenvalues, eigenvectors = np.linalg.eigh(corr_xx)
    eigenvalues = np.clip(eigenvalues, np.finfo(float).tiny, None)
    transposed = np.swapaxes(eigenvectors, -1, -2)
    lam = (eigenvectors * np.sqrt(eigenvalues)[..., None, :]) @ transposed
    inv_sqrt = (eigenvectors / np.sqrt(eigenvalues)[..., None, :]) @ transposed
    beta = (inv_sqrt @ r_xy[..., None])[..., 0]
    return ((lam**2) @ (beta**2)[..., None])[..., 0]


def _vif_from_corr(corr_xx: np.ndarray) -> np.ndarray:
    # VIF_j = 1 / (1 - R_j^2) is the j-th diagonal element of R_xx^-1.
    if corr_xx.shape[0] == 1:
        return np.ones(1)
    try:
        return np.diag(np.linalg.inv(corr_xx)).copy()
    except np.linalg.LinAlgError:
        return np.full(corr_xx.shape[0], np.inf)


# ---------------------------------------------------------------------------
# Public building blocks
# ---------------------------------------------------------------------------


def _is_square_matrix(data: Any) -> bool:
    """Responses have a row index that never equals their column labels."""
    return (
        isinstance(data, pd.DataFrame)
        and data.shape[0] == data.shape[1]
        and data.shape[0] > 0
        and data.index.equals(data.columns)
    )


def _matrix_to_corr(matrix: pd.DataFrame, order: Sequence[str]) -> np.ndarray:
    missing = [name for name in order if name not in matrix.columns]
    if missing:
        raise KeyError(f"not in the correlation matrix: {', '.join(missing)}")
    values = matrix.loc[list(order), list(order)].to_numpy(dtype=float)
    if not np.allclose(values, values.T, equal_nan=False):
        raise ValueError("the correlation (or covariance) matrix must be symmetric")
    diagonal = np.diag(values)
    if not np.all(diagonal > 0):
        raise ValueError("the matrix must have a positive diagonal (variances)")
    # Accepting a covariance matrix too: R^2 and its parts are scale-free.
    sd = np.sqrt(diagonal)
    return values / np.outer(sd, sd)


def _default_drivers(df: pd.DataFrame) -> list[str]:
    found = [name for name in DEFAULT_DRIVERS if name in df.columns]
    if not found:
        raise ValueError(
            "none of the default driver columns "
            f"({', '.join(DEFAULT_DRIVERS)}) is in the data; pass drivers=[...]"
        )
    return found


def _check_columns(df: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [column for column in columns if column not in df.columns]
    if missing:
        raise KeyError(f"column(s) not in the data: {', '.join(missing)}")
    duplicated = sorted({column for column in columns if list(columns).count(column) > 1})
    if duplicated:
        raise ValueError(f"column(s) listed more than once: {', '.join(duplicated)}")


def _numeric(df: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    return df[list(columns)].to_numpy(dtype=float, na_value=np.nan)


def _weights(df: pd.DataFrame, weight: str | None) -> np.ndarray | None:
    if weight is None:
        return None
    values = _numeric(df, [weight])[:, 0]
    if np.any(values < 0):
        raise ValueError(f"weights in {weight!r} must not be negative")
    return values


def _correlation_from(
    data: pd.DataFrame,
    drivers: Sequence[str] | None,
    outcome: str,
    weight: str | None,
) -> tuple[np.ndarray, list[str]]:
    """(correlation matrix with the outcome first, driver names)."""
    if _is_square_matrix(data):
        if weight is not None:
            raise ValueError("weight applies to response data, not to a correlation matrix")
        if drivers is None:
            drivers = [label for label in data.columns if label != outcome]
        drivers = list(drivers)
        return _matrix_to_corr(data, [outcome, *drivers]), drivers
    if not isinstance(data, pd.DataFrame):
        raise TypeError("data must be a DataFrame of responses or a labelled correlation matrix")
    drivers = _default_drivers(data) if drivers is None else list(drivers)
    _check_columns(data, [outcome, *drivers, *([weight] if weight else [])])
    values = _numeric(data, [outcome, *drivers])
    weights = _weights(data, weight)
    complete = np.isfinite(values).all(axis=1)
    if weights is not None:
        complete &= np.isfinite(weights) & (weights > 0)
        weights = weights[complete]
    if not complete.all():
        values = values[complete]
    if len(values) < 2:
        raise ValueError("fewer than two complete responses")
    spreads = np.ptp(values, axis=0)
    flat = [name for name, spread in zip([outcome, *drivers], spreads) if spread == 0]
    if flat:
        raise ValueError(f"no variation in: {', '.join(flat)}")
    return _weighted_corr(values, weights), drivers


def lmg(
    data: pd.DataFrame,
    drivers: Sequence[str] | None = None,
    outcome: str = "overall_satisfaction",
    *,
    weight: str | None = None,
) -> pd.Series:
    """Exact LMG (Shapley) decomposition of R^2 into one part per driver.

    Each driver's part is its increase in R^2 when it joins a model,
    averaged over all orders in which the drivers can enter (Lindeman,
    Merenda & Gold 1980; Grömping 2006). The parts are non-negative and sum
    to the R^2 of the full model. All 2^p subset R^2 values come from the
    correlation matrix, R^2(S) = r_yS' R_SS^-1 r_yS, solved in batches per
    subset size, and are weighted by |S|!(p-|S|-1)!/p!. Fifteen drivers take
    a few tens of milliseconds.

    Parameters
    ----------
    data : DataFrame
        Either responses (one row each; incomplete rows are dropped
        listwise) or a correlation or covariance matrix labelled with the
        outcome and the drivers (index equal to columns).
    drivers : sequence of str, optional
        Driver columns. Default: the default drivers present in the
        responses, or every label but ``outcome`` of a matrix.
    outcome : str
        Outcome column.
    weight : str, optional
        Weight column (responses only); the weighted correlation matrix is
        used, matching a WLS fit.

    Returns
    -------
    pandas.Series
        Part of R^2 per driver, named ``"lmg"``, in driver order.

    Raises
    ------
    ValueError
        If a column does not vary, there are fewer than two complete
        responses, or there are more than 20 drivers.

    References
    ----------
    Lindeman, R. H., Merenda, P. F., & Gold, R. Z. (1980). *Introduction to
    Bivariate and Multivariate Analysis*. Scott, Foresman.

    Grömping, U. (2006). Relative importance for linear regression in R: the
    package relaimpo. *Journal of Statistical Software*, 17(1), 1-27.

    Examples
    --------
    >>> corr = pd.DataFrame(
    ...     [[1.0, 0.5, 0.4], [0.5, 1.0, 0.3], [0.4, 0.3, 1.0]],
    ...     index=["y", "a", "b"], columns=["y", "a", "b"])
    >>> parts = lmg(corr, outcome="y")
    >>> parts.round(4).to_dict()
    {'a': 0.2043, 'b': 0.1143}
    >>> round(float(parts.sum()), 4)  # the R^2 of y on a and b
    0.3187
    """
    corr, drivers = _correlation_from(data, drivers, outcome, weight)
    parts = _lmg_from_corr(corr[1:, 1:], corr[0, 1:])
    return pd.Series(parts, index=pd.Index(drivers, name="driver"), name="lmg")


def relative_weights(
    data: pd.DataFrame,
    drivers: Sequence[str] | None = None,
    outcome: str = "overall_satisfaction",
    *,
    weight: str | None = None,
) -> pd.Series:
    """Johnson's (2000) relative weights: another split of R^2 per driver.

    The drivers are replaced by their closest orthonormal counterparts
    (through the eigen-decomposition of their correlation matrix,
    Lambda = R_xx^{1/2}); the outcome is regressed on those, and each
    driver's weight is sum_k Lambda_jk^2 beta_k^2. The weights sum to R^2 and
    usually agree closely with LMG at a fraction of the cost.

    Parameters
    ----------
    data, drivers, outcome, weight
        As for :func:`lmg`.

    Returns
    -------
    pandas.Series
        Weight per driver, named ``"relative_weight"``, in driver order.

    Raises
    ------
    ValueError
        As for :func:`lmg`, and if a driver is an exact linear combination
        of the others.

    References
    ----------
    Johnson, J. W. (2000). A heuristic method for estimating the relative
    weight of predictor variables in multiple regression. *Multivariate
    Behavioral Research*, 35(1), 1-19.

    Examples
    --------
    >>> corr = pd.DataFrame(
    ...     [[1.0, 0.5, 0.4], [0.5, 1.0, 0.3], [0.4, 0.3, 1.0]],
    ...     index=["y", "a", "b"], columns=["y", "a", "b"])
    >>> weights = relative_weights(corr, outcome="y")
    >>> weights.round(4).to_dict()  # with two drivers, identical to LMG
    {'a': 0.2043, 'b': 0.1143}
    >>> round(float(weights.sum()), 4)  # the R^2 of y on a and b
    0.3187
    """
    corr, drivers = _correlation_from(data, drivers, outcome, weight)
    if np.linalg.eigvalsh(corr[1:, 1:])[0] < _ALIASING_TOLERANCE:
        raise ValueError("relative weights need drivers that are not exact linear combinations")
    parts = _relative_weights_from_corr(corr[1:, 1:], corr[0, 1:])
    return pd.Series(parts, index=pd.Index(drivers, name="driver"), name="relative_weight")


def vif(
    data: pd.DataFrame,
    drivers: Sequence[str] | None = None,
    *,
    weight: str | None = None,
) -> pd.Series:
    """Variance inflation factors, 1 / (1 - R_j^2), one per driver.

    R_j^2 is from regressing driver j on the other drivers with an
    intercept; the VIFs are the diagonal of the inverse correlation matrix
    of the drivers. Values above 5 mean collinearity makes that driver's
    coefficient imprecise.

    Parameters
    ----------
    data : DataFrame
        Responses (incomplete rows dropped listwise) or a correlation or
        covariance matrix of the drivers (index equal to columns).
    drivers : sequence of str, optional
        Default: the default drivers present in the responses, or every
        label of a matrix.
    weight : str, optional
        Weight column (responses only).

    Returns
    -------
    pandas.Series
        VIF per driver, named ``"vif"``; ``inf`` if the drivers are aliased.

    Examples
    --------
    >>> corr = pd.DataFrame([[1.0, 0.9], [0.9, 1.0]], index=["a", "b"], columns=["a", "b"])
    >>> vif(corr).round(2).to_dict()
    {'a': 5.26, 'b': 5.26}
    """
    if _is_square_matrix(data):
        if weight is not None:
            raise ValueError("weight applies to response data, not to a correlation matrix")
        drivers = list(data.columns) if drivers is None else list(drivers)
        corr_xx = _matrix_to_corr(data, drivers)
    else:
        drivers = _default_drivers(data) if drivers is None else list(drivers)
        # Reuse the response route with the first driver standing in as the
        # "outcome"; only the driver block of the matrix is needed.
        corr, _ = _correlation_from(data, drivers[1:], drivers[0], weight)
        corr_xx = corr
    return pd.Series(_vif_from_corr(corr_xx), index=pd.Index(drivers, name="driver"), name="vif")


def importance_performance(
    importance: Mapping[str, float] | pd.Series,
    performance: Mapping[str, float] | pd.Series,
) -> pd.DataFrame:
    """Importance-performance matrix: where each driver sits and what to do.

    Drivers are split at the mean importance and at the mean performance;
    a driver at or above a mean counts as important / strong.

    ============  ===============  ======================
    importance    weak             strong
    ============  ===============  ======================
    high          ``Fix first``    ``Keep up``
    low           ``Monitor``      ``Possible overkill``
    ============  ===============  ======================

    Parameters
    ----------
    importance : mapping or Series
        Importance per driver (e.g. LMG share of R^2).
    performance : mapping or Series
        Performance per driver (e.g. mean rating), same drivers.

    Returns
    -------
    pandas.DataFrame
        ``driver, importance, performance, quadrant`` in the order of
        ``importance``.

    Examples
    --------
    >>> importance_performance({"a": 40, "b": 35, "c": 15, "d": 10},
    ...                        {"a": 3.1, "b": 4.2, "c": 3.0, "d": 4.5})
      driver  importance  performance           quadrant
    0      a        40.0          3.1          Fix first
    1      b        35.0          4.2            Keep up
    2      c        15.0          3.0            Monitor
    3      d        10.0          4.5  Possible overkill
    """
    importance = pd.Series(importance, dtype=float)
    performance = pd.Series(performance, dtype=float)
    if set(importance.index) != set(performance.index) or importance.index.has_duplicates:
        raise ValueError("importance and performance must cover the same drivers, once each")
    performance = performance.reindex(importance.index)
    important = importance >= importance.mean()
    strong = performance >= performance.mean()
    return pd.DataFrame(
        {
            "driver": importance.index.astype(str),
            "importance": importance.to_numpy(),
            "performance": performance.to_numpy(),
            "quadrant": [QUADRANTS[(bool(i), bool(s))] for i, s in zip(important, strong)],
        }
    )


# ---------------------------------------------------------------------------
# key_drivers: sample preparation
# ---------------------------------------------------------------------------


@contextmanager
def _silenced():
    """Keep statsmodels/numpy warnings off the user's console; callers
    inspect the caught list and turn what matters into result warnings."""
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always")
        yield caught


@dataclass
class _Sample:
    drivers: list[str]
    y: np.ndarray
    x: np.ndarray
    weights: np.ndarray | None
    groups: np.ndarray | None  # dense cluster codes, or None for HC3
    cluster: str | None


def _names(names: Sequence[str]) -> str:
    return ", ".join(names)


def _aliased(x: np.ndarray, weights: np.ndarray | None) -> list[int]:
    """Drivers (by position) that are exact linear combinations of earlier ones."""
    corr = _weighted_corr(x, weights)
    kept: list[int] = []
    aliased: list[int] = []
    for j in range(x.shape[1]):
        if kept:
            block = corr[np.ix_(kept, kept)]
            r = corr[kept, j]
            explained = r @ np.linalg.lstsq(block, r, rcond=None)[0]
            if 1.0 - explained < _ALIASING_TOLERANCE:
                aliased.append(j)
                continue
        kept.append(j)
    return aliased


def _prepare_sample(
    df: pd.DataFrame,
    drivers: list[str],
    outcome: str,
    weight: str | None,
    cluster: str | None,
) -> tuple[_Sample | None, str | None, list[str], int]:
    """Listwise-complete estimation sample, or the reason there is none.

    Returns (sample or None, reason or None, notes, number of complete
    responses). Dropping a driver can bring back responses that only lacked
    that driver, so the checks repeat until the set of drivers is stable.
    """
    notes: list[str] = []
    outcome_values = _numeric(df, [outcome])[:, 0]
    usable = np.isfinite(outcome_values)
    weights_all = _weights(df, weight)
    if weights_all is not None:
        missing_weight = int((usable & ~np.isfinite(weights_all)).sum())
        zero_weight = int((usable & (weights_all == 0)).sum())
        if missing_weight:
            notes.append(f"{missing_weight} response(s) without a weight were left out.")
        if zero_weight:
            notes.append(f"{zero_weight} response(s) with zero weight were left out.")
        usable &= np.isfinite(weights_all) & (weights_all > 0)
    cluster_codes = None
    if cluster is not None:
        cluster_codes, _ = pd.factorize(df[cluster], use_na_sentinel=True)
        missing_cluster = int((usable & (cluster_codes < 0)).sum())
        if missing_cluster:
            notes.append(f"{missing_cluster} response(s) without {cluster} were left out.")
        usable &= cluster_codes >= 0

    values_all = _numeric(df, drivers)
    answered = np.isfinite(values_all) & usable[:, None]
    empty = [name for j, name in enumerate(drivers) if not answered[:, j].any()]
    if empty:
        notes.append(f"Dropped driver(s) with no answers: {_names(empty)}.")
    constant = [
        name
        for j, name in enumerate(drivers)
        if name not in empty and np.ptp(values_all[answered[:, j], j]) == 0
    ]
    if constant:
        notes.append(f"Dropped driver(s) that do not vary: {_names(constant)}.")
    kept = [name for name in drivers if name not in empty and name not in constant]

    n_complete = 0
    while True:
        if not kept:
            reason = "no usable drivers: every driver is empty or does not vary"
            return None, reason, notes, n_complete
        columns = [drivers.index(name) for name in kept]
        complete = usable & np.isfinite(values_all[:, columns]).all(axis=1)
        n_complete = int(complete.sum())
        x = values_all[complete][:, columns]
        w = None if weights_all is None else weights_all[complete]
        flat = [name for j, name in enumerate(kept) if n_complete and np.ptp(x[:, j]) == 0]
        if flat:
            notes.append(
                f"Dropped driver(s) that do not vary among the complete responses: {_names(flat)}."
            )
            kept = [name for name in kept if name not in flat]
            continue
        needed = len(kept) + MIN_SPARE_RESPONSES
        if n_complete < needed:
            reason = (
                f"only {n_complete} complete responses for {len(kept)} drivers; "
                f"need at least {needed}"
            )
            return None, reason, notes, n_complete
        aliased = [kept[j] for j in _aliased(x, w)]
        if aliased:
            notes.append(
                "Dropped driver(s) that are an exact linear combination of other "
                f"drivers: {_names(aliased)}."
            )
            kept = [name for name in kept if name not in aliased]
            continue
        break

    y = outcome_values[complete]
    if np.ptp(y) == 0:
        reason = f"{outcome} does not vary across the {n_complete} complete responses"
        return None, reason, notes, n_complete

    groups = None
    if cluster_codes is not None:
        groups = np.unique(cluster_codes[complete], return_inverse=True)[1]
        if groups.max() == 0:
            notes.append(
                f"Only one {cluster} in the complete responses: cluster-robust standard "
                "errors are undefined, HC3 used instead."
            )
            groups, cluster = None, None
    return _Sample(kept, y, x, w, groups, cluster), None, notes, n_complete


def _resolve_cluster(df: pd.DataFrame, cluster: str | None, outcome: str) -> str | None:
    if cluster == "auto":
        if "client_id" not in df.columns:
            return None
        rows = df[outcome].notna()
        return "client_id" if df.loc[rows, "client_id"].nunique(dropna=True) > 1 else None
    if cluster is not None and cluster not in df.columns:
        raise KeyError(f"cluster column not in the data: {cluster}")
    return cluster


# ---------------------------------------------------------------------------
# key_drivers: models
# ---------------------------------------------------------------------------


def _max_leverage(x: np.ndarray, weights: np.ndarray | None) -> float:
    design = np.column_stack([np.ones(len(x)), x])
    if weights is not None:
        design = design * np.sqrt(weights)[:, None]
    q, _ = np.linalg.qr(design)
    return float((q**2).sum(axis=1).max())


def _fit_linear(sample: _Sample) -> tuple[pd.DataFrame, float, float, str, list[str]]:
    # Imported here: statsmodels takes about a second to import, and the
    # correlation-only building blocks (lmg, vif, ...) do not need it.
    import statsmodels.api as sm

    notes: list[str] = []
    design = np.column_stack([np.ones(len(sample.x)), sample.x])
    if sample.weights is None:
        model = sm.OLS(sample.y, design)
    else:
        model = sm.WLS(sample.y, design, weights=sample.weights)

    if sample.groups is not None:
        se_type = "cluster"
        fit_kwargs = {"cov_type": "cluster", "cov_kwds": {"groups": sample.groups}}
    elif _max_leverage(sample.x, sample.weights) > 1 - 1e-8:
        # HC3 divides by (1 - h_ii)^2; a response that alone determines a
        # coefficient (e.g. the only one with a different rating) has h_ii = 1.
        se_type = "HC1"
        fit_kwargs = {"cov_type": "HC1"}
        notes.append(
            "HC3 standard errors are undefined because a response has leverage 1 "
            "(it alone determines a coefficient); HC1 used instead."
        )
    else:
        se_type = "HC3"
        fit_kwargs = {"cov_type": "HC3"}

    with _silenced():
        # use_t: t reference distribution, with G - 1 degrees of freedom when
        # clustering (Cameron & Miller 2015, section VI).
        result = model.fit(use_t=True, **fit_kwargs)
        ci = np.asarray(result.conf_int(alpha=0.05))
        params = np.asarray(result.params)
        bse = np.asarray(result.bse)
        pvalues = np.asarray(result.pvalues)
        r2, adj_r2 = float(result.rsquared), float(result.rsquared_adj)

    _, sd_x = _weighted_mean_sd(sample.x, sample.weights)
    _, sd_y = _weighted_mean_sd(sample.y[:, None], sample.weights)
    std_coef = np.concatenate([[np.nan], params[1:] * sd_x / sd_y[0]])
    if not np.isfinite(bse).all():
        notes.append(
            "Some standard errors could not be computed; their confidence intervals are missing."
        )
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


@functools.cache
def _ordered_logit_class():
    from scipy.special import expit
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    class OrderedLogit(OrderedModel):
        """``OrderedModel(distr="logit")`` with an optional weight per response.

        The weights multiply each response's log-likelihood (pseudo-ML).
        The logistic cdf is evaluated with ``expit``: scipy.stats.logistic's
        generic machinery otherwise dominates the fit time on large samples.
        """

        def __init__(self, endog, exog, response_weights=None):
            super().__init__(endog, exog, distr="logit")
            self.response_weights = response_weights

        def cdf(self, x):
            return expit(x)

        def pdf(self, x):
            probability = expit(x)
            return probability * (1 - probability)

        def loglikeobs(self, params):
            loglike = super().loglikeobs(params)
            if self.response_weights is None:
                return loglike
            return self.response_weights * loglike

    return OrderedLogit


def _fit_ordered_logit(
    sample: _Sample, outcome: str
) -> tuple[pd.DataFrame, pd.DataFrame, str | None, list[str]]:
    """(driver coefficients, thresholds, SE type, notes); empty tables if not usable."""
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    empty = _empty(_ORDERED_LOGIT_COLUMNS), _empty(["term", "threshold"])
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

    if sample.groups is not None:
        se_type = "cluster"
        fit_kwargs = {"cov_type": "cluster", "cov_kwds": {"groups": sample.groups}}
    elif sample.weights is not None:
        # Under sampling weights the inverse Hessian is not the variance of
        # the pseudo-ML estimator; the sandwich is.
        se_type = "HC0"
        fit_kwargs = {"cov_type": "HC0"}
    else:
        se_type = "nonrobust"
        fit_kwargs = {}

    notes: list[str] = []
    failures: list[str] = []
    result = None
    with _silenced() as caught:
        for method in ("bfgs", "newton"):
            del caught[:]
            try:
                candidate = model.fit(method=method, maxiter=2000, disp=False, **fit_kwargs)
            except (np.linalg.LinAlgError, ValueError, OverflowError) as error:
                failures.append(f"{method}: {error}")
                continue
            converged = candidate.mle_retvals.get("converged", False) and not any(
                issubclass(w.category, ConvergenceWarning) for w in caught
            )
            if converged and np.isfinite(candidate.params).all():
                result = candidate
                break
            failures.append(f"{method}: no convergence")
        if result is None:
            notes.append(
                f"Ordered logit did not converge ({'; '.join(failures)}); "
                "its estimates are not reported."
            )
            return *empty, None, notes
        params = np.asarray(result.params)
        bse = np.asarray(result.bse)
        # Normal reference distribution: the usual large-sample MLE inference.
        z = stats.norm.ppf(0.975)
        pvalues = 2 * stats.norm.sf(np.abs(params / bse))
        cutpoints = model.transform_threshold_params(params)[1:-1]

    p = len(sample.drivers)
    _, sd_x = _weighted_mean_sd(sample.x, sample.weights)
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
            "Ordered logit standard errors could not be computed (the information "
            "matrix is singular)."
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


def _bootstrap_importance(
    sample: _Sample, n_boot: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, int]:
    """LMG and relative weights on ``n_boot`` resamples (NaN rows if degenerate).

    Resampling is by cluster when the standard errors are clustered, so the
    intervals respect the same dependence; a resample enters as integer
    frequency weights, which leaves the data untouched.
    """
    values = np.column_stack([sample.y, sample.x])
    n, p = len(values), sample.x.shape[1]
    units = sample.groups
    n_units = n if units is None else int(units.max()) + 1
    corrs = np.empty((n_boot, p + 1, p + 1))
    for b in range(n_boot):
        counts = np.bincount(rng.integers(0, n_units, n_units), minlength=n_units)
        frequency = counts if units is None else counts[units]
        weights = frequency if sample.weights is None else frequency * sample.weights
        corrs[b] = _weighted_corr(values, weights.astype(float))

    valid = np.isfinite(corrs).all(axis=(1, 2))
    # Singular resamples (a driver constant or aliased in the resample) would
    # stop the batched solves; swap in a harmless identity and blank them out.
    valid[valid] &= np.linalg.eigvalsh(corrs[valid, 1:, 1:])[:, 0] > _ALIASING_TOLERANCE
    corrs[~valid] = np.eye(p + 1)

    lmg_draws = np.empty((n_boot, p))
    rw_draws = np.empty((n_boot, p))
    # Chunks bound the memory of the (chunk, subsets, k, k) gather.
    chunk = max(1, int(4_000_000 // ((1 << p) * p * p)))
    for start in range(0, n_boot, chunk):
        block = corrs[start : start + chunk]
        lmg_draws[start : start + chunk] = _lmg_from_corr(block[:, 1:, 1:], block[:, 0, 1:])
        rw_draws[start : start + chunk] = _relative_weights_from_corr(
            block[:, 1:, 1:], block[:, 0, 1:]
        )
    lmg_draws[~valid] = np.nan
    rw_draws[~valid] = np.nan
    return lmg_draws, rw_draws, int((~valid).sum())


def _percentile_ci(draws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    low, high = np.nanpercentile(draws, [2.5, 97.5], axis=0)
    return low, high


# ---------------------------------------------------------------------------
# key_drivers: findings
# ---------------------------------------------------------------------------


def _percent(value: float) -> str:
    return f"{100 * value:.0f}%"


def _signed(value: float) -> str:
    return f"{value:+.2f}"


def _ci(low: float, high: float, unit: str = "") -> str:
    if unit == "%":
        return f"95% CI {low:.0f}% to {high:.0f}%"
    return f"95% CI {low:.2f} to {high:.2f}"


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _performance_gaps(sample: _Sample) -> pd.DataFrame:
    """Each driver's mean score minus the average of all driver means, with a 95% CI.

    The gap is the mean of d_i = x_ij - (mean over drivers of x_i), so the
    comparison is paired within responses. Its standard error treats each
    cluster (or each response) as an independent unit, with the same
    G/(G-1) correction and t(G-1) reference as the regression.
    """
    x, weights = sample.x, sample.weights
    w = np.ones(len(x)) if weights is None else weights
    deviations = x - x.mean(axis=1, keepdims=True)
    gap = w @ deviations / w.sum()
    units = np.arange(len(x)) if sample.groups is None else sample.groups
    n_units = int(units.max()) + 1
    # Influence of each unit on the weighted mean, summed within the unit.
    unit_sums = np.zeros((n_units, x.shape[1]))
    np.add.at(unit_sums, units, w[:, None] * (deviations - gap))
    se = np.sqrt(n_units / (n_units - 1) * (unit_sums**2).sum(axis=0)) / w.sum()
    half_width = stats.t.ppf(0.975, n_units - 1) * se
    return pd.DataFrame(
        {"gap": gap, "ci_low": gap - half_width, "ci_high": gap + half_width},
        index=sample.drivers,
    )


def _findings(
    sample: _Sample,
    coefficients: pd.DataFrame,
    importance: pd.DataFrame,
    ordered: pd.DataFrame,
    *,
    r2: float,
    n_clusters: int | None,
    outcome: str,
    labels: Mapping[str, str],
    share_gap_ci: tuple[float, float] | None,
) -> list[str]:
    """Plain-language conclusions; only 95%-significant effects are claimed."""
    coefficients = coefficients.set_index("term")
    importance = importance.set_index("driver")
    bootstrapped = "share_ci_low" in importance.columns

    def label(name: str) -> str:
        return labels.get(name) or name.replace("_", " ").capitalize()

    outcome_label = labels.get(outcome) or outcome.replace("_", " ")
    significant = coefficients["ci_low"].gt(0) | coefficients["ci_high"].lt(0)
    positive = [d for d in importance.index if significant[d] and coefficients.loc[d, "coef"] > 0]
    negative = [d for d in importance.index if significant[d] and coefficients.loc[d, "coef"] < 0]
    null = [d for d in importance.index if not significant[d]]

    def share_text(driver: str) -> str:
        row = importance.loc[driver]
        text = f"{row['share']:.0f}% of explained variance"
        if bootstrapped:
            text += f" ({_ci(row['share_ci_low'], row['share_ci_high'], '%')})"
        return text

    def effect_text(driver: str) -> str:
        row = coefficients.loc[driver]
        return f"{_signed(row['coef'])} per point, {_ci(row['ci_low'], row['ci_high'])}"

    if n_clusters:
        unit = "clients" if sample.cluster == "client_id" else f"clusters of {sample.cluster}"
        source = f" from {n_clusters} {unit}"
    else:
        source = ""
    subject = (
        f"The {len(sample.drivers)} drivers together explain"
        if len(sample.drivers) > 1
        else f"{label(sample.drivers[0])} explains"
    )
    findings = [
        f"{subject} {_percent(r2)} of the variance in {outcome_label} "
        f"(R² = {r2:.2f}, n = {len(sample.y):,} responses{source})."
    ]

    top = importance.index[0]
    if len(importance) == 1:
        # A share of 100% says nothing; the effect itself is the finding.
        verdict = "is significant" if significant[top] else "is not significant"
        findings.append(f"The effect of {label(top)} {verdict} ({effect_text(top)}).")
    elif top in positive:
        if share_gap_ci is not None and share_gap_ci[0] > 0:
            lead = f"{label(top)} is the strongest driver: {share_text(top)}"
        elif share_gap_ci is not None:
            runner_up = importance.index[1]
            lead = (
                f"{label(top)} has the largest share, {share_text(top)}, but is not clearly "
                f"ahead of {label(runner_up)} ({importance.loc[runner_up, 'share']:.0f}%)"
            )
        else:
            lead = f"{label(top)} has the largest share: {share_text(top)}"
        findings.append(
            f"{lead}; each extra point goes with {_signed(coefficients.loc[top, 'coef'])} "
            f"points of {outcome_label} "
            f"({_ci(coefficients.loc[top, 'ci_low'], coefficients.loc[top, 'ci_high'])})."
        )
    else:
        findings.append(
            f"{label(top)} has the largest share ({share_text(top)}), but its own effect is "
            f"not significant once the other drivers are held fixed ({effect_text(top)})."
        )

    others = [d for d in positive if d != top]
    if others:
        findings.append(
            "Also significant: "
            + "; ".join(f"{label(d)} ({effect_text(d)}; {share_text(d)})" for d in others)
            + "."
        )

    for driver in negative:
        findings.append(
            f"{label(driver)} has a negative coefficient with the other drivers held fixed "
            f"({effect_text(driver)}); with correlated drivers this is often a suppression "
            "effect, so read it with care."
        )

    candidates = [
        d
        for d in importance.index
        if importance.loc[d, "quadrant"] == "Fix first" and d in positive
    ]
    if candidates:
        gaps = _performance_gaps(sample)
        weak = [d for d in candidates if gaps.loc[d, "ci_high"] < 0]
        if weak:
            weakest = min(weak, key=lambda d: gaps.loc[d, "gap"])
            row = gaps.loc[weakest]
            findings.append(
                f"{label(weakest)} is the weakest important driver: mean score "
                f"{importance.loc[weakest, 'performance']:.2f}, {-row['gap']:.2f} below the "
                f"average driver ({_ci(-row['ci_high'], -row['ci_low'])}), with "
                f"{share_text(weakest)}. Fix it first."
            )
        else:
            findings.append(
                f"{_join([label(d) for d in candidates])} "
                + ("is" if len(candidates) == 1 else "are")
                + " important and score below the average driver, but not significantly "
                "below it; no driver stands out as the one to fix first."
            )

    if null and len(importance) > 1:
        findings.append(
            "No significant effect detected for "
            + _join([f"{label(d)} ({effect_text(d)})" for d in null])
            + "."
        )

    if len(ordered):
        ordered = ordered.set_index("term")
        ordered_significant = ordered["ci_low"].gt(0) | ordered["ci_high"].lt(0)
        disagree = [
            d
            for d in importance.index
            if bool(significant[d]) != bool(ordered_significant[d])
            or (
                significant[d]
                and np.sign(coefficients.loc[d, "coef"]) != np.sign(ordered.loc[d, "coef"])
            )
        ]
        if disagree:
            findings.append(
                "The ordered logit robustness check disagrees on "
                + _join([label(d) for d in disagree])
                + " (significant in only one of the two models, or with opposite signs); "
                "treat those with caution."
            )
        else:
            findings.append(
                "The ordered logit robustness check agrees: the same drivers are "
                "significant, with the same signs."
            )
    return findings


# ---------------------------------------------------------------------------
# key_drivers
# ---------------------------------------------------------------------------


def key_drivers(
    df: pd.DataFrame,
    drivers: Sequence[str] | None = None,
    outcome: str = "overall_satisfaction",
    *,
    weight: str | None = None,
    cluster: str | None = "auto",
    n_boot: int = 0,
    random_state: int | np.random.Generator | None = 0,
    labels: Mapping[str, str] | None = None,
) -> DriverAnalysis:
    """Key-driver analysis: what goes with higher satisfaction, and what to fix.

    Fits ``outcome ~ drivers`` by OLS (WLS with ``weight``) on the complete
    responses, decomposes R^2 with LMG and relative weights, checks the
    result with an ordered logit, computes VIFs and the
    importance-performance matrix, and writes findings.

    Steps and rules:

    * Drivers with no answers, or that do not vary, are dropped with a
      warning; so are drivers that are an exact linear combination of
      others. Responses missing the outcome, a driver or the weight are
      dropped listwise (``n`` is what remains).
    * At least ``p + 10`` complete responses are needed for ``p`` drivers;
      otherwise ``status == "insufficient data"`` and ``reason`` says why.
    * Standard errors: cluster-robust by client (statsmodels' default
      small-sample correction G/(G-1) (N-1)/(N-K), t with G-1 degrees of
      freedom) when the data hold more than one client, HC3 otherwise.
      Fewer than 20 clusters gives a warning.
    * Standardised coefficients are b * sd_x / sd_y on the estimation sample
      (weighted SDs under weights).
    * LMG and relative weights use the (weighted) correlation matrix of the
      estimation sample. ``share`` is LMG as a percentage of R^2.
    * With ``n_boot > 0``, percentile 95% intervals for LMG, relative weights
      and shares come from resampling responses, or whole clusters when the
      standard errors are clustered.
    * The ordered logit (proportional odds) uses the same responses; its
      standard errors are cluster-robust when clustering, sandwich (HC0)
      under weights and model-based otherwise. Skipped for outcomes with
      more than 11 distinct values.
    * Findings call a driver significant only when its 95% coefficient
      interval excludes zero, and the strongest only when a bootstrap shows
      its share ahead of the runner-up.

    Parameters
    ----------
    df : DataFrame
        Validated responses, one row each.
    drivers : sequence of str, optional
        Driver columns. Default: those of ``DEFAULT_DRIVERS`` present in
        ``df``.
    outcome : str
        Outcome column, default ``"overall_satisfaction"``.
    weight : str, optional
        Column of non-negative response weights (WLS). Zero-weight responses
        are left out.
    cluster : {"auto"} or str or None
        ``"auto"``: cluster by ``client_id`` when the data hold more than one
        client, else HC3. A column name: cluster by it. ``None``: HC3.
    n_boot : int
        Bootstrap resamples for the importance intervals (0 = none).
    random_state : int, Generator or None
        Seed for the bootstrap.
    labels : mapping, optional
        Display labels for drivers (and the outcome) used in the findings.

    Returns
    -------
    DriverAnalysis

    Raises
    ------
    KeyError
        If a named column is not in ``df``.
    ValueError
        If no default driver is present, weights are negative, ``n_boot``
        is negative, or there are more than 20 drivers.

    References
    ----------
    Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to
    cluster-robust inference. *Journal of Human Resources*, 50(2), 317-372.

    Grömping, U. (2006). Relative importance for linear regression in R: the
    package relaimpo. *Journal of Statistical Software*, 17(1), 1-27.

    Johnson, J. W. (2000). A heuristic method for estimating the relative
    weight of predictor variables in multiple regression. *Multivariate
    Behavioral Research*, 35(1), 1-19.

    Lindeman, R. H., Merenda, P. F., & Gold, R. Z. (1980). *Introduction to
    Bivariate and Multivariate Analysis*. Scott, Foresman.

    MacKinnon, J. G., & White, H. (1985). Some heteroskedasticity-consistent
    covariance matrix estimators with improved finite sample properties.
    *Journal of Econometrics*, 29(3), 305-325.

    McCullagh, P. (1980). Regression models for ordinal data. *Journal of
    the Royal Statistical Society, Series B*, 42(2), 109-142.

    Examples
    --------
    >>> result = key_drivers(responses, n_boot=500)  # doctest: +SKIP
    >>> result.status  # doctest: +SKIP
    'ok'
    >>> result.importance[["driver", "share", "quadrant"]]  # doctest: +SKIP
    >>> print("\\n".join(result.findings))  # doctest: +SKIP
    """
    drivers = _default_drivers(df) if drivers is None else list(drivers)
    _check_columns(df, [outcome, *drivers, *([weight] if weight else [])])
    if len(drivers) > MAX_LMG_DRIVERS:
        raise ValueError(f"at most {MAX_LMG_DRIVERS} drivers are supported, got {len(drivers)}")
    if n_boot < 0:
        raise ValueError("n_boot must be zero or positive")
    labels = dict(labels or {})
    cluster = _resolve_cluster(df, cluster, outcome)

    sample, reason, notes, n_complete = _prepare_sample(df, drivers, outcome, weight, cluster)
    if sample is None:
        return DriverAnalysis(
            status="insufficient data",
            reason=reason,
            outcome=outcome,
            drivers=(),
            n=n_complete,
            weight=weight,
            warnings=notes,
        )

    warnings_out = list(notes)
    if len(sample.y) < len(df):
        warnings_out.append(
            f"Used {len(sample.y):,} of {len(df):,} responses; the other "
            f"{len(df) - len(sample.y):,} were incomplete (listwise deletion). If answers are "
            "not missing at random this can bias the results."
        )
    n_clusters = None if sample.groups is None else int(sample.groups.max()) + 1
    if n_clusters is not None and n_clusters < FEW_CLUSTERS:
        warnings_out.append(
            f"Only {n_clusters} clusters ({sample.cluster}): cluster-robust standard errors "
            "can be too small with fewer than 20 clusters; read the p-values conservatively."
        )

    coefficients, r2, adj_r2, se_type, linear_notes = _fit_linear(sample)
    warnings_out += linear_notes

    corr = _weighted_corr(np.column_stack([sample.y, sample.x]), sample.weights)
    corr_xx, r_xy = corr[1:, 1:], corr[0, 1:]
    lmg_parts = _lmg_from_corr(corr_xx, r_xy)
    rw_parts = _relative_weights_from_corr(corr_xx, r_xy)
    performance, _ = _weighted_mean_sd(sample.x, sample.weights)
    shares = 100 * lmg_parts / r2
    matrix = importance_performance(
        pd.Series(shares, index=sample.drivers), pd.Series(performance, index=sample.drivers)
    )
    importance = pd.DataFrame(
        {
            "driver": sample.drivers,
            "lmg": lmg_parts,
            "relative_weight": rw_parts,
            "share": shares,
            "performance": performance,
            "quadrant": matrix["quadrant"].to_numpy(),
        }
    )

    share_gap_ci = None
    if n_boot > 0:
        rng = np.random.default_rng(random_state)
        with _silenced():  # all-NaN columns when every resample is degenerate
            lmg_draws, rw_draws, n_failed = _bootstrap_importance(sample, n_boot, rng)
            share_draws = 100 * lmg_draws / lmg_draws.sum(axis=1, keepdims=True)
            for prefix, draws in (("lmg", lmg_draws), ("rw", rw_draws), ("share", share_draws)):
                low, high = _percentile_ci(draws)
                importance[f"{prefix}_ci_low"] = low
                importance[f"{prefix}_ci_high"] = high
        if n_failed:
            warnings_out.append(
                f"{n_failed} of {n_boot} bootstrap resamples were degenerate (a driver did "
                "not vary or drivers were aliased) and were skipped."
            )
        order = np.argsort(-lmg_parts)
        if len(order) > 1 and n_failed < n_boot:
            gap = share_draws[:, order[0]] - share_draws[:, order[1]]
            share_gap_ci = tuple(np.nanpercentile(gap, [2.5, 97.5]))
    importance = importance.sort_values("lmg", ascending=False, kind="stable")
    importance = importance.reset_index(drop=True)

    vif_values = _vif_from_corr(corr_xx)
    vif_table = pd.DataFrame({"driver": sample.drivers, "vif": vif_values})
    collinear = [
        f"{d} ({v:.1f})" for d, v in zip(sample.drivers, vif_values) if v > VIF_WARNING_THRESHOLD
    ]
    if collinear:
        warnings_out.append(
            f"High collinearity (VIF above {VIF_WARNING_THRESHOLD:g}): {_names(collinear)}; their "
            "individual coefficients are imprecise; the LMG shares, which split shared "
            "variance, are less affected."
        )

    ordered, thresholds, ordered_se_type, ordered_notes = _fit_ordered_logit(sample, outcome)
    warnings_out += ordered_notes

    findings = _findings(
        sample,
        coefficients,
        importance,
        ordered,
        r2=r2,
        n_clusters=n_clusters,
        outcome=outcome,
        labels=labels,
        share_gap_ci=share_gap_ci,
    )
    return DriverAnalysis(
        status="ok",
        reason=None,
        outcome=outcome,
        drivers=tuple(sample.drivers),
        n=len(sample.y),
        n_clusters=n_clusters,
        r2=r2,
        adj_r2=adj_r2,
        se_type=se_type,
        cluster=sample.cluster,
        weight=weight,
        n_boot=n_boot,
        coefficients=coefficients,
        importance=importance,
        ordered_logit=ordered,
        ordered_logit_thresholds=thresholds,
        ordered_logit_se_type=ordered_se_type,
        vif=vif_table,
        warnings=warnings_out,
        findings=findings,
    )

