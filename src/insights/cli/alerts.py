"""``insights alerts``: every flag the reports raise for a month, for people (a table) or tools (JSON).

The flags are computed once for the whole portfolio (:func:`insights.stats.alerts.compute_alerts`);
``--client`` only filters what is printed, so the q-values are the portfolio's, as in the reports.
The command exits 0 whether or not there are flags (1 only for bad input), so a scheduled job can
mail its output.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from insights.cli.common import (
    FormatOpt,
    PeriodsOpt,
    QueryOpt,
    SheetOpt,
    SourceArg,
    SurveyOpt,
    TableOpt,
    check_format,
    fmt,
    load_source,
    out,
    print_json,
    source_name,
    window_waves,
)
from insights.core.periods import format_period


def alerts(
    source: SourceArg,
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            help="The report period in the survey's cadence: 2026-10, 2026-Q3, 2026-H2 or 2026 (default: the "
            "latest in the data).",
        ),
    ] = None,
    survey: SurveyOpt = None,
    client: Annotated[
        list[str] | None,
        typer.Option(
            "--client",
            help="Only these clients' flags (repeatable); the tests and their q-values still span the portfolio.",
        ),
    ] = None,
    format: FormatOpt = "table",
    events: Annotated[
        Path | None, typer.Option("--events", help="Service events file: adds the service-level flags.")
    ] = None,
    contacts: Annotated[
        Path | None, typer.Option("--contacts", help="Contact list: the people's roles (README, People).")
    ] = None,
    months: Annotated[
        int | None,
        typer.Option("--months", min=1, help="Months of the people's window (monthly surveys; default 12)."),
    ] = None,
    periods: PeriodsOpt = None,
    sla_target: Annotated[
        float, typer.Option("--sla-target", min=0.0, max=1.0, help="Attainment target (with --events).")
    ] = 0.95,
    sheet: SheetOpt = None,
    table_name: TableOpt = None,
    query: QueryOpt = None,
    accounts: Annotated[
        Path | None,
        typer.Option(
            "--accounts", help="Accounts file: adds the close-out flags (README, Accounts and value)."
        ),
    ] = None,
) -> None:
    """Every flag the reports raise for a month, without rendering anything (exit 0 with or without flags)."""
    from insights.data.selection import check_clients, check_period, data_cadence, latest_period, parse_period
    from insights.stats.alerts import compute_alerts

    check_format(format)
    waves = window_waves(months, periods, survey)
    df, definition = load_source(source, survey, sheet=sheet, table=table_name, query=query)
    chosen = parse_period(period, data_cadence(df)) if period else latest_period(df)
    check_period(df, chosen)
    if client:
        check_clients(df, client)
    frame = _optional_inputs(events, contacts)
    found = compute_alerts(
        df,
        chosen,
        definition,
        events=frame.get("events"),
        contacts=frame.get("contacts"),
        months=waves,
        sla_target=sla_target,
        accounts=_accounts(accounts),
    )
    from insights.data.redaction import contact_names
    from insights.reporting.alerts_file import redact_alerts

    found = redact_alerts(found, contact_names(frame.get("contacts")))  # no personal data printed
    records = [r for r in found.records() if not client or r["client_id"] in set(client)]
    if format == "json":
        print_json(records)
        return
    _print_alerts_table(source, chosen, client, records)


def _optional_inputs(events: Path | None, contacts: Path | None) -> dict:
    """The validated events and contact list, when given (bad files stop here with named errors)."""
    loaded: dict = {}
    if events is not None:
        from insights.data.events import load_events

        loaded["events"] = load_events(events, warn=False)
    if contacts is not None:
        from insights.data.people import read_contacts

        loaded["contacts"] = read_contacts(contacts)
    return loaded


def _accounts(path: Path | None):
    """The validated accounts, when given (a bad file stops here with named errors)."""
    if path is None:
        return None
    from insights.data.accounts import load_accounts

    return load_accounts(path, warn=False)


def _print_alerts_table(source, period, clients, records: list[dict]) -> None:
    from rich.markup import escape

    out.print(
        f"[bold]{source_name(source)}[/bold]  period: {format_period(period)}  client: "
        f"{escape(', '.join(clients)) if clients else 'all'}  {len(records)} flag(s)"
    )
    if not records:
        out.print(f"no flags for {format_period(period)}", markup=False)
        return
    table = Table(
        "client", "kind", "metric", "estimate", "previous", "p", "q", "detail", box=None, padding=(0, 2)
    )
    for r in records:
        table.add_row(
            escape(r["client_id"]),
            r["kind"],
            escape(r["metric"]),
            fmt(r["estimate"], 2),
            fmt(r["previous"], 2),
            "–" if r["p"] is None else f"{r['p']:.2g}",
            "–" if r["q"] is None else f"{r['q']:.2g}",
            escape(r["detail"]),
        )
    for column in range(3, 7):
        table.columns[column].justify = "right"
    # a pipe or a file gets whole lines, not columns cut to 80 characters
    (out if out.is_terminal else Console(highlight=False, soft_wrap=True, width=240)).print(table)
