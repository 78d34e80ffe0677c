"""The ``run`` command: render every report into a folder."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from insights.cli.common import (
    PeriodOpt,
    PeriodsOpt,
    QueryOpt,
    SheetOpt,
    SourceArg,
    SurveyOpt,
    TableOpt,
    window_waves,
)


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
    months: Annotated[
        int | None,
        typer.Option("--months", min=1, help="Months of trend in each report (monthly surveys; default 12)."),
    ] = None,
    periods: PeriodsOpt = None,
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
    accounts: Annotated[
        Path | None,
        typer.Option(
            "--accounts",
            help="Accounts file: adds 'Satisfaction and the business' to the portfolio, an Account section and "
            "close-outs to the client reports, and revenue at risk to the index (README, Accounts and value).",
        ),
    ] = None,
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
    waves = window_waves(months, periods, survey)
    people = _people_parameters(contacts, self_assessment, show_names, survey)
    if accounts is not None:
        from insights.data.accounts import load_accounts

        load_accounts(accounts, warn=False)  # bad accounts stop the run here, with named errors
        people["accounts"] = str(accounts.resolve())
    try:
        outcome = run_reports(
            source,
            out_dir,
            period=period,
            clients=client or None,
            workers=workers,
            force=force,
            survey=survey,
            months=waves,
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
