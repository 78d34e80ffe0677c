"""From a frame of responses to the estimation sample: column checks, weights, clusters and
the listwise-complete responses on the drivers that can be estimated.

Drivers with no answers, that do not vary, or that are an exact linear combination of other
drivers are dropped with a note; too few complete responses give a reason instead of a sample.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from insights.data.survey import DEFAULT_DRIVERS
from insights.stats.drivers.moments import _Moments

#: A regression needs some residual degrees of freedom beyond the p slopes
#: and the intercept before its R^2, standard errors and bootstrap mean
#: anything; ten spare responses is a floor, not a recommendation.
MIN_SPARE_RESPONSES = 10

# A driver whose variance left after regressing it on the other drivers is
# below this fraction of its total variance is treated as an exact linear
# combination of them (VIF above 1e8) and dropped.
_ALIASING_TOLERANCE = 1e-8


@dataclass
class _Sample:
    """The estimation sample: the complete responses on the drivers kept, and their moments."""

    drivers: list[str]
    y: np.ndarray
    x: np.ndarray
    weights: np.ndarray | None
    groups: np.ndarray | None  # dense cluster codes, or None for HC3
    cluster: str | None
    moments: _Moments  # of (y, x): means and centred cross-products, weighted like the fit


# ---------------------------------------------------------------------------
# Columns
# ---------------------------------------------------------------------------


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
    """The columns as floats, missing values as NaN."""
    return df[list(columns)].to_numpy(dtype=float, na_value=np.nan)


def _weights(df: pd.DataFrame, weight: str | None) -> np.ndarray | None:
    if weight is None:
        return None
    values = _numeric(df, [weight])[:, 0]
    if np.any(values < 0):
        raise ValueError(f"weights in {weight!r} must not be negative")
    return values


def _names(names: Sequence[str]) -> str:
    return ", ".join(names)


def _resolve_cluster(df: pd.DataFrame, cluster: str | None, outcome: str) -> str | None:
    """The cluster column: ``"auto"`` means ``client_id`` when the rated responses hold more than one client."""
    if cluster == "auto":
        if "client_id" not in df.columns:
            return None
        rows = df[outcome].notna()
        return "client_id" if df.loc[rows, "client_id"].nunique(dropna=True) > 1 else None
    if cluster is not None and cluster not in df.columns:
        raise KeyError(f"cluster column not in the data: {cluster}")
    return cluster


# ---------------------------------------------------------------------------
# The estimation sample
# ---------------------------------------------------------------------------


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
    outcome_values, usable, weights_all, cluster_codes = _usable_responses(
        df, outcome, weight, cluster, notes
    )
    values_all = _numeric(df, drivers)
    finite = np.isfinite(values_all)
    kept = _answered_varying_drivers(values_all, finite & usable[:, None], drivers, notes)
    found, reason, n_complete = _listwise_complete(
        values_all, finite, usable, weights_all, outcome_values, drivers, kept, notes
    )
    if found is None:
        return None, reason, notes, n_complete
    if np.ptp(found.y) == 0:
        reason = f"{outcome} does not vary across the {n_complete} complete responses"
        return None, reason, notes, n_complete
    groups, cluster = _cluster_groups(cluster_codes, found.complete, cluster, notes)
    sample = _Sample(found.kept, found.y, found.x, found.weights, groups, cluster, found.moments)
    return sample, None, notes, n_complete


def _usable_responses(
    df: pd.DataFrame, outcome: str, weight: str | None, cluster: str | None, notes: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """(outcome values, which responses have an outcome, a positive weight and a cluster, all
    the weights or None, cluster codes with -1 for missing or None); notes what was left out."""
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
    return outcome_values, usable, weights_all, cluster_codes


def _answered_varying_drivers(
    values_all: np.ndarray, answered: np.ndarray, drivers: list[str], notes: list[str]
) -> list[str]:
    """The drivers answered in some usable response and not the same in all of them."""
    empty = [name for j, name in enumerate(drivers) if not answered[:, j].any()]
    if empty:
        notes.append(f"Dropped driver(s) with no answers: {_names(empty)}.")

    def spread(j: int) -> float:
        column = values_all[:, j]
        return np.ptp(column if answered[:, j].all() else column[answered[:, j]])

    constant = [name for j, name in enumerate(drivers) if name not in empty and spread(j) == 0]
    if constant:
        notes.append(f"Dropped driver(s) that do not vary: {_names(constant)}.")
    return [name for name in drivers if name not in empty and name not in constant]


@dataclass
class _Complete:
    """The complete responses on a stable set of drivers."""

    kept: list[str]
    complete: np.ndarray  # which of all the responses
    x: np.ndarray
    y: np.ndarray
    weights: np.ndarray | None
    moments: _Moments


def _listwise_complete(
    values_all: np.ndarray,
    finite: np.ndarray,
    usable: np.ndarray,
    weights_all: np.ndarray | None,
    outcome_values: np.ndarray,
    drivers: list[str],
    kept: list[str],
    notes: list[str],
) -> tuple[_Complete | None, str | None, int]:
    """(the complete responses on the drivers that still vary and are not aliased among them,
    or None; the reason there are none, or None; the number of complete responses)."""
    n_complete = 0
    while True:
        if not kept:
            return None, "no usable drivers: every driver is empty or does not vary", n_complete
        columns = [drivers.index(name) for name in kept]
        complete = usable & finite[:, columns].all(axis=1)
        n_complete = int(complete.sum())
        x = _driver_columns(values_all, complete, columns, n_complete)
        w = None if weights_all is None else weights_all[complete]
        flat = [name for j, name in enumerate(kept) if n_complete and np.ptp(x[:, j]) == 0]
        if flat:
            notes.append(f"Dropped driver(s) that do not vary among the complete responses: {_names(flat)}.")
            kept = [name for name in kept if name not in flat]
            continue
        needed = len(kept) + MIN_SPARE_RESPONSES
        if n_complete < needed:
            reason = f"only {n_complete} complete responses for {len(kept)} drivers; need at least {needed}"
            return None, reason, n_complete
        y = outcome_values[complete]
        moments = _Moments.of(x, w, first=y)
        aliased = [kept[j] for j in _aliased(moments.corr()[1:, 1:])]
        if aliased:
            notes.append(
                f"Dropped driver(s) that are an exact linear combination of other drivers: {_names(aliased)}."
            )
            kept = [name for name in kept if name not in aliased]
            continue
        return _Complete(kept, complete, x, y, w, moments), None, n_complete


def _driver_columns(
    values_all: np.ndarray, complete: np.ndarray, columns: list[int], n_complete: int
) -> np.ndarray:
    """The ``columns`` of the ``complete`` rows of ``values_all``, column-major."""
    if n_complete == len(complete) and columns == list(range(values_all.shape[1])):
        return values_all  # no copy of a million rows
    # Column by column (the layout pandas hands over): one pass, no intermediate.
    x = np.empty((n_complete, len(columns)), order="F")
    for j, column in enumerate(columns):
        x[:, j] = values_all[complete, column] if n_complete < len(complete) else values_all[:, column]
    return x


def _cluster_groups(
    cluster_codes: np.ndarray | None, complete: np.ndarray, cluster: str | None, notes: list[str]
) -> tuple[np.ndarray | None, str | None]:
    """Dense cluster codes of the complete responses and the cluster column, or (None, None)
    when they are not clustered or all in one cluster."""
    if cluster_codes is None:
        return None, cluster
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
        return None, None
    return groups, cluster
