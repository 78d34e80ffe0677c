"""Validate raw survey responses against the contract and return a tidy, typed DataFrame.

The contract (see the README) is a list of column rules checked by the validation core,
:mod:`insights.data.validation`: every problem is collected, so a user fixes a file in one pass
instead of one error at a time, and every message names the file, column, rows and values.
This module adds what is particular to responses: the columns the survey definition names, the
weights, and the warnings on valid data (few responses, repeated respondents, straight-lining).

Every check is vectorised: a million responses validate in about a second.  Text that has to
be parsed (numbers and dates in a CSV, where every cell is text) is parsed once per distinct
value, not once per row, and the per-client checks work on integer codes.  Nothing here loops
over rows in Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from insights.core.errors import Problem, SurveyDataError
from insights.core.periods import noun, to_periods
from insights.data.sources.base import RowOrigins
from insights.data.survey import Scale, SurveyDefinition
from insights.data.validation import MAX_PROBLEM_ROWS, Checker, Choice, Dates, Number, Rule, Text, Unique

REQUIRED_COLUMNS = ("response_id", "client_id", "submitted_at", "overall_satisfaction")
OPTIONAL_TEXT_COLUMNS = ("client_name", "respondent_id", "comment")
CLIENT_TYPES = ("external", "internal")
DATE_HINT = "not an ISO 8601 date (YYYY-MM-DD or YYYY-MM-DDTHH:MM)"


@dataclass(frozen=True)
class ValidationResult:
    """A validated survey: the tidy data, the warnings that did not stop it, and what the reader
    left out on the way (``excluded``: Qualtrics previews, unfinished responses... with counts),
    the files read (``files``: name -> responses, for a folder) and ``notes`` about the reading."""

    data: pd.DataFrame
    source: str
    warnings: list[Problem] = field(default_factory=list)
    excluded: dict[str, int] = field(default_factory=dict)
    files: dict[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def validate_frame(
    raw: pd.DataFrame, survey: SurveyDefinition, source: str, origins: RowOrigins | None = None
) -> ValidationResult:
    """Check ``raw`` against the survey contract; raise :class:`SurveyDataError` listing every problem.

    ``origins`` says which file and row each row came from (a folder of files); problems then
    name the file and its own row numbers.  Without it, row 1 is the first row of ``raw``.
    """
    check = Checker(raw, source, origins)
    tidy = _check_responses(check, survey)
    check.raise_if_problems(SurveyDataError)
    return ValidationResult(tidy, source, check.warnings)


def response_rules(survey: SurveyDefinition) -> list[Rule]:
    """The column rules of the responses contract, in the order they are checked and laid out."""
    return [
        Text("response_id", required=True),
        Text("client_id", required=True),
        Unique("response_id", "duplicate response ids", noun="response id"),
        Text("client_name", if_absent=pd.NA),
        Choice("client_type", CLIENT_TYPES, "values other than 'external' or 'internal'", default="external"),
        Text("respondent_id", if_absent=pd.NA),
        # Responses have always listed missing dates before unreadable ones.
        Dates("submitted_at", hint=DATE_HINT, aware=False, missing_first=True),
        _score("overall_satisfaction", survey.overall_scale, required=True),
        _score("likelihood_to_recommend", survey.nps_scale, if_absent=np.nan),
        *(_score(driver, survey.driver_scale) for driver in survey.driver_names),
        Text("comment", strip=False, if_absent=pd.NA),
    ]


def _score(column: str, scale: Scale, **options) -> Number:
    return Number(
        column,
        low=scale.min,
        high=scale.max,
        outside=f"values outside {scale}",
        fractional=f"non-integer ratings on the {scale} scale",
        **options,
    )


def _check_responses(check: Checker, survey: SurveyDefinition) -> pd.DataFrame:
    raw = check.raw
    check.missing_columns(REQUIRED_COLUMNS)
    missing_drivers = [d for d in survey.driver_names if d not in raw.columns]
    if missing_drivers:
        check.problem(
            f"missing driver column(s) {', '.join(missing_drivers)} named in the survey definition "
            f"({survey.source})"
        )
    if check.duplicate_columns():
        return raw
    tidy = check.apply(response_rules(survey), pd.DataFrame(index=raw.index))
    if "client_id" in tidy:
        tidy["client_name"] = tidy["client_name"].fillna(tidy["client_id"])
    if "submitted_at" in tidy:
        tidy.insert(
            tidy.columns.get_loc("submitted_at") + 1,
            "period",
            to_periods(tidy["submitted_at"], survey.cadence),
        )
    if "weight" in raw.columns:
        tidy["weight"] = _weight(check)
    check.keep_other_columns(tidy)
    if not check.problems:
        codes = _Codes.of(tidy)
        _warn_on_valid_data(check, tidy, survey, codes)
        tidy = _finish_types(tidy, codes)
    return tidy


def _weight(check: Checker) -> pd.Series:
    weights = check.numbers("weight")
    values = weights.to_numpy()
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(values) & ~(values > 0) | np.isinf(values)
    if bad.any():
        check.problem("weights must be positive numbers", "weight", bad, check.raw["weight"])
    blank = check.blank("weight")
    if blank.any():
        check.problem("missing weights (give every response a weight, or drop the column)", "weight", blank)
    return weights


# --- warnings on valid data ------------------------------------------------------------------------


def _warn_on_valid_data(check: Checker, tidy: pd.DataFrame, survey: SurveyDefinition, codes: _Codes) -> None:
    """Few responses per client, clients of both types, repeated respondents, straight-lining."""
    counts = np.bincount(codes.client, minlength=len(codes.clients))
    few = np.flatnonzero(counts < survey.min_client_responses)  # in client id order
    if len(few):
        listed = ", ".join(f"{codes.clients[i]} ({counts[i]})" for i in few[:MAX_PROBLEM_ROWS])
        more = f" and {len(few) - MAX_PROBLEM_ROWS} more" if len(few) > MAX_PROBLEM_ROWS else ""
        check.warnings.append(
            Problem(
                check.source,
                f"{len(few)} client(s) with fewer than {survey.min_client_responses} responses: {listed}{more}",
                "client_id",
            )
        )
    internal = codes.internal_rows_per_client
    mixed = np.flatnonzero((internal > 0) & (internal < counts))
    if len(mixed):
        check.warn(
            "client(s) marked both external and internal: "
            f"{', '.join(str(codes.clients[i]) for i in mixed[:MAX_PROBLEM_ROWS])}"
            " (the most common type is used)",
            "client_type",
        )
    answered = codes.respondent >= 0
    if answered.any():
        repeat = _duplicated_keys(codes.respondent, codes.client, codes.period) & answered
        if repeat.any():
            check.warn(
                f"the same respondent answered more than once in a {noun(survey.cadence)}",
                "respondent_id",
                repeat,
                tidy["respondent_id"],
            )
    drivers = [d for d in survey.driver_names if d in tidy.columns]
    if len(drivers) >= 3:
        first = tidy[drivers[0]].to_numpy(dtype="float64")
        same = np.ones(len(first), dtype=bool)
        for driver in drivers:
            # NaN never equals anything, so a blank anywhere rules a row out.
            same &= tidy[driver].to_numpy(dtype="float64") == first
        if same.any():
            check.warn("identical answers to every driver (straight-lining)", None, same)


def _finish_types(tidy: pd.DataFrame, codes: _Codes) -> pd.DataFrame:
    # One type per client: the most common one (external on a tie), so a stray row cannot split a
    # client in two.
    counts = np.bincount(codes.client, minlength=len(codes.clients))
    internal_client = codes.internal_rows_per_client * 2 > counts
    tidy["client_id"] = pd.Categorical.from_codes(codes.client, dtype=pd.CategoricalDtype(codes.clients))
    tidy["client_type"] = pd.Categorical.from_codes(
        internal_client[codes.client].astype(np.int8), categories=list(CLIENT_TYPES)
    )
    tidy["respondent_id"] = pd.Categorical.from_codes(
        codes.respondent, dtype=pd.CategoricalDtype(codes.respondents)
    )
    tidy["response_id"] = tidy["response_id"].astype("string")
    tidy["client_name"] = tidy["client_name"].astype("string")
    tidy["comment"] = tidy["comment"].astype("string")
    return tidy


@dataclass(frozen=True)
class _Codes:
    """Integer codes for the per-client checks on valid data: clients and respondents in sorted
    order (the categories of the typed columns), months as period ordinals."""

    client: np.ndarray
    clients: pd.Index
    respondent: np.ndarray  # -1 where there is no respondent
    respondents: pd.Index
    period: np.ndarray
    internal_rows_per_client: np.ndarray

    @classmethod
    def of(cls, tidy: pd.DataFrame) -> _Codes:
        client, clients = pd.factorize(tidy["client_id"], sort=True)
        respondent, respondents = pd.factorize(tidy["respondent_id"], sort=True, use_na_sentinel=True)
        internal = (tidy["client_type"] == "internal").to_numpy(dtype=bool)
        return cls(
            client=client,
            clients=clients,
            respondent=respondent,
            respondents=respondents,
            period=tidy["period"].array.asi8,
            internal_rows_per_client=np.bincount(client[internal], minlength=len(clients)),
        )


def _duplicated_keys(*codes: np.ndarray) -> np.ndarray:
    """Rows whose combination of integer codes occurs more than once (``duplicated(keep=False)``)."""
    key = np.zeros(len(codes[0]), dtype=np.int64)
    size = 1  # key < size
    for part in codes:
        part = np.asarray(part, dtype=np.int64)
        if not len(part):
            return np.zeros(0, dtype=bool)
        low, high = int(part.min()), int(part.max())
        width = high - low + 1
        if size * width >= 2**62:
            # Re-number the combinations seen so far, so the key never overflows.
            key, uniques = pd.factorize(key)
            key, size = key.astype(np.int64), len(uniques)
        key = key * width + (part - low)
        size *= width
    if size <= 4 * len(key) + 1024:
        counts = np.bincount(key, minlength=size)
        return counts[key] > 1
    return pd.Series(key).duplicated(keep=False).to_numpy(dtype=bool)
