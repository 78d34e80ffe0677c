"""Read and validate the two optional inputs about people: the contact list and the team's self-assessment.

The contacts contract (one row per person; any source :func:`insights.data.read.read_raw` reads)
------------------------------------------------------------------------------------------------
=================  =====================================================================
column             rule
=================  =====================================================================
respondent_id      required, unique: the id the person answers the survey under
client_id          required: the client the person belongs to
name               required: shown only with ``show_names`` (``--show-names``)
role               required: e.g. "Executive sponsor", "Project lead"
preferred_channel  ``email``, ``phone``, ``in person`` or ``chat`` (case, ``-`` and ``_``
                   ignored: "In-Person" is "in person", "e-mail" is "email"); blank = not stated
detail_level       ``brief`` or ``detailed``; blank = not stated
primary            true/false (also yes/no, y/n, 1/0); blank = false; at most one primary
                   contact per client (a client without one is warned about)
=================  =====================================================================

The self-assessment contract (the team rates itself, one row per client, month and component)
-----------------------------------------------------------------------------------------------
=========  =========================================================================
column     rule
=========  =========================================================================
client_id  required
period     required, ``YYYY-MM`` (a date cell from Excel is read as its month)
component  required: a driver of the survey definition, by column name or label
           (case ignored): ``quality`` or ``Quality of work``
score      required, on the driver scale (default 1-5); half points are fine
=========  =========================================================================

Column names are matched ignoring case, surrounding spaces, and spaces or dashes for
underscores ("Preferred Channel" is ``preferred_channel``).  From a DuckDB file or a database
URL the tables ``contacts`` and ``self_assessment`` are read unless a table or query is given.
Every problem is reported at once, naming the file, the column, the rows and their values
(:class:`PeopleDataError`), like the survey loader.  The analysis of people is
:mod:`insights.stats.people` and :mod:`insights.stats.perception`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from insights.core.errors import DataError
from insights.core.periods import PeriodError, form, freq, noun, parse_period, to_periods
from insights.data.contracts import (
    CHANNEL_ALIASES,
    CHANNELS,
    CONTACT_COLUMNS,
    DETAIL_LEVELS,
    NOT_STATED,
    SELF_ASSESSMENT_COLUMNS,
)
from insights.data.read import read_input
from insights.data.survey import SurveyDefinition, resolve_survey
from insights.data.validation import MAX_PROBLEM_ROWS, Boolean, Checker, Choice, Number, Text, Unique

__all__ = [
    "CHANNELS",
    "CONTACT_COLUMNS",
    "DETAIL_LEVELS",
    "NOT_STATED",
    "SELF_ASSESSMENT_COLUMNS",
    "PeopleDataError",
    "read_contacts",
    "read_self_assessment",
]

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _channel_words(text: pd.Series) -> pd.Series:
    """``"In-Person"`` and ``"in_person"`` -> ``"in person"``: case, dashes and underscores ignored."""
    return text.str.lower().str.replace(r"[\s_\-]+", " ", regex=True)


_CONTACT_RULES = (
    Text("respondent_id", required=True),
    Text("client_id", required=True),
    Text("name", required=True),
    Text("role", required=True),
    Unique("respondent_id", "duplicate respondent ids (one row per person)", noun="respondent id"),
    Choice(
        "preferred_channel",
        {**{channel: channel for channel in CHANNELS}, **CHANNEL_ALIASES},
        f"values other than {', '.join(CHANNELS)}",
        normalise=_channel_words,
        default=NOT_STATED,
    ),
    Choice(
        "detail_level", DETAIL_LEVELS, f"values other than {', '.join(DETAIL_LEVELS)}", default=NOT_STATED
    ),
    Boolean("primary"),
)


class PeopleDataError(DataError):
    """A contacts or self-assessment file that cannot be used; ``problems`` lists every problem."""

    default_source = "<people>"


def read_contacts(
    source: str | Path | pd.DataFrame,
    *,
    sheet: str | None = None,
    table: str | None = None,
    query: str | None = None,
) -> pd.DataFrame:
    """Read and validate a contact list (see the module docstring for the contract).

    Returns one row per person: ``respondent_id, client_id, name, role`` as text,
    ``preferred_channel`` and ``detail_level`` (``"not stated"`` when blank) and ``primary``
    (bool).  ``df.attrs["warnings"]`` lists what did not stop it (a client without a primary).

    Raises
    ------
    PeopleDataError
        Listing every problem (file, column, rows, values): missing columns, blank ids, names
        or roles, duplicate respondent ids, unknown channels or detail levels, primary values
        that are not true/false, more than one primary contact for a client.
    """
    check = _checker(source, "contacts", "contacts", sheet, table, query)
    _require_columns(check, CONTACT_COLUMNS)
    tidy = check.apply(_CONTACT_RULES, pd.DataFrame(index=check.raw.index))
    if not check.problems:
        _check_primaries(check, tidy)
    check.raise_if_problems(PeopleDataError)
    tidy = tidy.astype(
        {c: str for c in ("respondent_id", "client_id", "name", "role", "preferred_channel", "detail_level")}
    )
    tidy.attrs["source"] = check.source
    tidy.attrs["warnings"] = [str(w) for w in check.warnings]
    return tidy.reset_index(drop=True)


def read_self_assessment(
    source: str | Path | pd.DataFrame,
    survey: SurveyDefinition | str | Path | None = None,
    *,
    sheet: str | None = None,
    table: str | None = None,
    query: str | None = None,
) -> pd.DataFrame:
    """Read and validate the team's self-assessment (see the module docstring for the contract).

    Returns ``client_id`` (text), ``period`` (monthly Period), ``component`` (the driver's column
    name) and ``score`` (float).

    Raises
    ------
    PeopleDataError
        Listing every problem: missing columns or values, periods not YYYY-MM, components the
        survey does not rate, non-numeric scores or scores off the driver scale, the same
        client, period and component twice.
    """
    definition = resolve_survey(survey)
    check = _checker(source, "self-assessment rows", "self_assessment", sheet, table, query)
    _require_columns(check, SELF_ASSESSMENT_COLUMNS)
    tidy = check.apply([Text("client_id", required=True)], pd.DataFrame(index=check.raw.index))
    tidy["period"] = _periods(check, "period", definition.cadence)
    # A component is named by the driver's column name or its label, case ignored.
    drivers = {d.lower(): d for d in definition.driver_names}
    drivers.update({label.strip().lower(): d for d, label in definition.drivers.items()})
    scale = definition.driver_scale
    rules = [
        Choice(
            "component",
            drivers,
            f"not a driver of the survey ({', '.join(definition.driver_names)})",
            required=True,
        ),
        Number(
            "score",
            required=True,
            low=scale.min,
            high=scale.max,
            outside=f"values outside the driver scale {scale}",
            decimal_comma=True,
        ),
    ]
    check.apply(rules, tidy)
    if not check.problems:
        key = tidy[["client_id", "period", "component"]].astype(str)
        repeated = key.duplicated(keep=False)
        if repeated.any():
            check.problem(
                "the same client, period and component more than once",
                None,
                repeated,
                key["client_id"] + " " + key["period"] + " " + key["component"],
            )
    check.raise_if_problems(PeopleDataError)
    tidy["client_id"] = tidy["client_id"].astype(str)
    tidy["component"] = tidy["component"].astype(str)
    tidy.attrs["source"] = check.source
    return tidy.reset_index(drop=True)


def _checker(source, what: str, default_table: str, sheet, table, query) -> Checker:
    """Read ``source`` (a database gets ``default_table`` unless told otherwise) into a checker
    whose column names are normalised: ``"Preferred Channel"`` is ``preferred_channel``."""
    raw = read_input(
        source, what, PeopleDataError, sheet=sheet, table=table, query=query, default_table=default_table
    )
    frame = raw.frame.set_axis([_normalise_column(c) for c in raw.frame.columns], axis=1)
    return Checker(frame, raw.name, raw.origins)


def _normalise_column(name: object) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def _require_columns(check: Checker, required: tuple[str, ...]) -> None:
    """Every column of the contract, each once; otherwise nothing else can be checked."""
    check.duplicate_columns()
    check.missing_columns(required, detail=f" (expected {', '.join(required)})")
    check.raise_if_problems(PeopleDataError)


def _check_primaries(check: Checker, tidy: pd.DataFrame) -> None:
    """At most one primary contact per client; a client without one is warned about."""
    primaries = tidy[tidy["primary"]].groupby("client_id")["respondent_id"].size()
    several = tidy["client_id"].isin(primaries[primaries > 1].index) & tidy["primary"]
    if several.any():
        check.problem(
            "more than one primary contact for a client (mark one per client)",
            "primary",
            several,
            tidy["client_id"] + ": " + tidy["respondent_id"],
        )
    without = sorted(set(tidy["client_id"]) - set(primaries.index))
    if without:
        listed = ", ".join(without[:MAX_PROBLEM_ROWS])
        more = f" and {len(without) - MAX_PROBLEM_ROWS} more" if len(without) > MAX_PROBLEM_ROWS else ""
        check.warn(f"{len(without)} client(s) without a primary contact: {listed}{more}", "primary")


def _periods(check: Checker, column: str, cadence: str = "month") -> pd.Series:
    """``YYYY-MM`` months; a date cell (Excel turns a month into its first day) is read as its month.

    For a survey of another cadence, periods in its form (``2026-Q3``), or a month or date read as
    the period that holds it.
    """
    if cadence != "month":
        return _cadence_periods(check, column, cadence)
    original = check.raw[column]
    if pd.api.types.is_datetime64_any_dtype(original):
        blank = original.isna()
        if blank.any():
            check.problem("missing values", column, blank)
        return original.dt.to_period("M")
    text = check.text(column)
    blank = text.isna()
    if blank.any():
        check.problem("missing values", column, blank)
    month = text.str.extract(r"^(\d{4}-\d{2})(?:-01(?:[ T]00:00(?::00)?)?)?$")[0]
    bad = ~blank & ~month.fillna("").str.match(_PERIOD)
    if bad.any():
        check.problem("not a month of the form YYYY-MM", column, bad, original)
    return pd.Series(
        [pd.Period(m, "M") if isinstance(m, str) and _PERIOD.match(m) else pd.NaT for m in month],
        index=original.index,
        dtype="period[M]",
    )


def _cadence_periods(check: Checker, column: str, cadence: str) -> pd.Series:
    """Periods of a quarterly, half-yearly or yearly survey: ``2026-Q3`` (its form), or a month or date."""
    original = check.raw[column]
    blank = original.isna() | (original.astype("string").str.strip() == "")
    if blank.any():
        check.problem("missing values", column, blank)
    if pd.api.types.is_datetime64_any_dtype(original):
        return to_periods(original, cadence)
    found = []
    for value in original.astype("string").str.strip():
        try:
            found.append(parse_period(value, cadence) if value is not pd.NA else pd.NaT)
        except PeriodError:
            month = pd.to_datetime(str(value), errors="coerce", format="mixed")
            found.append(pd.NaT if month is pd.NaT else to_periods(pd.Series([month]), cadence).iloc[0])
    result = pd.Series(found, index=original.index, dtype=f"period[{freq(cadence)}]")
    bad = ~blank & result.isna()
    if bad.any():
        check.problem(
            f"not a {noun(cadence)} of the form {form(cadence)}, a month or a date", column, bad, original
        )
    return result
