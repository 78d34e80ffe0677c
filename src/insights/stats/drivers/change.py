"""Did priorities change?  Each driver's importance in the last six months against the six before.

Importance is a driver's share of the explained variance (the exact LMG decomposition of R^2 as a
percentage of R^2; Lindeman, Merenda & Gold 1980; Grömping 2006), with Johnson's (2000) relative
weights alongside.  The change is the recent half's share minus the earlier half's, in points.

* The portfolio (:func:`importance_change`): one model per half over every response, a cluster
  bootstrap by client (each resample draws whole clients and uses the same draw in both halves, so
  a client's answers in both halves stay together).  The 95% interval is the percentile interval
  of the resampled changes; the p-value is two-sided from the bootstrap standard error,
  ``p = 2 Phi(-|change| / se)``; q-values are Benjamini-Hochberg across the drivers.
* Per client (:mod:`insights.stats.drivers.change_pooled`): a client's halves hold a few dozen
  responses, so its own change (responses resampled within each half) is shrunk toward the
  portfolio's by empirical Bayes (DerSimonian-Laird between-client variance), with q-values
  across every client x driver.

A shift is claimed only when the 95% interval excludes zero AND q < 0.05.  Shares sum to 100%, so
when one driver gains share the others lose some even if their own effects stayed put.

Every resample's correlation matrix comes from per-unit sums (weights, sums, cross-products) times
a matrix of draw counts, and all decompositions run batched on correlation matrices
(:mod:`insights.stats.drivers.importance`), so a portfolio of 30 clients costs about a tenth of a
second.

References
----------
Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate. *JRSS B* 57(1), 289-300.
Grömping, U. (2006). Relative importance for linear regression in R: the package relaimpo.
*Journal of Statistical Software* 17(1), 1-27.
Johnson, J. W. (2000). A heuristic method for estimating the relative weight of predictor
variables in multiple regression. *Multivariate Behavioral Research* 35(1), 1-19.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import norm

from insights.core.periods import MONTHS_PER_WAVE, column_cadence, span, to_periods
from insights.stats.drivers.importance import _lmg_from_corr, _relative_weights_from_corr
from insights.stats.drivers.prepare import _ALIASING_TOLERANCE, MIN_SPARE_RESPONSES, _check_columns, _numeric
from insights.stats.drivers.quiet import _silenced
from insights.stats.multiplicity import FDR_LEVEL, q_values

__all__ = [
    "HALF_MONTHS",
    "ImportanceChange",
    "change_findings",
    "half_months",
    "importance_change",
    "importance_over_time",
]

#: Months in each half compared (a yearly survey's halves are its years: :func:`half_months`).
HALF_MONTHS = 6
_Z = norm.ppf(0.975)


# ---------------------------------------------------------------------------
# Kernels: correlation matrices of resamples, shares of R^2
# ---------------------------------------------------------------------------


def _unit_sums(values: np.ndarray, units: np.ndarray, n_units: int, centre: np.ndarray) -> tuple:
    """Per unit: count, sum and cross-products of ``values - centre`` ((G,), (G, k), (G, k*k))."""
    k = values.shape[1]
    centred = values - centre
    count = np.bincount(units, minlength=n_units).astype(float)
    sums = np.stack([np.bincount(units, centred[:, j], n_units) for j in range(k)], axis=1)
    products = (centred[:, :, None] * centred[:, None, :]).reshape(-1, k * k)
    cross = np.stack([np.bincount(units, products[:, j], n_units) for j in range(k * k)], axis=1)
    return count, sums, cross


def _resample_corrs(unit_sums: tuple, counts: np.ndarray) -> np.ndarray:
    """Correlation matrices (B, k, k) of the resamples that draw unit g ``counts[b, g]`` times;
    NaN where a column does not vary or there are too few responses."""
    count, sums, cross = unit_sums
    k = sums.shape[1]
    total = counts @ count
    s = counts @ sums
    with np.errstate(divide="ignore", invalid="ignore"):
        cov = (counts @ cross).reshape(-1, k, k) - s[:, :, None] * s[:, None, :] / total[:, None, None]
        variance = np.diagonal(cov, axis1=1, axis2=2)
        sd = np.sqrt(np.clip(variance, 0, None))
        corrs = cov / (sd[:, :, None] * sd[:, None, :])
    flat = (variance <= 1e-9 * np.maximum(total, 1)[:, None]).any(axis=1) | (total < k + MIN_SPARE_RESPONSES)
    corrs[flat] = np.nan
    return corrs


def _shares(corrs: np.ndarray, weights: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """LMG parts of R^2, LMG shares (%) and relative-weight shares (%) of each matrix (B, p); NaN rows
    where the matrix is missing or the drivers are aliased."""
    n, k = corrs.shape[0], corrs.shape[1]
    p = k - 1
    valid = np.isfinite(corrs).all(axis=(1, 2))
    if valid.any():
        valid[valid] &= np.linalg.eigvalsh(corrs[valid, 1:, 1:])[:, 0] > _ALIASING_TOLERANCE
    safe = np.where(valid[:, None, None], np.nan_to_num(corrs), np.eye(k))
    lmg = np.empty((n, p))
    rw = np.full((n, p), np.nan)
    chunk = max(1, int(4_000_000 // ((1 << p) * p * p)))
    with _silenced():
        for start in range(0, n, chunk):
            block = safe[start : start + chunk]
            lmg[start : start + chunk] = _lmg_from_corr(block[:, 1:, 1:], block[:, 0, 1:])
            if weights:
                rw[start : start + chunk] = _relative_weights_from_corr(block[:, 1:, 1:], block[:, 0, 1:])
        lmg[~valid] = np.nan
        rw[~valid] = np.nan
        lmg_share = 100 * lmg / lmg.sum(axis=1, keepdims=True)
        rw_share = 100 * rw / rw.sum(axis=1, keepdims=True)
    return lmg, lmg_share, rw_share


# ---------------------------------------------------------------------------
# Halves
# ---------------------------------------------------------------------------


def _month_ends(periods: pd.Series) -> pd.Series:
    """Each response's period as the month it ends in: a survey by quarter, half-year or year counts
    its waves in months too (2026Q3 is 2026-09)."""
    if not isinstance(periods.dtype, pd.PeriodDtype):
        periods = periods.astype("period[M]")
    return periods if periods.dtype == "period[M]" else periods.dt.asfreq("M", how="end")


def _end_month(end: pd.Period | str | None, months: pd.Series) -> pd.Period:
    """The last month of the recent half: ``end`` (any period or text, as the month it ends in), or the
    latest month in the data."""
    if end is None:
        end = months.max()
        if pd.isna(end):
            raise ValueError("no months in the data: pass end=")
        return end
    end = end if isinstance(end, pd.Period) else pd.Period(end)
    return end.asfreq("M", how="end")


def _halves(periods: pd.Series, end: pd.Period | str | None, half: int) -> tuple[pd.Period, np.ndarray]:
    """The last month and each response's half: 1 recent, 0 before, -1 outside the two halves."""
    months = _month_ends(periods)
    end = _end_month(end, months)
    lag = np.where(months.isna().to_numpy(), -1, end.ordinal - months.array.asi8)
    which = np.where((lag >= 0) & (lag < half), 1, np.where((lag >= half) & (lag < 2 * half), 0, -1))
    return end, which


def half_months(cadence: str) -> int:
    """Months in each half compared: :data:`HALF_MONTHS`, or one wave when a wave is longer (a year)."""
    return max(HALF_MONTHS, MONTHS_PER_WAVE[cadence])


def _two_or_more(drivers: Sequence[str]) -> list[str]:
    """The drivers as a list; shares of one driver are always 100%, so two are needed."""
    drivers = list(drivers)
    if len(drivers) < 2:
        raise ValueError("shares of explained variance need at least two drivers")
    return drivers


def _complete(df: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, np.ndarray]:
    values = _numeric(df, columns)
    return values, np.isfinite(values).all(axis=1)


def _span(end: pd.Period, half: int, cadence: str = "month") -> tuple[str, str]:
    """The two halves in words, written in the survey's periods (``2025-Q4 to 2026-Q1``)."""

    def label(first: pd.Period, last: pd.Period) -> str:
        if cadence == "month":
            return span(first, last)
        waves = to_periods(pd.Series([first.start_time, last.start_time]), cadence)
        return span(waves.iloc[0], waves.iloc[1])

    return label(end - 2 * half + 1, end - half), label(end - half + 1, end)


# ---------------------------------------------------------------------------
# The portfolio
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportanceChange:
    """Each driver's share of R^2 in the last ``half`` months against the ``half`` before.

    ``table`` has one row per driver: ``driver, label, share_before, share_recent, change,
    ci_low, ci_high, se, p, q, shift`` (LMG shares in %, change in points, the 95% percentile
    interval of the cluster bootstrap), ``rw_before, rw_recent, rw_change, rw_ci_low, rw_ci_high``
    (relative-weight shares) and ``r2_before, r2_recent``.  ``shift`` is True when the interval
    excludes zero and q < 0.05 (Benjamini-Hochberg across the drivers).
    """

    table: pd.DataFrame
    before: str
    recent: str
    n_before: int
    n_recent: int
    n_clusters: int | None
    n_boot: int
    n_failed: int
    reason: str = ""
    findings: list[str] = field(default_factory=list)
    half: int = HALF_MONTHS

    @property
    def ok(self) -> bool:
        return not self.reason

    def __repr__(self) -> str:
        head = (
            f"ImportanceChange({self.before} -> {self.recent}: n={self.n_before}/{self.n_recent}, "
            f"{self.n_boot} resamples"
        )
        if not self.ok:
            return f"{head}; {self.reason})"
        cols = ["driver", "share_before", "share_recent", "change", "ci_low", "ci_high", "q", "shift"]
        return f"{head})\n{self.table[cols].round(3).to_string(index=False)}"

    def _repr_html_(self) -> str:
        from html import escape

        items = "".join(f"<li>{escape(f)}</li>" for f in self.findings)
        cols = ["label", "share_before", "share_recent", "change", "ci_low", "ci_high", "q", "shift"]
        body = self.table[cols].round(3).to_html(index=False) if self.ok else f"<p>{escape(self.reason)}</p>"
        return f"<p>{escape(self.before)} against {escape(self.recent)}</p>{body}<ul>{items}</ul>"


def importance_change(
    df: pd.DataFrame,
    drivers: Sequence[str],
    outcome: str = "overall_satisfaction",
    *,
    end: pd.Period | str | None = None,
    half: int | None = None,
    cluster: str | None = "client_id",
    n_boot: int = 200,
    random_state: int | np.random.Generator | None = 0,
    labels: Mapping[str, str] | None = None,
) -> ImportanceChange:
    """Each driver's share of R^2 (LMG and relative weights) in the last ``half`` months against the
    ``half`` before, with bootstrap intervals of the change and q-values across the drivers.

    Parameters
    ----------
    df : DataFrame
        Responses with a ``period`` column (monthly), the outcome and the drivers; rows missing any
        of them are dropped (listwise), in each half separately.
    drivers : sequence of str
        Driver columns (at most 20).
    outcome : str
        Outcome column.
    end : Period or str, optional
        The last month of the recent half; default the latest month in ``df``.
    half : int, optional
        Months per half; default :func:`half_months` of the survey's cadence (six; twelve for a yearly survey).
    cluster : str or None
        Resample whole clusters (the same draw for both halves); None resamples responses within
        each half.
    n_boot : int
        Bootstrap resamples (200: a standard error to about 5% and a usable percentile interval).
    random_state : int or Generator, optional
        Seed of the bootstrap.
    labels : mapping, optional
        Display names of the drivers for the findings.

    Returns
    -------
    ImportanceChange
        The table per driver, the spans and sizes, and findings in plain language; ``reason`` says
        why nothing could be estimated (too few responses in a half).

    Examples
    --------
    >>> from insights.data.sample import sample_dir
    >>> import insights
    >>> df = insights.load(sample_dir() / "responses.csv", warn=False)
    >>> change = importance_change(df, ["communication", "responsiveness", "quality"], n_boot=50)
    >>> round(float(change.table["share_recent"].sum()), 6)
    100.0

    References
    ----------
    Grömping (2006), *J. Stat. Software* 17(1); Johnson (2000), *Multivariate Behav. Res.* 35(1);
    Benjamini & Hochberg (1995), *JRSS B* 57(1).
    """
    drivers = _two_or_more(drivers)
    _check_columns(df, ["period", outcome, *drivers, *([cluster] if cluster else [])])
    half = half or half_months(column_cadence(df["period"]))
    end, which = _halves(df["period"], end, half)
    before_span, recent_span = _span(end, half, column_cadence(df["period"]))
    values, complete = _complete(df, [outcome, *drivers])
    keep = complete & (which >= 0)
    if cluster is not None:
        codes, _ = pd.factorize(df[cluster].astype(str))
        keep &= codes >= 0
        units = codes[keep]
    else:
        units = np.arange(int(keep.sum()))
    values, which, n_units = values[keep], which[keep], (int(units.max()) + 1 if len(units) else 0)
    n_half = [int((which == h).sum()) for h in (0, 1)]
    base = dict(
        half=half,
        before=before_span,
        recent=recent_span,
        n_before=n_half[0],
        n_recent=n_half[1],
        n_clusters=n_units if cluster else None,
        n_boot=n_boot,
    )
    if min(n_half) < len(drivers) + 1 + MIN_SPARE_RESPONSES:
        reason = f"too few complete responses in a half ({n_half[0]} before, {n_half[1]} recent)"
        return ImportanceChange(pd.DataFrame(), n_failed=0, reason=reason, **base)
    centre = values.mean(axis=0)
    rng = np.random.default_rng(random_state)
    if cluster is not None:
        draws = rng.integers(0, n_units, (n_boot, n_units))
        counts = np.vstack([np.ones(n_units), _count_rows(draws, n_units)])
        counts = [counts, counts]
    else:
        counts = []
        for h in (0, 1):
            draws = rng.integers(0, n_half[h], (n_boot, n_half[h]))
            counts.append(np.vstack([np.ones(n_half[h]), _count_rows(draws, n_half[h])]))
    results = []
    for h in (0, 1):
        inside = which == h
        if cluster is not None:
            sums = _unit_sums(values[inside], units[inside], n_units, centre)
        else:
            sums = _unit_sums(values[inside], np.arange(n_half[h]), n_half[h], centre)
        results.append(_shares(_resample_corrs(sums, counts[h])))
    # Resampling G clusters understates the variance by about (G - 1) / G; scale as CR1 does.
    inflate = np.sqrt(n_units / (n_units - 1)) if cluster is not None and n_units > 1 else 1.0
    table, n_failed = _change_table(drivers, results, labels, inflate)
    if table is None:
        return ImportanceChange(
            pd.DataFrame(), n_failed=n_failed, reason="a driver does not vary in a half", **base
        )
    change = ImportanceChange(table, n_failed=n_failed, **base)
    return dataclasses.replace(change, findings=change_findings(change))


def _count_rows(draws: np.ndarray, n: int) -> np.ndarray:
    """(B, n) how often each unit is drawn in each resample."""
    rows = np.repeat(np.arange(draws.shape[0]), draws.shape[1])
    return np.bincount(rows * n + draws.ravel(), minlength=draws.shape[0] * n).reshape(-1, n).astype(float)


def _change_table(
    drivers: list[str], results: list, labels: Mapping[str, str] | None, inflate: float = 1.0
) -> tuple:
    """The per-driver table from the (point, resamples) shares of both halves; None if a point is NaN."""
    (lmg0, share0, rw0), (lmg1, share1, rw1) = results
    if not (np.isfinite(share0[0]).all() and np.isfinite(share1[0]).all()):
        return None, 0
    change = share1 - share0
    rw_change = rw1 - rw0
    boot = change[1:]
    ok = np.isfinite(boot).all(axis=1)
    n_failed = int((~ok).sum())
    boot, rw_boot = boot[ok], rw_change[1:][ok]
    with np.errstate(divide="ignore", invalid="ignore"):
        se = inflate * boot.std(axis=0, ddof=1) if len(boot) > 1 else np.full(len(drivers), np.nan)
        p = np.where(se > 0, 2 * norm.sf(np.abs(change[0]) / se), np.nan)
    low, high = np.percentile(boot, [2.5, 97.5], axis=0) if len(boot) else (np.nan, np.nan)
    rw_low, rw_high = np.percentile(rw_boot, [2.5, 97.5], axis=0) if len(rw_boot) else (np.nan, np.nan)
    q = q_values(p)
    table = pd.DataFrame(
        {
            "driver": drivers,
            "label": [(labels or {}).get(d, d.replace("_", " ").capitalize()) for d in drivers],
            "share_before": share0[0],
            "share_recent": share1[0],
            "change": change[0],
            "ci_low": low,
            "ci_high": high,
            "se": se,
            "p": p,
            "q": q,
            "shift": ((low > 0) | (high < 0)) & (q < FDR_LEVEL),
            "rw_before": rw0[0],
            "rw_recent": rw1[0],
            "rw_change": rw_change[0],
            "rw_ci_low": rw_low,
            "rw_ci_high": rw_high,
            "r2_before": np.full(len(drivers), lmg0[0].sum()),
            "r2_recent": np.full(len(drivers), lmg1[0].sum()),
        }
    )
    return table, n_failed


def change_findings(change: ImportanceChange) -> list[str]:
    """Plain sentences: one per claimed shift, or one saying no driver's share moved beyond chance."""
    if not change.ok:
        return []
    found = [_shift_sentence(row, change.half) for row in change.table.itertuples() if row.shift]
    if not found:
        found.append(
            f"No driver's share of explained variance changed beyond chance between {change.before} and "
            f"{change.recent} (95% bootstrap intervals, Benjamini-Hochberg across the drivers)."
        )
    return found


_NUMBERS = {3: "three", 4: "four", 6: "six", 12: "twelve"}


def _shift_sentence(row, half: int) -> str:
    """ "Responsiveness matters more than six months ago: 31% of explained variance against 18% (...)"."""
    return (
        f"{row.label} matters {'more' if row.change > 0 else 'less'} than {_NUMBERS.get(half, half)} months ago: "
        f"{row.share_recent:.0f}% of explained variance against {row.share_before:.0f}% (change "
        f"{row.change:+.0f} points, 95% CI {row.ci_low:+.0f} to {row.ci_high:+.0f}, q = {row.q:.2g})."
    )


# ---------------------------------------------------------------------------
# Over time
# ---------------------------------------------------------------------------


def importance_over_time(
    df: pd.DataFrame,
    drivers: Sequence[str],
    outcome: str = "overall_satisfaction",
    *,
    end: pd.Period | str | None = None,
    months: int = 12,
    window: int | None = None,
    labels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Each driver's share of R^2 in rolling windows of ``window`` months, one window ending in each
    month of the last ``months`` months that has a full window inside them.

    Returns
    -------
    DataFrame
        ``window_start, window_end, driver, label, share, rw_share, r2, n`` (shares in %); windows
        with too few complete responses are left out.

    Examples
    --------
    >>> from insights.data.sample import sample_dir
    >>> import insights
    >>> df = insights.load(sample_dir() / "responses.csv", warn=False)
    >>> over = importance_over_time(df, ["communication", "responsiveness", "quality"])
    >>> over["window_end"].nunique()  # windows ending in each of the last seven months
    7
    """
    drivers = _two_or_more(drivers)
    _check_columns(df, ["period", outcome, *drivers])
    window = window or half_months(column_cadence(df["period"]))
    months_of = _month_ends(df["period"])
    end = _end_month(end, months_of)
    values, complete = _complete(df, [outcome, *drivers])
    ends = [end - lag for lag in range(months - window, -1, -1)]
    if df["period"].dtype != "period[M]":  # waves of a quarter or more: windows that end with a wave
        wave_ends = set(months_of.dropna())
        ends = [last for last in ends if last in wave_ends]
    corrs, sizes = [], []
    for last in ends:
        inside = complete & (months_of > last - window).to_numpy() & (months_of <= last).to_numpy()
        part = values[inside]
        n = len(part)
        sizes.append(n)
        if n < len(drivers) + 1 + MIN_SPARE_RESPONSES:
            corrs.append(np.full((1, len(drivers) + 1, len(drivers) + 1), np.nan))
            continue
        corrs.append(_resample_corrs(_unit_sums(part, np.arange(n), n, part.mean(axis=0)), np.ones((1, n))))
    lmg, share, rw = _shares(np.concatenate(corrs)) if corrs else (np.empty((0, len(drivers))),) * 3
    frame = pd.DataFrame(
        {
            "window_start": np.repeat([last - window + 1 for last in ends], len(drivers)),
            "window_end": np.repeat(ends, len(drivers)),
            "driver": np.tile(drivers, len(ends)),
            "share": share.reshape(-1),
            "rw_share": rw.reshape(-1),
            "r2": np.repeat(lmg.sum(axis=1), len(drivers)),
            "n": np.repeat(sizes, len(drivers)),
        }
    )
    frame.insert(
        3, "label", [(labels or {}).get(d, d.replace("_", " ").capitalize()) for d in frame["driver"]]
    )
    return frame[frame["share"].notna()].reset_index(drop=True)
