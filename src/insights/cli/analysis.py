"""Commands that print statistics: ``metrics``, ``drivers``, ``sla`` and ``gaps``."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from insights.cli.common import (
    ClientOpt,
    FormatOpt,
    PeriodOpt,
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
from insights.core.errors import InsightsError
from insights.core.periods import format_period, noun


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
    """Headline metrics: NPS, CSAT (top-2-box) and mean overall, each with its 95% CI.

    A survey without the likelihood-to-recommend question has no NPS row, and ``nps`` is null in
    the JSON (the key stays, so the shape does not depend on the survey); one whose overall scale has
    no top box (``top_box = 0`` in the survey definition) has no CSAT row, and ``csat`` is null.
    """
    from insights.data.selection import select
    from insights.stats.metrics import summary
    from insights.stats.optional import asks_nps

    check_format(format)
    df, definition = load_source(source, survey, sheet=sheet, table=table_name, query=query)
    scope = select(df, client=client, period=period)
    headline = summary(
        scope,
        scale_max=definition.overall_scale.max,
        top_box=definition.overall_scale.top_box,
        weight="weight" if "weight" in scope.columns else None,
    ).to_dict()
    if not asks_nps(df):
        headline["nps"] = None
    if format == "json":
        print_json(headline)
        return
    nps, csat, mean = headline["nps"], headline["csat"], headline["mean_overall"]
    out.print(
        f"[bold]{source_name(source)}[/bold]  client: {client or 'all'}  period: {period or 'all'}  "
        f"n = {headline['n']}"
    )
    table = Table("metric", "score", "95% CI", "detail", box=None, padding=(0, 2))
    if nps is not None:
        table.add_row(
            "NPS",
            fmt(nps["score"], signed=True),
            f"{fmt(nps['ci_low'], signed=True)} to {fmt(nps['ci_high'], signed=True)}",
            f"{nps['promoters']} promoters, {nps['passives']} passives, {nps['detractors']} detractors",
        )
    if csat is not None:
        table.add_row(
            f"CSAT (top-{definition.overall_scale.top_box}-box)",
            fmt(csat["score"], suffix="%"),
            f"{fmt(csat['ci_low'], suffix='%')} to {fmt(csat['ci_high'], suffix='%')}",
            "",
        )
    table.add_row(
        f"Mean overall ({definition.overall_scale})",
        fmt(mean["score"], 2),
        f"{fmt(mean['ci_low'], 2)} to {fmt(mean['ci_high'], 2)}",
        "",
    )
    for column in (1, 2):
        table.columns[column].justify = "right"
    out.print(table)


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
    pooling: Annotated[
        str,
        typer.Option(
            "--pooling",
            help="With --client: 'partial' combines the client's responses with the portfolio's "
            "(empirical Bayes); 'none' is the client's own regression.",
        ),
    ] = "none",
    missing: Annotated[
        str,
        typer.Option(
            "--missing",
            help="Responses that skipped a driver: 'listwise' drops them; 'impute' imputes the skipped "
            "answers 20 times (chained equations) and combines the results by Rubin's rules.",
        ),
    ] = "listwise",
) -> None:
    """Key-driver analysis: regression, relative importance (LMG, relative weights), quadrants."""
    from insights.data.read import describe_source
    from insights.data.selection import select
    from insights.stats.drivers import key_drivers, key_drivers_imputed

    check_format(format)
    if pooling not in ("none", "partial"):
        raise typer.BadParameter(f"'{pooling}' is not one of: none, partial", param_hint="--pooling")
    if pooling == "partial" and client is None:
        raise typer.BadParameter("partial pooling needs --client", param_hint="--pooling")
    if missing not in ("listwise", "impute"):
        raise InsightsError(f"--missing: {missing!r} is not one of listwise, impute")
    df, definition = load_source(source, survey, sheet=sheet, table=table_name, query=query)
    if outcome not in df.columns:
        raise InsightsError(f"{describe_source(source)}: {outcome}: no such column to use as outcome")
    scope = select(df, client=client, period=period)
    driver_columns = [d for d in definition.driver_names if d in scope.columns and d != outcome]
    analysis = (key_drivers_imputed if missing == "impute" else key_drivers)(
        scope,
        drivers=driver_columns,
        outcome=outcome,
        weight="weight" if "weight" in scope.columns else None,
        cluster="client_id" if client is None else None,
        labels=definition.drivers,
    )
    pooled = None
    if pooling == "partial":
        analysis, pooled = _pooled_drivers(
            df, analysis, driver_columns, client, period, outcome, definition, impute=missing == "impute"
        )
    result = analysis.to_dict()
    if pooled is not None:
        result["pooling"] = pooled
    if format == "json":
        print_json(result)
        return
    _print_drivers_table(source, client, period, result, definition)


def _pooled_drivers(
    df, analysis, driver_columns, client: str, period, outcome: str, definition, *, impute: bool
):
    """(the client's analysis with partially pooled figures, the ``pooling`` JSON entry): the
    portfolio of the period (every client) fitted once, the client read from it (also when the
    client has too few responses for its own regression); with ``impute``, fitted to each of the
    portfolio's imputations and combined by Rubin's rules."""
    from insights.core.jsonsafe import json_value
    from insights.data.selection import select
    from insights.stats.drivers.imputation import DEFAULT_IMPUTATIONS
    from insights.stats.drivers.pooled_importance import pooled_analysis
    from insights.stats.drivers.pooled_imputed import pooled_client_imputed
    from insights.stats.drivers.pooling import fit_pooled_drivers

    portfolio = select(df, period=period)
    drivers = list(analysis.drivers) or driver_columns
    if impute:
        one = pooled_client_imputed(portfolio, client, drivers, outcome, m=DEFAULT_IMPUTATIONS)
        if one is None:
            return analysis, {"method": "partial", "status": "insufficient data", "reason": "no pooled fit"}
        entry = {"method": "partial", "imputations": DEFAULT_IMPUTATIONS, "n_clients": one.n_clients}
    else:
        fit = fit_pooled_drivers(portfolio, drivers, outcome)
        if not fit.ok or client not in set(fit.clients["client_id"]):
            reason = fit.reason if not fit.ok else f"no complete responses of {client}"
            return analysis, {"method": "partial", "status": "insufficient data", "reason": reason}
        one = fit.for_client(client)
        entry = fit.to_dict()
    entry.update(status="ok", client_id=client, n=one.n, lean=json_value(one.lean))
    entry["own_coefficients"] = [
        {"term": row["driver"], "coef": json_value(row["own_coef"]), "se": json_value(row["own_se"])}
        for row in one.coefficients.to_dict(orient="records")
    ]
    return pooled_analysis(analysis, one, labels=definition.drivers), entry


def _print_drivers_table(source: str, client, period, result: dict, definition) -> None:
    out.print(
        f"[bold]{source_name(source)}[/bold]  client: {client or 'all'}  period: {period or 'all'}  "
        f"n = {result['n']}  R² = {fmt(result['r2'], 3)}  SE: {result['se_type']}"
    )
    if result.get("status", "ok") != "ok":
        out.print(f"[yellow]{result['status']}[/yellow]: {result.get('reason', '')}", markup=False)
    if result.get("pooling", {}).get("status") == "ok":
        pooling = result["pooling"]
        out.print(
            f"partial pooling: figures lean {pooling['lean']:.0%} on the portfolio of "
            f"{pooling['n_clients']} clients ({pooling['n']} responses)",
            markup=False,
        )
    if result["coefficients"]:
        table = Table(
            "term", "coef", "95% CI", "p", "std. coef", box=None, padding=(0, 2), title="Regression"
        )
        for row in result["coefficients"]:
            table.add_row(
                row["term"],
                fmt(row["coef"], 3),
                f"{fmt(row['ci_low'], 3)} to {fmt(row['ci_high'], 3)}",
                fmt(row["p"], 3),
                fmt(row["std_coef"], 3),
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
                fmt(row["lmg"], 3),
                fmt(row["share"], 1, suffix="%"),
                fmt(row["relative_weight"], 3),
                fmt(row["performance"], 2),
                row["quadrant"],
            )
        out.print(table)
    if result.get("missing") == "impute" and not result["imputations"]:
        out.print("Nothing imputed: no driver answer was skipped.")
    elif result.get("missing") == "impute":
        out.print(
            f"Imputed {result['imputed_answers']:,} of {result['driver_answers']:,} driver answers "
            f"({result['incomplete_responses']:,} responses) {result['imputations']} times; Rubin's rules.",
            markup=False,
        )
    for warning in result["warnings"]:
        out.print(f"[yellow]warning:[/yellow] {warning}")
    for finding in result["findings"]:
        out.print(f"- {finding}", markup=False)


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

    check_format(format)
    _check_zone(tz)
    moment = parse_as_of(as_of)
    frame = load_events(events, warn=False)
    result = sla_summary(frame, as_of=moment, client=client, period=period, tz=tz, hourly_cost=hourly_cost)
    if format == "json":
        print_json(result.to_dict())
        return
    rate = "–" if math.isnan(result.attainment) else f"{100 * result.attainment:.1f}%"
    out.print(
        f"[bold]{source_name(events)}[/bold]  client: {escape(client or 'all')}  due: {period or 'any month'}  "
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
        str | None,
        typer.Option("--period", help="Only the self-assessment of this period, in the survey's cadence."),
    ] = None,
    months: Annotated[
        int | None,
        typer.Option(
            "--months",
            min=1,
            help="Months of client ratings, ending in the self-assessment's month (monthly surveys; default 3).",
        ),
    ] = None,
    periods: Annotated[
        int | None,
        typer.Option(
            "--periods",
            min=1,
            help="Periods of client ratings, ending in the self-assessment's (default: three months, or one "
            "quarter, half-year or year).",
        ),
    ] = None,
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

    check_format(format)
    df, definition = load_source(source, survey, sheet=sheet, table=table_name, query=query)
    team = read_self_assessment(self_assessment, definition)
    name = describe_source(self_assessment)
    if client is not None:
        check_clients(df, [client])
        if not (team["client_id"] == client).any():
            raise SelectionError(f"{name}: no self-assessment for client {client}")
    if period is not None:
        chosen = parse_period(period, definition.cadence)
        if not (team["period"] == chosen).any():
            covered = f"{format_period(team['period'].min())} to {format_period(team['period'].max())}"
            raise SelectionError(
                f"{name}: no self-assessment for {format_period(chosen)} (it covers {covered})"
            )
    from insights.core.periods import CADENCES, waves
    from insights.stats.perception import GAP_MONTHS

    months = window_waves(months, periods, survey, default={c: waves(GAP_MONTHS, c) for c in CADENCES})
    found = perception_gaps(df, team, client=client, period=period, months=months, survey=definition)
    rows = [
        {
            "client_id": r.client_id,
            "period": format_period(r.period),
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
        print_json(rows)
        return
    span = f"{months} month(s)" if definition.cadence == "month" else noun(definition.cadence, months)
    out.print(
        f"[bold]{source_name(source)}[/bold] against [bold]{escape(name)}[/bold]  client: "
        f"{escape(client or 'all')}  period: {period or 'all'}  (client ratings over the {span} to "
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
            format_period(r.period),
            escape(r.label),
            fmt(r.self, 1),
            f"{fmt(r.client, 2)} ({fmt(r.client_ci_low, 2)} to {fmt(r.client_ci_high, 2)})",
            str(r.n),
            f"{fmt(r.gap, 2, signed=True)} ({fmt(r.ci_low, 2, signed=True)} to {fmt(r.ci_high, 2, signed=True)})",
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
        f"mean gap {fmt(float(found['gap'].mean()), 2, signed=True)}",
        markup=False,
    )
