"""SPSS data files (.sav, .zsav) through pyreadstat.

Codes stay numbers (the survey's scores); their value labels are kept for display in
``df.attrs["value_labels"]`` and variable labels (question texts) in ``df.attrs["column_labels"]``.
Values the file declares user-missing (for example 99 = "don't know") are read as missing, with
a count per column in the notes, so they are never taken for out-of-range scores.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from insights.core.errors import SurveyDataError
from insights.data.sources.base import RawData, require

SUFFIXES = (".sav", ".zsav")


def read_spss(path: Path, name: str) -> RawData:
    pyreadstat = require("pyreadstat", "pyreadstat", "SPSS files", name)
    try:
        frame, meta = pyreadstat.read_sav(str(path), user_missing=True, dates_as_pandas_datetime=True)
    except Exception as exc:  # pyreadstat.ReadstatError and friends: a damaged or foreign file
        raise SurveyDataError(
            f"not a readable SPSS file ({str(exc).strip() or type(exc).__name__})", source=name
        ) from None
    raw = RawData.of(frame, name, kind="spss")
    raw.value_labels = {
        column: dict(labels) for column, labels in (meta.variable_value_labels or {}).items() if labels
    }
    raw.column_labels = {
        column: label for column, label in (meta.column_names_to_labels or {}).items() if label
    }
    counts = []
    for column, ranges in (meta.missing_ranges or {}).items():
        if column not in raw.frame.columns or not ranges:
            continue
        series = raw.frame[column]
        hit = np.zeros(len(series), dtype=bool)
        for spec in ranges:
            lo, hi = spec.get("lo"), spec.get("hi")
            if pd.api.types.is_numeric_dtype(series):
                hit |= ((series >= float(lo)) & (series <= float(hi))).to_numpy(dtype=bool)
            else:
                text = series.astype("string").str.strip()
                hit |= text.isin({str(lo).strip(), str(hi).strip()}).fillna(False).to_numpy(dtype=bool)
        if hit.any():
            raw.frame[column] = series.mask(hit)
            codes = sorted({_code(v) for v in series[hit]})
            labels = raw.value_labels.get(column, {})
            described = ", ".join(
                f"{c} = {labels[float(c)]}" if _is_number(c) and float(c) in labels else str(c)
                for c in codes[:5]
            )
            counts.append(f"{column} {int(hit.sum())} ({described})")
    if counts:
        raw.notes.append(f"declared user-missing values read as missing: {'; '.join(counts)}")
    return raw


def _code(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
