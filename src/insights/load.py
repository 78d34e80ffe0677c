"""The front door: read any supported source, validate it, and hand back tidy data."""

from __future__ import annotations

import warnings as _warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .errors import SurveyDataWarning
from .io import read_source
from .schema import ValidationResult, validate_frame
from .survey import SurveyDefinition, resolve_survey


def validate(source: str | Path | pd.DataFrame, survey: SurveyDefinition | str | Path | None = None) -> ValidationResult:
    """Read and validate ``source``; return the tidy data with its warnings.

    Raises
    ------
    SurveyDataError
        Listing every problem found (file, column, rows, values), not just the first.
    """
    definition = resolve_survey(survey)
    raw, name = read_source(source)
    result = validate_frame(raw, definition, name)
    result.data.attrs["source"] = name
    result.data.attrs["survey"] = definition.source
    return result


def load(
    source: str | Path | pd.DataFrame,
    survey: SurveyDefinition | str | Path | None = None,
    *,
    warn: bool = True,
) -> pd.DataFrame:
    """Load survey responses as a validated, typed DataFrame.

    Parameters
    ----------
    source : path or DataFrame
        A CSV/TSV or Parquet file following the survey contract (see the README).
    survey : SurveyDefinition, path or None
        The survey definition (drivers, scales); None uses the shipped default.
    warn : bool
        Emit data warnings (few responses, repeated respondents, straight-lining) as
        :class:`SurveyDataWarning`.  They are also kept in ``df.attrs["warnings"]``.

    Returns
    -------
    pandas.DataFrame
        One row per response: ``submitted_at`` as datetime, a monthly ``period`` column,
        float ratings with NaN for blanks, categorical ids.

    Examples
    --------
    >>> import insights
    >>> df = insights.load("data/sample/responses.csv")  # doctest: +SKIP
    >>> df.groupby("period").size().tail(3)  # doctest: +SKIP
    """
    result = validate(source, survey)
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

    @classmethod
    def of(cls, result: ValidationResult) -> "DataSummary":
        data = result.data
        per_month = data.groupby("period", observed=True).size().sort_index()
        client_types = data.drop_duplicates("client_id")["client_type"]
        return cls(
            source=result.source,
            responses=len(data),
            clients=int(data["client_id"].nunique()),
            internal_clients=int((client_types == "internal").sum()),
            respondents=int(data["respondent_id"].nunique()),
            first_period=str(per_month.index.min()),
            last_period=str(per_month.index.max()),
            responses_per_month={str(p): int(n) for p, n in per_month.items()},
            warnings=tuple(str(w) for w in result.warnings),
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
        }
