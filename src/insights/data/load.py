"""The front door: read any supported source, validate it, and hand back tidy data."""

from __future__ import annotations

import warnings as _warnings
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from insights.core.errors import Problem, SurveyDataError, SurveyDataWarning
from insights.core.periods import column_cadence, format_period
from insights.data.kept import kept
from insights.data.mapping import apply_survey_mapping
from insights.data.read import read_raw
from insights.data.schema import ValidationResult, validate_frame
from insights.data.survey import SurveyDefinition, resolve_survey

QUALTRICS_HINT = (
    "this is a Qualtrics export: name its columns in the survey definition's [columns] table, e.g. "
    'response_id = "ResponseId", submitted_at = "RecordedDate", client_id = "ExternalReference" '
    "(see the README, Data sources)"
)


def validate(
    source: str | Path | pd.DataFrame,
    survey: SurveyDefinition | str | Path | None = None,
    *,
    sheet: str | None = None,
    table: str | None = None,
    query: str | None = None,
) -> ValidationResult:
    """Read ``source``, map it onto the contract and validate it; return the tidy data with its warnings.

    ``sheet`` (Excel), ``table`` and ``query`` (DuckDB files, database URLs) say what to read;
    see :func:`insights.data.read.read_raw`.  The survey definition's ``[columns]``, ``[recode]`` and
    ``[missing]`` tables are applied between reading and validation.

    Raises
    ------
    SurveyDataError
        Listing every problem found (file, column, rows, values), not just the first.
    """
    definition = resolve_survey(survey)
    raw = read_raw(source, sheet=sheet, table=table, query=query)
    renamed = apply_survey_mapping(raw, definition)
    try:
        result = validate_frame(raw.frame, definition, raw.name, raw.origins)
    except SurveyDataError as exc:
        problems = _name_source_columns(exc.problems, renamed)
        missing_required = any(p.message.startswith("missing required column") for p in problems)
        if raw.kind == "qualtrics" and missing_required and not definition.columns:
            problems.append(Problem(raw.name, QUALTRICS_HINT))
        raise SurveyDataError(problems) from None
    result = replace(
        result,
        data=_in_time_order(result.data),
        warnings=list(raw.warnings) + _name_source_columns(result.warnings, renamed),
        excluded=dict(raw.excluded),
        files=dict(raw.files),
        notes=tuple(raw.notes),
    )
    attrs = result.data.attrs
    attrs["source"] = raw.name
    attrs["survey"] = definition.source
    attrs["excluded"] = dict(raw.excluded)
    if raw.files:
        attrs["files"] = dict(raw.files)
    if raw.value_labels:
        attrs["value_labels"] = {c: dict(v) for c, v in raw.value_labels.items() if c in result.data.columns}
    if raw.column_labels:
        attrs["column_labels"] = {c: v for c, v in raw.column_labels.items() if c in result.data.columns}
    return result


def _in_time_order(data: pd.DataFrame) -> pd.DataFrame:
    """Rows by ``submitted_at``, then ``response_id`` (a stable sort): whatever order a source
    keeps its rows in (a database table has none), the figures come out the same to the last digit."""
    import pyarrow as pa
    import pyarrow.compute as pc

    # Arrow sorts a million (timestamp, text) keys in a fraction of a second; strings compare by
    # their UTF-8 bytes, which is code point order, as Python compares them.
    keys = pa.table(
        {
            "submitted_at": pa.array(data["submitted_at"].to_numpy()),
            "response_id": pa.array(data["response_id"].array, type=pa.large_string()),
        }
    )
    order = pc.sort_indices(keys, sort_keys=[("submitted_at", "ascending"), ("response_id", "ascending")])
    order = order.to_numpy()
    if (order[1:] > order[:-1]).all():
        return data
    return data.take(order).reset_index(drop=True)


def _name_source_columns(problems: list[Problem], renamed: dict[str, str]) -> list[Problem]:
    """``communication`` -> ``communication (Q2_1)`` in messages about mapped columns."""
    if not renamed:
        return list(problems)
    return [
        replace(p, column=f"{p.column} ({renamed[p.column]})") if p.column in renamed else p for p in problems
    ]


def load(
    source: str | Path | pd.DataFrame,
    survey: SurveyDefinition | str | Path | None = None,
    *,
    warn: bool = True,
    sheet: str | None = None,
    table: str | None = None,
    query: str | None = None,
) -> pd.DataFrame:
    """Load survey responses as a validated, typed DataFrame.

    Parameters
    ----------
    source : path, URL or DataFrame
        A CSV/TSV, Parquet, Excel (.xlsx), SPSS (.sav) or DuckDB (.duckdb) file, a Qualtrics
        export, a folder of such files, or a database URL (``postgresql://...``); see the
        README, "Data sources".
    survey : SurveyDefinition, path or None
        The survey definition (drivers, scales, column mapping); None uses the shipped default.
    warn : bool
        Emit data warnings (few responses, repeated respondents, straight-lining) as
        :class:`SurveyDataWarning`.  They are also kept in ``df.attrs["warnings"]``.
    sheet : str, optional
        The Excel sheet to read (default: the first).
    table, query : str, optional
        For a DuckDB file or a database URL: the table to read (default ``responses``), or a
        SQL query to run instead.

    Returns
    -------
    pandas.DataFrame
        One row per response: ``submitted_at`` as datetime, a ``period`` column (the survey's cadence),
        float ratings with NaN for blanks, categorical ids.  ``df.attrs`` holds the source's
        name, the warnings, what was left out (``excluded``), and for SPSS files the value and
        variable labels (``value_labels``, ``column_labels``).

    Examples
    --------
    >>> import insights
    >>> df = insights.load("data/sample/responses.csv")  # doctest: +SKIP
    >>> df.groupby("period").size().tail(3)  # doctest: +SKIP
    """
    frame = None if sheet or table or query else kept(source, survey)
    if frame is not None:  # loaded once by a run's warm zygote (insights.data.kept): the same file
        if warn:
            for message in frame.attrs.get("warnings", []):
                _warnings.warn(message, SurveyDataWarning, stacklevel=2)
        return frame
    result = validate(source, survey, sheet=sheet, table=table, query=query)
    result.data.attrs["warnings"] = [str(w) for w in result.warnings]
    if warn:
        for problem in result.warnings:
            _warnings.warn(str(problem), SurveyDataWarning, stacklevel=2)
    return result.data


@dataclass(frozen=True)
class DataSummary:
    """What a validated file holds, for people: counts, coverage and warnings."""

    source: str
    responses: int
    clients: int
    internal_clients: int
    respondents: int
    first_period: str
    last_period: str
    responses_per_month: dict[str, int]
    warnings: tuple[str, ...]
    excluded: dict[str, int] = field(default_factory=dict)
    files: dict[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    cadence: str = "month"  # the survey's: the keys of responses_per_month are its periods

    @classmethod
    def of(cls, result: ValidationResult) -> DataSummary:
        data = result.data
        per_month = data.groupby("period", observed=True).size().sort_index()
        client_types = data.drop_duplicates("client_id")["client_type"]
        return cls(
            source=result.source,
            responses=len(data),
            clients=int(data["client_id"].nunique()),
            internal_clients=int((client_types == "internal").sum()),
            respondents=int(data["respondent_id"].nunique()),
            first_period=format_period(per_month.index.min()),
            last_period=format_period(per_month.index.max()),
            responses_per_month={format_period(p): int(n) for p, n in per_month.items()},
            warnings=tuple(str(w) for w in result.warnings),
            excluded=dict(result.excluded),
            files=dict(result.files),
            notes=tuple(result.notes),
            cadence=column_cadence(data["period"]),
        )

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "responses": self.responses,
            "clients": self.clients,
            "internal_clients": self.internal_clients,
            "respondents": self.respondents,
            "first_period": self.first_period,
            "last_period": self.last_period,
            "responses_per_month": self.responses_per_month,
            "warnings": list(self.warnings),
            "excluded": dict(self.excluded),
            "files": dict(self.files),
            "notes": list(self.notes),
        }

    def left_out(self) -> str:
        """``"2 survey previews, 3 unfinished responses"`` (empty when nothing was left out)."""
        from insights.data.sources.base import describe_excluded

        return describe_excluded(self.excluded)
