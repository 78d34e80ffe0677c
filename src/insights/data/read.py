"""Read survey data from any supported source into a raw DataFrame (no validation here).

The dispatcher: it recognises the kind of source and hands it to its reader in
:mod:`insights.data.sources` (one module per kind):

========================================  ==========================================================
source                                    reader
========================================  ==========================================================
``.csv``, ``.tsv``, ``.txt``              delimited text, every cell as text; Qualtrics exports
                                          recognised by their extra header rows
``.parquet``, ``.pq``                     Parquet
``.xlsx``, ``.xlsm``                      Excel: the first sheet, or ``sheet=``
``.sav``, ``.zsav``                       SPSS: user-missing codes read as missing, labels kept
``.duckdb``                               DuckDB: table ``responses``, or ``table=`` / ``query=``
a folder                                  every data file in it, in name order
``postgresql://...`` (any SQLAlchemy URL)  a table (``responses``, or ``table=``) or ``query=``
a DataFrame                               as it is
========================================  ==========================================================

The readers keep text as text where the format has text: turning strings into numbers and
dates, and reporting what will not convert, is the job of :mod:`insights.data.validation`, which
needs the original values to say what was wrong and where.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from insights.core.errors import DataError, Problem, SurveyDataError
from insights.data.sources import duckdb_file, excel, folder, parquet, spss, sql, text
from insights.data.sources.base import RawData, RowOrigins, describe_excluded

SNIFF_BYTES = text.SNIFF_BYTES
TEXT_SUFFIXES = set(text.SUFFIXES)
FILE_KINDS = {
    **{suffix: "text" for suffix in text.SUFFIXES},
    **{suffix: "parquet" for suffix in parquet.SUFFIXES},
    **{suffix: "excel" for suffix in excel.SUFFIXES},
    **{suffix: "spss" for suffix in spss.SUFFIXES},
    **{suffix: "duckdb" for suffix in duckdb_file.SUFFIXES},
}
KIND_NAMES = {
    "text": "a CSV/TSV file",
    "parquet": "a Parquet file",
    "excel": "an Excel workbook",
    "spss": "an SPSS file",
    "duckdb": "a DuckDB database",
    "folder": "a folder",
    "sql": "a database URL",
    "frame": "a DataFrame",
}

__all__ = [
    "RawData",
    "RowOrigins",
    "describe_source",
    "is_url",
    "mask_url",
    "read_input",
    "read_raw",
    "read_source",
]

is_url = sql.is_url
mask_url = sql.mask_url


def describe_source(source: str | Path | pd.DataFrame) -> str:
    """The short name used in messages: the file name a user recognises, or the masked URL."""
    if isinstance(source, pd.DataFrame):
        return "<DataFrame>"
    if is_url(source):
        return mask_url(str(source))
    path = Path(str(source))
    return path.name or str(source)


def read_source(source: str | Path | pd.DataFrame, **options) -> tuple[pd.DataFrame, str]:
    """Read ``source`` into a raw DataFrame and return it with its display name (see :func:`read_raw`)."""
    raw = read_raw(source, **options)
    return raw.frame, raw.name


def read_raw(
    source: str | Path | pd.DataFrame,
    *,
    sheet: str | None = None,
    table: str | None = None,
    query: str | None = None,
) -> RawData:
    """Read any supported source; see the module docstring for the kinds.

    ``sheet`` picks an Excel sheet (for a folder: in every workbook in it); ``table`` or
    ``query`` pick what to read from a DuckDB file or a database URL.  Every failure is a
    :class:`SurveyDataError` naming the file (or the URL, password masked) and what is wrong.
    """
    if table is not None and query is not None:
        raise SurveyDataError("give a table or a query, not both", source=describe_source(source))
    if isinstance(source, pd.DataFrame):
        _check_options("frame", "<DataFrame>", sheet, table, query)
        raw = RawData.of(source.copy(), "<DataFrame>", kind="frame")
    elif is_url(source):
        _check_options("sql", mask_url(str(source)), sheet, table, query)
        raw = sql.read_sql(str(source), table=table, query=query)
    else:
        path = Path(source)
        name = describe_source(path)
        if not path.exists():
            raise SurveyDataError(f"file not found ({path})", source=name)
        if path.is_dir():
            _check_options("folder", name, sheet, table, query)
            raw = folder.read_folder(path, name, lambda file, shown: _read_file(file, shown, sheet=sheet))
        else:
            raw = _read_file(path, name, sheet=sheet, table=table, query=query)
    _require_rows(raw)
    return raw


def read_input(
    source: str | Path | pd.DataFrame,
    what: str,
    error: type[DataError],
    *,
    sheet: str | None = None,
    table: str | None = None,
    query: str | None = None,
    default_table: str | None = None,
) -> RawData:
    """Read an input other than the survey responses (service events, contacts, a self-assessment).

    As :func:`read_raw`, with two differences: a DuckDB file or a database URL is read from
    ``default_table`` unless a table or query is given, and a failure is raised as ``error`` (an
    :class:`insights.core.errors.DataError`) whose messages speak of ``what`` ("no contacts: the
    file has a header but no rows") instead of responses.
    """
    if default_table and table is None and query is None and (is_url(source) or _is_duckdb(source)):
        table = default_table
    try:
        return read_raw(source, sheet=sheet, table=table, query=query)
    except SurveyDataError as exc:
        raise error([_speaking_of(what, p) for p in exc.problems]) from None


def _is_duckdb(source: str | Path | pd.DataFrame) -> bool:
    return not isinstance(source, pd.DataFrame) and str(source).lower().endswith(tuple(duckdb_file.SUFFIXES))


def _speaking_of(what: str, problem: Problem) -> Problem:
    if not problem.message.startswith("no responses"):
        return problem
    message = problem.message.replace("no responses", f"no {what}", 1)
    return Problem(problem.source, message, problem.column, problem.rows, problem.values)


def _read_file(path: Path, name: str, *, sheet=None, table=None, query=None) -> RawData:
    kind = FILE_KINDS.get(path.suffix.lower())
    if kind is None:
        supported = ", ".join(sorted(FILE_KINDS))
        advice = "; save it as .xlsx" if path.suffix.lower() == ".xls" else ""
        raise SurveyDataError(
            f"unsupported file type '{path.suffix}' (supported: {supported}, a folder, or a database URL){advice}",
            source=name,
        )
    _check_options(kind, name, sheet, table, query)
    if kind == "text":
        raw = text.read_delimited(path, name)
    elif kind == "parquet":
        raw = parquet.read_parquet(path, name)
    elif kind == "excel":
        raw = excel.read_excel(path, name, sheet=sheet)
    elif kind == "spss":
        raw = spss.read_spss(path, name)
    else:
        raw = duckdb_file.read_duckdb(path, name, table=table, query=query)
    _require_rows(raw)
    return raw


def _require_rows(raw: RawData) -> None:
    if not raw.frame.empty:
        return
    left_out = describe_excluded(raw.excluded)
    if left_out:
        detail = f"every row was left out ({left_out})"
    elif raw.kind in ("duckdb", "sql"):
        detail = "the table or query returned no rows"
    else:
        detail = "the file has a header but no rows"
    raise SurveyDataError(f"no responses: {detail}", source=raw.name)


def _check_options(kind: str, name: str, sheet, table, query) -> None:
    what = KIND_NAMES[kind]
    if sheet is not None and kind not in ("excel", "folder"):
        raise SurveyDataError(
            f"a sheet ('{sheet}') applies to Excel workbooks, and this is {what}", source=name
        )
    if table is not None and kind not in ("duckdb", "sql"):
        raise SurveyDataError(
            f"a table ('{table}') applies to DuckDB files and database URLs, and this is {what}", source=name
        )
    if query is not None and kind not in ("duckdb", "sql"):
        raise SurveyDataError(
            f"a query applies to DuckDB files and database URLs, and this is {what}", source=name
        )
