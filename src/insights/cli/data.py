"""Commands on the data itself: ``validate``, ``sample`` and ``import``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from insights.cli.common import (
    FormatOpt,
    QueryOpt,
    SheetOpt,
    SourceArg,
    SurveyOpt,
    TableOpt,
    check_format,
    out,
    print_json,
)


def validate(
    source: SourceArg,
    survey: SurveyOpt = None,
    format: FormatOpt = "table",
    sheet: SheetOpt = None,
    table: TableOpt = None,
    query: QueryOpt = None,
) -> None:
    """Check a survey file against the contract and summarise it (exit 1 with one line per problem)."""
    from rich.markup import escape

    from insights.core.periods import noun
    from insights.data.load import DataSummary
    from insights.data.load import validate as validate_source

    check_format(format)
    summary = DataSummary.of(validate_source(source, survey, sheet=sheet, table=table, query=query))
    if format == "json":
        print_json(summary.to_dict())
        return
    out.print(f"[bold]{escape(summary.source)}[/bold]: valid")
    out.print(
        f"  {summary.responses} responses from {summary.respondents} respondents at {summary.clients} clients "
        f"({summary.internal_clients} internal), {noun(summary.cadence, len(summary.responses_per_month))} "
        f"({summary.first_period} to {summary.last_period})"
    )
    if summary.files:
        out.print(
            f"  read {len(summary.files)} files: "
            + ", ".join(f"{name} ({n})" for name, n in summary.files.items()),
            markup=False,
        )
    if summary.excluded:
        out.print(f"  left out: {summary.left_out()}", markup=False)
    for note in summary.notes:
        out.print(f"  note: {note}", markup=False)
    months_table = Table(noun(summary.cadence), "responses", box=None, padding=(0, 2))
    for period, n in summary.responses_per_month.items():
        months_table.add_row(period, str(n))
    out.print(months_table)
    if summary.warnings:
        out.print(f"[yellow]{len(summary.warnings)} warning(s):[/yellow]")
        for warning in summary.warnings:
            out.print(f"  - {warning}", markup=False)


def sample(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the sample into.")],
    cadence: Annotated[
        str,
        typer.Option(
            "--cadence",
            help="month: the monthly sample (30 clients, 12 months); quarter: the quarterly sample "
            "(12 clients, 8 waves, no NPS question, with its survey.toml).",
        ),
    ] = "month",
) -> None:
    """Write the seeded sample survey (30 clients, 12 months; or quarterly waves) into a folder."""
    if cadence not in ("month", "quarter"):
        raise typer.BadParameter(f"'{cadence}' is not one of: month, quarter", param_hint="--cadence")
    if cadence == "quarter":
        from insights.data.sample_quarterly import write_quarterly_sample as write_sample
    else:
        from insights.data.sample import write_sample

    for path in write_sample(out_dir):
        out.print(str(path), markup=False)


def import_(
    source: SourceArg,
    into: Annotated[
        Path,
        typer.Option(
            "--into",
            help="The DuckDB store to append to, e.g. data/insights.duckdb (created when missing).",
            show_default=False,
        ),
    ],
    survey: SurveyOpt = None,
    sheet: SheetOpt = None,
    table_name: TableOpt = None,
    query: QueryOpt = None,
    format: FormatOpt = "table",
) -> None:
    """Validate a source and append its responses to a DuckDB store, skipping response ids already there."""
    from insights.data.store import import_responses

    check_format(format)
    report = import_responses(source, into, survey, sheet=sheet, table=table_name, query=query)
    if format == "json":
        print_json(report.to_dict())
        return
    out.print(
        f"{report.store}: {report.added} new responses from {report.source}"
        f" ({report.skipped} already in the store, skipped)",
        markup=False,
    )
    out.print(
        f"  the store holds {report.total} responses, {report.first_period} to {report.last_period}",
        markup=False,
    )
    if report.excluded:
        from insights.data.sources.base import describe_excluded

        out.print(f"  left out: {describe_excluded(report.excluded)}", markup=False)
    for note in report.notes:
        out.print(f"  note: {note}", markup=False)
    if report.warnings:
        out.print(f"[yellow]{len(report.warnings)} warning(s):[/yellow]")
        for warning in report.warnings:
            out.print(f"  - {warning}", markup=False)
