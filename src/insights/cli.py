"""The ``insights`` command line.

Every command turns bad input into one line per problem on stderr and a non-zero exit
(1 for data and selection errors, 2 for usage errors); a traceback is shown only with
``INSIGHTS_DEBUG=1``.
"""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from insights.core.errors import InsightsError
from insights.data.survey import SurveyDefinitionError

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
PeriodOpt = Annotated[str | None, typer.Option("--period", help="Only this month, YYYY-MM.")]
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


def _check_format(fmt: str) -> str:
    if fmt not in ("table", "json"):
        raise typer.BadParameter(f"'{fmt}' is not one of: table, json", param_hint="--format")
    return fmt


def _print_json(payload: object) -> None:
    out.print_json(json.dumps(payload, allow_nan=False), indent=2) if sys.stdout.isatty() else print(
        json.dumps(payload, indent=2, allow_nan=False)
    )


def _load(
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


def _source_name(source) -> str:
    """The source as messages show it (file name, or URL with the password masked), markup-safe."""
    from rich.markup import escape

    from insights.data.read import describe_source

    return escape(describe_source(source))


@app.command()
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

    from insights.data.load import DataSummary
    from insights.data.load import validate as validate_source

    _check_format(format)
    summary = DataSummary.of(validate_source(source, survey, sheet=sheet, table=table, query=query))
    if format == "json":
        _print_json(summary.to_dict())
        return
    out.print(f"[bold]{escape(summary.source)}[/bold]: valid")
    out.print(
        f"  {summary.responses} responses from {summary.respondents} respondents at {summary.clients} clients "
        f"({summary.internal_clients} internal), {len(summary.responses_per_month)} months "
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
    months_table = Table("month", "responses", box=None, padding=(0, 2))
    for period, n in summary.responses_per_month.items():
        months_table.add_row(period, str(n))
    out.print(months_table)
    if summary.warnings:
        out.print(f"[yellow]{len(summary.warnings)} warning(s):[/yellow]")
        for warning in summary.warnings:
            out.print(f"  - {warning}", markup=False)


@app.command()
def sample(out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the sample into.")]) -> None:
    """Write the seeded sample survey (30 clients, 12 months) into a folder."""
    from insights.data.sample import write_sample

    for path in write_sample(out_dir):
        out.print(str(path), markup=False)


def _fmt(value: object, digits: int = 1, signed: bool = False, suffix: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:+.{digits}f}{suffix}" if signed else f"{value:.{digits}f}{suffix}"


@app.command()
def metrics(
    source: SourceArg,
    client: ClientOpt = None,
    period: PeriodOpt = None,
    survey: SurveyOpt = None,
    format: FormatOpt = "table",
    sheet: SheetOpt = None,
    table_name: TableOpt = None,
    query: QueryOpt = None,
) -> None:
    """Headline metrics: NPS, CSAT (top-2-box) and mean overall, each with its 95% CI."""
    from insights.data.selection import select
    from insights.stats.metrics import summary

    _check_format(format)
    df, definition = _load(source, survey, sheet=sheet, table=table_name, query=query)
    scope = select(df, client=client, period=period)
    headline = summary(
        scope,
        scale_max=definition.overall_scale.max,
        top_box=definition.overall_scale.top_box,
        weight="weight" if "weight" in scope.columns else None,
    ).to_dict()
    if format == "json":
        _print_json(headline)
        return
    nps, csat, mean = headline["nps"], headline["csat"], headline["mean_overall"]
    out.print(
        f"[bold]{_source_name(source)}[/bold]  client: {client or 'all'}  period: {period or 'all'}  "
        f"n = {headline['n']}"
    )
    table = Table("metric", "score", "95% CI", "detail", box=None, padding=(0, 2))
    table.add_row(
        "NPS",
        _fmt(nps["score"], signed=True),
        f"{_fmt(nps['ci_low'], signed=True)} to {_fmt(nps['ci_high'], signed=True)}",
        f"{nps['promoters']} promoters, {nps['passives']} passives, {nps['detractors']} detractors",
    )
    table.add_row(
        f"CSAT (top-{definition.overall_scale.top_box}-box)",
        _fmt(csat["score"], suffix="%"),
        f"{_fmt(csat['ci_low'], suffix='%')} to {_fmt(csat['ci_high'], suffix='%')}",
        "",
    )
    table.add_row(
        f"Mean overall ({definition.overall_scale})",
        _fmt(mean["score"], 2),
        f"{_fmt(mean['ci_low'], 2)} to {_fmt(mean['ci_high'], 2)}",
        "",
    )
    for column in (1, 2):
        table.columns[column].justify = "right"
    out.print(table)


@app.command()
def drivers(
    source: SourceArg,
    client: ClientOpt = None,
    period: PeriodOpt = None,
    outcome: Annotated[
        str, typer.Option("--outcome", help="Outcome column to explain.")
    ] = "overall_satisfaction",
    survey: SurveyOpt = None,
    format: FormatOpt = "table",
    sheet: SheetOpt = None,
    table_name: TableOpt = None,
    query: QueryOpt = None,
) -> None:
    """Key-driver analysis: regression, relative importance (LMG, relative weights), quadrants."""
    from insights.data.read import describe_source
    from insights.data.selection import select
    from insights.stats.drivers import key_drivers

    _check_format(format)
    df, definition = _load(source, survey, sheet=sheet, table=table_name, query=query)
    if outcome not in df.columns:
        raise InsightsError(f"{describe_source(source)}: {outcome}: no such column to use as outcome")
    scope = select(df, client=client, period=period)
    analysis = key_drivers(
        scope,
        drivers=[d for d in definition.driver_names if d in scope.columns and d != outcome],
        outcome=outcome,
        weight="weight" if "weight" in scope.columns else None,
        cluster="client_id" if client is None else None,
        labels=definition.drivers,
    )
    result = analysis.to_dict()
    if format == "json":
        _print_json(result)
        return
    _print_drivers_table(source, client, period, result, definition)


def _print_drivers_table(source: str, client, period, result: dict, definition) -> None:
    out.print(
        f"[bold]{_source_name(source)}[/bold]  client: {client or 'all'}  period: {period or 'all'}  "
        f"n = {result['n']}  R² = {_fmt(result['r2'], 3)}  SE: {result['se_type']}"
    )
    if result.get("status", "ok") != "ok":
        out.print(f"[yellow]{result['status']}[/yellow]: {result.get('reason', '')}", markup=False)
    if result["coefficients"]:
        table = Table(
            "term", "coef", "95% CI", "p", "std. coef", box=None, padding=(0, 2), title="Regression"
        )
        for row in result["coefficients"]:
            table.add_row(
                row["term"],
                _fmt(row["coef"], 3),
                f"{_fmt(row['ci_low'], 3)} to {_fmt(row['ci_high'], 3)}",
                _fmt(row["p"], 3),
                _fmt(row["std_coef"], 3),
            )
        out.print(table)
    if result["importance"]:
        table = Table(
            "driver",
            "LMG",
            "share",
            "rel. weight",
            "performance",
            "quadrant",
            box=None,
            padding=(0, 2),
            title="Relative importance",
        )
        for row in result["importance"]:
            table.add_row(
                definition.label(row["driver"]),
                _fmt(row["lmg"], 3),
                _fmt(row["share"], 1, suffix="%"),
                _fmt(row["relative_weight"], 3),
                _fmt(row["performance"], 2),
                row["quadrant"],
            )
        out.print(table)
    for warning in result["warnings"]:
        out.print(f"[yellow]warning:[/yellow] {warning}")
    for finding in result["findings"]:
        out.print(f"- {finding}", markup=False)


@app.command()
def run(
    source: SourceArg,
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder to write the reports, notebooks and index.html into.")
    ],
    period: PeriodOpt = None,
    client: Annotated[
        list[str] | None, typer.Option("--client", help="Only these client ids (repeatable).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Parallel processes (default: CPU count).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Render every report, even unchanged ones.")] = False,
    months: Annotated[int, typer.Option("--months", min=1, help="Months of trend in each report.")] = 12,
    survey: SurveyOpt = None,
    contacts: Annotated[
        Path | None,
        typer.Option(
            "--contacts",
            help="Contact list: adds a People section to every client report and names the people to "
            "follow up (README, People).",
        ),
    ] = None,
    self_assessment: Annotated[
        Path | None,
        typer.Option(
            "--self-assessment",
            help="The team's self-assessment: adds a Perception gap section (README, People).",
        ),
    ] = None,
    show_names: Annotated[
        bool,
        typer.Option(
            "--show-names", help="Show contacts' names in the reports (default: roles and pseudonyms only)."
        ),
    ] = False,
    sheet: SheetOpt = None,
    table: TableOpt = None,
    query: QueryOpt = None,
    executor: Annotated[str, typer.Option("--executor", help="local (a process pool) or dask.")] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="With --executor dask: the scheduler address, e.g. tcp://10.0.0.5:8786 "
            "(default: a LocalCluster on this machine).",
        ),
    ] = None,
    events: Annotated[
        Path | None,
        typer.Option(
            "--events",
            help="Service events file: adds a 'Service levels' section to every report (README, Service "
            "levels).",
        ),
    ] = None,
    sla_target: Annotated[
        float,
        typer.Option(
            "--sla-target", min=0.0, max=1.0, help="Attainment target as a fraction (with --events)."
        ),
    ] = 0.95,
    hourly_cost: Annotated[
        float, typer.Option("--hourly-cost", min=0.0, help="Cost of one idle person-hour (with --events).")
    ] = 60.0,
) -> None:
    """Render one HTML report per client, a portfolio report and an index page (exit 1 if any failed)."""
    from insights.batch.runner import RunInterrupted
    from insights.batch.runner import run as run_reports

    extra = None
    if events is not None:
        from insights.data.events import load_events

        load_events(events, warn=False)  # bad events stop the run here, with named errors
        extra = {
            "events": str(events.resolve()),
            "sla_target": float(sla_target),
            "hourly_cost": float(hourly_cost),
        }
    people = _people_parameters(contacts, self_assessment, show_names, survey)
    try:
        outcome = run_reports(
            source,
            out_dir,
            period=period,
            clients=client or None,
            workers=workers,
            force=force,
            survey=survey,
            months=months,
            extra_parameters={**(extra or {}), **people},
            sheet=sheet,
            table=table,
            query=query,
            executor=executor,
            scheduler=scheduler,
        )
    except RunInterrupted as interrupted:  # SIGINT or SIGTERM: what finished is recorded
        print(interrupted.describe(), file=sys.stderr)
        raise typer.Exit(interrupted.exit_code) from None
    counts = outcome.counts()
    stream = sys.stderr if outcome.failed else sys.stdout
    print(
        f"{counts['ok']} rendered, {counts['skipped']} unchanged, {counts['failed']} failed; log: "
        f"{outcome.out_dir / 'run.log'}",
        file=stream,
    )
    for result in outcome.failed:
        print(f"failed: {result.key}: {result.error}", file=sys.stderr)
    print(outcome.index)
    if outcome.failed:
        raise typer.Exit(1)


@app.command("import")
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

    _check_format(format)
    report = import_responses(source, into, survey, sheet=sheet, table=table_name, query=query)
    if format == "json":
        _print_json(report.to_dict())
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


@app.command()
def sla(
    events: Annotated[
        str,
        typer.Argument(
            help="Service events: a CSV/TSV, Parquet or Excel file (columns in the README, Service levels).",
            show_default=False,
        ),
    ],
    client: ClientOpt = None,
    period: Annotated[
        str | None, typer.Option("--period", help="Only events due in this month, YYYY-MM (UTC).")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Judge the events as of this ISO date or date-time (default: now; a date alone is 00:00 UTC "
            "that day, so the end of March is 2026-04-01).",
        ),
    ] = None,
    tz: Annotated[
        str, typer.Option("--tz", help="Time zone of the weekday and hour breakdowns (IANA name).")
    ] = "UTC",
    hourly_cost: Annotated[
        float,
        typer.Option(
            "--hourly-cost", min=0.0, help="Cost of one idle person-hour, for the cost of non-delivery."
        ),
    ] = 60.0,
    format: FormatOpt = "table",
) -> None:
    """Service levels: events met, breached and open, attainment and penalties, by category, weekday and hour."""
    from rich.markup import escape

    from insights.data.events import load_events
    from insights.stats.as_of import parse_as_of
    from insights.stats.service_levels import sla_summary

    _check_format(format)
    _check_zone(tz)
    moment = parse_as_of(as_of)
    frame = load_events(events, warn=False)
    result = sla_summary(frame, as_of=moment, client=client, period=period, tz=tz, hourly_cost=hourly_cost)
    if format == "json":
        _print_json(result.to_dict())
        return
    rate = "–" if math.isnan(result.attainment) else f"{100 * result.attainment:.1f}%"
    out.print(
        f"[bold]{_source_name(events)}[/bold]  client: {escape(client or 'all')}  due: {period or 'any month'}  "
        f"as of {result.as_of:%Y-%m-%d %H:%M} UTC"
    )
    out.print(
        f"  {result.events} events due: {result.met} met, {result.breached} breached, attainment {rate}; "
        f"{result.open} open (not yet due); {result.overdue} overdue (unresolved past due)",
        markup=False,
    )
    out.print(
        f"  penalties {result.penalties:,.2f}; cost of non-delivery {result.cost:,.2f} "
        f"(penalties + people x hours late x {hourly_cost:,.2f})",
        markup=False,
    )
    keys = (
        ("by_category", "category", "By category"),
        ("by_weekday", "weekday", f"By weekday opened ({tz})"),
        ("by_hour", "hour", f"By hour opened ({tz})"),
    )
    payload = result.to_dict()
    for field, key, title in keys:
        table = Table(
            key,
            "due",
            "met",
            "breached",
            "open",
            "attainment",
            "penalties",
            box=None,
            padding=(0, 2),
            title=title,
            title_justify="left",
        )
        for row in payload[field]:
            if field == "by_hour" and not (row["events"] or row["open"]):
                continue
            label = f"{row[key]:02d}:00" if field == "by_hour" else str(row[key])
            table.add_row(
                escape(label),
                str(row["events"]),
                str(row["met"]),
                str(row["breached"]),
                str(row["open"]),
                "–" if row["attainment"] is None else f"{100 * row['attainment']:.1f}%",
                f"{row['penalties']:,.2f}",
            )
        for column in range(1, 7):
            table.columns[column].justify = "right"
        out.print(table)


def _check_zone(tz: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise typer.BadParameter(
            f"'{tz}' is not a time zone name (e.g. UTC, Europe/Berlin)", param_hint="--tz"
        ) from None
    return tz


@app.command()
def gaps(
    source: SourceArg,
    self_assessment: Annotated[
        Path,
        typer.Option(
            "--self-assessment",
            help="The team's self-assessment: client_id, period (YYYY-MM), component, score "
            "(README, People).",
            show_default=False,
        ),
    ],
    client: ClientOpt = None,
    period: Annotated[
        str | None, typer.Option("--period", help="Only the self-assessment of this month, YYYY-MM.")
    ] = None,
    months: Annotated[
        int,
        typer.Option(
            "--months", min=1, help="Months of client ratings, ending in the self-assessment's month."
        ),
    ] = 3,
    survey: SurveyOpt = None,
    format: FormatOpt = "table",
    sheet: SheetOpt = None,
    table_name: TableOpt = None,
    query: QueryOpt = None,
) -> None:
    """Perception gaps: the team's self-assessment against the client's ratings, per component, blind spots flagged."""
    from rich.markup import escape

    from insights.data.people import read_self_assessment
    from insights.data.read import describe_source
    from insights.data.selection import SelectionError, check_clients, parse_period
    from insights.stats.perception import perception_gaps

    _check_format(format)
    df, definition = _load(source, survey, sheet=sheet, table=table_name, query=query)
    team = read_self_assessment(self_assessment, definition)
    name = describe_source(self_assessment)
    if client is not None:
        check_clients(df, [client])
        if not (team["client_id"] == client).any():
            raise SelectionError(f"{name}: no self-assessment for client {client}")
    if period is not None:
        chosen = parse_period(period)
        if not (team["period"] == chosen).any():
            covered = f"{team['period'].min()} to {team['period'].max()}"
            raise SelectionError(f"{name}: no self-assessment for {chosen} (it covers {covered})")
    found = perception_gaps(df, team, client=client, period=period, months=months, survey=definition)
    rows = [
        {
            "client_id": r.client_id,
            "period": str(r.period),
            "component": r.component,
            "self": r.self,
            "client": None if math.isnan(r.client) else r.client,
            "n": int(r.n),
            "gap": None if math.isnan(r.gap) else r.gap,
            "ci_low": None if math.isnan(r.ci_low) else r.ci_low,
            "ci_high": None if math.isnan(r.ci_high) else r.ci_high,
            "blind_spot": bool(r.blind_spot),
        }
        for r in found.itertuples(index=False)
    ]
    if format == "json":
        _print_json(rows)
        return
    out.print(
        f"[bold]{_source_name(source)}[/bold] against [bold]{escape(name)}[/bold]  client: "
        f"{escape(client or 'all')}  period: {period or 'all'}  (client ratings over the {months} month(s) to "
        "each self-assessment; gap = self - client)"
    )
    table = Table(
        "client",
        "period",
        "component",
        "self",
        "client mean (95% CI)",
        "n",
        "gap (95% CI)",
        "",
        box=None,
        padding=(0, 2),
    )
    for r in found.itertuples(index=False):
        table.add_row(
            escape(r.client_id),
            str(r.period),
            escape(r.label),
            _fmt(r.self, 1),
            f"{_fmt(r.client, 2)} ({_fmt(r.client_ci_low, 2)} to {_fmt(r.client_ci_high, 2)})",
            str(r.n),
            f"{_fmt(r.gap, 2, signed=True)} ({_fmt(r.ci_low, 2, signed=True)} to {_fmt(r.ci_high, 2, signed=True)})",
            "[red]BLIND SPOT[/red]" if r.blind_spot else "",
        )
    for column in (3, 4, 5, 6):
        table.columns[column].justify = "right"
    for column in table.columns:
        column.no_wrap = True
    # a pipe or a file gets whole lines, not columns cut to 80 characters
    (out if out.is_terminal else Console(highlight=False, soft_wrap=True, width=160)).print(table)
    spots = int(found["blind_spot"].sum())
    out.print(
        f"{len(found)} gap(s); {spots} blind spot(s) (self at least one point above the client's mean); "
        f"mean gap {_fmt(float(found['gap'].mean()), 2, signed=True)}",
        markup=False,
    )


def _people_parameters(
    contacts: Path | None, self_assessment: Path | None, show_names: bool, survey: Path | None
) -> dict:
    """The report parameters for the People and Perception gap sections; the files are checked first,
    so a bad file stops the run with named errors before any report runs."""
    from insights.data.people import read_contacts, read_self_assessment

    extra: dict = {}
    if contacts is not None:
        read_contacts(contacts)
        extra["contacts"] = str(contacts.resolve())
    if self_assessment is not None:
        read_self_assessment(self_assessment, survey)
        extra["self_assessment"] = str(self_assessment.resolve())
    if show_names:
        extra["show_names"] = True
    return extra


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app and turn every failure into a short message and an exit code.

    Parameters
    ----------
    argv
        The arguments after the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 1 for data and selection errors, 2 for usage errors and unexpected errors,
        130 when interrupted; a command's own ``typer.Exit`` code otherwise.
    """
    # typer 0.29 raises the exceptions of its own copy of click (``typer._click``), older typer those of
    # click itself: catch the base class of the BadParameter typer exports, and click's when installed.
    click_errors = tuple({cls for cls in typer.BadParameter.__mro__ if cls.__name__ == "ClickException"})
    try:
        import click

        click_errors += (click.ClickException,)
    except ImportError:  # typer 0.29 does not need click
        pass
    try:
        code = app(args=argv, prog_name="insights", standalone_mode=False)
    except typer.Exit as exc:
        return exc.exit_code
    except click_errors as exc:
        # usage line, "Try 'insights metrics --help' for help." and "Error: ..."; a bare `insights`
        # has already printed the help and carries no message of its own
        if exc.format_message():
            exc.show()
        return exc.exit_code
    except typer.Abort:
        print("insights: aborted", file=sys.stderr)
        return 130
    except (InsightsError, SurveyDefinitionError) as exc:
        for line in str(exc).splitlines() or [type(exc).__name__]:
            print(f"error: {line}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("insights: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the promise is: never a bare traceback
        if os.environ.get("INSIGHTS_DEBUG"):
            raise
        print(
            f"insights: unexpected error: {type(exc).__name__}: {exc} (set INSIGHTS_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return 2
    # without standalone mode click returns the code of a typer.Exit instead of raising it
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
