"""Bootstrap percentile intervals for the LMG parts, relative weights and shares of R^2.

Responses are resampled, or whole clusters when the standard errors are clustered, so the
intervals respect the same dependence as the regression.  Each resample's correlation matrix
is computed without copying the data (frequency weights, or sums per cluster), and the
decompositions of all resamples run batched.
"""

from __future__ import annotations

import numpy as np

from insights.stats.drivers.importance import _lmg_from_corr, _relative_weights_from_corr
from insights.stats.drivers.moments import _blocks, _group_sums, _weighted_corr
from insights.stats.drivers.prepare import _ALIASING_TOLERANCE, _Sample
from insights.stats.drivers.quiet import _silenced


def _bootstrap_intervals(
    sample: _Sample, lmg_parts: np.ndarray, n_boot: int, random_state: int | np.random.Generator | None
) -> tuple[dict[str, np.ndarray], tuple[float, float] | None, list[str]]:
    """Percentile 95% intervals from ``n_boot`` resamples.

    Returns
    -------
    tuple
        (``{"lmg_ci_low": ..., "lmg_ci_high": ..., "rw_ci_low": ..., "share_ci_high": ...}``
        per driver in sample order; the 95% interval of the strongest driver's share minus the
        runner-up's, or None with one driver or no usable resample; notes).
    """
    notes: list[str] = []
    intervals: dict[str, np.ndarray] = {}
    rng = np.random.default_rng(random_state)
    with _silenced():  # all-NaN columns when every resample is degenerate
        lmg_draws, rw_draws, n_failed = _bootstrap_importance(sample, n_boot, rng)
        share_draws = 100 * lmg_draws / lmg_draws.sum(axis=1, keepdims=True)
        for prefix, draws in (("lmg", lmg_draws), ("rw", rw_draws), ("share", share_draws)):
            low, high = _percentile_ci(draws)
            intervals[f"{prefix}_ci_low"] = low
            intervals[f"{prefix}_ci_high"] = high
    if n_failed:
        notes.append(
            f"{n_failed} of {n_boot} bootstrap resamples were degenerate (a driver did "
            "not vary or drivers were aliased) and were skipped."
        )
    share_gap_ci = None
    order = np.argsort(-lmg_parts)
    if len(order) > 1 and n_failed < n_boot:
        gap = share_draws[:, order[0]] - share_draws[:, order[1]]
        share_gap_ci = tuple(np.nanpercentile(gap, [2.5, 97.5]))
    return intervals, share_gap_ci, notes


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
