"""Between reading and validation: a source's own column names and answer texts onto the contract.

Driven by the survey definition (see the README, "Data sources")::

    [columns]                       # canonical name = name in the source
    response_id = "ResponseId"

    [recode.overall_satisfaction]   # answer text = score
    "Very satisfied" = 5

    [missing]                       # codes that mean "no answer"
    values = [99, "N/A", "Don't know"]

Order: columns are renamed, labelled SPSS codes of text columns become their labels, missing
codes become blanks, then answer texts become scores.  Every problem is collected and raised
together as one :class:`SurveyDataError` naming the source, the column, the rows and values.
"""

from __future__ import annotations

import difflib

import numpy as np
import pandas as pd

from insights.core.errors import Problem, SurveyDataError
from insights.data.sources.base import RawData
from insights.data.survey import SurveyDefinition, normalise_answer

# Contract columns that hold text: a labelled numeric code there means its label (SPSS).
TEXT_COLUMNS = ("response_id", "client_id", "client_name", "client_type", "respondent_id")
MAX_SHOWN = 5


def answer_columns(survey: SurveyDefinition) -> tuple[str, ...]:
    """The columns missing codes apply to unless ``[missing] columns`` says otherwise."""
    if survey.missing_columns is not None:
        return survey.missing_columns
    return ("overall_satisfaction", "likelihood_to_recommend", *survey.driver_names, "comment")


def apply_survey_mapping(raw: RawData, survey: SurveyDefinition) -> dict[str, str]:
    """Rename, relabel, blank out missing codes and recode ``raw`` in place.

    Returns the columns that were renamed (canonical name -> source name) so later messages
    can name both.
    """
    renamed = _rename(raw, survey)
    _label_text_codes(raw)
    _blank_missing_codes(raw, survey)
    _recode(raw, survey, renamed)
    return renamed


def _find_column(columns: list[str], wanted: str) -> str | None:
    if wanted in columns:
        return wanted
    folded = [c for c in columns if c.strip().casefold() == wanted.strip().casefold()]
    return folded[0] if len(folded) == 1 else None


def _rename(raw: RawData, survey: SurveyDefinition) -> dict[str, str]:
    frame = raw.frame
    columns = [str(c) for c in frame.columns]
    sources: dict[str, str] = {}  # canonical -> column in the source
    problems: list[Problem] = []
    for canonical, wanted in survey.columns.items():
        found = _find_column(columns, wanted)
        if found is not None:
            sources[canonical] = found
        elif canonical in columns:
            continue  # the source already uses the canonical name (a store written by `insights import`)
        else:
            close = difflib.get_close_matches(wanted, columns, n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            shown = ", ".join(columns[:12]) + (f" and {len(columns) - 12} more" if len(columns) > 12 else "")
            problems.append(
                Problem(
                    raw.name,
                    f"the survey definition ({survey.source}) maps {canonical} to the column '{wanted}', "
                    f"which the source lacks (it has: {shown}){hint}",
                    canonical,
                )
            )
    if problems:
        raise SurveyDataError(problems)
    if not sources:
        if raw.ignored_columns:
            raw.frame = frame.drop(columns=[c for c in raw.ignored_columns if c in frame.columns])
        return {}

    by_source: dict[str, list[str]] = {}
    for canonical, column in sources.items():
        by_source.setdefault(column, []).append(canonical)
    targets = set(sources)
    ignored = set(raw.ignored_columns)
    data: dict[str, pd.Series] = {}
    for column in columns:
        if column in by_source:
            for canonical in by_source[column]:
                data[canonical] = frame[column]
        elif column in targets or column in ignored:
            continue  # replaced by a mapped column of the same name, or Qualtrics metadata
        elif column not in data:
            data[column] = frame[column]
    raw.frame = pd.DataFrame(data, index=frame.index)
    for labels in (raw.value_labels, raw.column_labels):
        for canonical, column in sources.items():
            if column in labels:
                labels[canonical] = labels[column]
    return {canonical: column for canonical, column in sources.items() if canonical != column}


def _label_text_codes(raw: RawData) -> None:
    for column in TEXT_COLUMNS:
        labels = raw.value_labels.get(column)
        if not labels or column not in raw.frame.columns:
            continue
        series = raw.frame[column]
        if not pd.api.types.is_numeric_dtype(series):
            continue
        lookup = {float(code): str(label) for code, label in labels.items() if isinstance(code, (int, float))}

        def label(value: object) -> object:
            if pd.isna(value):
                return np.nan
            text = lookup.get(float(value))
            if text is not None:
                return text
            return str(int(value)) if float(value).is_integer() else str(value)

        raw.frame[column] = series.map(label).astype(object)


def _matches(series: pd.Series, numbers: list[float], texts: set[str]) -> np.ndarray:
    hit = np.zeros(len(series), dtype=bool)
    if pd.api.types.is_bool_dtype(series):
        return hit
    if pd.api.types.is_numeric_dtype(series):
        if numbers:
            hit |= series.isin(numbers).to_numpy(dtype=bool)
        return hit
    text = series.astype("string")
    filled = text.notna().to_numpy(dtype=bool)
    if numbers:
        as_number = pd.to_numeric(text.str.strip(), errors="coerce")
        hit |= as_number.isin(numbers).fillna(False).to_numpy(dtype=bool)
    if texts:
        normalised = np.array(
            [normalise_answer(v) if f else "" for v, f in zip(text.to_numpy(dtype=object), filled)],
            dtype=object,
        )
        hit |= filled & np.isin(normalised, list(texts))
    return hit


def _blank_missing_codes(raw: RawData, survey: SurveyDefinition) -> None:
    if not survey.missing_values:
        return
    numbers = [float(v) for v in survey.missing_values if not isinstance(v, str)]
    texts = {normalise_answer(v) for v in survey.missing_values if isinstance(v, str)}
    # Text codes that are numbers ("99") also match numeric cells.
    for text in list(texts):
        try:
            numbers.append(float(text))
        except ValueError:
            pass
    counts = []
    for column in answer_columns(survey):
        if column not in raw.frame.columns:
            continue
        hit = _matches(raw.frame[column], numbers, texts)
        if hit.any():
            series = raw.frame[column]
            if pd.api.types.is_numeric_dtype(series):
                raw.frame[column] = series.mask(hit)
            else:
                raw.frame[column] = series.astype(object).mask(hit, np.nan)
            counts.append(f"{column} {int(hit.sum())}")
    if counts:
        raw.notes.append(f"missing codes ([missing] values) read as blanks: {', '.join(counts)}")


def _recode(raw: RawData, survey: SurveyDefinition, renamed: dict[str, str]) -> None:
    problems: list[Problem] = []
    for column, answers in survey.recode.items():
        if column not in raw.frame.columns:
            problems.append(
                Problem(
                    raw.name,
                    f"[recode.{column}] in {survey.source} names a column the source does not have",
                    column,
                )
            )
            continue
        series = raw.frame[column]
        if pd.api.types.is_numeric_dtype(series):
            continue  # already scores (SPSS codes, a database column, a store written by `insights import`)
        lookup = {normalise_answer(text): score for text, score in answers.items()}
        values = series.to_numpy(dtype=object)
        out = values.copy()
        unknown = np.zeros(len(values), dtype=bool)
        for i, value in enumerate(values):
            if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
                continue
            text = str(value)
            if not text.strip():
                continue
            score = lookup.get(normalise_answer(text))
            if score is not None:
                out[i] = f"{score:g}"
                continue
            try:
                float(text)  # a score already: left for the schema to check against the scale
            except ValueError:
                unknown[i] = True
        if unknown.any():
            distinct = list(dict.fromkeys(str(v) for v in values[unknown]))
            shown = ", ".join(f"'{v}'" for v in distinct[:MAX_SHOWN]) + (
                f" and {len(distinct) - MAX_SHOWN} more" if len(distinct) > MAX_SHOWN else ""
            )
            known = ", ".join(f"'{t}'" for t in answers)
            where = f" (column '{renamed[column]}' in the source)" if column in renamed else ""
            problems.extend(
                raw.origins.problems(
                    raw.name,
                    f"answer text not in [recode.{column}] of {survey.source}{where}: {shown} (known: {known})",
                    column,
                    unknown,
                    values,
                )
            )
        raw.frame[column] = pd.Series(out, index=series.index, dtype=object)
    if problems:
        raise SurveyDataError(problems)
