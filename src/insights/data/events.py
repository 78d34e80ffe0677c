"""Read and validate a file of service events: one thing the firm promised a client by a time.

The events contract (any source :func:`insights.data.read.read_raw` reads; a folder of files is
one source, and every message names the file inside it)
------------------------------------------------------------------------------------------------
===============  =======================================================================
column           rule
===============  =======================================================================
event_id         required, unique
client_id        required
category         required: a deliverable, availability, software, ... (case ignored)
opened_at        required, an ISO 8601 date-time; an offset (``+02:00``) is honoured,
                 none means UTC, a date alone 00:00 UTC
due_at           required, as ``opened_at``, not before it
resolved_at      as ``opened_at``, not before it; blank while unresolved
severity         ``low``, ``medium``, ``high`` or ``critical`` (case ignored); blank = not given
penalty          a number, 0 or more; blank = 0 (a penalty on an event resolved on time is
                 warned about: it still counts)
people_affected  a number, 0 or more; blank = 0 (a fraction of a person is warned about)
===============  =======================================================================

Other columns are kept as they are.  Every problem is reported at once, naming the file, the
column, the rows and their values (:class:`EventsDataError`), like the survey loader.  What the
events mean (met, breached, open, the cost of non-delivery) is :mod:`insights.stats.service_levels`.
"""

from __future__ import annotations

import warnings as _warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from insights.core.errors import DataError, Problem, SurveyDataWarning
from insights.data.contracts import EVENT_OPTIONAL_COLUMNS, EVENT_REQUIRED_COLUMNS, SEVERITIES
from insights.data.read import read_input
from insights.data.sources.base import RowOrigins
from insights.data.validation import Checker, Choice, Dates, Number, Text, Unique

__all__ = [
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "SEVERITIES",
    "EventsDataError",
    "EventsValidation",
    "load_events",
    "validate_events",
]

REQUIRED_COLUMNS = EVENT_REQUIRED_COLUMNS
OPTIONAL_COLUMNS = EVENT_OPTIONAL_COLUMNS
DATE_HINT = "not an ISO 8601 date-time (YYYY-MM-DDTHH:MM, optionally with an offset such as +02:00)"

# Checked in this order (the order problems are listed in); the order of the times is checked
# between the two groups.
_IDS_AND_TIMES = (
    Text("event_id", required=True),
    Text("client_id", required=True),
    Text("category", required=True, lower=True),
    Unique("event_id", "duplicate event ids", noun="event id"),
    Dates("opened_at", hint=DATE_HINT),
    Dates("due_at", hint=DATE_HINT),
    Dates("resolved_at", hint=DATE_HINT, required=False, if_absent=pd.NaT),
)
_DETAILS = (
    Choice(
        "severity",
        SEVERITIES,
        f"unknown severity (expected {', '.join(SEVERITIES[:-1])} or {SEVERITIES[-1]})",
    ),
    Number(
        "penalty",
        low=0,
        outside="negative or infinite values (a penalty is 0 or more)",
        blank_as=0.0,
        if_absent=0.0,
    ),
    Number(
        "people_affected",
        low=0,
        outside="negative or infinite values (a number of people is 0 or more)",
        blank_as=0.0,
        if_absent=0.0,
    ),
)


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
        Any source the survey loader reads (CSV/TSV, Parquet, Excel, a folder of such files, ...;
        see :func:`insights.data.read.read_raw`), holding the columns of the events contract.
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
    raw = read_input(source, "events", EventsDataError)
    result = validate_events(raw.frame, raw.name, raw.origins)
    result.data.attrs["source"] = raw.name
    result.data.attrs["warnings"] = [str(w) for w in result.warnings]
    if warn:
        for problem in result.warnings:
            _warnings.warn(str(problem), SurveyDataWarning, stacklevel=2)
    return result.data


def validate_events(
    raw: pd.DataFrame, source: str = "<events>", origins: RowOrigins | None = None
) -> EventsValidation:
    """Check a raw events frame against the contract; raise :class:`EventsDataError` listing every problem.

    Row numbers in messages count events: row 1 is the first row under the header of its file
    (``origins`` says which file and row each row came from, for a folder).
    """
    check = Checker(raw, source, origins)
    tidy = _check_events(check)
    check.raise_if_problems(EventsDataError)
    return EventsValidation(tidy, source, check.warnings)


def _check_events(check: Checker) -> pd.DataFrame:
    raw = check.raw
    if len(raw) == 0:
        check.problem("no events: the file has a header but no rows")
        return raw
    if check.duplicate_columns():
        return raw
    check.missing_columns(REQUIRED_COLUMNS)
    tidy = check.apply(_IDS_AND_TIMES, pd.DataFrame(index=raw.index))
    _check_time_order(check, tidy)
    check.apply(_DETAILS, tidy)
    known = tidy["severity"].where(tidy["severity"].isin(SEVERITIES)).astype(object)
    tidy["severity"] = pd.Series(
        pd.Categorical(known.where(known.notna(), None), categories=SEVERITIES, ordered=True), index=raw.index
    )
    check.keep_other_columns(tidy)
    if not check.problems:
        _warn_on_valid_events(check, tidy)
        for column in ("event_id", "client_id", "category"):
            tidy[column] = tidy[column].astype("string")
    return tidy


def _check_time_order(check: Checker, tidy: pd.DataFrame) -> None:
    """An event is due, and resolved, no earlier than it was opened."""
    if {"opened_at", "due_at"} <= set(tidy.columns):
        early = (tidy["due_at"] < tidy["opened_at"]).to_numpy(dtype=bool)
        if early.any():
            check.problem("due before opened_at", "due_at", early, check.raw["due_at"])
    if "opened_at" in tidy.columns:
        early = (tidy["resolved_at"] < tidy["opened_at"]).to_numpy(dtype=bool)
        if early.any():
            check.problem("resolved before opened_at", "resolved_at", early, check.raw["resolved_at"])


def _warn_on_valid_events(check: Checker, tidy: pd.DataFrame) -> None:
    on_time = tidy["resolved_at"].notna() & (tidy["resolved_at"] <= tidy["due_at"]) & (tidy["penalty"] > 0)
    if on_time.any():
        check.warn(
            "a penalty on events resolved on time (still counted in penalties)",
            "penalty",
            on_time.to_numpy(dtype=bool),
            check.raw["penalty"],
        )
    fractional = (tidy["people_affected"] != np.round(tidy["people_affected"])).to_numpy(dtype=bool)
    if fractional.any():
        check.warn(
            "non-integer numbers of people", "people_affected", fractional, check.raw["people_affected"]
        )
