"""Validate raw survey responses against the contract and return a tidy, typed DataFrame.

Every check runs on the whole file and every problem is collected, so a user fixes a file
in one pass instead of one error at a time.  See the README for the contract.

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
from insights.data.sources.base import RowOrigins
from insights.data.survey import Scale, SurveyDefinition

REQUIRED_COLUMNS = ("response_id", "client_id", "submitted_at", "overall_satisfaction")
OPTIONAL_TEXT_COLUMNS = ("client_name", "respondent_id", "comment")
CLIENT_TYPES = ("external", "internal")
# Only a handful of rows are named per problem; the counts say how many there are.
MAX_PROBLEM_ROWS = 5


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
    checker = _Checker(raw, survey, source, origins)
    tidy = checker.run()
    if checker.problems:
        raise SurveyDataError(checker.problems)
    return ValidationResult(tidy, source, checker.warnings)


class _Checker:
    def __init__(
        self, raw: pd.DataFrame, survey: SurveyDefinition, source: str, origins: RowOrigins | None = None
    ):
        self.raw = raw.reset_index(drop=True)
        self.survey = survey
        self.source = source
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        # 1-based response numbers, as a user counts the rows under the header (per file for a folder).
        if origins is None or len(origins) != len(self.raw):
            origins = RowOrigins.sequential(len(self.raw))
        self.origins = origins
        # Cleaned text per (column, strip): several checks need the same column as text.
        self._texts: dict[tuple[str, bool], pd.Series] = {}

    def problem(self, message: str, column: str | None = None, mask=None, values=None) -> None:
        self.problems.extend(self._make(message, column, mask, values))

    def warn(self, message: str, column: str | None = None, mask=None, values=None) -> None:
        self.warnings.extend(self._make(message, column, mask, values))

    def _make(self, message, column, mask, values) -> list[Problem]:
        return self.origins.problems(self.source, message, column, mask, values, limit=MAX_PROBLEM_ROWS)

    def run(self) -> pd.DataFrame:
        raw = self.raw
        missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
        if missing:
            self.problem(f"missing required column(s): {', '.join(missing)}")
        missing_drivers = [d for d in self.survey.driver_names if d not in raw.columns]
        if missing_drivers:
            self.problem(
                f"missing driver column(s) {', '.join(missing_drivers)} named in the survey definition "
                f"({self.survey.source})"
            )
        duplicated_names = raw.columns[raw.columns.duplicated()].unique().tolist()
        if duplicated_names:
            self.problem(f"column(s) appear more than once: {', '.join(map(str, duplicated_names))}")
            return raw
        tidy = pd.DataFrame(index=raw.index)

        for column in ("response_id", "client_id"):
            if column in raw.columns:
                tidy[column] = self._required_text(column)
        if "response_id" in tidy:
            self._duplicate_ids(tidy["response_id"])

        tidy["client_name"] = self._optional_text("client_name")
        if "client_id" in tidy:
            tidy["client_name"] = tidy["client_name"].fillna(tidy["client_id"])
        tidy["client_type"] = self._client_type()
        tidy["respondent_id"] = self._optional_text("respondent_id")

        if "submitted_at" in raw.columns:
            tidy["submitted_at"] = self._dates("submitted_at")
            tidy["period"] = tidy["submitted_at"].dt.to_period("M")

        if "overall_satisfaction" in raw.columns:
            tidy["overall_satisfaction"] = self._score(
                "overall_satisfaction", self.survey.overall_scale, required=True
            )
        if "likelihood_to_recommend" in raw.columns:
            tidy["likelihood_to_recommend"] = self._score("likelihood_to_recommend", self.survey.nps_scale)
        else:
            tidy["likelihood_to_recommend"] = np.nan
        for driver in self.survey.driver_names:
            if driver in raw.columns:
                tidy[driver] = self._score(driver, self.survey.driver_scale)

        tidy["comment"] = self._optional_text("comment", strip=False)
        if "weight" in raw.columns:
            tidy["weight"] = self._weight()

        known = set(tidy.columns)
        for extra in raw.columns:
            if extra not in known:
                tidy[extra] = raw[extra]

        if not self.problems:
            self._warnings(tidy)
            tidy = self._finish_types(tidy)
        return tidy

    # --- column checks -------------------------------------------------------------------------

    def _duplicate_ids(self, ids: pd.Series) -> None:
        codes, uniques = pd.factorize(ids, use_na_sentinel=True)
        filled = codes >= 0
        if len(uniques) == int(filled.sum()):
            return  # every id once: the usual case, settled without building a mask
        dup = np.zeros(len(codes), dtype=bool)
        dup[filled] = np.bincount(codes[filled], minlength=len(uniques))[codes[filled]] > 1
        files = self.origins.files
        if files is None:
            self.problem("duplicate response ids", "response_id", dup, ids)
            return
        # A folder: ids repeated across files are named with every file and row they occur in;
        # ids repeated inside one file are reported against that file as usual.
        frame = pd.DataFrame({"id": ids.to_numpy(dtype=object), "file": files, "pos": np.arange(len(ids))})[
            dup
        ]
        files_per_id = frame.groupby("id", sort=False)["file"].nunique()
        across = set(files_per_id[files_per_id > 1].index)
        if across:
            listed = []
            for rid, group in frame[frame["id"].isin(across)].groupby("id", sort=False):
                places = ", ".join(self.origins.describe(p, folder=self.source) for p in group["pos"])
                listed.append(f"{rid} ({places})")
            more = f" and {len(listed) - MAX_PROBLEM_ROWS} more" if len(listed) > MAX_PROBLEM_ROWS else ""
            involved = ", ".join(
                str(f).removeprefix(self.source + "/")
                for f in pd.unique(frame.loc[frame["id"].isin(across), "file"])
            )
            self.problems.append(
                Problem(
                    self.source,
                    f"{len(across)} response id(s) appear in more than one file ({involved}): "
                    + "; ".join(listed[:MAX_PROBLEM_ROWS])
                    + more,
                    "response_id",
                )
            )
        within = dup & ~frame.reindex(range(len(ids)))["id"].isin(across).to_numpy(dtype=bool)
        if within.any():
            self.problem("duplicate response ids", "response_id", within, ids)

    def _text(self, column: str, strip: bool = True) -> pd.Series:
        """The column as pandas strings, blanks (and whitespace-only cells) as <NA>."""
        key = (column, strip)
        if key not in self._texts:
            self._texts[key] = self._make_text(column, strip)
        return self._texts[key]

    def _make_text(self, column: str, strip: bool) -> pd.Series:
        original = self.raw[column]
        if pd.api.types.is_float_dtype(original) and not pd.api.types.is_bool_dtype(original):
            # Ids stored as numbers (SPSS, Excel, a database) read as 1017, not 1017.0.
            finite = original.dropna()
            if len(finite) and (finite.abs() < 2**53).all() and (finite == np.round(finite)).all():
                original = original.astype("Int64")
        text = original.astype("string")
        if strip:
            text = text.str.strip()
        return text.mask(text == "")

    def _required_text(self, column: str) -> pd.Series:
        text = self._text(column)
        blank = text.isna()
        if blank.any():
            self.problem("missing values", column, blank)
        return text

    def _optional_text(self, column: str, strip: bool = True) -> pd.Series:
        if column not in self.raw.columns:
            return pd.Series(pd.NA, index=self.raw.index, dtype="string")
        return self._text(column, strip=strip)

    def _client_type(self) -> pd.Series:
        if "client_type" not in self.raw.columns:
            return pd.Series("external", index=self.raw.index, dtype="string")
        text = self._text("client_type").str.lower()
        text = text.fillna("external")
        bad = ~text.isin(CLIENT_TYPES)
        if bad.any():
            self.problem(
                "values other than 'external' or 'internal'", "client_type", bad, self.raw["client_type"]
            )
        return text

    def _dates(self, column: str) -> pd.Series:
        original = self.raw[column]
        if pd.api.types.is_datetime64_any_dtype(original):
            parsed = original
            blank = parsed.isna()
            if blank.any():
                self.problem("missing dates", column, blank)
        else:
            text = self._text(column)
            # Parsed once per distinct text (a year of daily responses has 365), like numbers.
            codes, uniques = pd.factorize(text, use_na_sentinel=True)
            distinct = pd.to_datetime(pd.Series(uniques.array), format="ISO8601", errors="coerce", utc=True)
            parsed = pd.Series(distinct.array.take(codes, allow_fill=True), index=text.index, name=column)
            blank = text.isna()
            if blank.any():
                self.problem("missing dates", column, blank)
            bad = parsed.isna() & ~blank
            if bad.any():
                self.problem("not an ISO 8601 date (YYYY-MM-DD or YYYY-MM-DDTHH:MM)", column, bad, original)
        if getattr(parsed.dt, "tz", None) is not None:
            # Mixed offsets are normalised to UTC; the analysis works in naive UTC time.
            parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
        return parsed.astype("datetime64[ns]")

    def _blank(self, column: str) -> np.ndarray:
        """Where ``column`` is blank: missing, or (for text) empty or only spaces."""
        original = self.raw[column]
        if _is_number(original):
            # A number is never blank text: only missing cells are blank.  (No need to turn a
            # million numbers into strings to find that out.)
            return original.isna().to_numpy(dtype=bool)
        return self._text(column).isna().to_numpy(dtype=bool)

    def _number(self, column: str) -> pd.Series:
        original = self.raw[column]
        if _is_number(original):
            return original.astype("float64")
        text = self._text(column)
        # Parsed once per distinct text (a rating column holds a handful), then spread over
        # the rows by code: the same numbers pd.to_numeric gives row by row.
        codes, uniques = pd.factorize(text, use_na_sentinel=True)
        parsed = pd.to_numeric(pd.Series(uniques.array), errors="coerce").astype("float64").to_numpy()
        numbers = np.append(parsed, np.nan)[codes]  # code -1 (blank) picks the NaN
        bad = np.isnan(numbers) & (codes >= 0)
        if bad.any():
            self.problem("non-numeric values", column, bad, original)
        return pd.Series(numbers, index=self.raw.index, name=column, copy=False)

    def _score(self, column: str, scale: Scale, required: bool = False) -> pd.Series:
        numbers = self._number(column)
        if required:
            blank = self._blank(column)
            if blank.any():
                self.problem("missing values", column, blank)
        values = numbers.to_numpy()
        with np.errstate(invalid="ignore"):
            outside = (values < scale.min) | (values > scale.max) | np.isinf(values)
        if outside.any():
            self.problem(f"values outside {scale}", column, outside, self.raw[column])
        if pd.api.types.is_integer_dtype(self.raw[column]):
            return numbers  # whole numbers already (a typed source): nothing fractional to warn about
        fractional = ~np.isnan(values) & ~outside & (values != np.round(values))
        if fractional.any():
            self.warn(f"non-integer ratings on the {scale} scale", column, fractional, self.raw[column])
        return numbers

    def _weight(self) -> pd.Series:
        weights = self._number("weight")
        values = weights.to_numpy()
        with np.errstate(invalid="ignore"):
            bad = ~np.isnan(values) & ~(values > 0) | np.isinf(values)
        if bad.any():
            self.problem("weights must be positive numbers", "weight", bad, self.raw["weight"])
        blank = self._blank("weight")
        if blank.any():
            self.problem(
                "missing weights (give every response a weight, or drop the column)", "weight", blank
            )
        return weights

    # --- warnings on valid data ----------------------------------------------------------------

    def _warnings(self, tidy: pd.DataFrame) -> None:
        self._codes = codes = _Codes.of(tidy)
        counts = np.bincount(codes.client, minlength=len(codes.clients))
        few = np.flatnonzero(counts < self.survey.min_client_responses)  # in client id order
        if len(few):
            listed = ", ".join(f"{codes.clients[i]} ({counts[i]})" for i in few[:MAX_PROBLEM_ROWS])
            more = f" and {len(few) - MAX_PROBLEM_ROWS} more" if len(few) > MAX_PROBLEM_ROWS else ""
            self.warnings.append(
                Problem(
                    self.source,
                    f"{len(few)} client(s) with fewer than {self.survey.min_client_responses} responses: "
                    f"{listed}{more}",
                    "client_id",
                )
            )
        internal = codes.internal_rows_per_client
        mixed = np.flatnonzero((internal > 0) & (internal < counts))
        if len(mixed):
            self.warn(
                "client(s) marked both external and internal: "
                f"{', '.join(str(codes.clients[i]) for i in mixed[:MAX_PROBLEM_ROWS])}"
                " (the most common type is used)",
                "client_type",
            )
        answered = codes.respondent >= 0
        if answered.any():
            repeat = _duplicated_keys(codes.respondent, codes.client, codes.period) & answered
            if repeat.any():
                self.warn(
                    "the same respondent answered more than once in a month",
                    "respondent_id",
                    repeat,
                    tidy["respondent_id"],
                )
        drivers = [d for d in self.survey.driver_names if d in tidy.columns]
        if len(drivers) >= 3:
            first = tidy[drivers[0]].to_numpy(dtype="float64")
            same = np.ones(len(first), dtype=bool)
            for driver in drivers:
                # NaN never equals anything, so a blank anywhere rules a row out.
                same &= tidy[driver].to_numpy(dtype="float64") == first
            if same.any():
                self.warn("identical answers to every driver (straight-lining)", None, same)

    def _finish_types(self, tidy: pd.DataFrame) -> pd.DataFrame:
        codes = self._codes
        # One type per client: the most common one (external on a tie), so a stray row cannot
        # split a client in two.
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


def _is_number(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


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
