"""A folder of drops (one export a month, say): every data file in it, in name order, as one source.

Read: .csv, .tsv, .parquet/.pq, .xlsx/.xlsm and .sav/.zsav files directly in the folder (not in
subfolders), skipping hidden files, Office lock files (``~$...``), notes (.txt, .md) and
databases.  Rows keep their file and row number, so every message names the file it is about;
response ids found in more than one file are reported with both files.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from insights.core.errors import Problem, SurveyDataError
from insights.data.sources.base import RawData, RowOrigins

SUFFIXES = (".csv", ".tsv", ".parquet", ".pq", ".xlsx", ".xlsm", ".sav", ".zsav")


def folder_files(path: Path) -> list[Path]:
    return sorted(
        (
            p
            for p in path.iterdir()
            if p.is_file() and not p.name.startswith((".", "~$")) and p.suffix.lower() in SUFFIXES
        ),
        key=lambda p: p.name,
    )


def read_folder(path: Path, name: str, read_file: Callable[[Path, str], RawData]) -> RawData:
    files = folder_files(path)
    if not files:
        others = sorted(p.name for p in path.iterdir() if not p.name.startswith("."))
        found = (
            f"; it holds: {', '.join(others[:8])}" + (" ..." if len(others) > 8 else "")
            if others
            else "; it is empty"
        )
        raise SurveyDataError(
            f"is a folder with no supported data files (looked for {', '.join(SUFFIXES)}){found}", source=name
        )
    parts: list[RawData] = []
    notes: list[str] = []
    for file in files:
        try:
            part = read_file(file, f"{name}/{file.name}")
        except SurveyDataError as exc:
            if len(exc.problems) == 1 and exc.problems[0].message.startswith("no responses"):
                notes.append(f"{file.name}: no responses")
                continue
            raise
        parts.append(part)
    if not parts:
        raise SurveyDataError(f"no responses in any of its {len(files)} file(s)", source=name)

    raw = RawData(
        frame=pd.concat([p.frame for p in parts], ignore_index=True, sort=False),
        name=name,
        origins=RowOrigins.concat([(p.origins, p.name) for p in parts]),
        kind="qualtrics" if all(p.kind == "qualtrics" for p in parts) else "folder",
    )
    raw.files = {p.name.removeprefix(f"{name}/"): len(p.frame) for p in parts}
    raw.notes = notes
    for part in parts:
        for what, count in part.excluded.items():
            raw.add_excluded(what, count)
        raw.notes += [f"{part.name.removeprefix(name + '/')}: {note}" for note in part.notes]
        raw.warnings += part.warnings
        raw.ignored_columns += [c for c in part.ignored_columns if c not in raw.ignored_columns]
        for column, labels in part.value_labels.items():
            raw.value_labels.setdefault(column, labels)
        for column, label in part.column_labels.items():
            raw.column_labels.setdefault(column, label)
    # A file that lacks a column the others have: its rows are blank there; say so.
    all_columns = [c for c in raw.frame.columns if c not in raw.ignored_columns]
    for part in parts:
        lacking = [c for c in all_columns if c not in part.frame.columns]
        if lacking and len(parts) > 1:
            raw.warnings.append(
                Problem(
                    part.name,
                    f"lacks column(s) {', '.join(lacking)} that other files in the folder have; "
                    "its rows are blank there",
                )
            )
    return raw
