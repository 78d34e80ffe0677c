"""Validate raw survey responses against the contract and return a tidy, typed DataFrame.

Every check runs on the whole file and every problem is collected, so a user fixes a file
in one pass instead of one error at a time.  See the README for the contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import Problem, SurveyDataError
from .sources.base import RowOrigins
from .survey import Scale, SurveyDefinition

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
    def __init__(self, raw: pd.DataFrame, survey: SurveyDefinition, source: str, origins: RowOrigins | None = None):
        self.raw = raw.reset_index(drop=True)
        self.survey = survey
        self.source = source
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        # 1-based response numbers, as a user counts the rows under the header (per file for a folder).
        if origins is None or len(origins) != len(self.raw):
            origins = RowOrigins.sequential(len(self.raw))
        self.origins = origins

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
            tidy["overall_satisfaction"] = self._score("overall_satisfaction", self.survey.overall_scale, required=True)
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
        dup = (ids.duplicated(keep=False) & ids.notna()).to_numpy(dtype=bool)
        if not dup.any():
            return
        files = self.origins.files
        if files is None:
            self.problem("duplicate response ids", "response_id", dup, ids)
            return
        # A folder: ids repeated across files are named with every file and row they occur in;
        # ids repeated inside one file are reported against that file as usual.
        frame = pd.DataFrame({"id": ids.to_numpy(dtype=object), "file": files, "pos": np.arange(len(ids))})[dup]
        files_per_id = frame.groupby("id", sort=False)["file"].nunique()
        across = set(files_per_id[files_per_id > 1].index)
        if across:
            listed = []
            for rid, group in frame[frame["id"].isin(across)].groupby("id", sort=False):
                places = ", ".join(self.origins.describe(p, folder=self.source) for p in group["pos"])
                listed.append(f"{rid} ({places})")
            more = f" and {len(listed) - MAX_PROBLEM_ROWS} more" if len(listed) > MAX_PROBLEM_ROWS else ""
            involved = ", ".join(
                str(f).removeprefix(self.source + "/") for f in pd.unique(frame.loc[frame["id"].isin(across), "file"])
            )
            self.problems.append(
                Problem(
                    self.source,
                    f"{len(across)} response id(s) appear in more than one file ({involved}): "
                    + "; ".join(listed[:MAX_PROBLEM_ROWS]) + more,
                    "response_id",
                )
            )
        within = dup & ~frame.reindex(range(len(ids)))["id"].isin(across).to_numpy(dtype=bool)
        if within.any():
            self.problem("duplicate response ids", "response_id", within, ids)

    def _text(self, column: str, strip: bool = True) -> pd.Series:
        """The column as pandas strings, blanks (and whitespace-only cells) as <NA>."""
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
            self.problem("values other than 'external' or 'internal'", "client_type", bad, self.raw["client_type"])
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
            parsed = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=True)
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

    def _number(self, column: str) -> pd.Series:
        original = self.raw[column]
        if pd.api.types.is_numeric_dtype(original) and not pd.api.types.is_bool_dtype(original):
            return original.astype("float64")
        text = self._text(column)
        numbers = pd.to_numeric(text, errors="coerce").astype("float64")
        bad = numbers.isna() & text.notna()
        if bad.any():
            self.problem("non-numeric values", column, bad, original)
        return numbers

    def _score(self, column: str, scale: Scale, required: bool = False) -> pd.Series:
        numbers = self._number(column)
        if required:
            blank = self._text(column).isna()
            if blank.any():
                self.problem("missing values", column, blank)
        outside = (numbers < scale.min) | (numbers > scale.max) | np.isinf(numbers)
        if outside.any():
            self.problem(f"values outside {scale}", column, outside, self.raw[column])
        fractional = numbers.notna() & ~outside & (numbers != np.round(numbers))
        if fractional.any():
            self.warn(f"non-integer ratings on the {scale} scale", column, fractional, self.raw[column])
        return numbers

    def _weight(self) -> pd.Series:
        weights = self._number("weight")
        bad = weights.notna() & ~(weights > 0) | np.isinf(weights)
        if bad.any():
            self.problem("weights must be positive numbers", "weight", bad, self.raw["weight"])
        blank = self._text("weight").isna()
        if blank.any():
            self.problem("missing weights (give every response a weight, or drop the column)", "weight", blank)
        return weights

    # --- warnings on valid data ----------------------------------------------------------------

    def _warnings(self, tidy: pd.DataFrame) -> None:
        counts = tidy.groupby("client_id", sort=True)["response_id"].size()
        few = counts[counts < self.survey.min_client_responses]
        if len(few):
            listed = ", ".join(f"{cid} ({n})" for cid, n in few.head(MAX_PROBLEM_ROWS).items())
            more = f" and {len(few) - MAX_PROBLEM_ROWS} more" if len(few) > MAX_PROBLEM_ROWS else ""
            self.warnings.append(
                Problem(
                    self.source,
                    f"{len(few)} client(s) with fewer than {self.survey.min_client_responses} responses: {listed}{more}",
                    "client_id",
                )
            )
        types_per_client = tidy.groupby("client_id", sort=True)["client_type"].nunique()
        mixed = types_per_client[types_per_client > 1]
        if len(mixed):
            self.warn(
                f"client(s) marked both external and internal: {', '.join(map(str, mixed.index[:MAX_PROBLEM_ROWS]))}"
                " (the most common type is used)",
                "client_type",
            )
        if tidy["respondent_id"].notna().any():
            key = tidy[["respondent_id", "client_id", "period"]]
            repeat = key.duplicated(keep=False) & tidy["respondent_id"].notna()
            if repeat.any():
                self.warn("the same respondent answered more than once in a month", "respondent_id", repeat, tidy["respondent_id"])
        drivers = [d for d in self.survey.driver_names if d in tidy.columns]
        if len(drivers) >= 3:
            answers = tidy[drivers]
            complete = answers.notna().all(axis=1)
            same = complete & answers.nunique(axis=1).eq(1)
            if same.any():
                self.warn("identical answers to every driver (straight-lining)", None, same)

    def _finish_types(self, tidy: pd.DataFrame) -> pd.DataFrame:
        # One type per client: the most common one, so a stray row cannot split a client in two.
        tidy["client_type"] = tidy.groupby("client_id", sort=False)["client_type"].transform(
            lambda types: types.mode().iloc[0]
        )
        tidy["client_id"] = tidy["client_id"].astype("category")
        tidy["client_type"] = pd.Categorical(tidy["client_type"], categories=list(CLIENT_TYPES))
        tidy["respondent_id"] = tidy["respondent_id"].astype("category")
        tidy["response_id"] = tidy["response_id"].astype("string")
        tidy["client_name"] = tidy["client_name"].astype("string")
        tidy["comment"] = tidy["comment"].astype("string")
        return tidy
