"""``insights value``: satisfaction and the business, from the survey and an accounts file.

The churn model, retention by NPS group, revenue at risk (the period's at-risk and drop flags,
computed for the whole portfolio as ``insights alerts`` does), the owners' or clients' books,
close-outs and the cost of the clients lost, as a table or JSON.
"""

from __future__ import annotations

import sys
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
    fmt,
    load_source,
    out,
    print_json,
    source_name,
)

BY_CHOICES = ("client_id", "account_owner")


def value(
    source: SourceArg,
    accounts: Annotated[
        Path,
        typer.Option(
            "--accounts",
            help="Accounts: revenue, margin and status per client and month (README, Accounts and value).",
        ),
    ],
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            help="The report period in the survey's cadence: 2026-10, 2026-Q3, 2026-H2 or 2026 (default: the "
            "latest in the survey).",
        ),
    ] = None,
    months: Annotated[
        int,
        typer.Option("--months", min=1, help="Months of accounts in the window, to the period's last month."),
    ] = 12,
    by: Annotated[
        str, typer.Option("--by", help="The books' rows in the table: client_id or account_owner.")
    ] = "client_id",
    survey: SurveyOpt = None,
    format: FormatOpt = "table",
    sheet: SheetOpt = None,
    table_name: TableOpt = None,
    query: QueryOpt = None,
) -> None:
    """Satisfaction and the business: churn model, revenue at risk, owners' books, close-outs."""
    import warnings

    from insights.core.periods import waves
    from insights.data.accounts import load_accounts
    from insights.data.selection import check_period, latest_period, parse_period
    from insights.stats.alerts import compute_alerts
    from insights.stats.optional import asks_nps
    from insights.stats.value import value_summary

    check_format(format)
    if by not in BY_CHOICES:
        raise typer.BadParameter(f"'{by}' is not one of: {', '.join(BY_CHOICES)}", param_hint="--by")
    df, definition = load_source(source, survey, sheet=sheet, table=table_name, query=query)
    chosen = parse_period(period, definition.cadence) if period else latest_period(df)
    check_period(df, chosen)
    frame = load_accounts(accounts, responses=df, warn=False)
    flags = compute_alerts(df, chosen, definition, months=waves(months, definition.cadence)).flags
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary = value_summary(df, frame, flags, chosen, months)
    for warning in frame.attrs.get("warnings", []):
        print(f"warning: {warning}", file=sys.stderr)
    if format == "json":
        print_json({**summary.record(), "warnings": frame.attrs.get("warnings", [])})
        return
    _print_summary(source, accounts, summary, by, nps=asks_nps(df))


def _print_summary(source, accounts: Path, summary, by: str, *, nps: bool = True) -> None:

    churn, risk = summary.churn, summary.risk
    out.print(
        f"[bold]{source_name(source)}[/bold] + [bold]{source_name(str(accounts))}[/bold]  period: {summary.period}  "
        f"window: {churn.first} to {churn.last}"
    )
    out.print(f"Churn model: {churn.sentence()}", markup=False)
    out.print(
        f"Revenue at risk: {risk.revenue:,.0f} over the window from {len(risk.clients)} client(s) flagged at risk "
        f"or dropping in {summary.period}" + (f": {', '.join(risk.clients)}" if risk.clients else ""),
        markup=False,
    )
    if nps:  # a survey without the likelihood-to-recommend question has no NPS groups
        groups = Table("NPS group", "clients", "lost", "retention", "95% CI", box=None, padding=(0, 2))
        for r in summary.retention.itertuples():
            groups.add_row(
                r.group,
                str(r.clients),
                str(r.lost),
                f"{100 * r.retention:.0f}%",
                f"{100 * r.ci_low:.0f}-{100 * r.ci_high:.0f}%",
            )
        _wide().print(groups)
    _wide().print(_book_table(summary, by, nps=nps))
    for r in summary.closeouts.itertuples():
        answered = f"answered since ({r.responses_after})" if r.answered_after else "no answer since"
        out.print(
            f"Close-out: {r.client_id} closed in {r.closed_period}, check in by {r.check_in_by}; {answered}",
            markup=False,
        )
    for r in summary.lost.itertuples():
        out.print(
            f"Lost: {r.client_id} in {r.lost_period}: {r.monthly_revenue:,.0f} revenue and {r.monthly_margin:,.0f} "
            "margin a month before",
            markup=False,
        )


def _wide():
    """A pipe or a file gets whole lines, not columns cut to 80 characters."""
    from rich.console import Console

    return out if out.is_terminal else Console(highlight=False, soft_wrap=True, width=240)


def _book_table(summary, by: str, *, nps: bool = True) -> Table:
    from rich.markup import escape

    owners = by == "account_owner"
    book = summary.owners if owners else summary.clients
    first = ["owner", "clients"] if owners else ["client", "owner", "status"]
    table = Table(
        *first,
        "revenue",
        "margin %",
        "write-offs",
        "satisfaction",
        *(["NPS"] if nps else []),
        "lost",
        "retention",
        box=None,
        padding=(0, 2),
    )
    for r in book.to_dict("records"):
        lead = (
            [escape(str(r[by])), str(r["clients"])]
            if owners
            else [escape(r["client_id"]), escape(r["account_owner"]), r["status"]]
        )
        table.add_row(
            *lead,
            f"{r['revenue']:,.0f}",
            fmt(r["margin_pct"], 1, suffix="%"),
            f"{r['writeoffs']:,.0f}",
            fmt(r["satisfaction"], 2),
            *([fmt(r["nps"], 0, signed=True)] if nps else []),
            str(r["lost"]),
            f"{100 * r['retention']:.0f}%",
        )
    for column in range(len(first) - (0 if owners else 1), len(table.columns)):
        table.columns[column].justify = "right"
    return table
