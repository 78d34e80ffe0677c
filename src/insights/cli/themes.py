"""``insights themes``: what the comments are about, in what mood, and what each theme costs in satisfaction.

With a codeframe in the survey definition (``[themes.KEY]`` tables) the comments are coded by it;
without one the command lists suggested themes (TF-IDF + NMF) in the same shape.  ``--suggest``
prints suggested themes as TOML to paste into a survey definition (for the comments no theme codes
when there is a codeframe).  Quotes, examples and suggested terms are redacted (e-mails, phones and
the ``--contacts`` names) unless ``--show-names``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
from insights.core.periods import span as period_span

#: The keys of each theme in ``--format json`` (the issue's shape, then the extra figures).
JSON_KEYS = (
    "theme",
    "label",
    "mentions",
    "share",
    "sentiment",
    "effect",
    "ci_low",
    "ci_high",
    "p",
    "terms",
    "examples",
    "q",
    "significant",
    "detractor_odds_ratio",
    "or_ci_low",
    "or_ci_high",
    "or_p",
    "or_q",
    "trend",
)


def themes(
    source: SourceArg,
    client: Annotated[str | None, typer.Option("--client", help="Only this client's comments.")] = None,
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            help="The last period of the window, in the survey's cadence (2026-10, 2026-Q3, 2026-H2, 2026; "
            "default: the latest).",
        ),
    ] = None,
    months: Annotated[
        int | None,
        typer.Option("--months", min=1, help="Months in the window, ending at --period (monthly surveys)."),
    ] = None,
    periods: PeriodsOpt = None,
    survey: SurveyOpt = None,
    suggest: Annotated[
        bool,
        typer.Option("--suggest", help="Print suggested themes as TOML to paste into a survey definition."),
    ] = False,
    format: FormatOpt = "table",
    contacts: Annotated[
        Path | None,
        typer.Option("--contacts", help="Contact list: its names are redacted from quotes as [name]."),
    ] = None,
    show_names: Annotated[
        bool,
        typer.Option(
            "--show-names", help="Show quotes as written (default: e-mails, phones, names redacted)."
        ),
    ] = False,
    sheet: SheetOpt = None,
    table_name: TableOpt = None,
    query: QueryOpt = None,
) -> None:
    """Comment themes: mentions, share, sentiment and effect on overall satisfaction (95% CI), costliest first."""
    from insights.core.errors import DataError, Problem
    from insights.data.redaction import contact_names, redact_series
    from insights.data.selection import check_clients, check_period, latest_period, parse_period
    from insights.stats.themes import analyse_themes, code_comments, has_comment
    from insights.stats.topics import suggest_themes

    check_format(format)
    waves = window_waves(months, periods, survey)
    df, definition = load_source(source, survey, sheet=sheet, table=table_name, query=query)
    chosen = parse_period(period, definition.cadence) if period else latest_period(df)
    check_period(df, chosen)
    if client:
        check_clients(df, [client])
        df = df[df["client_id"].astype(str) == client]
    window = df[(df["period"] > chosen - waves) & (df["period"] <= chosen)]
    span = period_span(chosen - waves + 1, chosen)
    commented = window[has_comment(window["comment"])] if "comment" in window else window.iloc[:0]
    if commented.empty:
        where = f" of client {client}" if client else ""
        raise DataError(
            Problem(
                str(source_name(source)),
                f"no comments{where} in {span} (the column is missing or blank)",
                column="comment",
            )
        )
    names = () if contacts is None else contact_names(_contacts(contacts))
    shown = commented["comment"] if show_names else redact_series(commented["comment"], names)
    if suggest:
        uncoded = shown
        if definition.themes:
            uncoded = shown[~code_comments(commented["comment"], definition.themes).any(axis=1)]
        found = suggest_themes(uncoded)
        if format == "json":
            print_json([_json_row(r, r["examples"]) for r in found.table.to_dict("records")])
        else:
            print(found.toml() or "# no suggested themes: too few comments\n", end="")
        return
    if definition.themes:
        analysis = analyse_themes(commented, definition)
        examples = {key: _quotes(analysis, key, shown) for key in analysis.keys}
    else:
        found = suggest_themes(shown)
        analysis = analyse_themes(
            commented,
            definition,
            indicators=found.indicators,
            labels=dict(zip(found.table["theme"], found.table["label"])),
            terms=dict(zip(found.table["theme"], found.table["terms"])),
        )
        examples = dict(zip(found.table["theme"], found.table["examples"]))
    rows = [_json_row(r, examples.get(r["theme"], [])) for r in analysis.table.to_dict("records")]
    trend = analysis.trend()
    for row in rows:  # each month's share of the comments that mention the theme
        mine = trend[trend["theme"] == row["theme"]]
        row["trend"] = {format_period(p): round(float(s), 4) for p, s in zip(mine["period"], mine["share"])}
    if format == "json":
        print_json(rows)
        return
    _print_table(source, client, span, analysis, rows, coded=bool(definition.themes))


def _contacts(path: Path):
    from insights.data.people import read_contacts

    return read_contacts(path)


def _quotes(analysis, key: str, shown) -> list[str]:
    """The theme's representative quotes, as shown (redacted unless --show-names)."""
    from insights.stats.themes import representative_quotes

    coded = analysis.coded.assign(comment=shown.loc[analysis.coded.index])
    return representative_quotes(coded, key, analysis.keys)


def _json_row(row: dict, examples: list[str]) -> dict:
    from insights.core.jsonsafe import json_value

    record = {key: json_value(row.get(key)) for key in JSON_KEYS if key not in ("terms", "examples")}
    record["mentions"] = int(row["mentions"])
    record["terms"] = list(row.get("terms") or ())
    record["examples"] = list(examples)
    if "significant" in row:
        record["significant"] = bool(row["significant"])
    return {key: record[key] for key in JSON_KEYS if key in record}


def _print_table(source, client, span, analysis, rows: list[dict], coded: bool) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    what = "codeframe" if coded else "suggested themes (no codeframe in the survey definition)"
    out.print(
        f"[bold]{source_name(source)}[/bold]  {span}  client: {escape(client or 'all')}  "
        f"{analysis.n_comments} comments  {what}"
    )
    table = Table(
        "theme",
        "mentions",
        "share",
        "sentiment",
        "effect (95% CI)",
        "q",
        "detractor OR",
        box=None,
        padding=(0, 2),
    )
    for r in rows:
        effect = (
            "–"
            if r["effect"] is None
            else f"{r['effect']:+.2f} ({fmt(r['ci_low'], 2)} to {fmt(r['ci_high'], 2)})"
        )
        table.add_row(
            escape(r["label"]),
            str(r["mentions"]),
            f"{100 * r['share']:.0f}%" if r["share"] is not None else "–",
            fmt(r["sentiment"], 2, signed=True),
            effect + (" *" if r.get("significant") else ""),
            "–" if r["q"] is None else f"{r['q']:.2g}",
            fmt(r["detractor_odds_ratio"], 2),
        )
    if not rows:
        out.print("no themes: too few comments to suggest any (see the README, Comment themes)", markup=False)
        return
    for column in range(1, 7):
        table.columns[column].justify = "right"
    (out if out.is_terminal else Console(highlight=False, soft_wrap=True, width=240)).print(table)
    for finding in analysis.findings():
        out.print(f"- {finding}", markup=False)
    out.print(
        f"effect: OLS of overall satisfaction on the themes and the drivers (n = {analysis.info.get('n', 0)}, "
        f"{analysis.info.get('se', '')}); * q < 0.05 (Benjamini-Hochberg across themes); "
        f"sentiment: {analysis.info.get('scorer', '')}",
        markup=False,
    )
    for r in rows:
        for quote in r["examples"]:
            out.print(f'  {r["theme"]}: "{quote}"', markup=False)
