"""CSV, TSV and other delimited text: UTF-8 (with or without BOM) or UTF-16 with a BOM
(Qualtrics' TSV export), delimiter sniffed, every cell read as text."""

from __future__ import annotations

import codecs
import csv
from pathlib import Path

import numpy as np
import pandas as pd

from insights.core.errors import SurveyDataError
from insights.data.sources.base import RawData
from insights.data.sources.qualtrics import detect_qualtrics

SNIFF_BYTES = 64 * 1024
SUFFIXES = (".csv", ".tsv", ".txt")


def read_delimited(path: Path, name: str) -> RawData:
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if not head.strip():
        raise SurveyDataError("file is empty", source=name)
    encoding = "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
        head_text = head[: len(head) // 2 * 2].decode("utf-16", errors="ignore")
    else:
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
    if not head_text.strip():
        raise SurveyDataError("file is empty", source=name)
    if path.suffix.lower() == ".tsv":
        delimiter = "\t"
    elif "ImportId" in head_text:
        # A Qualtrics export: long question texts in the second row can fool the sniffer.
        delimiter = "\t" if "\t" in head_text.splitlines()[0] else ","
    else:
        delimiter = sniff_delimiter(head_text)
    frame = _read_with_arrow(path, delimiter, head_text) if encoding == "utf-8-sig" else None
    try:
        if frame is None:
            frame = pd.read_csv(
                path,
                sep=delimiter,
                dtype=str,
                keep_default_na=False,
                na_values=[""],
                encoding=encoding,
                skipinitialspace=False,
            )
    except UnicodeError as exc:
        reason = getattr(exc, "reason", str(exc))
        raise SurveyDataError(f"not UTF-8 text ({reason}); save the file as UTF-8", source=name) from None
    except pd.errors.EmptyDataError:
        raise SurveyDataError("file is empty", source=name) from None
    except pd.errors.ParserError as exc:
        raise SurveyDataError(
            f"cannot parse as {delimiter_name(delimiter)}-separated text: {exc}", source=name
        ) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    raw = RawData.of(frame, name, kind="text")
    detect_qualtrics(raw)
    return raw


def _read_with_arrow(path: Path, delimiter: str, head_text: str) -> pd.DataFrame | None:
    """The file read by pyarrow's multi-threaded CSV reader, every cell as text, blanks as
    missing: the frame ``pd.read_csv(dtype=str, keep_default_na=False, na_values=[""])`` gives,
    several times faster.  ``None`` for anything out of the ordinary (a header pandas would
    rename, ragged rows, bytes that are not UTF-8, a NUL byte...): pandas then reads the file
    and says what is wrong, exactly as before.
    """
    import mmap

    import pyarrow as pa
    import pyarrow.csv as pv

    header_line, newline, _ = head_text.partition("\n")
    if not newline:
        return None  # the header does not fit in the sniffed head: leave it to pandas
    try:
        names = next(csv.reader([header_line.rstrip("\r")], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return None
    # pandas renames empty and repeated header cells ("Unnamed: 3", "quality.1").
    if not names or any(name == "" for name in names) or len(set(names)) != len(names):
        return None
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if data.find(b"\x00") != -1:
            return None
        quotes = 0
        for start in range(0, len(data), 1 << 24):  # 16 MB at a time: no copy of the whole file
            chunk = np.frombuffer(data, dtype=np.uint8, count=min(1 << 24, len(data) - start), offset=start)
            quotes += int(np.count_nonzero(chunk == ord('"')))
            del chunk  # the mmap cannot close while a view of it is alive
    if quotes % 2:
        return None  # a quote left open (pyarrow would read to the end of the file; pandas refuses)
    # A quoted cell may hold a line break; only then must the reader track quotes across lines,
    # which makes it slower.
    quoted = quotes > 0
    try:
        table = pv.read_csv(
            path,
            read_options=pv.ReadOptions(block_size=16 << 20),
            parse_options=pv.ParseOptions(
                delimiter=delimiter,
                quote_char='"',
                double_quote=True,
                escape_char=False,
                newlines_in_values=quoted,
                ignore_empty_lines=True,
            ),
            convert_options=pv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
    except (pa.ArrowException, OSError, ValueError):
        return None
    if (
        table.num_rows == 0
        or table.column_names != names
        or any(t != pa.string() for t in table.schema.types)
    ):
        return None
    return table.to_pandas()


def sniff_delimiter(text: str) -> str:
    first_lines = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(first_lines, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def delimiter_name(delimiter: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(delimiter, repr(delimiter))
