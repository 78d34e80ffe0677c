"""One validation core for every input: declarative column rules and one collector of problems.

Survey responses (:mod:`insights.data.schema`), service events (:mod:`insights.data.events`),
contacts and the team's self-assessment (:mod:`insights.data.people`) are all checked here, the
same way:

* every check runs on the whole file and every problem is collected, so a user fixes a file in
  one pass instead of one error at a time;
* every message names the file (for a folder: the file inside it), the column, the rows (row 1
  is the first data row of that file, as a user counts under the header) and the first few
  offending values -- see :meth:`insights.data.sources.base.RowOrigins.problems`;
* text that has to be parsed (numbers and dates in a CSV, where every cell is text) is parsed
  once per distinct value, not once per row: a million responses validate in about a second.

A contract is a list of rules applied in order by :meth:`Checker.apply`, each adding its typed
column to the tidy frame: :class:`Text`, :class:`Unique`, :class:`Choice`, :class:`Number`,
:class:`Dates` and :class:`Boolean`.  What no rule says (a due time before the opening time, a
client with two primary contacts) is checked by the input's own module with the same collector.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from insights.core.errors import MAX_ROWS_SHOWN, DataError, Problem
from insights.data.sources.base import RowOrigins

__all__ = [
    "MAX_PROBLEM_ROWS",
    "OMIT",
    "Boolean",
    "Checker",
    "Choice",
    "Dates",
    "Number",
    "Text",
    "Unique",
    "as_text",
    "is_number",
]

#: Only a handful of rows and values are named per problem; the counts say how many there are.
MAX_PROBLEM_ROWS = MAX_ROWS_SHOWN


class _Omit:
    def __repr__(self) -> str:
        return "OMIT"


#: A rule's ``if_absent``: when the raw column is absent, leave the tidy column out (a required
#: column, reported once by :meth:`Checker.missing_columns`).
OMIT = _Omit()

TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1", "1.0", "x"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0", "0.0", ""})


def is_number(series: pd.Series) -> bool:
    """Whether a column already holds numbers (booleans are not numbers here)."""
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def as_text(series: pd.Series, strip: bool = True) -> pd.Series:
    """``series`` as pandas strings, blanks (and, with ``strip``, whitespace-only cells) as ``<NA>``.

    Whole numbers stored as floats (ids from SPSS, Excel or a database) read as ``1017``, not
    ``1017.0``.
    """
    if pd.api.types.is_float_dtype(series):
        finite = series.dropna()
        if len(finite) and (finite.abs() < 2**53).all() and (finite == np.round(finite)).all():
            series = series.astype("Int64")
    text = series.astype("string")
    if strip:
        text = text.str.strip()
    return text.mask(text == "")


class Checker:
    """Collects every problem and warning found in one raw frame, with rows numbered as a user counts them.

    Parameters
    ----------
    raw : pandas.DataFrame
        The rows as a reader found them (any index; it is reset).
    source : str
        The name messages give the input (a file name, a masked URL, ``"<DataFrame>"``).
    origins : RowOrigins, optional
        Which file and row each row came from (a folder of files); problems then name the file
        and its own row numbers.  Without it, row 1 is the first row of ``raw``.
    """

    def __init__(self, raw: pd.DataFrame, source: str, origins: RowOrigins | None = None):
        self.raw = raw.reset_index(drop=True)
        self.source = source
        if origins is None or len(origins) != len(self.raw):
            origins = RowOrigins.sequential(len(self.raw))
        self.origins = origins
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        # Cleaned text per (column, strip): several checks need the same column as text.
        self._texts: dict[tuple[str, bool], pd.Series] = {}

    # --- collecting -------------------------------------------------------------------------------

    def problem(self, message: str, column: str | None = None, mask=None, values=None) -> None:
        """Record a problem; with a ``mask``, one per file holding masked rows, naming them."""
        self.problems.extend(self._located(message, column, mask, values))

    def warn(self, message: str, column: str | None = None, mask=None, values=None) -> None:
        """Record a warning (something odd that does not stop the input), located like a problem."""
        self.warnings.extend(self._located(message, column, mask, values))

    def _located(self, message, column, mask, values) -> list[Problem]:
        return self.origins.problems(self.source, message, column, mask, values, limit=MAX_PROBLEM_ROWS)

    def raise_if_problems(self, error: type[DataError]) -> None:
        """Raise ``error`` listing every problem found so far (nothing when there is none)."""
        if self.problems:
            raise error(self.problems)

    # --- the columns ------------------------------------------------------------------------------

    def duplicate_columns(self) -> list[str]:
        """Column names that appear more than once (reported); the frame cannot be checked further."""
        duplicated = [str(c) for c in self.raw.columns[self.raw.columns.duplicated()].unique()]
        if duplicated:
            self.problem(f"column(s) appear more than once: {', '.join(duplicated)}")
        return duplicated

    def missing_columns(self, required: Iterable[str], detail: str = "") -> list[str]:
        """Required columns the frame lacks (reported once, with ``detail`` after the list)."""
        missing = [c for c in required if c not in self.raw.columns]
        if missing:
            self.problem(f"missing required column(s): {', '.join(missing)}{detail}")
        return missing

    def keep_other_columns(self, tidy: pd.DataFrame) -> None:
        """Columns the contract does not name are kept as they were, after the checked ones."""
        known = set(tidy.columns)
        for extra in self.raw.columns:
            if extra not in known:
                tidy[extra] = self.raw[extra]

    def apply(self, rules: Sequence[Rule], tidy: pd.DataFrame) -> pd.DataFrame:
        """Apply ``rules`` in order, each adding its typed column to ``tidy`` (returned)."""
        for rule in rules:
            rule.apply(self, tidy)
        return tidy

    # --- reading cells ----------------------------------------------------------------------------

    def text(self, column: str, strip: bool = True) -> pd.Series:
        """The column as pandas strings, blanks as ``<NA>`` (see :func:`as_text`); computed once."""
        key = (column, strip)
        if key not in self._texts:
            self._texts[key] = as_text(self.raw[column], strip)
        return self._texts[key]

    def blank(self, column: str) -> np.ndarray:
        """Where ``column`` is blank: missing, or (for text) empty or only spaces."""
        original = self.raw[column]
        if is_number(original):
            # A number is never blank text: only missing cells are blank (and a million numbers
            # need not be turned into strings to find that out).
            return original.isna().to_numpy(dtype=bool)
        return self.text(column).isna().to_numpy(dtype=bool)

    def numbers(self, column: str, decimal_comma: bool = False) -> pd.Series:
        """The column as floats, NaN where blank; text that is not a number is a problem.

        ``decimal_comma`` reads ``4,5`` as 4.5 (a spreadsheet in a comma locale).
        """
        original = self.raw[column]
        if is_number(original):
            return original.astype("float64")
        text = self.text(column)
        # Parsed once per distinct text (a rating column holds a handful), then spread over the
        # rows by code: the same numbers pd.to_numeric gives row by row.
        codes, uniques = pd.factorize(text, use_na_sentinel=True)
        distinct = pd.Series(uniques.array)
        if decimal_comma:
            distinct = distinct.str.replace(",", ".", regex=False)
        parsed = pd.to_numeric(distinct, errors="coerce").astype("float64").to_numpy()
        numbers = np.append(parsed, np.nan)[codes]  # code -1 (blank) picks the NaN
        bad = np.isnan(numbers) & (codes >= 0)
        if bad.any():
            self.problem("non-numeric values", column, bad, original)
        return pd.Series(numbers, index=self.raw.index, name=column, copy=False)

    def dates(
        self,
        column: str,
        *,
        hint: str,
        required: bool = True,
        aware: bool = True,
        missing_first: bool = False,
    ) -> pd.Series:
        """The column as UTC date-times: ISO 8601 text with its offset honoured (none = UTC).

        Text that does not parse is reported with ``hint``; blanks, when ``required``, as
        "missing dates" (before the unparsed text when ``missing_first``).  Returns tz-aware UTC
        times, or naive UTC times unless ``aware``.
        """
        original = self.raw[column]
        if pd.api.types.is_datetime64_any_dtype(original):
            parsed = (
                original.dt.tz_convert("UTC")
                if original.dt.tz is not None
                else original.dt.tz_localize("UTC")
            )
            blank = parsed.isna().to_numpy(dtype=bool)
            bad = np.zeros(len(parsed), dtype=bool)
        else:
            text = self._date_text(column)
            # Parsed once per distinct text (a year of daily responses has 365), like numbers.
            codes, uniques = pd.factorize(text, use_na_sentinel=True)
            distinct = pd.to_datetime(pd.Series(uniques.array), format="ISO8601", errors="coerce", utc=True)
            parsed = pd.Series(distinct.array.take(codes, allow_fill=True), index=text.index, name=column)
            blank = text.isna().to_numpy(dtype=bool)
            bad = parsed.isna().to_numpy(dtype=bool) & ~blank
        missing = blank if required else np.zeros(len(blank), dtype=bool)
        checks = [("missing dates", missing, None), (hint, bad, original)]
        for message, mask, values in checks if missing_first else reversed(checks):
            if mask.any():
                self.problem(message, column, mask, values)
        parsed = parsed.astype("datetime64[ns, UTC]")
        return parsed if aware else parsed.dt.tz_localize(None)

    def _date_text(self, column: str) -> pd.Series:
        original = self.raw[column]
        if original.dtype == object and pd.api.types.infer_dtype(original, skipna=True) not in (
            "string",
            "empty",
        ):
            # Excel and databases hand over date-time objects (naive ones are taken as UTC): their
            # ISO 8601 text parses as the cell would.
            return as_text(original.map(lambda v: v.isoformat() if hasattr(v, "isoformat") else v))
        return self.text(column)

    def duplicates(self, ids: pd.Series, column: str, message: str, noun: str) -> None:
        """Report ids that occur more than once (blanks aside).

        In a folder, ids repeated across files are named with every file and row they occur in
        (``"2 response id(s) appear in more than one file (a.csv, b.csv): ..."``, ``noun`` being
        ``"response id"``); ids repeated inside one file are reported against that file with
        ``message``.
        """
        codes, uniques = pd.factorize(ids, use_na_sentinel=True)
        filled = codes >= 0
        if len(uniques) == int(filled.sum()):
            return  # every id once: the usual case, settled without building a mask
        dup = np.zeros(len(codes), dtype=bool)
        dup[filled] = np.bincount(codes[filled], minlength=len(uniques))[codes[filled]] > 1
        files = self.origins.files
        if files is None:
            self.problem(message, column, dup, ids)
            return
        frame = pd.DataFrame({"id": ids.to_numpy(dtype=object), "file": files, "pos": np.arange(len(ids))})[
            dup
        ]
        files_per_id = frame.groupby("id", sort=False)["file"].nunique()
        across = set(files_per_id[files_per_id > 1].index)
        if across:
            self.problems.append(self._across_files(frame, across, column, noun))
        within = dup & ~frame.reindex(range(len(ids)))["id"].isin(across).to_numpy(dtype=bool)
        if within.any():
            self.problem(message, column, within, ids)

    def _across_files(self, frame: pd.DataFrame, across: set, column: str, noun: str) -> Problem:
        listed = []
        for repeated, group in frame[frame["id"].isin(across)].groupby("id", sort=False):
            places = ", ".join(self.origins.describe(p, folder=self.source) for p in group["pos"])
            listed.append(f"{repeated} ({places})")
        more = f" and {len(listed) - MAX_PROBLEM_ROWS} more" if len(listed) > MAX_PROBLEM_ROWS else ""
        involved = ", ".join(
            str(f).removeprefix(self.source + "/")
            for f in pd.unique(frame.loc[frame["id"].isin(across), "file"])
        )
        return Problem(
            self.source,
            f"{len(across)} {noun}(s) appear in more than one file ({involved}): "
            + "; ".join(listed[:MAX_PROBLEM_ROWS])
            + more,
            column,
        )


# --- the rules ------------------------------------------------------------------------------------


class Rule:
    """A check of one column that adds the column, typed, to the tidy frame."""

    column: str

    def apply(self, check: Checker, tidy: pd.DataFrame) -> None:  # pragma: no cover - interface
        raise NotImplementedError


def _absent(check: Checker, rule: Rule, fill: object, dtype: str, tidy: pd.DataFrame) -> bool:
    """Whether the rule's column is absent; then the tidy column is ``fill`` (or left out: OMIT)."""
    if rule.column in check.raw.columns:
        return False
    if fill is not OMIT:
        tidy[rule.column] = pd.Series(fill, index=check.raw.index, dtype=dtype)
    return True


def _missing_values(check: Checker, column: str, blank) -> None:
    if blank.any():
        check.problem("missing values", column, blank)


@dataclass(frozen=True)
class Text(Rule):
    """Text, trimmed unless ``strip`` is False; blank cells are problems when ``required``."""

    column: str
    required: bool = False
    strip: bool = True
    lower: bool = False
    if_absent: object = OMIT

    def apply(self, check: Checker, tidy: pd.DataFrame) -> None:
        if _absent(check, self, self.if_absent, "string", tidy):
            return
        text = check.text(self.column, strip=self.strip)
        if self.required:
            _missing_values(check, self.column, text.isna())
        tidy[self.column] = text.str.lower() if self.lower else text


@dataclass(frozen=True)
class Unique(Rule):
    """Each value of an (already added) column at most once; see :meth:`Checker.duplicates`."""

    column: str
    message: str
    noun: str

    def apply(self, check: Checker, tidy: pd.DataFrame) -> None:
        if self.column in tidy.columns:
            check.duplicates(tidy[self.column], self.column, self.message, self.noun)


def _lower(text: pd.Series) -> pd.Series:
    return text.str.lower()


@dataclass(frozen=True)
class Choice(Rule):
    """One of a set of values, compared after ``normalise`` (default: lower case).

    ``allowed`` is the values, or a mapping from every accepted spelling to its value (aliases,
    labels).  Blank cells (and an absent column) become ``default``.
    """

    column: str
    allowed: Sequence[str] | Mapping[str, str]
    message: str
    required: bool = False
    normalise: Callable[[pd.Series], pd.Series] = _lower
    default: object = pd.NA

    def apply(self, check: Checker, tidy: pd.DataFrame) -> None:
        if _absent(check, self, self.default, "string", tidy):
            return
        text = check.text(self.column)
        if self.required:
            _missing_values(check, self.column, text.isna())
        spelt = self.normalise(text)
        if isinstance(self.allowed, Mapping):
            chosen = spelt.map(self.allowed)
            bad = spelt.notna() & chosen.isna()
        else:
            chosen = spelt
            bad = spelt.notna() & ~spelt.isin(self.allowed)
        if bad.any():
            check.problem(self.message, self.column, bad, check.raw[self.column])
        tidy[self.column] = chosen if self.default is pd.NA else chosen.fillna(self.default)


@dataclass(frozen=True)
class Number(Rule):
    """A number, NaN when blank (or ``blank_as``); text that is not a number is a problem.

    ``outside`` (a message) rejects values below ``low``, above ``high`` or infinite, so a
    non-negative number is ``low=0`` with the default ``high``.  ``fractional`` (a message)
    warns about values that are not whole numbers.
    """

    column: str
    required: bool = False
    low: float = -np.inf
    high: float = np.inf
    outside: str | None = None
    fractional: str | None = None
    decimal_comma: bool = False
    blank_as: float | None = None
    if_absent: object = OMIT

    def apply(self, check: Checker, tidy: pd.DataFrame) -> None:
        if _absent(check, self, self.if_absent, "float64", tidy):
            return
        column, original = self.column, check.raw[self.column]
        numbers = check.numbers(column, decimal_comma=self.decimal_comma)
        if self.required:
            _missing_values(check, column, check.blank(column))
        values = numbers.to_numpy()
        outside = np.zeros(len(values), dtype=bool)
        if self.outside:
            with np.errstate(invalid="ignore"):
                outside = (values < self.low) | (values > self.high) | np.isinf(values)
            if outside.any():
                check.problem(self.outside, column, outside, original)
        if self.fractional and not pd.api.types.is_integer_dtype(original):
            fractional = ~np.isnan(values) & ~outside & (values != np.round(values))
            if fractional.any():
                check.warn(self.fractional, column, fractional, original)
        tidy[column] = numbers if self.blank_as is None else numbers.fillna(self.blank_as)


@dataclass(frozen=True)
class Dates(Rule):
    """ISO 8601 date-times in UTC (see :meth:`Checker.dates`); ``if_absent=pd.NaT`` fills an absent column."""

    column: str
    hint: str
    required: bool = True
    aware: bool = True
    missing_first: bool = False
    if_absent: object = OMIT

    def apply(self, check: Checker, tidy: pd.DataFrame) -> None:
        dtype = "datetime64[ns, UTC]" if self.aware else "datetime64[ns]"
        if _absent(check, self, self.if_absent, dtype, tidy):
            return
        tidy[self.column] = check.dates(
            self.column,
            hint=self.hint,
            required=self.required,
            aware=self.aware,
            missing_first=self.missing_first,
        )


@dataclass(frozen=True)
class Boolean(Rule):
    """true/false, also yes/no, y/n, 1/0 (case ignored); blank is false."""

    column: str
    message: str = "values other than true/false (or yes/no, 1/0)"

    def apply(self, check: Checker, tidy: pd.DataFrame) -> None:
        if _absent(check, self, OMIT, "bool", tidy):
            return
        original = check.raw[self.column]
        if pd.api.types.is_bool_dtype(original):
            tidy[self.column] = original.fillna(False).astype(bool)
            return
        words = check.text(self.column).str.lower().fillna("")
        known = words.isin(TRUE_WORDS | FALSE_WORDS)
        if (~known).any():
            check.problem(self.message, self.column, ~known, original)
        tidy[self.column] = words.isin(TRUE_WORDS).astype(bool)
