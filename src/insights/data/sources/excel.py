"""Excel workbooks (.xlsx, .xlsm) through openpyxl: the first sheet, or the one named."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd

from insights.core.errors import SurveyDataError
from insights.data.sources.base import RawData, require
from insights.data.sources.qualtrics import detect_qualtrics

SUFFIXES = (".xlsx", ".xlsm")


def read_excel(path: Path, name: str, sheet: str | None = None) -> RawData:
    require("openpyxl", "openpyxl", "Excel workbooks", name)
    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise SurveyDataError(f"not a readable Excel workbook ({_reason(exc)})", source=name) from None
    except Exception as exc:  # openpyxl's own errors (InvalidFileException, ...) on a damaged file
        raise SurveyDataError(f"not a readable Excel workbook ({_reason(exc)})", source=name) from None
    with book:
        sheets = [str(s) for s in book.sheet_names]
        if not sheets:
            raise SurveyDataError("the workbook has no sheets", source=name)
        if sheet is None:
            target = sheets[0]
        else:
            matches = [s for s in sheets if s == sheet] or [
                s for s in sheets if s.strip().casefold() == sheet.strip().casefold()
            ]
            if len(matches) != 1:
                listed = ", ".join(f"'{s}'" for s in sheets)
                raise SurveyDataError(f"no sheet named '{sheet}' (the workbook has: {listed})", source=name)
            target = matches[0]
        try:
            frame = pd.read_excel(book, sheet_name=target, keep_default_na=False, na_values=[""])
        except Exception as exc:
            raise SurveyDataError(f"sheet '{target}' cannot be read ({_reason(exc)})", source=name) from None
    display = name if sheet is None and len(sheets) == 1 else f"{name}, sheet {target}"
    if frame.columns.empty:
        raise SurveyDataError("the sheet is empty", source=display)
    frame.columns = [str(c).strip() for c in frame.columns]
    # Cells that only carry formatting: unnamed columns and rows with nothing in them.
    blank_columns = [c for c in frame.columns if c.startswith("Unnamed:") and frame[c].isna().all()]
    frame = frame.drop(columns=blank_columns)
    raw = RawData.of(frame, display, kind="excel")
    filled = ~_blank(raw.frame).all(axis=1).to_numpy(dtype=bool)
    if not filled.all():
        raw.keep_rows(filled)  # row numbers stay those of the sheet
    detect_qualtrics(raw)
    return raw


def _blank(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.isna() | frame.apply(lambda col: col.astype("string").str.strip().eq("").fillna(False))


def _reason(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    if isinstance(exc, zipfile.BadZipFile):
        text = "not an .xlsx file, or it is password-protected"
    return text
