"""What every command shares: the app, the console, the common options and the loading helpers."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Client-satisfaction workbook: validate survey data, compute metrics and drivers, render reports.",
)


out = Console(highlight=False, soft_wrap=True)


SourceArg = Annotated[
    str,
    typer.Argument(
        help="Survey responses: a CSV/TSV, Parquet, Excel, SPSS or DuckDB file, a Qualtrics export, a folder of "
        "files, or a database URL (postgresql://user@host/db).",
        show_default=False,
    ),
]


SurveyOpt = Annotated[
    Path | None, typer.Option("--survey", help="Survey definition TOML (default: the shipped one).")
]


ClientOpt = Annotated[str | None, typer.Option("--client", help="Only this client id.")]


PeriodOpt = Annotated[
    str | None,
    typer.Option(
        "--period",
        help="Only this period, in the survey's cadence: 2026-10 (monthly), 2026-Q3 (quarterly), 2026-H2 "
        "(half-yearly) or 2026 (yearly).",
    ),
]


PeriodsOpt = Annotated[
    int | None,
    typer.Option(
        "--periods",
        min=1,
        help="Waves of trend: periods of the survey's cadence (default: 12 months, 8 quarters, 6 half-years "
        "or 5 years).",
    ),
]


def window_waves(
    months: int | None, periods: int | None, survey: Path | None, *, default: dict[str, int] | None = None
) -> int:
    """The window in waves: ``--periods``, or ``--months`` for a monthly survey, or the cadence's default
    (``default``, cadence -> waves; the trend window :data:`~insights.core.periods.DEFAULT_WINDOW` if None).

    ``--months`` for a quarterly (half-yearly, yearly) survey is refused with a one-line error that
    names ``--periods``: a number of months is not a number of quarters.
    """
    from insights.core.periods import DEFAULT_WINDOW, PeriodError, adjective, plural
    from insights.data.survey import resolve_survey

    cadence = resolve_survey(survey).cadence
    if periods is not None:
        if months is not None and cadence == "month" and months != periods:
            raise PeriodError(f"--months {months} and --periods {periods} disagree: give one of them")
        return periods
    defaults = default or DEFAULT_WINDOW
    if months is None:
        return defaults[cadence]
    if cadence != "month":
        raise PeriodError(
            f"--months counts months, and the survey is {adjective(cadence)}: give --periods N, the number of "
            f"{plural(cadence)} (for example --periods {defaults[cadence]})"
        )
    return months


FormatOpt = Annotated[str, typer.Option("--format", help="table (for people) or json (for tools).")]


SheetOpt = Annotated[
    str | None, typer.Option("--sheet", help="Excel: the sheet to read (default: the first).")
]


TableOpt = Annotated[
    str | None, typer.Option("--table", help="DuckDB or database: the table (default: responses).")
]


QueryOpt = Annotated[
    str | None, typer.Option("--query", help="DuckDB or database: a SELECT to read instead of a table.")
]


def check_format(fmt: str) -> str:
    if fmt not in ("table", "json"):
        raise typer.BadParameter(f"'{fmt}' is not one of: table, json", param_hint="--format")
    return fmt


def print_json(payload: object) -> None:
    out.print_json(json.dumps(payload, allow_nan=False), indent=2) if sys.stdout.isatty() else print(
        json.dumps(payload, indent=2, allow_nan=False)
    )


def load_source(
    source,
    survey: Path | None,
    sheet: str | None = None,
    table: str | None = None,
    query: str | None = None,
):
    from insights.data.load import load
    from insights.data.survey import resolve_survey

    definition = resolve_survey(survey)
    return load(source, definition, warn=False, sheet=sheet, table=table, query=query), definition


def source_name(source) -> str:
    """The source as messages show it (file name, or URL with the password masked), markup-safe."""
    from rich.markup import escape

    from insights.data.read import describe_source

    return escape(describe_source(source))


def fmt(value: object, digits: int = 1, signed: bool = False, suffix: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:+.{digits}f}{suffix}" if signed else f"{value:.{digits}f}{suffix}"
