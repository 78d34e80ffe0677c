"""CSV, TSV and other delimited text: UTF-8 (with or without BOM) or UTF-16 with a BOM
(Qualtrics' TSV export), delimiter sniffed, every cell read as text."""

from __future__ import annotations

import csv
import codecs
from pathlib import Path

import pandas as pd

from ..errors import SurveyDataError
from .base import RawData
from .qualtrics import detect_qualtrics

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
    try:
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
        raise SurveyDataError(f"cannot parse as {delimiter_name(delimiter)}-separated text: {exc}", source=name) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    raw = RawData.of(frame, name, kind="text")
    detect_qualtrics(raw)
    return raw


def sniff_delimiter(text: str) -> str:
    first_lines = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(first_lines, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def delimiter_name(delimiter: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(delimiter, repr(delimiter))
