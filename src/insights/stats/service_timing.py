"""When service-level breaches happen: the weekday x hour heat map and the weekday test.

Are Mondays hot?  :func:`weekday_test` asks whether the weekday an event is opened changes its
chance of breaching.  The right null is *not* "breaches are spread evenly over the week": work is
not (weekends are quiet), so Mondays would look hot just by having more events.  The null is that
breaches follow the weekday distribution of the events that could breach (met + breached), i.e.
that breaching is independent of the weekday.  It is tested with Pearson's chi-square test of
independence on the weekday x (breached, met) table -- the exact version of a goodness-of-fit
test of breaches per weekday against the events' weekday shares, which would ignore that those
shares are estimated from the same events.  With expected counts under 5 the p-value comes from
a Monte Carlo permutation of the breach labels (Hope 1968).  Days that stand out are named from
Haberman's (1973) adjusted residuals with a Bonferroni bound over the days.

Weekdays and hours are those of ``opened_at`` (or ``due_at``) in UTC unless a ``tz`` is given;
the status rules are :mod:`insights.stats.service_levels`.

References
----------
Haberman, S. J. (1973). The analysis of residuals in cross-classified tables. *Biometrics*,
29(1), 205-220.

Hope, A. C. A. (1968). A simplified Monte Carlo significance test procedure. *Journal of the
Royal Statistical Society, Series B*, 30(3), 582-598.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from insights.core.jsonsafe import json_value
from insights.stats.service_levels import (
    ALPHA,
    DEFAULT_HOURLY_COST,
    WEEKDAYS,
    as_classified,
    json_records,
    local_times,
    p_value_text,
    percent_text,
    wilson_interval,
)

__all__ = ["PERMUTATIONS", "WeekdayTest", "breach_heatmap_counts", "weekday_test"]

#: Monte Carlo permutations behind the weekday test when expected counts are small.
PERMUTATIONS = 4999


def breach_heatmap_counts(
    events: pd.DataFrame,
    *,
    as_of: object = None,
    when: str = "opened_at",
    tz: str = "UTC",
    status: str = "breached",
) -> pd.DataFrame:
    """A weekday (rows, Monday first) x hour (columns 0-23) table of breaches, by the time ``when`` happened.

    ``when`` is ``"opened_at"`` (default: when the work came in) or ``"due_at"``; ``status`` can
    be ``"counted"`` to count every due event (the denominator of a breach rate).
    """
    if when not in ("opened_at", "due_at"):
        raise ValueError(f"when must be 'opened_at' or 'due_at' (got {when!r})")
    frame = as_classified(events, as_of, DEFAULT_HOURLY_COST)
    chosen = frame[frame["counted"]] if status == "counted" else frame[frame["status"] == status]
    stamps = local_times(chosen[when], tz)
    grid = pd.crosstab(
        pd.Categorical(stamps.dt.day_name(), categories=WEEKDAYS),
        pd.Categorical(stamps.dt.hour, categories=range(24)),
        dropna=False,
    )
    grid = grid.reindex(index=list(WEEKDAYS), columns=range(24), fill_value=0).astype(int)
    grid.index.name, grid.columns.name = "weekday", "hour"
    return grid


# --- does the weekday matter? -----------------------------------------------------------------------


@dataclass(frozen=True, eq=False, repr=False)
class WeekdayTest:
    """Whether the weekday an event is opened changes its chance of breaching (see :func:`weekday_test`).

    ``table`` has one row per weekday with events: ``weekday, events, breached, expected``
    (breaches expected if the weekday did not matter), ``breach_rate, ci_low, ci_high`` (Wilson),
    ``residual`` (Haberman's adjusted residual) and ``hot`` (rate significantly above the other
    days, Bonferroni over the days).
    """

    status: str
    reason: str | None
    statistic: float
    dof: int
    p_value: float
    method: str
    n_events: int
    n_breaches: int
    table: pd.DataFrame
    findings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def significant(self) -> bool:
        return self.ok and self.p_value < ALPHA

    @property
    def hot_days(self) -> list[str]:
        return [] if self.table.empty else self.table.loc[self.table["hot"], "weekday"].tolist()

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "reason": self.reason,
            "statistic": json_value(self.statistic),
            "dof": int(self.dof),
            "p_value": json_value(self.p_value),
            "method": self.method,
            "n_events": self.n_events,
            "n_breaches": self.n_breaches,
            "hot_days": self.hot_days,
            "table": json_records(
                self.table,
                _TABLE_COLUMNS,
            ),
            "findings": list(self.findings),
        }

    def __repr__(self) -> str:
        if not self.ok:
            return f"WeekdayTest(insufficient data: {self.reason})"
        head = (
            f"WeekdayTest({self.method}: chi2 = {self.statistic:.2f}, df = {self.dof}, p = {self.p_value:.3g}; "
            f"{self.n_breaches} breaches in {self.n_events} events; hot: {', '.join(self.hot_days) or 'none'})"
        )
        return head + "\n" + self.table.to_string(index=False, float_format=lambda v: f"{v:.3f}")


def weekday_test(
    events: pd.DataFrame, *, as_of: object = None, when: str = "opened_at", tz: str = "UTC", seed: int = 0
) -> WeekdayTest:
    """Test whether breaching depends on the weekday (are Mondays hot?).

    Null hypothesis: an event's chance of breaching does not depend on the weekday it was opened
    (``when``), so breaches follow the weekday distribution of the events that were due (met +
    breached) -- not a uniform week, since work itself is not spread evenly.  Pearson's
    chi-square test of independence on the weekday x (breached, met) table, with ``k - 1``
    degrees of freedom for ``k`` weekdays with events; when an expected count is below 5 the
    p-value is a Monte Carlo one from :data:`PERMUTATIONS` permutations of the breach labels
    (seeded by ``seed``).  A day is *hot* when its adjusted residual exceeds the two-sided
    Bonferroni bound ``z(1 - 0.025 / k)``.
    """
    frame = as_classified(events, as_of, DEFAULT_HOURLY_COST)
    due = frame[frame["counted"]]
    stamps = local_times(due[when], tz)
    day = pd.Categorical(stamps.dt.day_name(), categories=WEEKDAYS)
    breached = (due["status"] == "breached").to_numpy()
    events_per_day = pd.Series(day).value_counts().reindex(WEEKDAYS, fill_value=0)
    breaches_per_day = pd.Series(day[breached]).value_counts().reindex(WEEKDAYS, fill_value=0)
    present = events_per_day[events_per_day > 0].index.tolist()
    n, b = int(len(due)), int(breached.sum())
    reason = None
    if n == 0:
        reason = "no events were due"
    elif len(present) < 2:
        reason = "events on fewer than two weekdays"
    elif b == 0 or b == n:
        reason = "no breaches" if b == 0 else "every event breached"
    if reason:
        empty = pd.DataFrame(columns=_TABLE_COLUMNS)
        return WeekdayTest("insufficient data", reason, math.nan, 0, math.nan, "none", n, b, empty)

    counts = events_per_day[present].to_numpy(dtype=float)
    hits = breaches_per_day[present].to_numpy(dtype=float)
    # Pearson's statistic on the weekday x (breached, met) table; no continuity correction, so
    # two weekdays are tested like seven.
    pearson = stats.chi2_contingency(np.column_stack([hits, counts - hits]), correction=False)
    statistic, dof = float(pearson.statistic), int(pearson.dof)
    if pearson.expected_freq.min() < 5:
        codes = pd.Categorical(np.asarray(day, dtype=object), categories=present).codes
        p_value = _permutation_p(codes, breached, counts, statistic, seed)
        method = f"chi-square test of independence, Monte Carlo p ({PERMUTATIONS} permutations)"
    else:
        p_value = float(pearson.pvalue)
        method = "chi-square test of independence"
    table = _weekday_table(present, counts, hits, p_value)
    result = WeekdayTest("ok", None, statistic, dof, p_value, method, n, b, table)
    return WeekdayTest(
        "ok", None, statistic, dof, p_value, method, n, b, table, _weekday_findings(result, when)
    )


_TABLE_COLUMNS = [
    "weekday",
    "events",
    "breached",
    "expected",
    "breach_rate",
    "ci_low",
    "ci_high",
    "residual",
    "hot",
]


def _permutation_p(
    codes: np.ndarray, breached: np.ndarray, counts: np.ndarray, statistic: float, seed: int
) -> float:
    """Monte Carlo p-value of Pearson's statistic (Hope 1968): the breach labels shuffled over the
    events :data:`PERMUTATIONS` times, ``(exceedances + 1) / (permutations + 1)``."""
    share = breached.sum() / len(breached)
    expected, expected_met = counts * share, counts * (1 - share)
    rng = np.random.default_rng(seed)
    labels = breached.astype(float)
    exceed = 0
    for _ in range(PERMUTATIONS):
        permuted = np.bincount(codes, weights=rng.permutation(labels), minlength=len(counts))
        # The met count of a day is its events less its breaches, so both cells deviate equally.
        x = np.sum((permuted - expected) ** 2 / expected + (permuted - expected) ** 2 / expected_met)
        exceed += x >= statistic - 1e-9
    return (exceed + 1) / (PERMUTATIONS + 1)


def _weekday_table(present: list[str], counts: np.ndarray, hits: np.ndarray, p_value: float) -> pd.DataFrame:
    """Per weekday: breaches against those expected if the weekday did not matter, the rate with
    its Wilson interval, Haberman's adjusted residual and whether the day is hot."""
    n, share = counts.sum(), hits.sum() / counts.sum()
    expected = counts * share
    residual = (hits - expected) / np.sqrt(expected * (1 - share) * (1 - counts / n))
    bound = stats.norm.ppf(1 - ALPHA / 2 / len(present))
    bounds = [wilson_interval(h, c) for h, c in zip(hits, counts)]
    return pd.DataFrame(
        {
            "weekday": present,
            "events": counts.astype(int),
            "breached": hits.astype(int),
            "expected": expected,
            "breach_rate": hits / counts,
            "ci_low": [lo for lo, _ in bounds],
            "ci_high": [hi for _, hi in bounds],
            "residual": residual,
            "hot": (residual > bound) & (p_value < ALPHA),
        }
    )


def _weekday_findings(result: WeekdayTest, when: str) -> list[str]:
    moment = "opened" if when == "opened_at" else "due"
    test = f"chi-square {result.statistic:.1f}, {result.dof} df, {p_value_text(result.p_value)}"
    if not result.significant:
        return [
            f"No evidence that the weekday an event is {moment} changes its chance of breaching ({test})."
        ]
    found = [f"Breaching depends on the weekday an event is {moment} ({test})."]
    table = result.table
    for row in table[table["hot"]].itertuples():
        rest = table[table["weekday"] != row.weekday]
        rest_rate = rest["breached"].sum() / rest["events"].sum()
        interval = f"95% CI {percent_text(row.ci_low)} to {percent_text(row.ci_high)}"
        found.append(
            f"{row.weekday}s are hot: {percent_text(row.breach_rate)} of the events {moment} on a {row.weekday} "
            f"breached ({interval}), against {percent_text(rest_rate)} on the other days."
        )
    if not result.hot_days:
        found.append("No single weekday stands out once the seven comparisons are allowed for.")
    return found
