"""Read survey data from any supported source into a raw DataFrame (no validation here).

The reader keeps text as text: turning strings into numbers and dates, and reporting what
will not convert, is the job of :mod:`insights.schema`, which needs the original values to
say what was wrong and where.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Callable

import pandas as pd

from .errors import SurveyDataError

SNIFF_BYTES = 64 * 1024
TEXT_SUFFIXES = {".csv", ".tsv", ".txt"}


def describe_source(source: str | Path) -> str:
    """The short name used in messages: the file name a user recognises."""
    return Path(str(source)).name or str(source)


def read_source(source: str | Path | pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Read ``source`` into a raw DataFrame and return it with its display name.

    Supported: CSV/TSV/TXT (UTF-8 with or without BOM, delimiter sniffed), Parquet,
    or a DataFrame already in memory.
    """
    if isinstance(source, pd.DataFrame):
        return source.copy(), "<DataFrame>"
    path = Path(source)
    name = describe_source(path)
    if not path.exists():
        raise SurveyDataError(f"file not found ({path})", source=name)
    if path.is_dir():
        raise SurveyDataError("is a folder, not a data file", source=name)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        supported = ", ".join(sorted(_READERS))
        raise SurveyDataError(f"unsupported file type '{path.suffix}' (supported: {supported})", source=name)
    frame = reader(path, name)
    if frame.empty:
        raise SurveyDataError("no responses: the file has a header but no rows", source=name)
    return frame, name


def _read_delimited(path: Path, name: str) -> pd.DataFrame:
    head = path.open("rb").read(SNIFF_BYTES)
    if not head.strip():
        raise SurveyDataError("file is empty", source=name)
    if b"\x00" in head:
        raise SurveyDataError("not a text file (binary content); expected CSV", source=name)
    try:
        head_text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the sniff boundary is fine; anything earlier is not UTF-8.
        if exc.start < len(head) - 4:
            raise SurveyDataError(
                f"not UTF-8 text (byte 0x{head[exc.start]:02x} at offset {exc.start}); save the file as UTF-8",
                source=name,
            ) from None
        head_text = head[: exc.start].decode("utf-8-sig")
    delimiter = "\t" if path.suffix.lower() == ".tsv" else _sniff_delimiter(head_text)
    try:
        frame = pd.read_csv(
            path,
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            encoding="utf-8-sig",
            skipinitialspace=False,
        )
    except UnicodeDecodeError as exc:
        raise SurveyDataError(f"not UTF-8 text ({exc.reason}); save the file as UTF-8", source=name) from None
    except pd.errors.EmptyDataError:
        raise SurveyDataError("file is empty", source=name) from None
    except pd.errors.ParserError as exc:
        raise SurveyDataError(f"cannot parse as {_delimiter_name(delimiter)}-separated text: {exc}", source=name) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _sniff_delimiter(text: str) -> str:
    first_lines = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(first_lines, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _delimiter_name(delimiter: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(delimiter, repr(delimiter))


def _read_parquet(path: Path, name: str) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise SurveyDataError(f"not a readable Parquet file ({exc})", source=name) from None
    return table.to_pandas()


_READERS: dict[str, Callable[[Path, str], pd.DataFrame]] = {
    ".csv": _read_delimited,
    ".tsv": _read_delimited,
    ".txt": _read_delimited,
    ".parquet": _read_parquet,
    ".pq": _read_parquet,
}
