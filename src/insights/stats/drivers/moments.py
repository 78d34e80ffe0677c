"""Weighted moment algebra over the responses, in cache-sized blocks of rows.

One pass over the responses gives the weighted means and centred cross-products from which
the regression, the correlation matrix and every decomposition of R^2 are computed; sums
within clusters feed the cluster-robust standard errors and the cluster bootstrap.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

#: Rows per block when a pass over the responses builds (rows, p) intermediates: a block of a
#: few hundred kilobytes stays in the processor's cache while several products use it, where
#: one (n, p) array for a million responses would be a fresh 100 MB allocation each time.
_BLOCK_ROWS = 1 << 12


def _blocks(n: int) -> Iterator[slice]:
    """Consecutive slices of at most ``_BLOCK_ROWS`` rows covering ``range(n)``."""
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
        """Correlation matrix of the columns; 1 on the diagonal even for a column that does not vary."""
        sd = np.sqrt(np.diag(self.cross))
        with np.errstate(divide="ignore", invalid="ignore"):
            corr = self.cross / np.outer(sd, sd)
        np.fill_diagonal(corr, 1.0)
        return corr


def _weighted_corr(values: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Correlation matrix of the columns of ``values`` (optionally weighted)."""
    return _Moments.of(values, weights).corr()


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
