"""What a reader hands on: the raw rows, where each came from, and what was left out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from insights.core.errors import Problem, SurveyDataError


@dataclass(frozen=True)
class RowOrigins:
    """Where each row of a raw frame came from, so a message can say "jan.csv: ... in row 3".

    ``rows`` are 1-based response numbers within their file (row 1 is the first response
    under the header, extra header rows such as Qualtrics' not counted); ``files`` names the
    file of each row when the rows come from several files (a folder), else ``None``.
    """

    rows: np.ndarray
    files: np.ndarray | None = None

    @classmethod
    def sequential(cls, n: int) -> RowOrigins:
        return cls(np.arange(1, n + 1))

    def __len__(self) -> int:
        return len(self.rows)

    def take(self, keep) -> RowOrigins:
        """The origins of the rows selected by a boolean mask or positions."""
        keep = np.asarray(keep)
        return RowOrigins(self.rows[keep], None if self.files is None else self.files[keep])

    @staticmethod
    def concat(parts: Sequence[tuple[RowOrigins, str]]) -> RowOrigins:
        """Join the origins of several files; each part is (its origins, its display name)."""
        rows = np.concatenate([origins.rows for origins, _ in parts]) if parts else np.array([], dtype=int)
        files = (
            np.concatenate([np.full(len(origins), name, dtype=object) for origins, name in parts])
            if parts
            else np.array([], dtype=object)
        )
        return RowOrigins(rows, files)

    def problems(
        self, source: str, message: str, column: str | None = None, mask=None, values=None, limit: int = 5
    ) -> list[Problem]:
        """One :class:`Problem` per file holding masked rows (a single one when there are no files)."""
        if mask is None:
            return [Problem(source, message, column)]
        mask = np.asarray(mask, dtype=bool)
        if self.files is None:
            groups = [(source, mask)]
        else:
            groups = []
            for name in pd.unique(self.files[mask]):
                groups.append((name, mask & (self.files == name)))
        found = []
        for name, part in groups:
            rows = tuple(self.rows[part].astype(np.int64).tolist())
            # Only the values shown are looked up: a column of a million is not copied for five.
            shown = () if values is None else _values_at(values, np.flatnonzero(part)[:limit])
            found.append(Problem(name, message, column, rows, shown))
        return found

    def describe(self, position: int, folder: str = "") -> str:
        """``"jan.csv row 3"`` (or ``"row 3"`` for a single file) for the row at ``position``;
        file names are shown relative to ``folder`` when given."""
        row = f"row {int(self.rows[position])}"
        if self.files is None:
            return row
        return f"{str(self.files[position]).removeprefix(folder + '/') if folder else self.files[position]} {row}"


@dataclass
class RawData:
    """Rows as a reader found them, before mapping and validation.

    ``frame`` has a fresh 0..n-1 index, aligned with ``origins``.  ``ignored_columns`` are
    columns the format adds on its own (Qualtrics' StartDate, Status, ...): they are dropped
    unless the survey definition maps one of them (``submitted_at = "RecordedDate"``).
    """

    frame: pd.DataFrame
    name: str
    origins: RowOrigins
    kind: str = "file"
    excluded: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    files: dict[str, int] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    value_labels: dict[str, dict] = field(default_factory=dict)
    column_labels: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, frame: pd.DataFrame, name: str, kind: str = "file", **extra) -> RawData:
        frame = frame.reset_index(drop=True)
        return cls(frame, name, RowOrigins.sequential(len(frame)), kind, **extra)

    def keep_rows(self, keep) -> None:
        """Drop the rows where ``keep`` is False, keeping their origins in step."""
        keep = np.asarray(keep, dtype=bool)
        self.frame = self.frame.loc[keep].reset_index(drop=True)
        self.origins = self.origins.take(keep)

    def add_excluded(self, what: str, count: int) -> None:
        if count:
            self.excluded[what] = self.excluded.get(what, 0) + int(count)

    def error(self, message: str, column: str | None = None, mask=None, values=None) -> SurveyDataError:
        return SurveyDataError(self.origins.problems(self.name, message, column, mask, values))


def _values_at(values, positions: np.ndarray) -> tuple:
    """``values`` (a Series, an array or a list) at ``positions``, as plain Python objects."""
    if isinstance(values, (pd.Series, pd.Index)):
        picked = values.iloc[positions] if isinstance(values, pd.Series) else values[positions]
        return tuple(np.asarray(picked, dtype=object))
    return tuple(np.asarray(values, dtype=object)[positions])


def describe_excluded(excluded: dict[str, int]) -> str:
    """``{"survey previews": 1, "unfinished responses": 3}`` -> ``"1 survey preview, 3 unfinished responses"``."""
    return ", ".join(
        f"{n} {what[:-1] if n == 1 and what.endswith('s') else what}" for what, n in excluded.items()
    )


def require(module: str, package: str, what: str, source: str):
    """Import a reader's library, or say which package to install (instead of an ImportError)."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise SurveyDataError(
            f"reading {what} needs the Python package '{package}' (pip install '{package}')", source=source
        ) from None
