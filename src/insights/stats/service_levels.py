"""Service levels: which events were met, breached or still open, and what non-delivery cost.

A *service event* is one thing the firm promised a client by a time: a deliverable, a system's
availability, a turnaround, a hardware or software fix, a service request.  The events are read
and validated by :mod:`insights.data.events`; everything here is a pure function on DataFrames.

Status rules
------------
Every event is judged *as of* a moment (``as_of``; the command line's ``--as-of``, default now;
see :mod:`insights.stats.as_of`):

* **met**: resolved at or before its due time (``resolved_at <= due_at``; exactly on time is met);
* **breached**: resolved after its due time, or still unresolved when its due time is before
  the as-of moment (*overdue*: a breach that is still running);
* **open**: unresolved and not yet due.

The view is the one a person had at the as-of moment: a resolution recorded after it is not yet
known (the event counts as unresolved), and an event opened after it does not exist yet (it is
left out).  With the default as-of (now) every recorded resolution is known.
**Attainment** = met / (met + breached); open events are not counted, and neither are their
penalties.

Time zones
----------
Date-times are compared in UTC (offsets honoured, none = UTC, a date alone 00:00 UTC).  Months
(``period``, the *due* month) are UTC months.  The weekday and hour of an event (breakdowns, heat
map, weekday test) are those of ``opened_at`` in UTC unless a ``tz`` (an IANA zone such as
``"Europe/Berlin"``) is given.

Cost of non-delivery
--------------------
``cost = penalty + people_affected x hours_late x hourly_cost`` per counted event, where
``hours_late`` is the time from the due time to the resolution (to the as-of moment while a
breach is still running) and ``hourly_cost`` (default :data:`DEFAULT_HOURLY_COST`, 60 per hour)
is what an idle person costs the client: a loaded labour cost, to be set per engagement.
Met and open events have no hours late.

Analyses
--------
* :func:`sla_summary`: counts, attainment and penalties by category, weekday and hour (the
  ``insights sla`` command);
* :func:`attainment_table` / :func:`attainment_trend`: attainment per client and due month with
  a Wilson (1927) interval for the underlying on-time rate, breaches, hours late and cost;
* :func:`breaches_by`: breaches by category and severity;
* :func:`compare_attainment`: one set of events against another (Newcombe 1998, Fisher's exact
  test).

When breaches happen (heat map, weekday test) is :mod:`insights.stats.service_timing`; their
link with satisfaction is :mod:`insights.stats.service_impact`.

References
----------
Newcombe, R. G. (1998). Interval estimation for the difference between independent proportions.
*Statistics in Medicine*, 17(8), 873-890.

Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
*Journal of the American Statistical Association*, 22(158), 209-212.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from insights.core.jsonsafe import json_value
from insights.core.periods import as_period, cadence_of, format_period, to_periods, window
from insights.core.periods import parse_period as parse_any_period
from insights.data.contracts import SEVERITIES
from insights.stats import intervals
from insights.stats.as_of import parse_as_of

__all__ = [
    "ALPHA",
    "DEFAULT_HOURLY_COST",
    "DEFAULT_TARGET",
    "SEVERITIES",
    "STATUSES",
    "WEEKDAYS",
    "AttainmentChange",
    "SLASummary",
    "attainment_table",
    "attainment_trend",
    "breaches_by",
    "classify",
    "compare_attainment",
    "select_events",
    "sla_summary",
    "wilson_interval",
]

STATUSES = ("met", "breached", "open")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: What one idle person-hour costs the client, in the currency of the penalties.
DEFAULT_HOURLY_COST = 60.0
#: The default service-level target for attainment (95% of events met).
DEFAULT_TARGET = 0.95
ALPHA = 0.05


# --- status -----------------------------------------------------------------------------------------


def classify(
    events: pd.DataFrame,
    as_of: object = None,
    *,
    hourly_cost: float = DEFAULT_HOURLY_COST,
    cadence: str = "month",
) -> pd.DataFrame:
    """Each event's status as of ``as_of`` (see the module docstring), with its lateness and cost.

    Parameters
    ----------
    events : pandas.DataFrame
        Validated events (:func:`insights.data.events.load_events`).
    as_of : timestamp, string or None
        The moment of the view (default: now); see :func:`insights.stats.as_of.parse_as_of`.
    hourly_cost : float
        Cost of one idle person-hour.

    Returns
    -------
    pandas.DataFrame
        The events opened by ``as_of``, with ``status`` (``met``, ``breached``, ``open``),
        ``counted`` (met or breached), ``overdue`` (unresolved and past due), ``hours_late``,
        ``idle_hours`` (people x hours late), ``idle_cost``, ``penalty_counted`` (the penalty of
        counted events), ``cost`` and ``period`` (the UTC month the event was due).
    """
    if hourly_cost < 0 or not math.isfinite(hourly_cost):
        raise ValueError(f"hourly_cost must be a finite number >= 0 (got {hourly_cost})")
    moment = parse_as_of(as_of)
    frame = events[events["opened_at"] <= moment].copy()
    resolved = frame["resolved_at"].where(frame["resolved_at"] <= moment)
    known = resolved.notna()
    due = frame["due_at"]
    met = known & (resolved <= due)
    overdue = ~known & (due < moment)
    breached = (known & (resolved > due)) | overdue
    frame["status"] = pd.Categorical(
        np.select([met, breached], ["met", "breached"], "open"), categories=STATUSES
    )
    frame["counted"] = (met | breached).to_numpy(dtype=bool)
    frame["overdue"] = overdue.to_numpy(dtype=bool)
    late = (resolved.fillna(moment) - due).dt.total_seconds() / 3600.0
    frame["hours_late"] = np.where(breached, late, 0.0)
    frame["idle_hours"] = frame["people_affected"] * frame["hours_late"]
    frame["idle_cost"] = frame["idle_hours"] * float(hourly_cost)
    frame["penalty_counted"] = np.where(frame["counted"], frame["penalty"], 0.0)
    frame["cost"] = frame["penalty_counted"] + frame["idle_cost"]
    frame["period"] = to_periods(due.dt.tz_convert("UTC").dt.tz_localize(None), cadence)
    frame.attrs["as_of"] = moment
    frame.attrs["hourly_cost"] = float(hourly_cost)
    return frame


def in_cadence(frame: pd.DataFrame, cadence: str) -> pd.DataFrame:
    """Classified events with ``period`` the due date's period in ``cadence`` (a survey's waves)."""
    if cadence_of(frame["period"]) == cadence:
        return frame
    due = frame["due_at"].dt.tz_convert("UTC").dt.tz_localize(None)
    return frame.assign(period=to_periods(due, cadence))


def as_classified(events: pd.DataFrame, as_of: object, hourly_cost: float) -> pd.DataFrame:
    """``events`` classified as of ``as_of`` (see :func:`classify`), unless they already are and no
    other moment is asked for."""
    if "status" in events.columns and as_of is None:
        return events  # already classified (by classify, which the caller chose the as-of for)
    return classify(events, as_of, hourly_cost=hourly_cost)


def local_times(times: pd.Series, tz: str) -> pd.Series:
    """UTC ``times`` in the zone ``tz`` (an IANA name; ``"UTC"`` leaves them as they are)."""
    return times if tz in ("UTC", "utc", None) else times.dt.tz_convert(tz)


def wilson_interval(successes: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson (1927) score interval for ``successes`` out of ``n`` (NaN, NaN when ``n == 0``); a
    count-based front for :func:`insights.stats.intervals.wilson_interval`."""
    if n <= 0:
        return math.nan, math.nan
    low, high = intervals.wilson_interval(successes / n, n, confidence)
    return float(low), float(high)


_COUNT_COLUMNS = [
    "events",
    "met",
    "breached",
    "open",
    "overdue",
    "attainment",
    "penalties",
    "hours_late",
    "idle_hours",
    "idle_cost",
    "cost",
]


def aggregate(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Counts and sums per group of classified events (``events`` = met + breached).

    One row per group of ``by`` (a single row when ``by`` is empty): ``events, met, breached,
    open, overdue, attainment, penalties, hours_late, idle_hours, idle_cost, cost``.
    """
    work = frame.assign(
        _met=frame["status"].eq("met").to_numpy(dtype=int),
        _breached=frame["status"].eq("breached").to_numpy(dtype=int),
        _open=frame["status"].eq("open").to_numpy(dtype=int),
        _overdue=frame["overdue"].astype(int),
    )
    grouped = work.groupby(by, observed=True, sort=True) if by else None
    sums = {
        "met": "_met",
        "breached": "_breached",
        "open": "_open",
        "overdue": "_overdue",
        "penalties": "penalty_counted",
        "hours_late": "hours_late",
        "idle_hours": "idle_hours",
        "idle_cost": "idle_cost",
        "cost": "cost",
    }
    if grouped is None:
        table = pd.DataFrame({k: [work[v].sum()] for k, v in sums.items()})
    else:
        table = grouped.agg(**{k: (v, "sum") for k, v in sums.items()}).reset_index()
    table.insert(len(by), "events", table["met"] + table["breached"])
    with np.errstate(invalid="ignore", divide="ignore"):
        table["attainment"] = table["met"] / table["events"].where(table["events"] > 0)
    for column in ("events", "met", "breached", "open", "overdue"):
        table[column] = table[column].astype(int)
    return table[[*by, *_COUNT_COLUMNS]]


# --- the sla summary (command line) -----------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class SLASummary:
    """Service-level counts for a selection of events, as of a moment (the ``insights sla`` contract).

    ``events`` counts the events that were due (met + breached); ``open`` those not yet due;
    ``penalties`` sums the penalties of the counted events; ``attainment`` is met / events
    (``NaN`` when nothing was due).  The breakdowns give the same counts per category, per
    weekday and per hour the events were opened (in ``tz``).
    """

    as_of: pd.Timestamp
    client: str | None
    period: str | None
    tz: str
    events: int
    met: int
    breached: int
    open: int
    overdue: int
    attainment: float
    penalties: float
    cost: float
    hourly_cost: float
    by_category: pd.DataFrame
    by_weekday: pd.DataFrame
    by_hour: pd.DataFrame

    def to_dict(self) -> dict[str, Any]:
        """``{"events", "met", "breached", "open", "attainment", "penalties", "by_category",
        "by_weekday", "by_hour"}``; each breakdown row has its key (``category``, ``weekday``
        or ``hour``) and ``events, met, breached, open, attainment, penalties``.  Attainment
        is a fraction (0-1), ``None`` when nothing was due."""
        keys = ["events", "met", "breached", "open", "attainment", "penalties"]
        return {
            "events": int(self.events),
            "met": int(self.met),
            "breached": int(self.breached),
            "open": int(self.open),
            "attainment": json_value(self.attainment),
            "penalties": json_value(self.penalties),
            "by_category": json_records(self.by_category, ["category", *keys]),
            "by_weekday": json_records(self.by_weekday, ["weekday", *keys]),
            "by_hour": json_records(self.by_hour, ["hour", *keys]),
        }

    def __repr__(self) -> str:
        scope = f"client {self.client}" if self.client else "all clients"
        scope += f", due in {self.period}" if self.period else ""
        rate = "n/a" if math.isnan(self.attainment) else f"{100 * self.attainment:.1f}%"
        return (
            f"SLA ({scope}) as of {self.as_of:%Y-%m-%d %H:%M} UTC: {self.events} events due, {self.met} met, "
            f"{self.breached} breached (attainment {rate}), {self.open} open; {self.overdue} overdue; "
            f"penalties {self.penalties:,.2f}, cost of non-delivery {self.cost:,.2f}"
        )


def json_records(frame: pd.DataFrame, columns: Sequence[str]) -> list[dict[str, Any]]:
    """The rows of ``frame`` as JSON-safe dicts of ``columns`` (those it has), for ``to_dict``."""
    present = [c for c in columns if c in frame.columns]
    return [
        {c: json_value(v) for c, v in zip(present, row)} for row in frame[present].itertuples(index=False)
    ]


def select_events(
    events: pd.DataFrame,
    client: str | None = None,
    period: str | pd.Period | None = None,
) -> pd.DataFrame:
    """Events of one client and/or due in one period (``2026-10``, or ``2026-Q3`` for a quarter: the form
    says which); unknown ids or empty periods raise ``SelectionError``."""
    from insights.data.selection import SelectionError

    if client is not None:
        known = sorted(events["client_id"].astype(str).unique())
        if client not in known:
            raise SelectionError(
                f"unknown client id in the events: {client} (the events cover {len(known)} "
                f"clients, e.g. {', '.join(known[:8])})"
            )
        events = events[events["client_id"].astype(str) == client]
    if period is not None:
        period = period if isinstance(period, pd.Period) else parse_any_period(period)
        due = to_periods(events["due_at"].dt.tz_convert("UTC").dt.tz_localize(None), cadence_of(period))
        if not (due == period).any():
            raise SelectionError(
                f"no events due in {format_period(period)} (the events are due from "
                f"{format_period(due.min())} to {format_period(due.max())})"
            )
        events = events[due == period]
    return events


def sla_summary(
    events: pd.DataFrame,
    *,
    as_of: object = None,
    client: str | None = None,
    period: str | pd.Period | None = None,
    tz: str = "UTC",
    hourly_cost: float = DEFAULT_HOURLY_COST,
) -> SLASummary:
    """Met, breached and open counts, attainment and penalties, with breakdowns by category, weekday and hour.

    Parameters
    ----------
    events : pandas.DataFrame
        Validated events (:func:`insights.data.events.load_events`).
    as_of : timestamp, string or None
        The moment of the view (default now).
    client : str, optional
        Only this client's events.
    period : str or Period, optional
        Only the events due in this month (``YYYY-MM``, UTC).
    tz : str
        Time zone of the weekday and hour breakdowns (default UTC).
    hourly_cost : float
        Cost of one idle person-hour (for ``cost``).
    """
    chosen = select_events(events, client, period)
    frame = classify(chosen, as_of, hourly_cost=hourly_cost)
    total = aggregate(frame, []).iloc[0]
    opened = local_times(frame["opened_at"], tz)
    frame = frame.assign(
        weekday=pd.Categorical(opened.dt.day_name(), categories=WEEKDAYS), hour=opened.dt.hour
    )
    by_category = aggregate(frame, ["category"])
    by_weekday = aggregate(frame, ["weekday"]).set_index("weekday").reindex(WEEKDAYS)
    by_hour = aggregate(frame, ["hour"]).set_index("hour").reindex(range(24))
    for table in (by_weekday, by_hour):
        counts = ["events", "met", "breached", "open", "overdue"]
        table[counts] = table[counts].fillna(0).astype(int)
        table[["penalties", "hours_late", "idle_hours", "idle_cost", "cost"]] = table[
            ["penalties", "hours_late", "idle_hours", "idle_cost", "cost"]
        ].fillna(0.0)
    return SLASummary(
        as_of=frame.attrs["as_of"],
        client=client,
        period=None if period is None else str(period),
        tz=tz,
        events=int(total["events"]),
        met=int(total["met"]),
        breached=int(total["breached"]),
        open=int(total["open"]),
        overdue=int(total["overdue"]),
        attainment=float(total["attainment"]),
        penalties=float(total["penalties"]),
        cost=float(total["cost"]),
        hourly_cost=float(hourly_cost),
        by_category=by_category,
        by_weekday=by_weekday.reset_index(names="weekday"),
        by_hour=by_hour.reset_index(names="hour"),
    )


# --- per client and month ---------------------------------------------------------------------------


def attainment_table(
    events: pd.DataFrame,
    *,
    as_of: object = None,
    by: Sequence[str] = ("client_id", "period"),
    hourly_cost: float = DEFAULT_HOURLY_COST,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Attainment, breaches, time late and cost per group (default: per client and due month).

    Returns one row per group with ``events`` (met + breached), ``met, breached, open, overdue,
    attainment`` (fraction), ``ci_low, ci_high`` (Wilson interval of the underlying on-time rate,
    for comparing months; the attainment itself is a count, not an estimate), ``penalties``,
    ``hours_late`` (total), ``median_hours_late`` and ``max_hours_late`` (over breaches),
    ``idle_hours``, ``idle_cost`` and ``cost``.
    """
    frame = as_classified(events, as_of, hourly_cost)
    by = list(by)
    table = aggregate(frame, by)
    late = frame[frame["status"] == "breached"]
    if by:
        lateness = late.groupby(by, observed=True)["hours_late"].agg(
            median_hours_late="median", max_hours_late="max"
        )
        table = table.join(lateness, on=by)
    else:
        table = table.assign(
            median_hours_late=late["hours_late"].median(), max_hours_late=late["hours_late"].max()
        )
    bounds = [wilson_interval(m, n, confidence) for m, n in zip(table["met"], table["events"])]
    table.insert(table.columns.get_loc("attainment") + 1, "ci_low", [b[0] for b in bounds])
    table.insert(table.columns.get_loc("ci_low") + 1, "ci_high", [b[1] for b in bounds])
    return table


def attainment_trend(
    events: pd.DataFrame,
    *,
    end: str | pd.Period,
    months: int = 12,
    as_of: object = None,
    client: str | None = None,
    hourly_cost: float = DEFAULT_HOURLY_COST,
) -> pd.DataFrame:
    """One row per due month over the ``months`` to ``end`` (months without events kept, with zeros)."""
    frame = as_classified(events, as_of, hourly_cost)
    if client is not None:
        frame = frame[frame["client_id"].astype(str) == client]
    end = as_period(end)
    frame = in_cadence(frame, cadence_of(end))
    periods = window(end, months)
    table = (
        attainment_table(frame, by=["period"], hourly_cost=hourly_cost).set_index("period").reindex(periods)
    )
    counts = ["events", "met", "breached", "open", "overdue"]
    table[counts] = table[counts].fillna(0).astype(int)
    sums = ["penalties", "hours_late", "idle_hours", "idle_cost", "cost"]
    table[sums] = table[sums].fillna(0.0)
    return table.reset_index(names="period")


def breaches_by(
    events: pd.DataFrame,
    *,
    as_of: object = None,
    by: Sequence[str] = ("category", "severity"),
    hourly_cost: float = DEFAULT_HOURLY_COST,
) -> pd.DataFrame:
    """Events, breaches, attainment, hours late and cost per category and severity (``unspecified`` when blank).

    Sorted by breaches, most first.
    """
    frame = as_classified(events, as_of, hourly_cost)
    if "severity" in by:
        severity = frame["severity"].astype(object).where(frame["severity"].notna(), "unspecified")
        frame = frame.assign(severity=pd.Categorical(severity, categories=[*SEVERITIES, "unspecified"]))
    table = attainment_table(frame, by=list(by), hourly_cost=hourly_cost)
    table = table[table["events"] + table["open"] > 0]
    return table.sort_values(["breached", "cost"], ascending=False, kind="stable").reset_index(drop=True)


@dataclass(frozen=True, repr=False)
class AttainmentChange:
    """Attainment of one set of events against another: the difference in points with Newcombe's CI
    and Fisher's exact p-value."""

    attainment: float
    baseline: float
    met: int
    events: int
    baseline_met: int
    baseline_events: int
    difference: float
    ci_low: float
    ci_high: float
    p_value: float

    @property
    def significant(self) -> bool:
        return not math.isnan(self.p_value) and self.p_value < ALPHA

    def to_dict(self) -> dict[str, Any]:
        return {k: json_value(v) for k, v in self.__dict__.items()}

    def __repr__(self) -> str:
        if math.isnan(self.difference):
            return "AttainmentChange(n/a: nothing due in one of the two)"
        return (
            f"AttainmentChange({percent_text(self.attainment)} of {self.events} vs {percent_text(self.baseline)} of "
            f"{self.baseline_events}: {100 * self.difference:+.1f} pts, 95% CI {100 * self.ci_low:+.1f} to "
            f"{100 * self.ci_high:+.1f}, Fisher {p_value_text(self.p_value)})"
        )


def compare_attainment(
    met: int, events: int, baseline_met: int, baseline_events: int, confidence: float = 0.95
) -> AttainmentChange:
    """Compare two attainment rates: the difference with Newcombe's (1998) hybrid Wilson score interval
    and Fisher's exact test (two-sided), which stay honest with the small counts of one month.

    Newcombe, R. G. (1998). Interval estimation for the difference between independent proportions.
    *Statistics in Medicine*, 17(8), 873-890.
    """
    if events <= 0 or baseline_events <= 0:
        nan = math.nan
        return AttainmentChange(
            met / events if events else nan,
            baseline_met / baseline_events if baseline_events else nan,
            met,
            events,
            baseline_met,
            baseline_events,
            nan,
            nan,
            nan,
            nan,
        )
    p1, p2 = met / events, baseline_met / baseline_events
    l1, u1 = wilson_interval(met, events, confidence)
    l2, u2 = wilson_interval(baseline_met, baseline_events, confidence)
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    table = [[met, events - met], [baseline_met, baseline_events - baseline_met]]
    p_value = float(stats.fisher_exact(table).pvalue)
    return AttainmentChange(
        p1, p2, int(met), int(events), int(baseline_met), int(baseline_events), d, low, high, p_value
    )


# --- shared with service_timing and service_impact --------------------------------------------------


def percent_text(value: float) -> str:
    """``0.873`` -> ``"87%"`` (``"n/a"`` for NaN), for findings."""
    return "n/a" if value is None or math.isnan(value) else f"{100 * value:.0f}%"


def p_value_text(p: float) -> str:
    """``"p = 0.012"``, or ``"p < 0.001"``, for findings."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
