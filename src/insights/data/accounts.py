"""Read and validate an accounts file: one row per client and month, with its revenue, margin and status.

The accounts contract (any source :func:`insights.data.read.read_raw` reads; a folder of files is
one source, and every message names the file inside it)
------------------------------------------------------------------------------------------------
===============  =======================================================================
column           rule
===============  =======================================================================
client_id        required: the survey's client id
period           required, a month ``YYYY-MM``; one row per client and month
revenue          required, a number, 0 or more
margin           required, a number (gross margin, an amount; may be negative)
writeoffs        a number, 0 or more; blank (or no column) = 0
status           required: ``active``, ``closed`` (the project or contract ended as planned) or
                 ``lost`` (the client left); case ignored
account_owner    who sold and owns the relationship; blank (or no column) = ``(none)``
===============  =======================================================================

Other columns are kept as they are.  Every problem is reported at once, naming the file, the
column, the rows and their values (:class:`AccountsDataError`), like the survey loader.  A client
in the accounts but not the survey, or the reverse, is a warning naming the ids
(:func:`compare_clients`).  What the accounts mean (the churn model, revenue at risk, owners'
books) is :mod:`insights.stats.value`.
"""

from __future__ import annotations

import warnings as _warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from insights.core.errors import DataError, Problem, SurveyDataWarning
from insights.data.read import read_input
from insights.data.sources.base import RowOrigins
from insights.data.validation import Checker, Choice, Number, Text

__all__ = [
    "ACCOUNT_STATUSES",
    "NO_OWNER",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "AccountsDataError",
    "AccountsValidation",
    "compare_clients",
    "load_accounts",
    "validate_accounts",
]

REQUIRED_COLUMNS = ("client_id", "period", "revenue", "margin", "status")
OPTIONAL_COLUMNS = ("writeoffs", "account_owner")
ACCOUNT_STATUSES = ("active", "closed", "lost")
NO_OWNER = "(none)"
MAX_IDS_SHOWN = 10
_PERIOD_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"

_RULES = (
    Text("client_id", required=True),
    Number("revenue", required=True, low=0, outside="negative or infinite values (revenue is 0 or more)"),
    Number("margin", required=True, outside="infinite values (a margin is a finite amount)"),
    Number(
        "writeoffs",
        low=0,
        outside="negative or infinite values (write-offs are 0 or more)",
        blank_as=0.0,
        if_absent=0.0,
    ),
    Choice("status", ACCOUNT_STATUSES, "unknown status (expected active, closed or lost)", required=True),
    Text("account_owner", if_absent=NO_OWNER),
)


class AccountsDataError(DataError):
    """An accounts file that cannot be used; ``problems`` lists every problem found."""

    default_source = "<accounts>"


@dataclass(frozen=True)
class AccountsValidation:
    """A validated accounts file: the tidy data and the warnings that did not stop it."""

    data: pd.DataFrame
    source: str
    warnings: list[Problem] = field(default_factory=list)


def load_accounts(
    source: str | Path | pd.DataFrame, *, responses: pd.DataFrame | None = None, warn: bool = True
) -> pd.DataFrame:
    """Read and validate an accounts file; return one typed row per client and month.

    Parameters
    ----------
    source : path or DataFrame
        Any source the survey loader reads (CSV/TSV, Parquet, Excel, a folder of such files, ...),
        holding the columns of the accounts contract.
    responses : DataFrame, optional
        The validated survey responses: clients in one but not the other are warned about.
    warn : bool
        Emit data warnings as :class:`insights.core.errors.SurveyDataWarning`; they are also kept in
        ``df.attrs["warnings"]``.

    Returns
    -------
    pandas.DataFrame
        ``client_id`` (text), ``period`` (monthly ``Period``), ``revenue``, ``margin``, ``writeoffs``
        (floats), ``status`` (text, lower case), ``account_owner`` (text, ``(none)`` when blank), then
        any extra columns, sorted by client and period.

    Raises
    ------
    AccountsDataError
        Listing every problem (file, column, rows, values): missing columns, blank ids, bad months,
        negative revenue or write-offs, non-numeric amounts, unknown statuses, the same client and
        month twice, an empty file.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"client_id": ["C1"], "period": ["2026-01"], "revenue": [100],
    ...                     "margin": [30], "status": ["Active"]})
    >>> load_accounts(raw)[["client_id", "period", "status", "writeoffs"]].to_dict("records")
    [{'client_id': 'C1', 'period': Period('2026-01', 'M'), 'status': 'active', 'writeoffs': 0.0}]
    """
    raw = read_input(source, "accounts", AccountsDataError)
    result = validate_accounts(raw.frame, raw.name, raw.origins)
    problems = list(result.warnings)
    if responses is not None:
        problems.extend(compare_clients(result.data, responses, raw.name))
    result.data.attrs["source"] = raw.name
    result.data.attrs["warnings"] = [str(w) for w in problems]
    if warn:
        for problem in problems:
            _warnings.warn(str(problem), SurveyDataWarning, stacklevel=2)
    return result.data


def validate_accounts(
    raw: pd.DataFrame, source: str = "<accounts>", origins: RowOrigins | None = None
) -> AccountsValidation:
    """Check a raw accounts frame against the contract; raise :class:`AccountsDataError` listing every problem.

    Row numbers in messages count rows under the header of their file.
    """
    check = Checker(raw, source, origins)
    tidy = _check_accounts(check)
    check.raise_if_problems(AccountsDataError)
    tidy = tidy.sort_values(["client_id", "period"], kind="stable").reset_index(drop=True)
    return AccountsValidation(tidy, source, check.warnings)


def _check_accounts(check: Checker) -> pd.DataFrame:
    raw = check.raw
    if len(raw) == 0:
        check.problem("no accounts: the file has a header but no rows")
        return raw
    if check.duplicate_columns():
        return raw
    if check.missing_columns(REQUIRED_COLUMNS):
        return raw
    tidy = pd.DataFrame(index=raw.index)
    tidy["client_id"] = pd.Series(pd.NA, index=raw.index, dtype="string")
    check.apply(_RULES[:1], tidy)
    tidy["period"] = _periods(check)
    check.apply(_RULES[1:], tidy)
    _check_one_row_per_month(check, tidy)
    check.keep_other_columns(tidy)
    if not check.problems:
        tidy["client_id"] = tidy["client_id"].astype(str)
        tidy["account_owner"] = tidy["account_owner"].fillna(NO_OWNER).astype(str)
        tidy["status"] = tidy["status"].astype(str)
        _warn_on_valid_accounts(check, tidy)
    return tidy


def _periods(check: Checker) -> pd.Series:
    """The ``period`` column as monthly periods; anything but ``YYYY-MM`` is a problem."""
    text = check.text("period")
    blank = text.isna().to_numpy(dtype=bool)
    if blank.any():
        check.problem("missing values", "period", blank, check.raw["period"])
    good = text.str.match(_PERIOD_PATTERN).fillna(False).to_numpy(dtype=bool)
    bad = ~good & ~blank
    if bad.any():
        check.problem("not a month (expected YYYY-MM)", "period", bad, check.raw["period"])
    months = pd.Series(pd.NaT, index=check.raw.index, dtype="period[M]")
    if good.any():
        months[good] = pd.PeriodIndex(text[good].astype(str), freq="M")
    return months


def _check_one_row_per_month(check: Checker, tidy: pd.DataFrame) -> None:
    known = tidy["client_id"].notna() & tidy["period"].notna()
    twice = (known & tidy[["client_id", "period"]].astype(str).duplicated(keep=False)).to_numpy(dtype=bool)
    if twice.any():
        values = check.raw["client_id"].astype(str) + " " + check.raw["period"].astype(str)
        check.problem("the same client and month more than once", "period", twice, values)


def _warn_on_valid_accounts(check: Checker, tidy: pd.DataFrame) -> None:
    above = (tidy["margin"] > tidy["revenue"]).to_numpy(dtype=bool)
    if above.any():
        check.warn("margin above revenue (kept as given)", "margin", above, check.raw["margin"])


def compare_clients(
    accounts: pd.DataFrame, responses: pd.DataFrame, source: str = "<accounts>"
) -> list[Problem]:
    """Warnings for clients in the accounts but not the survey responses, and the reverse.

    Examples
    --------
    >>> a = pd.DataFrame({"client_id": ["C1", "C2"]})
    >>> r = pd.DataFrame({"client_id": ["C1", "C3"]})
    >>> [str(p) for p in compare_clients(a, r, "accounts.csv")]  # doctest: +NORMALIZE_WHITESPACE
    ['accounts.csv: client_id: 1 client(s) in the accounts but not the survey responses: C2',
     'accounts.csv: client_id: 1 client(s) in the survey responses but not the accounts: C3']
    """
    mine = set(accounts["client_id"].astype(str))
    theirs = set(responses["client_id"].astype(str))
    found = []
    for ids, where in (
        (mine - theirs, "in the accounts but not the survey responses"),
        (theirs - mine, "in the survey responses but not the accounts"),
    ):
        if ids:
            listed = sorted(ids)
            more = f" and {len(listed) - MAX_IDS_SHOWN} more" if len(listed) > MAX_IDS_SHOWN else ""
            found.append(
                Problem(
                    source,
                    f"{len(listed)} client(s) {where}: {', '.join(listed[:MAX_IDS_SHOWN])}{more}",
                    "client_id",
                )
            )
    return found
