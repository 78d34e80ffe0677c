"""Errors and warnings that speak to the user: every message names the file, the column and the rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

MAX_ROWS_SHOWN = 5


class InsightsError(Exception):
    """Base of the errors the command line turns into one-line messages and a non-zero exit."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in a data file.

    ``rows`` are 1-based response numbers: row 1 is the first response after the header.
    """

    source: str
    message: str
    column: str | None = None
    rows: Sequence[int] = field(default_factory=tuple)
    values: Sequence[object] = field(default_factory=tuple)

    def __str__(self) -> str:
        parts = [self.source]
        if self.column:
            parts.append(self.column)
        text = ": ".join(parts) + ": " + self.message
        if self.rows:
            text += " in " + _describe_rows(self.rows)
        if self.values:
            shown = ", ".join(_short(v) for v in list(self.values)[:MAX_ROWS_SHOWN])
            text += f" ({shown})"
        return text


def _describe_rows(rows: Sequence[int]) -> str:
    rows = list(rows)
    word = "row" if len(rows) == 1 else "rows"
    shown = ", ".join(str(r) for r in rows[:MAX_ROWS_SHOWN])
    more = f" and {len(rows) - MAX_ROWS_SHOWN} more" if len(rows) > MAX_ROWS_SHOWN else ""
    return f"{word} {shown}{more}"


def _short(value: object, limit: int = 30) -> str:
    text = str(value).replace("\n", " ")
    if text == "":
        return "blank"
    return text if len(text) <= limit else text[: limit - 1] + "…"


class DataError(InsightsError, ValueError):
    """A data file that cannot be used. ``problems`` lists every problem found, not just the first."""

    default_source = "<data>"

    def __init__(self, problems: Sequence[Problem] | Problem | str, source: str | None = None):
        if isinstance(problems, str):
            problems = [Problem(source or self.default_source, problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class SurveyDataError(DataError):
    """Survey data that cannot be used. ``problems`` lists every problem found, not just the first."""


class SurveyDataWarning(UserWarning):
    """Something odd in the data that does not stop the analysis (few responses, straight-lining...)."""
