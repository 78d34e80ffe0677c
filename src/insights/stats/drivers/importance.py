"""How much of R^2 each driver accounts for, from the correlation matrix alone.

* The exact LMG decomposition (Lindeman, Merenda & Gold 1980; Grömping 2006): each driver's
  increase in R^2 when it joins a model, averaged over all orders of entry, from the R^2 of
  all 2^p subsets of drivers solved in batches per subset size.
* Johnson's (2000) relative weights: R^2 split through the closest orthonormal counterparts of
  the drivers.
* Variance inflation factors and the importance-performance matrix.

The ``_..._from_corr`` kernels take correlation matrices with optional leading batch
dimensions, so the bootstrap computes all its resamples in a few calls.

References
----------
Grömping, U. (2006). Relative importance for linear regression in R: the
package relaimpo. *Journal of Statistical Software*, 17(1), 1-27.

Johnson, J. W. (2000). A heuristic method for estimating the relative weight
of predictor variables in multiple regression. *Multivariate Behavioral
Research*, 35(1), 1-19.

Lindeman, R. H., Merenda, P. F., & Gold, R. Z. (1980). *Introduction to
Bivariate and Multivariate Analysis*. Glenview, IL: Scott, Foresman.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from insights.stats.drivers.moments import _weighted_corr
from insights.stats.drivers.prepare import (
    _ALIASING_TOLERANCE,
    _check_columns,
    _default_drivers,
    _numeric,
    _weights,
)

#: Quadrant names of the importance-performance matrix, keyed by
#: (above-average importance, above-average performance).
QUADRANTS: dict[tuple[bool, bool], str] = {
    (True, False): "Fix first",
    (True, True): "Keep up",
    (False, False): "Monitor",
    (False, True): "Possible overkill",
}

#: Exact LMG visits all 2^p subsets; beyond this it is neither fast nor useful.
MAX_LMG_DRIVERS = 20


# ---------------------------------------------------------------------------
# Kernels on correlation matrices
# ---------------------------------------------------------------------------


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
    """The subsets of ``p`` drivers grouped by size, and each driver's Shapley weights (cached, read-only)."""
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
# Correlation matrices from responses or from a labelled matrix
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


# ---------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------


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
