"""Shared machinery of the metrics: input checks and per-cell estimates from integer cell codes.

Every estimate is computed per "cell" (e.g. client x month) from sums taken with ``np.bincount``
over integer cell codes: one pass over the rows per component, no Python loop over cells.  A single
overall estimate is the one-cell case (:func:`one_cell`).  The conventions (NaN = not answered,
Kish's ``n_eff`` with weights, unweighted counts) are those of :mod:`insights.stats.metrics`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from insights.stats.nps import DETRACTOR_MAX, NPS_SCALE, PROMOTER_MIN


def require_columns(df: pd.DataFrame, *columns: str | None) -> None:
    missing = [column for column in columns if column is not None and column not in df.columns]
    if missing:
        raise KeyError(f"not in the response frame: {', '.join(map(repr, missing))}")


def check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")


def check_no_missing_keys(df: pd.DataFrame, keys: Sequence[str]) -> None:
    # Silently dropping responses without a client or period would change n unnoticed.
    for key in keys:
        if df[key].isna().any():
            raise ValueError(f"{key!r} has missing values; every response needs one")


def ratings(df: pd.DataFrame, column: str) -> np.ndarray:
    return df[column].to_numpy(dtype=float, na_value=np.nan)


def survey_weights(df: pd.DataFrame, weight: str | None) -> np.ndarray | None:
    if weight is None:
        return None
    weights = df[weight].to_numpy(dtype=float, na_value=np.nan)
    if not np.all(np.isfinite(weights) & (weights > 0)):
        raise ValueError(f"weights in {weight!r} must be positive and finite")
    return weights


def top_box_threshold(scale_max: float, top_box: int) -> float:
    if top_box == 0:
        raise ValueError(
            "top_box=0: the scale has no top box, so there is no top-box share (CSAT); use the mean"
        )
    if not 1 <= top_box <= scale_max:
        raise ValueError(f"top_box must be between 1 and scale_max={scale_max}, got {top_box}")
    return scale_max - top_box + 1


def check_scale_max(values: np.ndarray, scale_max: float, column: str) -> None:
    # A rating above the scale means the wrong scale was passed: top-box shares would be wrong.
    if np.any(values > scale_max):
        raise ValueError(f"{column!r} has ratings above scale_max={scale_max}")


def check_nps_range(values: np.ndarray, column: str) -> None:
    low, high = NPS_SCALE
    if np.any((values < low) | (values > high)):
        raise ValueError(f"{column!r} has likelihood-to-recommend values outside {low}-{high}")


def period_freq(df: pd.DataFrame, period: str):
    dtype = df[period].dtype
    if not isinstance(dtype, pd.PeriodDtype):
        raise TypeError(f"{period!r} must have a pandas Period dtype (e.g. period[M]), got {dtype}")
    return dtype.freq


# --------------------------------------------------------------------------- grouped kernels


@dataclass(frozen=True)
class RatingCells:
    """Per-cell answers, Kish ``n_eff``, mean, sd, standard error and top-box share and count."""

    n: np.ndarray
    n_eff: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    se: np.ndarray
    top_share: np.ndarray
    top_count: np.ndarray


@dataclass(frozen=True)
class NPSCells:
    """Per-cell answers, ``n_eff``, group counts and shares, NPS and its sd and standard error."""

    n: np.ndarray
    n_eff: np.ndarray
    promoters: np.ndarray
    passives: np.ndarray
    detractors: np.ndarray
    promoter_share: np.ndarray
    passive_share: np.ndarray
    detractor_share: np.ndarray
    score: np.ndarray
    sd: np.ndarray
    se: np.ndarray


def answer_weights(values: np.ndarray, weights: np.ndarray | None):
    answered = ~np.isnan(values)
    if weights is None:
        return answered, answered.astype(float)
    return answered, np.where(answered, weights, 0.0)


def kish_n_eff(n, sum_w, sum_w2):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, sum_w**2 / sum_w2, 0.0)


def rating_cells(
    values: np.ndarray,
    weights: np.ndarray | None,
    codes: np.ndarray,
    n_cells: int,
    threshold: float = math.inf,
) -> RatingCells:
    """Mean, sd, se (linearisation, see :mod:`insights.stats.metrics`) and top-box share per cell."""
    answered, w = answer_weights(values, weights)

    def total(x: np.ndarray) -> np.ndarray:
        return np.bincount(codes, weights=x, minlength=n_cells)

    n = total(answered.astype(float))
    sum_w = total(w)
    is_top = answered & (np.where(answered, values, -np.inf) >= threshold)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total(w * np.where(answered, values, 0.0)) / sum_w
        # Two passes (deviations from the cell mean) rather than sum of squares: no cancellation.
        deviation = np.where(answered, values - mean[codes], 0.0)
        bessel = n / (n - 1)
        sd = np.sqrt(total(w * deviation**2) / sum_w * bessel)
        se = np.sqrt(total(w**2 * deviation**2) / sum_w**2 * bessel)
        top_share = total(w * is_top) / sum_w
    return RatingCells(
        n=n.astype(np.int64),
        n_eff=kish_n_eff(n, sum_w, total(w**2)),
        mean=mean,
        sd=sd,
        se=se,
        top_share=top_share,
        top_count=total(is_top.astype(float)).astype(np.int64),
    )


def nps_cells(values: np.ndarray, weights: np.ndarray | None, codes: np.ndarray, n_cells: int) -> NPSCells:
    """NPS per cell with the multinomial standard error of Rocks (2016), ``n_eff`` in place of ``n``."""
    answered, w = answer_weights(values, weights)

    def total(x: np.ndarray) -> np.ndarray:
        return np.bincount(codes, weights=x, minlength=n_cells)

    filled = np.where(answered, values, np.nan)
    promoter = filled >= PROMOTER_MIN
    detractor = filled <= DETRACTOR_MAX
    passive = answered & ~promoter & ~detractor
    n = total(answered.astype(float))
    sum_w = total(w)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = total(w * promoter) / sum_w
        d = total(w * detractor) / sum_w
        n_eff = kish_n_eff(n, sum_w, total(w**2))
        # Rounding can push p + d - (p - d)^2 a hair below zero when all answers are one group.
        variance = np.maximum(p + d - (p - d) ** 2, 0.0)
        se = 100 * np.sqrt(variance / np.where(n > 0, n_eff, np.nan))
    return NPSCells(
        n=n.astype(np.int64),
        n_eff=n_eff,
        promoters=total(promoter.astype(float)).astype(np.int64),
        passives=total(passive.astype(float)).astype(np.int64),
        detractors=total(detractor.astype(float)).astype(np.int64),
        promoter_share=p,
        passive_share=1 - p - d,
        detractor_share=d,
        score=100 * (p - d),
        sd=100 * np.sqrt(variance),
        se=se,
    )


def one_cell(length: int) -> np.ndarray:
    """Cell codes that put every row in one cell (a single overall estimate)."""
    return np.zeros(length, dtype=np.intp)
