"""Service levels: what non-delivery costs, when it happens, and how it moves satisfaction.

A *service event* is one thing the firm promised a client by a time: a deliverable, a system's
availability, a turnaround, a hardware or software fix, a service request.  This module reads
and validates a file of them (the contract is in the README, "Service levels") and analyses it
with pure functions on DataFrames: nothing here plots, prints or touches disk except
:func:`load_events`.

Status rules
------------
Every event is judged *as of* a moment (``as_of``; the command line's ``--as-of``, default now):

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
Date-times are parsed with their offsets (``2026-03-02T09:00+02:00``) and compared in UTC;
a date-time without an offset is taken to be UTC, and a date alone means 00:00 UTC at the start
of that day.  Months (``period``, the *due* month) are UTC months.  The weekday and hour of an
event (breakdowns, heat map, weekday test) are those of ``opened_at`` in UTC unless a ``tz``
(an IANA zone such as ``"Europe/Berlin"``) is given.

Cost of non-delivery
--------------------
``cost = penalty + people_affected x hours_late x hourly_cost`` per counted event, where
``hours_late`` is the time from the due time to the resolution (to the as-of moment while a
breach is still running) and ``hourly_cost`` (default :data:`DEFAULT_HOURLY_COST`, 60 per hour)
is what an idle person costs the client: a loaded labour cost, to be set per engagement.
Met and open events have no hours late.

Analyses
--------
* :func:`attainment_table` / :func:`attainment_trend`: attainment per client and due month with
  a Wilson (1927) interval for the underlying breach rate, breaches, hours late and cost;
* :func:`breaches_by`: breaches by category and severity;
* :func:`breach_heatmap_counts`: weekday x hour counts of breaches;
* :func:`weekday_test`: does the weekday an event is opened change its chance of breaching?
  The right null is *not* "breaches are spread evenly over the week": work is not (weekends are
  quiet), so Mondays would look hot just by having more events.  The null is that breaches
  follow the weekday distribution of the events that could breach (met + breached), i.e. that
  breaching is independent of the weekday.  It is tested with Pearson's chi-square test of
  independence on the weekday x (breached, met) table -- the exact version of a goodness-of-fit
  test of breaches per weekday against the events' weekday shares, which would ignore that those
  shares are estimated from the same events.  With expected counts under 5 the p-value comes
  from a Monte Carlo permutation of the breach labels (Hope 1968).  Days that stand out are
  named from Haberman's (1973) adjusted residuals with a Bonferroni bound over the days.
* :func:`satisfaction_panel` / :func:`satisfaction_impact`: a client x month panel joining
  breaches to mean overall satisfaction, and a two-way fixed-effects regression
  ``satisfaction ~ breaches this month + breaches last month + client + month`` weighted by the
  responses behind each mean, with standard errors clustered by client (Cameron & Miller 2015),
  so a client is compared with itself in other months and a common bad month is not taken for
  an effect of breaches.  Findings claim nothing that is not significant at the 95% level, and
  the association is not proof of cause.

References
----------
Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to cluster-robust inference.
*Journal of Human Resources*, 50(2), 317-372.

Haberman, S. J. (1973). The analysis of residuals in cross-classified tables. *Biometrics*,
29(1), 205-220.

Hope, A. C. A. (1968). A simplified Monte Carlo significance test procedure. *Journal of the
Royal Statistical Society, Series B*, 30(3), 582-598.

Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
*Journal of the American Statistical Association*, 22(158), 209-212.

Wooldridge, J. M. (2010). *Econometric Analysis of Cross Section and Panel Data* (2nd ed.),
ch. 10. MIT Press.
"""

from __future__ import annotations

import math
import warnings as _warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from insights.core.errors import (
    MAX_ROWS_SHOWN,
    DataError,
    InsightsError,
    Problem,
    SurveyDataError,
    SurveyDataWarning,
)
from insights.core.jsonsafe import json_value

__all__ = [
    "DEFAULT_HOURLY_COST",
    "DEFAULT_TARGET",
    "REQUIRED_COLUMNS",
    "OPTIONAL_COLUMNS",
    "SEVERITIES",
    "WEEKDAYS",
    "EventsDataError",
    "EventsValidation",
    "ImpactResult",
    "AttainmentChange",
    "SLASummary",
    "WeekdayTest",
    "attainment_table",
    "attainment_trend",
    "breach_heatmap_counts",
    "breaches_by",
    "classify",
    "compare_attainment",
    "load_events",
    "parse_as_of",
    "satisfaction_impact",
    "satisfaction_panel",
    "sla_summary",
    "validate_events",
    "weekday_test",
]

REQUIRED_COLUMNS = ("event_id", "client_id", "category", "opened_at", "due_at")
OPTIONAL_COLUMNS = ("resolved_at", "severity", "penalty", "people_affected")
SEVERITIES = ("low", "medium", "high", "critical")
STATUSES = ("met", "breached", "open")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: What one idle person-hour costs the client, in the currency of the penalties.
DEFAULT_HOURLY_COST = 60.0
#: The default service-level target for attainment (95% of events met).
DEFAULT_TARGET = 0.95
ALPHA = 0.05
#: Below this many clients, cluster-robust standard errors are too small (Cameron & Miller 2015).
FEW_CLUSTERS = 20
#: Monte Carlo permutations behind the weekday test when expected counts are small.
PERMUTATIONS = 4999
_DATE_HINT = "not an ISO 8601 date-time (YYYY-MM-DDTHH:MM, optionally with an offset such as +02:00)"


# --- errors and reading ---------------------------------------------------------------------------


class EventsDataError(DataError):
    """A service-events file that cannot be used; ``problems`` lists every problem found."""

    default_source = "<events>"


@dataclass(frozen=True)
class EventsValidation:
    """A validated events file: the tidy data and the warnings that did not stop it."""

    data: pd.DataFrame
    source: str
    warnings: list[Problem] = field(default_factory=list)


def load_events(source: str | Path | pd.DataFrame, *, warn: bool = True) -> pd.DataFrame:
    """Read and validate a service-events file; return one typed row per event.

    Parameters
    ----------
    source : path or DataFrame
        Any source the survey loader reads (CSV/TSV, Parquet, Excel, ...; see
        :func:`insights.data.read.read_source`), holding the columns of the events contract.
    warn : bool
        Emit data warnings as :class:`insights.core.errors.SurveyDataWarning`; they are also kept in
        ``df.attrs["warnings"]``.

    Returns
    -------
    pandas.DataFrame
        ``event_id, client_id, category`` (text; category in lower case), ``opened_at, due_at,
        resolved_at`` (UTC date-times, ``NaT`` while unresolved), ``severity`` (ordered
        categorical, ``NaN`` when not given), ``penalty`` and ``people_affected`` (floats, 0 when
        blank), then any extra columns as they were.

    Raises
    ------
    EventsDataError
        Listing every problem (file, column, rows, values): missing columns, blank or duplicate
        event ids, unparseable dates, due before opened, resolved before opened, unknown
        severities, negative or non-numeric penalties and people counts, an empty file.
    """
    from insights.data.read import read_source

    try:
        raw, name = read_source(source)
    except SurveyDataError as exc:
        raise EventsDataError([_as_events_problem(p) for p in exc.problems]) from None
    result = validate_events(raw, name)
    result.data.attrs["source"] = name
    result.data.attrs["warnings"] = [str(w) for w in result.warnings]
    if warn:
        for problem in result.warnings:
            _warnings.warn(str(problem), SurveyDataWarning, stacklevel=2)
    return result.data


def _as_events_problem(problem: Problem) -> Problem:
    message = problem.message.replace("no responses:", "no events:")
    return Problem(problem.source, message, problem.column, problem.rows, problem.values)


def validate_events(raw: pd.DataFrame, source: str = "<events>") -> EventsValidation:
    """Check a raw events frame against the contract; raise :class:`EventsDataError` listing every problem.

    Row numbers in messages count events: row 1 is the first row under the header.
    """
    checker = _EventsChecker(raw, source)
    tidy = checker.run()
    if checker.problems:
        raise EventsDataError(checker.problems)
    return EventsValidation(tidy, source, checker.warnings)


class _EventsChecker:
    def __init__(self, raw: pd.DataFrame, source: str):
        self.raw = raw.reset_index(drop=True)
        self.source = source
        self.rows = np.arange(1, len(self.raw) + 1)
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def _make(self, message, column=None, mask=None, values=None) -> Problem:
        if mask is None:
            return Problem(self.source, message, column)
        mask = np.asarray(mask, dtype=bool)
        shown = () if values is None else tuple(np.asarray(values, dtype=object)[mask][:MAX_ROWS_SHOWN])
        return Problem(self.source, message, column, tuple(int(r) for r in self.rows[mask]), shown)

    def problem(self, *args, **kwargs) -> None:
        self.problems.append(self._make(*args, **kwargs))

    def warn(self, *args, **kwargs) -> None:
        self.warnings.append(self._make(*args, **kwargs))

    def run(self) -> pd.DataFrame:
        raw = self.raw
        if len(raw) == 0:
            self.problem("no events: the file has a header but no rows")
            return raw
        duplicated = raw.columns[raw.columns.duplicated()].unique().tolist()
        if duplicated:
            self.problem(f"column(s) appear more than once: {', '.join(map(str, duplicated))}")
            return raw
        missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
        if missing:
            self.problem(f"missing required column(s): {', '.join(missing)}")
        tidy = pd.DataFrame(index=raw.index)
        for column in ("event_id", "client_id", "category"):
            if column in raw.columns:
                tidy[column] = self._required_text(column)
        if "event_id" in tidy:
            ids = tidy["event_id"]
            dup = (ids.duplicated(keep=False) & ids.notna()).to_numpy(dtype=bool)
            if dup.any():
                self.problem("duplicate event ids", "event_id", dup, ids)
        if "category" in tidy:
            tidy["category"] = tidy["category"].str.lower()
        for column in ("opened_at", "due_at"):
            if column in raw.columns:
                tidy[column] = self._dates(column, required=True)
        tidy["resolved_at"] = (
            self._dates("resolved_at", required=False)
            if "resolved_at" in raw.columns
            else pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns, UTC]")
        )
        if {"opened_at", "due_at"} <= set(tidy.columns):
            early = (tidy["due_at"] < tidy["opened_at"]).to_numpy(dtype=bool)
            if early.any():
                self.problem("due before opened_at", "due_at", early, raw["due_at"])
        if "opened_at" in tidy.columns:
            early = (tidy["resolved_at"] < tidy["opened_at"]).to_numpy(dtype=bool)
            if early.any():
                self.problem("resolved before opened_at", "resolved_at", early, raw["resolved_at"])
        tidy["severity"] = self._severity()
        for column, what in (("penalty", "a penalty"), ("people_affected", "a number of people")):
            tidy[column] = self._non_negative(column, what)
        for extra in raw.columns:
            if extra not in tidy.columns:
                tidy[extra] = raw[extra]
        if not self.problems:
            self._warnings(tidy)
            tidy["event_id"] = tidy["event_id"].astype("string")
            tidy["client_id"] = tidy["client_id"].astype("string")
            tidy["category"] = tidy["category"].astype("string")
        return tidy

    def _text(self, column: str) -> pd.Series:
        original = self.raw[column]
        if pd.api.types.is_float_dtype(original):
            finite = original.dropna()
            if len(finite) and np.isfinite(finite).all() and (finite == np.round(finite)).all():
                original = original.astype("Int64")  # ids stored as numbers read as 1017, not 1017.0
        text = original.astype("string").str.strip()
        return text.mask(text == "")

    def _required_text(self, column: str) -> pd.Series:
        text = self._text(column)
        blank = text.isna().to_numpy(dtype=bool)
        if blank.any():
            self.problem("missing values", column, blank)
        return text

    def _dates(self, column: str, required: bool) -> pd.Series:
        original = self.raw[column]
        if pd.api.types.is_datetime64_any_dtype(original):
            parsed = original
            parsed = parsed.dt.tz_convert("UTC") if parsed.dt.tz is not None else parsed.dt.tz_localize("UTC")
            blank = parsed.isna()
        else:
            # Excel and databases hand over datetime objects (naive ones are taken as UTC)
            values = (
                original.map(lambda v: v.isoformat() if hasattr(v, "isoformat") else v)
                if original.dtype == object
                else original
            )
            text = values.astype("string").str.strip()
            text = text.mask(text == "")
            blank = text.isna()
            parsed = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=True)
            bad = (parsed.isna() & ~blank).to_numpy(dtype=bool)
            if bad.any():
                self.problem(_DATE_HINT, column, bad, original)
        if required and blank.any():
            self.problem("missing dates", column, blank.to_numpy(dtype=bool))
        return parsed.astype("datetime64[ns, UTC]")

    def _severity(self) -> pd.Series:
        if "severity" not in self.raw.columns:
            return pd.Series(
                pd.Categorical([None] * len(self.raw), categories=SEVERITIES, ordered=True),
                index=self.raw.index,
            )
        text = self._text("severity").str.lower()
        bad = (text.notna() & ~text.isin(SEVERITIES)).to_numpy(dtype=bool)
        if bad.any():
            self.problem(
                f"unknown severity (expected {', '.join(SEVERITIES[:-1])} or {SEVERITIES[-1]})",
                "severity",
                bad,
                self.raw["severity"],
            )
        return pd.Series(
            pd.Categorical(
                text.where(~bad).astype(object).where(text.notna() & ~bad, None),
                categories=SEVERITIES,
                ordered=True,
            ),
            index=self.raw.index,
        )

    def _non_negative(self, column: str, what: str) -> pd.Series:
        if column not in self.raw.columns:
            return pd.Series(0.0, index=self.raw.index)
        original = self.raw[column]
        if pd.api.types.is_numeric_dtype(original) and not pd.api.types.is_bool_dtype(original):
            numbers = original.astype("float64")
        else:
            text = self._text(column)
            numbers = pd.to_numeric(text, errors="coerce").astype("float64")
            bad = (numbers.isna() & text.notna()).to_numpy(dtype=bool)
            if bad.any():
                self.problem("non-numeric values", column, bad, original)
        negative = ((numbers < 0) | np.isinf(numbers)).to_numpy(dtype=bool)
        if negative.any():
            self.problem(f"negative or infinite values ({what} is 0 or more)", column, negative, original)
        return numbers.fillna(0.0)

    def _warnings(self, tidy: pd.DataFrame) -> None:
        on_time = (
            tidy["resolved_at"].notna() & (tidy["resolved_at"] <= tidy["due_at"]) & (tidy["penalty"] > 0)
        )
        if on_time.any():
            self.warn(
                "a penalty on events resolved on time (still counted in penalties)",
                "penalty",
                on_time.to_numpy(dtype=bool),
                self.raw["penalty"],
            )
        fractional = (tidy["people_affected"] != np.round(tidy["people_affected"])).to_numpy(dtype=bool)
        if fractional.any():
            self.warn(
                "non-integer numbers of people", "people_affected", fractional, self.raw["people_affected"]
            )


# --- status -----------------------------------------------------------------------------------------


def parse_as_of(value: object = None) -> pd.Timestamp:
    """The as-of moment in UTC: ``None`` is now; a string is ISO 8601 (offsets honoured, none = UTC).

    A date alone (``"2026-04-01"``) is 00:00 UTC at the start of that day, so "the end of March" is
    ``"2026-04-01"``.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return pd.Timestamp.now(tz="UTC")
    try:
        stamp = pd.Timestamp(value.strip() if isinstance(value, str) else value)
    except (ValueError, TypeError):
        raise InsightsError(
            f"as-of '{value}' is not an ISO 8601 date or date-time (e.g. 2026-04-01 or "
            "2026-03-31T18:00+02:00)"
        ) from None
    if stamp is pd.NaT:
        raise InsightsError(f"as-of '{value}' is not a date")
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def classify(
    events: pd.DataFrame, as_of: object = None, *, hourly_cost: float = DEFAULT_HOURLY_COST
) -> pd.DataFrame:
    """Each event's status as of ``as_of`` (see the module docstring), with its lateness and cost.

    Parameters
    ----------
    events : pandas.DataFrame
        Validated events (:func:`load_events`).
    as_of : timestamp, string or None
        The moment of the view (default: now); see :func:`parse_as_of`.
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
    frame["period"] = due.dt.tz_convert("UTC").dt.tz_localize(None).dt.to_period("M")
    frame.attrs["as_of"] = moment
    frame.attrs["hourly_cost"] = float(hourly_cost)
    return frame


def _classified(events: pd.DataFrame, as_of, hourly_cost) -> pd.DataFrame:
    if "status" in events.columns and as_of is None:
        return events  # already classified (by classify, which the caller chose the as-of for)
    return classify(events, as_of, hourly_cost=hourly_cost)


def _local(times: pd.Series, tz: str) -> pd.Series:
    return times if tz in ("UTC", "utc", None) else times.dt.tz_convert(tz)


def wilson_interval(successes: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson (1927) score interval for a proportion (NaN, NaN when ``n == 0``)."""
    if n <= 0:
        return math.nan, math.nan
    z = stats.norm.ppf(0.5 + confidence / 2)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


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


def _aggregate(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Counts and sums per group of classified events (``events`` = met + breached)."""
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
            "by_category": _records(self.by_category, ["category", *keys]),
            "by_weekday": _records(self.by_weekday, ["weekday", *keys]),
            "by_hour": _records(self.by_hour, ["hour", *keys]),
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


def _records(frame: pd.DataFrame, columns: Sequence[str]) -> list[dict[str, Any]]:
    present = [c for c in columns if c in frame.columns]
    return [
        {c: json_value(v) for c, v in zip(present, row)} for row in frame[present].itertuples(index=False)
    ]


def select_events(
    events: pd.DataFrame,
    client: str | None = None,
    period: str | pd.Period | None = None,
) -> pd.DataFrame:
    """Events of one client and/or due in one month; unknown ids or empty months raise ``SelectionError``."""
    from insights.data.selection import SelectionError, parse_period

    if client is not None:
        known = sorted(events["client_id"].astype(str).unique())
        if client not in known:
            raise SelectionError(
                f"unknown client id in the events: {client} (the events cover {len(known)} "
                f"clients, e.g. {', '.join(known[:8])})"
            )
        events = events[events["client_id"].astype(str) == client]
    if period is not None:
        period = period if isinstance(period, pd.Period) else parse_period(period)
        due = events["due_at"].dt.tz_convert("UTC").dt.tz_localize(None).dt.to_period("M")
        if not (due == period).any():
            raise SelectionError(
                f"no events due in {period} (the events are due from {due.min()} to {due.max()})"
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
        Validated events (:func:`load_events`).
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
    total = _aggregate(frame, []).iloc[0]
    opened = _local(frame["opened_at"], tz)
    frame = frame.assign(
        weekday=pd.Categorical(opened.dt.day_name(), categories=WEEKDAYS), hour=opened.dt.hour
    )
    by_category = _aggregate(frame, ["category"])
    by_weekday = _aggregate(frame, ["weekday"]).set_index("weekday").reindex(WEEKDAYS)
    by_hour = _aggregate(frame, ["hour"]).set_index("hour").reindex(range(24))
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
    frame = _classified(events, as_of, hourly_cost)
    by = list(by)
    table = _aggregate(frame, by)
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
    frame = _classified(events, as_of, hourly_cost)
    if client is not None:
        frame = frame[frame["client_id"].astype(str) == client]
    end = pd.Period(end, "M")
    periods = pd.period_range(end=end, periods=months, freq="M")
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
    frame = _classified(events, as_of, hourly_cost)
    if "severity" in by:
        severity = frame["severity"].astype(object).where(frame["severity"].notna(), "unspecified")
        frame = frame.assign(severity=pd.Categorical(severity, categories=[*SEVERITIES, "unspecified"]))
    table = attainment_table(frame, by=list(by), hourly_cost=hourly_cost)
    table = table[table["events"] + table["open"] > 0]
    return table.sort_values(["breached", "cost"], ascending=False, kind="stable").reset_index(drop=True)


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
    frame = _classified(events, as_of, DEFAULT_HOURLY_COST)
    chosen = frame[frame["counted"]] if status == "counted" else frame[frame["status"] == status]
    stamps = _local(chosen[when], tz)
    grid = pd.crosstab(
        pd.Categorical(stamps.dt.day_name(), categories=WEEKDAYS),
        pd.Categorical(stamps.dt.hour, categories=range(24)),
        dropna=False,
    )
    grid = grid.reindex(index=list(WEEKDAYS), columns=range(24), fill_value=0).astype(int)
    grid.index.name, grid.columns.name = "weekday", "hour"
    return grid


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
            f"AttainmentChange({_pct(self.attainment)} of {self.events} vs {_pct(self.baseline)} of "
            f"{self.baseline_events}: {100 * self.difference:+.1f} pts, 95% CI {100 * self.ci_low:+.1f} to "
            f"{100 * self.ci_high:+.1f}, Fisher {_p_text(self.p_value)})"
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
            "table": _records(
                self.table,
                [
                    "weekday",
                    "events",
                    "breached",
                    "expected",
                    "breach_rate",
                    "ci_low",
                    "ci_high",
                    "residual",
                    "hot",
                ],
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
    frame = _classified(events, as_of, DEFAULT_HOURLY_COST)
    due = frame[frame["counted"]]
    stamps = _local(due[when], tz)
    day = pd.Categorical(stamps.dt.day_name(), categories=WEEKDAYS)
    breached = (due["status"] == "breached").to_numpy()
    events_per_day = pd.Series(day).value_counts().reindex(WEEKDAYS, fill_value=0)
    breaches_per_day = pd.Series(day[breached]).value_counts().reindex(WEEKDAYS, fill_value=0)
    present = events_per_day[events_per_day > 0].index.tolist()
    n, b = int(len(due)), int(breached.sum())
    empty = pd.DataFrame(
        columns=[
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
    )
    reason = None
    if n == 0:
        reason = "no events were due"
    elif len(present) < 2:
        reason = "events on fewer than two weekdays"
    elif b == 0 or b == n:
        reason = "no breaches" if b == 0 else "every event breached"
    if reason:
        return WeekdayTest("insufficient data", reason, math.nan, 0, math.nan, "none", n, b, empty)

    counts = events_per_day[present].to_numpy(dtype=float)
    hits = breaches_per_day[present].to_numpy(dtype=float)
    share = b / n
    expected = counts * share
    expected_met = counts * (1 - share)
    statistic = float(
        np.sum((hits - expected) ** 2 / expected + ((counts - hits) - expected_met) ** 2 / expected_met)
    )
    dof = len(present) - 1
    if min(expected.min(), expected_met.min()) < 5:
        codes = pd.Categorical(np.asarray(day, dtype=object), categories=present).codes
        rng = np.random.default_rng(seed)
        labels = breached.astype(float)
        exceed = 0
        for _ in range(PERMUTATIONS):
            permuted = np.bincount(codes, weights=rng.permutation(labels), minlength=len(present))
            x = np.sum((permuted - expected) ** 2 / expected + (permuted - expected) ** 2 / expected_met)
            exceed += x >= statistic - 1e-9
        p_value = (exceed + 1) / (PERMUTATIONS + 1)
        method = f"chi-square test of independence, Monte Carlo p ({PERMUTATIONS} permutations)"
    else:
        p_value = float(stats.chi2.sf(statistic, dof))
        method = "chi-square test of independence"
    residual = (hits - expected) / np.sqrt(expected * (1 - share) * (1 - counts / n))
    bound = stats.norm.ppf(1 - ALPHA / 2 / len(present))
    bounds = [wilson_interval(h, c) for h, c in zip(hits, counts)]
    table = pd.DataFrame(
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
    result = WeekdayTest("ok", None, statistic, dof, float(p_value), method, n, b, table)
    return WeekdayTest(
        "ok", None, statistic, dof, float(p_value), method, n, b, table, _weekday_findings(result, when)
    )


def _pct(value: float) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{100 * value:.0f}%"


def _p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _weekday_findings(result: WeekdayTest, when: str) -> list[str]:
    moment = "opened" if when == "opened_at" else "due"
    test = f"chi-square {result.statistic:.1f}, {result.dof} df, {_p_text(result.p_value)}"
    if not result.significant:
        return [
            f"No evidence that the weekday an event is {moment} changes its chance of breaching ({test})."
        ]
    found = [f"Breaching depends on the weekday an event is {moment} ({test})."]
    table = result.table
    for row in table[table["hot"]].itertuples():
        rest = table[table["weekday"] != row.weekday]
        rest_rate = rest["breached"].sum() / rest["events"].sum()
        found.append(
            f"{row.weekday}s are hot: {_pct(row.breach_rate)} of the events {moment} on a {row.weekday} "
            f"breached (95% CI {_pct(row.ci_low)} to {_pct(row.ci_high)}), against {_pct(rest_rate)} "
            "on the other days."
        )
    if not result.hot_days:
        found.append("No single weekday stands out once the seven comparisons are allowed for.")
    return found


# --- the link with satisfaction ---------------------------------------------------------------------


def satisfaction_panel(
    events: pd.DataFrame,
    responses: pd.DataFrame,
    *,
    as_of: object = None,
    outcome: str = "overall_satisfaction",
) -> pd.DataFrame:
    """A client x month panel: mean satisfaction joined to the month's and the previous month's breaches.

    Event counts are by due month over the months the events file covers (first to last due
    month, not past the as-of month); a covered month without events counts zero.  Clients with
    no events at all are left out (the file may not cover them).  ``breaches_prev`` is ``NaN``
    when the previous month is not covered.

    Returns
    -------
    pandas.DataFrame
        ``client_id, period, n_responses, satisfaction`` (mean ``outcome``), ``events, met,
        breached, attainment, cost`` and ``breaches_prev``; one row per client-month with
        responses and covered events.
    """
    frame = _classified(events, as_of, DEFAULT_HOURLY_COST)
    moment = frame.attrs.get("as_of", parse_as_of(as_of))
    frame = frame.assign(client_id=frame["client_id"].astype(str))
    if frame.empty:
        return pd.DataFrame(
            columns=[
                "client_id",
                "period",
                "n_responses",
                "satisfaction",
                "events",
                "met",
                "breached",
                "attainment",
                "cost",
                "breaches_prev",
            ]
        )
    last = min(frame["period"].max(), pd.Period(moment.tz_convert("UTC").tz_localize(None), "M"))
    periods = pd.period_range(frame["period"].min(), last, freq="M")
    clients = sorted(frame["client_id"].unique())
    grid = pd.MultiIndex.from_product([clients, periods], names=["client_id", "period"])
    counts = _aggregate(frame, ["client_id", "period"]).set_index(["client_id", "period"])
    counts = counts[["events", "met", "breached", "cost"]].reindex(grid)
    counts[["events", "met", "breached"]] = counts[["events", "met", "breached"]].fillna(0).astype(int)
    counts["cost"] = counts["cost"].fillna(0.0)
    counts["attainment"] = counts["met"] / counts["events"].where(counts["events"] > 0)
    counts["breaches_prev"] = counts.groupby(level="client_id")["breached"].shift(1).astype(float)
    counts = counts.reset_index()

    answered = responses[responses[outcome].notna()]
    cells = (
        answered.assign(client_id=answered["client_id"].astype(str))
        .groupby(["client_id", "period"], observed=True)[outcome]
        .agg(n_responses="size", satisfaction="mean")
        .reset_index()
    )
    panel = cells.merge(counts, on=["client_id", "period"], how="inner")
    columns = [
        "client_id",
        "period",
        "n_responses",
        "satisfaction",
        "events",
        "met",
        "breached",
        "attainment",
        "cost",
        "breaches_prev",
    ]
    return panel[columns].sort_values(["client_id", "period"]).reset_index(drop=True)


@dataclass(frozen=True, eq=False, repr=False)
class ImpactResult:
    """The effect of service-level breaches on satisfaction (see :func:`satisfaction_impact`).

    ``coefficients`` has one row per breach term (``breached``: this month's breaches;
    ``breaches_prev``: last month's): ``term, label, coef, se, ci_low, ci_high, p`` -- the change
    in mean satisfaction per breach, within client, with cluster-robust 95% CIs.
    """

    status: str
    reason: str | None
    outcome: str
    n_obs: int
    n_clients: int
    n_responses: int
    weighted: bool
    time_effects: bool
    r2_within: float
    mean_breaches: float
    coefficients: pd.DataFrame
    se_type: str = "cluster"
    warnings: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def effect(self, term: str = "breached") -> pd.Series:
        """The row of ``coefficients`` for ``term`` (``"breached"`` or ``"breaches_prev"``)."""
        return self.coefficients.set_index("term").loc[term]

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "reason": self.reason,
            "outcome": self.outcome,
            "n_obs": self.n_obs,
            "n_clients": self.n_clients,
            "n_responses": self.n_responses,
            "weighted": self.weighted,
            "time_effects": self.time_effects,
            "r2_within": json_value(self.r2_within),
            "mean_breaches": json_value(self.mean_breaches),
            "se_type": self.se_type,
            "coefficients": _records(
                self.coefficients, ["term", "label", "coef", "se", "ci_low", "ci_high", "p"]
            ),
            "warnings": list(self.warnings),
            "findings": list(self.findings),
        }

    def __repr__(self) -> str:
        if not self.ok:
            return f"ImpactResult(insufficient data: {self.reason})"
        effects = "month" if self.time_effects else "no month"
        head = (
            f"ImpactResult({self.outcome} ~ breaches + last month's breaches + client"
            f"{' + month' if self.time_effects else ''} effects; {self.n_obs} client-months, "
            f"{self.n_clients} clients, {self.n_responses} responses; SE clustered by client; "
            f"{'weighted by responses' if self.weighted else 'unweighted'}; {effects} effects; "
            f"within R2 = {self.r2_within:.3f})"
        )
        table = self.coefficients[["label", "coef", "se", "ci_low", "ci_high", "p"]]
        return head + "\n" + table.to_string(index=False, float_format=lambda v: f"{v:.4f}")


_TERM_LABELS = {"breached": "Breaches this month", "breaches_prev": "Breaches last month"}


def satisfaction_impact(
    panel: pd.DataFrame,
    *,
    weighted: bool = True,
    time_effects: bool = True,
    outcome: str = "overall_satisfaction",
    confidence: float = 0.95,
) -> ImpactResult:
    """Effect of this month's and last month's breaches on mean satisfaction, with client fixed effects.

    Fits ``satisfaction ~ breached + breaches_prev + C(client_id) [+ C(period)]`` on a
    :func:`satisfaction_panel` by weighted least squares (weights: responses behind each
    client-month mean, when ``weighted``), with standard errors clustered by client (CR1, ``t``
    with G - 1 degrees of freedom).  The client effects absorb every stable difference between
    clients (size, mood, contract), so the slopes compare a client with itself in months with
    more or fewer breaches; the month effects absorb what hit every client at once.

    Returns
    -------
    ImpactResult
        ``status == "insufficient data"`` (with a ``reason``) when fewer than 3 clients have two
        or more usable months, breaches never vary within a client, or there are no spare
        degrees of freedom.
    """
    import statsmodels.formula.api as smf

    data = panel.dropna(subset=["satisfaction", "breached", "breaches_prev"]).copy()
    data["client_id"] = data["client_id"].astype(str)
    data["period"] = data["period"].astype(str)
    months_per_client = data.groupby("client_id")["period"].nunique()
    data = data[data["client_id"].isin(months_per_client[months_per_client >= 2].index)]
    n_clients = int(data["client_id"].nunique())
    empty = pd.DataFrame(columns=["term", "label", "coef", "se", "ci_low", "ci_high", "p"])

    def insufficient(reason: str) -> ImpactResult:
        return ImpactResult(
            "insufficient data",
            reason,
            outcome,
            int(len(data)),
            n_clients,
            int(data["n_responses"].sum()) if len(data) else 0,
            weighted,
            time_effects,
            math.nan,
            math.nan,
            empty,
        )

    if n_clients < 3:
        return insufficient(f"{n_clients} client(s) with two or more months of responses and events (need 3)")
    within = data.groupby("client_id")[["breached", "breaches_prev"]].transform(lambda s: s - s.mean())
    if not (within["breached"].abs() > 1e-12).any():
        return insufficient("breaches never vary within a client")
    n_params = 2 + n_clients + (data["period"].nunique() - 1 if time_effects else 0)
    if len(data) - n_params < 5:
        return insufficient(f"{len(data)} client-months for {n_params} parameters")

    fixed = "C(client_id)" + (" + C(period)" if time_effects else "")
    weights = data["n_responses"].to_numpy(dtype=float) if weighted else np.ones(len(data))
    groups = pd.Categorical(data["client_id"]).codes
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")
        model = smf.wls(f"satisfaction ~ breached + breaches_prev + {fixed}", data, weights=weights).fit(
            cov_type="cluster", cov_kwds={"groups": groups}, use_t=True
        )
        base = smf.wls(f"satisfaction ~ {fixed}", data, weights=weights).fit()
    interval = model.conf_int(alpha=1 - confidence)
    rows = []
    for term in ("breached", "breaches_prev"):
        rows.append(
            {
                "term": term,
                "label": _TERM_LABELS[term],
                "coef": float(model.params[term]),
                "se": float(model.bse[term]),
                "ci_low": float(interval.loc[term, 0]),
                "ci_high": float(interval.loc[term, 1]),
                "p": float(model.pvalues[term]),
            }
        )
    coefficients = pd.DataFrame(rows)
    r2_within = 1 - model.ssr / base.ssr if base.ssr > 0 else math.nan
    caveats = []
    if n_clients < FEW_CLUSTERS:
        caveats.append(
            f"only {n_clients} clients: cluster-robust standard errors may be too small "
            f"(fewer than {FEW_CLUSTERS} clusters)"
        )
    result = ImpactResult(
        "ok",
        None,
        outcome,
        int(len(data)),
        n_clients,
        int(data["n_responses"].sum()),
        weighted,
        time_effects,
        float(r2_within),
        float(data["breached"].mean()),
        coefficients,
        warnings=caveats,
    )
    return ImpactResult(**{**result.__dict__, "findings": _impact_findings(result, data, confidence)})


def _impact_findings(result: ImpactResult, data: pd.DataFrame, confidence: float) -> list[str]:
    level = f"{100 * confidence:g}%"
    found = []
    phrases = {"breached": "in the same month", "breaches_prev": "in the following month"}
    subjects = {"breached": "Each breach in a month", "breaches_prev": "Each breach in the previous month"}
    for row in result.coefficients.itertuples():
        if row.p < 1 - confidence:
            direction = "lower" if row.coef < 0 else "higher"
            found.append(
                f"{subjects[row.term]} goes with {abs(row.coef):.2f} points {direction} mean satisfaction "
                f"{phrases[row.term]} ({level} CI {row.ci_low:+.2f} to {row.ci_high:+.2f}, "
                f"{_p_text(row.p)}), comparing each client with itself."
            )
        else:
            found.append(
                f"No detectable link between {_TERM_LABELS[row.term].lower()} and satisfaction "
                f"(estimate {row.coef:+.2f}, {level} CI {row.ci_low:+.2f} to {row.ci_high:+.2f} includes zero)."
            )
    significant = result.coefficients[result.coefficients["p"] < 1 - confidence].set_index("term")["coef"]
    if len(significant) and (significant < 0).all():
        bad = float(np.percentile(data["breached"], 90))
        if bad >= 1:
            total = float(significant.sum()) * bad
            span = (
                "over that month and the next"
                if len(significant) == 2
                else "that month"
                if "breached" in significant.index
                else "the month after"
            )
            found.append(
                f"A bad month ({bad:.0f} breaches, the 90th percentile of client-months) goes with about "
                f"{abs(total):.2f} points lower mean satisfaction {span}."
            )
    found.append("This is an association within clients over time, not proof that breaches cause the drop.")
    return found
