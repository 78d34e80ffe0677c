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

from insights.core.jsonsafe import json_value
from insights.data.survey import DEFAULT_DRIVERS

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
    ordered_logit_thresholds: pd.DataFrame = field(default_factory=lambda: _empty(["term", "threshold"]))
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
            "r2": json_value(self.r2),
            "adj_r2": json_value(self.adj_r2),
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
            f"{len(self.warnings)} warning(s), {len(self.findings)} finding(s): see .warnings and .findings"
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


def _records(frame: pd.DataFrame, columns: Sequence[str]) -> list[dict[str, Any]]:
    return [
        {column: json_value(row[column]) for column in columns} for row in frame.to_dict(orient="records")
    ]


# ---------------------------------------------------------------------------
# Correlation matrices and the building blocks computed from them
# ---------------------------------------------------------------------------


#: Rows per block when a pass over the responses builds (rows, p) intermediates: a block of a
#: few hundred kilobytes stays in the processor's cache while several products use it, where
#: one (n, p) array for a million responses would be a fresh 100 MB allocation each time.
_BLOCK_ROWS = 1 << 12


def _blocks(n: int):
    for start in range(0, n, _BLOCK_ROWS):
        yield slice(start, min(start + _BLOCK_ROWS, n))


@dataclass(frozen=True)
class _Moments:
    """Weighted means and centred cross-products of some columns: everything the correlation
    matrix, the regression coefficients and R^2, LMG, relative weights, VIF and the
    standardised coefficients need, from one pass over the responses.

    ``cross[j, k] = sum_i w_i (v_ij - mean_j)(v_ik - mean_k)``.  Centring before the
    cross-product avoids the cancellation of the one-pass formula, which matters for 1-5
    ratings with a large mean.
    """

    total: float  # sum of the weights (the number of rows without weights)
    mean: np.ndarray
    cross: np.ndarray

    @classmethod
    def of(
        cls, values: np.ndarray, weights: np.ndarray | None = None, first: np.ndarray | None = None
    ) -> _Moments:
        """Moments of the columns of ``values``, with ``first`` (the outcome) as an extra
        leading column if given; in blocks of rows, so no centred copy of all the data."""
        columns = [values] if first is None else [first[:, None], values]
        if weights is None:
            total = float(len(values))
            mean = np.concatenate([part.mean(axis=0) for part in columns])
        else:
            total = float(weights.sum())
            mean = np.concatenate([weights @ part / total for part in columns])
        k = len(mean)
        cross = np.zeros((k, k))
        for rows in _blocks(len(values)):
            block = np.hstack([part[rows] for part in columns]) - mean
            weighted = block if weights is None else block * weights[rows, None]
            cross += weighted.T @ block
        return cls(total, mean, cross)

    @property
    def sd(self) -> np.ndarray:
        """Population SDs (weighted); callers only use ratios of SDs."""
        return np.sqrt(np.diag(self.cross) / self.total)

    def corr(self) -> np.ndarray:
        sd = np.sqrt(np.diag(self.cross))
        with np.errstate(divide="ignore", invalid="ignore"):
            corr = self.cross / np.outer(sd, sd)
        np.fill_diagonal(corr, 1.0)
        return corr


def _weighted_corr(values: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Correlation matrix of the columns of ``values`` (optionally weighted)."""
    return _Moments.of(values, weights).corr()


def _weighted_mean_sd(values: np.ndarray, weights: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Column means and population SDs; callers only use ratios of SDs."""
    moments = _Moments.of(values, weights)
    return moments.mean, moments.sd


def _group_sums(
    values: np.ndarray, groups: np.ndarray, n_groups: int, weights: np.ndarray | None = None
) -> np.ndarray:
    """``sum_(i in g) weights_i values_i`` for each group g, as (n_groups, k).

    Column-major values: one ``np.bincount`` per column.  Row-major: a sparse (n_groups, n)
    matrix with one entry per response, in compressed-column form (no sorting needed), times
    ``values``, one streaming pass in C.  Either is many times faster than ``np.add.at`` or
    a loop over groups, and needs no copy of the values.
    """
    values = np.asarray(values, dtype=float)
    one_column = values.ndim == 1
    if one_column:
        values = values[:, None]
    groups = np.asarray(groups)
    if values.flags.f_contiguous or values.shape[1] == 1:
        sums = np.empty((n_groups, values.shape[1]))
        for j in range(values.shape[1]):
            column = values[:, j] if weights is None else values[:, j] * weights
            sums[:, j] = np.bincount(groups, weights=column, minlength=n_groups)
    else:
        from scipy import sparse

        n = len(values)
        entries = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
        indicator = sparse.csc_matrix((entries, groups, np.arange(n + 1)), shape=(n_groups, n))
        sums = np.asarray(indicator @ np.ascontiguousarray(values))
    return sums[:, 0] if one_column else sums


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
            f"exact LMG visits all 2^p subsets; {p} drivers is more than the supported {MAX_LMG_DRIVERS}"
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
    moments: _Moments  # of (y, x): means and centred cross-products, weighted like the fit


def _names(names: Sequence[str]) -> str:
    return ", ".join(names)


def _aliased(corr: np.ndarray) -> list[int]:
    """Drivers (by position in ``corr``, their correlation matrix) that are exact linear
    combinations of earlier ones."""
    kept: list[int] = []
    aliased: list[int] = []
    for j in range(corr.shape[1]):
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
    finite = np.isfinite(values_all)
    answered = finite & usable[:, None]
    empty = [name for j, name in enumerate(drivers) if not answered[:, j].any()]
    if empty:
        notes.append(f"Dropped driver(s) with no answers: {_names(empty)}.")

    def spread(j: int) -> float:
        column = values_all[:, j]
        return np.ptp(column if answered[:, j].all() else column[answered[:, j]])

    constant = [name for j, name in enumerate(drivers) if name not in empty and spread(j) == 0]
    if constant:
        notes.append(f"Dropped driver(s) that do not vary: {_names(constant)}.")
    kept = [name for name in drivers if name not in empty and name not in constant]

    n_complete = 0
    while True:
        if not kept:
            reason = "no usable drivers: every driver is empty or does not vary"
            return None, reason, notes, n_complete
        columns = [drivers.index(name) for name in kept]
        complete = usable & finite[:, columns].all(axis=1)
        n_complete = int(complete.sum())
        if n_complete == len(complete) and columns == list(range(len(drivers))):
            x = values_all  # no copy of a million rows
        else:
            # Column by column (the layout pandas hands over): one pass, no intermediate.
            x = np.empty((n_complete, len(columns)), order="F")
            for j, column in enumerate(columns):
                x[:, j] = (
                    values_all[complete, column] if n_complete < len(complete) else values_all[:, column]
                )
        w = None if weights_all is None else weights_all[complete]
        flat = [name for j, name in enumerate(kept) if n_complete and np.ptp(x[:, j]) == 0]
        if flat:
            notes.append(f"Dropped driver(s) that do not vary among the complete responses: {_names(flat)}.")
            kept = [name for name in kept if name not in flat]
            continue
        needed = len(kept) + MIN_SPARE_RESPONSES
        if n_complete < needed:
            reason = f"only {n_complete} complete responses for {len(kept)} drivers; need at least {needed}"
            return None, reason, notes, n_complete
        y = outcome_values[complete]
        moments = _Moments.of(x, w, first=y)
        aliased = [kept[j] for j in _aliased(moments.corr()[1:, 1:])]
        if aliased:
            notes.append(
                f"Dropped driver(s) that are an exact linear combination of other drivers: {_names(aliased)}."
            )
            kept = [name for name in kept if name not in aliased]
            continue
        break

    if np.ptp(y) == 0:
        reason = f"{outcome} does not vary across the {n_complete} complete responses"
        return None, reason, notes, n_complete

    groups = None
    if cluster_codes is not None:
        # Dense 0..G-1 codes in the order of the original codes (np.unique's inverse, by counting
        # instead of sorting a million codes).
        codes = cluster_codes[complete]
        present = np.bincount(codes) > 0
        groups = (np.cumsum(present) - 1)[codes]
        if groups.max() == 0:
            notes.append(
                f"Only one {cluster} in the complete responses: cluster-robust standard "
                "errors are undefined, HC3 used instead."
            )
            groups, cluster = None, None
    return _Sample(kept, y, x, w, groups, cluster, moments), None, notes, n_complete


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
    """
    notes: list[str] = []
    x, y, moments = sample.x, sample.y, sample.moments
    n, p = x.shape
    k = p + 1
    w = sample.weights
    total = moments.total
    mean_y, mean_x = moments.mean[0], moments.mean[1:]
    cross = moments.cross[1:, 1:]
    try:
        cross_inv = np.linalg.inv(cross)
    except np.linalg.LinAlgError:
        cross_inv = np.linalg.pinv(cross)

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
    params = np.concatenate([[intercept], slopes])

    with np.errstate(all="ignore"):
        meat = np.zeros((k, k))
        if sample.groups is not None:
            se_type = "cluster"
            n_groups = int(sample.groups.max()) + 1
            sums = np.empty((n_groups, k))
            sums[:, 0] = np.bincount(sample.groups, weights=weighted_residual, minlength=n_groups)
            # sum of w e (x - x_bar) within each cluster
            sums[:, 1:] = _group_sums(x, sample.groups, n_groups, weighted_residual) - np.outer(
                sums[:, 0], mean_x
            )
            meat = sums.T @ sums * (n_groups / (n_groups - 1) * (n - 1) / (n - k))
            df_resid = n_groups - 1
        else:
            leverage = np.empty(n)
            for rows in _blocks(n):
                centred = x[rows] - mean_x
                leverage[rows] = np.einsum("ij,ij->i", centred @ cross_inv, centred) + 1 / total
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
            meat[0, 0] = squared.sum()
            for rows in _blocks(n):
                centred = x[rows] - mean_x
                weighted = centred * squared[rows, None]
                meat[0, 1:] += weighted.sum(axis=0)
                meat[1:, 1:] += weighted.T @ centred
            meat[1:, 0] = meat[0, 1:]
            meat *= correction
            df_resid = n - k
        bread = np.zeros((k, k))
        bread[0, 0] = 1 / total
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


@functools.cache
def _ordered_logit_class():
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

        Response i at level k_i has ``P_i = F(u_i) - F(l_i)`` with ``u_i = t_(k_i) - x_i'b``,
        ``l_i = t_(k_i - 1) - x_i'b`` (infinite at the ends) and the logistic ``F``
        (``f = F(1 - F)``, ``f' = f(1 - 2F)``).  The derivatives are taken in the direct
        parametrisation (b, t) and mapped to statsmodels' parameters (b, t_1, log-increments
        of the thresholds) by the chain rule, including the second derivatives of the
        thresholds, ``d2 t_j / d a_m^2 = exp(a_m)``.
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

        def _block(self, params, thresholds, rows) -> tuple:
            """For a block of responses: their levels and weights (or None), and F(u), F(l),
            f(u)/P, f(l)/P and P (the bound at an end is infinite: F is 0 or 1 there, f 0)."""
            levels = self._levels[rows]
            eta = self._x[rows] @ params[: self.k_vars]
            with np.errstate(over="ignore"):
                cdf_upper = _logistic(thresholds[levels + 1] - eta)
                cdf_lower = _logistic(thresholds[levels] - eta)
            prob = np.maximum(cdf_upper - cdf_lower, 0)
            # The derivatives of statsmodels' log(P + 1e-20), which stay finite where P is 0.
            g_upper = cdf_upper * (1 - cdf_upper) / (prob + 1e-20)
            g_lower = cdf_lower * (1 - cdf_lower) / (prob + 1e-20)
            weights = None if self._w is None else self._w[rows]
            return levels, weights, cdf_upper, cdf_lower, g_upper, g_lower, prob

        def _evaluate(self, params) -> dict:
            params = np.asarray(params, dtype=float)
            key = params.tobytes()
            if key == self._cached_key:
                return self._cached
            p, n_levels = self.k_vars, self.k_levels
            n_cuts = n_levels - 1
            thresholds = self.transform_threshold_params(params)  # -inf, t_1 .. t_(K-1), inf
            loglike = 0.0
            grad_beta = np.zeros(p)
            # Over the K + 1 bounds (-inf, the thresholds, inf); level c lies between bound c
            # (below) and bound c + 1 (above).
            grad_bounds = np.zeros(n_levels + 1)
            h_beta = np.zeros((p, p))
            h_beta_bounds = np.zeros((p, n_levels + 1))
            h_bounds_diag = np.zeros(n_levels + 1)
            h_bounds_next = np.zeros(n_levels)  # between bound c and bound c + 1
            for rows in _blocks(len(self._x)):
                levels, weights, cdf_upper, cdf_lower, g_upper, g_lower, prob = self._block(
                    params, thresholds, rows
                )
                x = self._x[rows]
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
                grad_bounds += np.bincount(above, g_upper, n_levels + 1) - np.bincount(
                    below, g_lower, n_levels + 1
                )
                # d u / d b = d l / d b = -x
                h_beta += (x * (h_uu + 2 * h_ul + h_ll)[:, None]).T @ x
                toward = np.zeros((len(levels), n_levels + 1))
                index = np.arange(len(levels))
                toward[index, above] = h_uu + h_ul
                toward[index, below] = h_ul + h_ll
                h_beta_bounds -= x.T @ toward
                h_bounds_diag += np.bincount(above, h_uu, n_levels + 1) + np.bincount(
                    below, h_ll, n_levels + 1
                )
                h_bounds_next += np.bincount(below, h_ul, n_levels)
            grad_cuts = grad_bounds[1:-1]
            h_cuts = np.diag(h_bounds_diag[1:-1])
            for j in range(n_cuts - 1):
                # level j + 1 lies between thresholds j and j + 1 (0-based)
                h_cuts[j, j + 1] = h_cuts[j + 1, j] = h_bounds_next[j + 1]
            jacobian = self._threshold_jacobian(params)
            increments = np.exp(params[p:])
            curvature = np.zeros(n_cuts)  # sum over j >= m of dL/dt_j * d2 t_j / d a_m^2
            curvature[1:] = increments[1:] * np.cumsum(grad_cuts[::-1])[::-1][1:]
            hessian = np.empty((p + n_cuts, p + n_cuts))
            hessian[:p, :p] = h_beta
            hessian[:p, p:] = h_beta_bounds[:, 1:-1] @ jacobian
            hessian[p:, :p] = hessian[:p, p:].T
            hessian[p:, p:] = jacobian.T @ h_cuts @ jacobian + np.diag(curvature)
            self._cached_key = key
            self._cached = {
                "loglike": float(loglike),
                "score": np.concatenate([grad_beta, jacobian.T @ grad_cuts]),
                "hessian": hessian,
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
            """Per response, weighted: the log-likelihood, and d loglike / d upper and
            d loglike / d lower bound."""
            params = np.asarray(params, dtype=float)
            thresholds = self.transform_threshold_params(params)
            n = len(self._x)
            loglikes, wg_upper, wg_lower = np.empty(n), np.empty(n), np.empty(n)
            for rows in _blocks(n):
                _, weights, _, _, g_upper, g_lower, prob = self._block(params, thresholds, rows)
                scale = 1.0 if weights is None else weights
                loglikes[rows] = np.log(prob + 1e-20) * scale
                wg_upper[rows], wg_lower[rows] = g_upper * scale, g_lower * scale
            return loglikes, wg_upper, wg_lower

        def _cut_scores(self, params, wg_upper, wg_lower) -> np.ndarray:
            """Per response, d loglike / d (t_1, log-increments of the thresholds)."""
            increments = np.exp(np.asarray(params, dtype=float)[self.k_vars :])
            scores = np.empty((len(wg_upper), self.k_levels - 1), order="F")
            scores[:, 0] = wg_upper - wg_lower
            for m in range(1, self.k_levels - 1):
                # Threshold j moves with a_m when j >= m: levels c >= m through their upper
                # bound, levels c >= m + 1 through their lower bound.
                scores[:, m] = increments[m] * (
                    np.where(self._levels >= m, wg_upper, 0.0)
                    - np.where(self._levels >= m + 1, wg_lower, 0.0)
                )
            return scores

        def loglikeobs(self, params):
            return self._per_response(params)[0]

        def score_obs(self, params):
            _, wg_upper, wg_lower = self._per_response(params)
            d_eta = wg_lower - wg_upper
            return np.column_stack([self._x * d_eta[:, None], self._cut_scores(params, wg_upper, wg_lower)])

        def sandwich(self, params, groups=None) -> np.ndarray:
            """``H^-1 S H^-1`` with ``S`` the cross-products of the per-response scores
            (HC0), or of their sums within ``groups`` (clusters; no correction factor), as
            statsmodels' ``cov_type="HC0"`` and ``"cluster"`` compute it, without building the
            (n, k) matrix of scores."""
            hessian_inv = np.linalg.inv(self.hessian(params))
            _, wg_upper, wg_lower = self._per_response(params)
            d_eta = wg_lower - wg_upper
            p, n_levels = self.k_vars, self.k_levels
            k = p + n_levels - 1
            if groups is None:
                cut_scores = self._cut_scores(params, wg_upper, wg_lower)
                meat = np.zeros((k, k))
                squared = d_eta**2
                for rows in _blocks(len(d_eta)):
                    x = self._x[rows]
                    meat[:p, :p] += (x * squared[rows, None]).T @ x
                    meat[:p, p:] += (x * d_eta[rows, None]).T @ cut_scores[rows]
                meat[p:, p:] = cut_scores.T @ cut_scores
                meat[p:, :p] = meat[:p, p:].T
            else:
                groups = np.asarray(groups)
                n_groups = int(groups.max()) + 1
                sums = np.empty((n_groups, k))
                sums[:, :p] = _group_sums(self._x, groups, n_groups, d_eta)
                # The thresholds' scores summed within clusters from sums per (cluster, level).
                cell = groups * n_levels + self._levels
                upper = np.bincount(cell, wg_upper, n_groups * n_levels).reshape(n_groups, n_levels)
                lower = np.bincount(cell, wg_lower, n_groups * n_levels).reshape(n_groups, n_levels)
                upper_from = np.cumsum(upper[:, ::-1], axis=1)[:, ::-1]  # levels >= c
                lower_from = np.cumsum(lower[:, ::-1], axis=1)[:, ::-1]
                increments = np.exp(np.asarray(params, dtype=float)[p:])
                sums[:, p] = upper_from[:, 0] - lower_from[:, 0]
                for m in range(1, n_levels - 1):
                    sums[:, p + m] = increments[m] * (upper_from[:, m] - lower_from[:, m + 1])
                meat = sums.T @ sums
            return hessian_inv @ meat @ hessian_inv.T

    return OrderedLogit


def _logistic(z: np.ndarray) -> np.ndarray:
    """The logistic cdf 1 / (1 + exp(-z)), as scipy's expit computes it, in numpy's
    vectorised exp (twice as fast); 0 and 1 at -inf and inf."""
    out = np.exp(-z)
    out += 1
    return np.reciprocal(out, out=out)


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
    groups = sample.groups
    start_params = _ordered_logit_start(sample, weights, model.k_levels)

    if groups is not None:
        se_type = "cluster"
    elif sample.weights is not None:
        # Under sampling weights the inverse Hessian is not the variance of
        # the pseudo-ML estimator; the sandwich is.
        se_type = "HC0"
    else:
        se_type = "nonrobust"

    notes: list[str] = []
    failures: list[str] = []
    result = None
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
            result = candidate
            break
        if result is None:
            notes.append(
                f"Ordered logit did not converge ({'; '.join(failures)}); its estimates are not reported."
            )
            return *empty, None, notes
        # Normal reference distribution: the usual large-sample MLE inference.
        z = stats.norm.ppf(0.975)
        pvalues = 2 * stats.norm.sf(np.abs(params / bse))
        cutpoints = model.transform_threshold_params(params)[1:-1]

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


def _bootstrap_importance(
    sample: _Sample, n_boot: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, int]:
    """LMG and relative weights on ``n_boot`` resamples (NaN rows if degenerate).

    Resampling is by cluster when the standard errors are clustered, so the
    intervals respect the same dependence; a resample enters as integer
    frequency weights, which leaves the data untouched.
    """
    n, p = sample.x.shape
    units = sample.groups
    if units is None:
        values = np.column_stack([sample.y, sample.x])
        corrs = np.empty((n_boot, p + 1, p + 1))
        for b in range(n_boot):
            counts = np.bincount(rng.integers(0, n, n), minlength=n)
            weights = counts if sample.weights is None else counts * sample.weights
            corrs[b] = _weighted_corr(values, weights.astype(float))
    else:
        n_units = int(units.max()) + 1
        counts = np.empty((n_boot, n_units))
        for b in range(n_boot):
            counts[b] = np.bincount(rng.integers(0, n_units, n_units), minlength=n_units)
        corrs = _cluster_resample_corrs(sample, counts)

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
        rw_draws[start : start + chunk] = _relative_weights_from_corr(block[:, 1:, 1:], block[:, 0, 1:])
    lmg_draws[~valid] = np.nan
    rw_draws[~valid] = np.nan
    return lmg_draws, rw_draws, int((~valid).sum())


def _cluster_resample_corrs(sample: _Sample, counts: np.ndarray) -> np.ndarray:
    """Correlation matrices of (y, x) for resamples of whole clusters: ``counts`` (resamples,
    clusters) says how often each cluster is drawn.

    A resample's weighted cross-products are sums over the clusters drawn, so each cluster's
    weight ``W_g``, sum ``S_g`` and cross-products ``Q_g`` (of the values centred at the
    overall mean, which keeps the subtraction below free of cancellation) are computed in one
    pass over the responses, and each resample then costs a few operations per cluster
    instead of a pass over every response: ``cov = Q - S S' / W`` with ``W, S, Q`` the
    counts times the clusters' ``W_g, S_g, Q_g``.  A resample in which a column does not vary
    at all (every cluster drawn holds one and the same value) gets NaN, as the direct
    computation does.
    """
    units, weights = sample.groups, sample.weights
    n, p = sample.x.shape
    k = p + 1
    n_units = counts.shape[1]
    mean = sample.moments.mean
    cluster_weight = np.bincount(units, weights=weights, minlength=n_units).astype(float)
    cluster_sum = np.zeros((n_units, k))
    cluster_cross = np.zeros((n_units, k * k))
    lowest = np.full((n_units, k), np.inf)
    highest = np.full((n_units, k), -np.inf)
    for rows in _blocks(n):
        block = np.empty((rows.stop - rows.start, k))
        block[:, 0] = sample.y[rows]
        block[:, 1:] = sample.x[rows]
        codes = units[rows]
        # Each cluster's smallest and largest value per column, block by block.
        order = np.argsort(codes, kind="stable")
        in_order = codes[order]
        starts = np.flatnonzero(np.r_[True, in_order[1:] != in_order[:-1]])
        present = in_order[starts]
        lowest[present] = np.minimum(lowest[present], np.minimum.reduceat(block[order], starts, axis=0))
        highest[present] = np.maximum(highest[present], np.maximum.reduceat(block[order], starts, axis=0))
        block -= mean
        weighted = block if weights is None else block * weights[rows, None]
        cluster_sum += _group_sums(weighted, codes, n_units)
        cluster_cross += _group_sums(
            (weighted[:, :, None] * block[:, None, :]).reshape(-1, k * k), codes, n_units
        )
    total = counts @ cluster_weight
    sums = counts @ cluster_sum
    cov = (counts @ cluster_cross).reshape(-1, k, k) - sums[:, :, None] * sums[:, None, :] / total[
        :, None, None
    ]
    sd = np.sqrt(np.diagonal(cov, axis1=1, axis2=2))
    with np.errstate(divide="ignore", invalid="ignore"):
        corrs = cov / (sd[:, :, None] * sd[:, None, :])
    diagonal = np.arange(k)
    corrs[:, diagonal, diagonal] = 1.0
    drawn = (counts > 0)[:, :, None]
    flat = (
        np.where(drawn, highest[None], -np.inf).max(axis=1)
        == np.where(drawn, lowest[None], np.inf).min(axis=1)
    ).any(axis=1)
    corrs[flat] = np.nan
    return corrs


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
    n, p = x.shape
    w = np.ones(n) if weights is None else weights

    def deviations(rows: slice) -> np.ndarray:
        block = x[rows]
        return block - block.mean(axis=1, keepdims=True)

    # In blocks of responses: no (n, p) intermediate for a million of them.
    gap = sum(w[rows] @ deviations(rows) for rows in _blocks(n)) / w.sum()
    # Influence of each unit on the weighted mean, summed within the unit.
    squares = np.zeros(p)
    if sample.groups is None:
        n_units = n
        for rows in _blocks(n):
            squares += (((deviations(rows) - gap) * w[rows, None]) ** 2).sum(axis=0)
    else:
        n_units = int(sample.groups.max()) + 1
        unit_sums = np.zeros((n_units, p))
        for rows in _blocks(n):
            unit_sums += _group_sums(deviations(rows) - gap, sample.groups[rows], n_units, w[rows])
        squares = (unit_sums**2).sum(axis=0)
    se = np.sqrt(n_units / (n_units - 1) * squares) / w.sum()
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
        d for d in importance.index if importance.loc[d, "quadrant"] == "Fix first" and d in positive
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
            or (significant[d] and np.sign(coefficients.loc[d, "coef"]) != np.sign(ordered.loc[d, "coef"]))
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

    corr = sample.moments.corr()
    corr_xx, r_xy = corr[1:, 1:], corr[0, 1:]
    lmg_parts = _lmg_from_corr(corr_xx, r_xy)
    rw_parts = _relative_weights_from_corr(corr_xx, r_xy)
    performance = sample.moments.mean[1:]
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
    collinear = [f"{d} ({v:.1f})" for d, v in zip(sample.drivers, vif_values) if v > VIF_WARNING_THRESHOLD]
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
