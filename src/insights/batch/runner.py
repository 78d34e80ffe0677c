"""Render one report per client (and a portfolio report) with papermill, then an index page.

The runner knows nothing of statistics: it checks parameters, hands the reports that changed to
an executor (:mod:`insights.batch.executors`), and lists the results.  Each report runs in its own
kernel, so nothing from one client's run is visible in another's; a failure is recorded and the
batch goes on.

The pieces: :mod:`~insights.batch.tasks` plans and fingerprints the reports,
:mod:`~insights.batch.execute` renders one, :mod:`~insights.batch.state` remembers what was
rendered from what, :mod:`~insights.batch.index` writes the index page and
:mod:`~insights.batch.snapshot` the data every notebook reads.  Their public names are importable
from here too.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from insights.batch.errors import RunError
from insights.batch.execute import START_FAILURE, execute_task, export_html, html_exporter
from insights.batch.executors import get_executor
from insights.batch.index import write_index
from insights.batch.layout import INDEX_PAGE, KERNEL_NAME, LOCK_FILE, STATE_FILE, TEMPLATES
from insights.batch.progress import attach_logs, detach_logs, report_progress
from insights.batch.results import ReportResult, RunOutcome
from insights.batch.snapshot import write_snapshot
from insights.batch.state import is_unchanged, read_state, skipped_result, write_state
from insights.batch.tasks import (
    FILE_PARAMETERS,
    ReportTask,
    RowHashes,
    file_digest,
    fingerprint,
    input_digests,
    plan_tasks,
)
from insights.batch.worker import write_kernel_spec

__all__ = [
    "FILE_PARAMETERS",
    "KERNEL_NAME",
    "LOCK_FILE",
    "START_FAILURE",
    "STATE_FILE",
    "TEMPLATES",
    "ReportResult",
    "ReportTask",
    "RowHashes",
    "RunError",
    "RunOutcome",
    "execute_task",
    "export_html",
    "file_digest",
    "fingerprint",
    "html_exporter",
    "input_digests",
    "plan_tasks",
    "run",
    "run_reports",
    "write_index",
    "write_kernel_spec",
    "write_snapshot",
]

log = logging.getLogger(__name__)


def run(
    source: str | Path,
    out_dir: str | Path,
    *,
    period: str | None = None,
    clients: list[str] | None = None,
    workers: int | None = None,
    force: bool = False,
    survey: str | Path | None = None,
    months: int = 12,
    extra_parameters: dict | None = None,
    client_notebook: Path | None = None,
    portfolio_notebook: Path | None = None,
    progress: bool | None = None,
    warm: bool = True,
    sheet: str | None = None,
    table: str | None = None,
    query: str | None = None,
    executor: str = "local",
    scheduler: str | None = None,
) -> RunOutcome:
    """Check the parameters against the data, then render every report into ``out_dir``.

    The validated data is written once to ``out_dir/data/responses-<hash>.parquet`` and every
    notebook reads that snapshot: kernels skip the source's parsing, a database is queried once,
    and no connection string (with its credentials) ever lands in a notebook's parameters.

    Parameters
    ----------
    source
        The responses: a file, folder or database URL (as :func:`insights.load` takes).
    out_dir
        Where the reports, notebooks, index page, log and state go.
    period
        The report period, ``YYYY-MM`` (default: the latest in the data).
    clients
        Only these client ids (default: every client in the data).
    workers
        Parallel workers (default: one per CPU).
    force
        Render every report, even unchanged ones.
    survey
        A survey definition file (default: the built-in one).
    months
        Months of trend in each report.
    extra_parameters
        More notebook parameters (service events, contacts, ...), their files fingerprinted too.
    client_notebook, portfolio_notebook
        Other report notebooks than the package's own.
    progress
        Show a progress bar (default: when stderr is a terminal).
    warm
        Fork kernels from warm zygotes (default) instead of starting each afresh.
    sheet, table, query
        Which part of the source to read (as :func:`insights.load` takes them).
    executor
        A name registered in :data:`insights.batch.executors.EXECUTORS`: ``local`` or ``dask``.
    scheduler
        With ``executor="dask"``: the scheduler's address (default: a new local cluster).

    Returns
    -------
    RunOutcome
        Every report's result and the index page's path.

    Raises
    ------
    RunError
        Before anything runs, for bad parameters; a data error when the source does not validate,
        or a client id or the period is not in the data.
    """
    from insights import __version__
    from insights.data.load import load
    from insights.data.read import is_url
    from insights.data.selection import check_clients, check_period, latest_period, parse_period
    from insights.reporting.notebooks import CLIENT_REPORT, PORTFOLIO, notebook_path

    get_executor(executor, scheduler)  # an unknown name or a stray --scheduler stops the run here
    source = str(source) if is_url(source) else Path(source).resolve()
    out = Path(out_dir).resolve()
    data = load(source, survey, warn=False, sheet=sheet, table=table, query=query)
    chosen = parse_period(period) if period else latest_period(data)
    check_period(data, chosen)
    if clients:
        check_clients(data, clients)
        client_ids = list(dict.fromkeys(clients))
    else:
        client_ids = sorted(data["client_id"].astype(str).unique())
    if months < 1:
        raise RunError(f"--months must be at least 1 (got {months})")
    rows = RowHashes.of_frame(data)  # for the snapshot's name and every report's fingerprint
    parameters = {
        "source": str(write_snapshot(data, out, rows)),
        "period": str(chosen),
        "months": int(months),
        "survey": str(Path(survey).resolve()) if survey else "",
        **(extra_parameters or {}),
    }
    tasks = plan_tasks(
        data,
        out_dir=out,
        client_notebook=client_notebook or notebook_path(CLIENT_REPORT),
        portfolio_notebook=portfolio_notebook if portfolio_notebook is not None else notebook_path(PORTFOLIO),
        clients=client_ids,
        base_parameters=parameters,
        version=__version__,
        inputs=input_digests(parameters),
        row_hashes=rows,
    )
    return run_reports(
        tasks,
        out,
        workers=workers,
        force=force,
        period=str(chosen),
        progress=progress,
        warm=warm,
        executor=executor,
        scheduler=scheduler,
    )


def run_reports(
    tasks: list[ReportTask],
    out_dir: Path,
    *,
    workers: int | None = None,
    force: bool = False,
    period: str = "",
    title: str = "Client satisfaction reports",
    progress: bool | None = None,
    warm: bool = True,
    executor: str = "local",
    scheduler: str | None = None,
) -> RunOutcome:
    """Execute ``tasks`` (skipping unchanged ones unless ``force``), then write the state and index page.

    Parameters
    ----------
    tasks
        The planned reports (:func:`~insights.batch.tasks.plan_tasks`).
    out_dir
        The run's output folder, locked for the run.
    workers, warm, executor, scheduler
        How and where to render (see :func:`run`).
    force
        Render every report, even unchanged ones.
    period, title
        Shown on the index page.
    progress
        Show a progress bar (default: when stderr is a terminal); else log plain lines to stderr.

    Returns
    -------
    RunOutcome
        Every report's result (in task order) and the index page's path.

    Raises
    ------
    RunError
        When another run holds the folder's lock.
    """
    from filelock import FileLock, Timeout

    execute = get_executor(executor, scheduler)
    out_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(out_dir / LOCK_FILE))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise RunError(
            f"{out_dir}: another insights run is writing here (lock {out_dir / LOCK_FILE})"
        ) from None
    show_bar = sys.stderr.isatty() if progress is None else progress
    handlers = attach_logs(out_dir, plain_lines=not show_bar)
    try:
        state = read_state(out_dir)
        results: dict[str, ReportResult] = {}
        pending: list[ReportTask] = []
        for task in tasks:
            if not force and is_unchanged(task, state):
                results[task.key] = skipped_result(task, state)
                log.info("%s: unchanged since the last run, skipped", task.key)
            else:
                pending.append(task)
        if pending:
            finished = execute(pending, workers=workers, warm=warm, scheduler=scheduler)
            for result in report_progress(finished, len(pending), show_bar):
                results[result.key] = result
        ordered = [results[t.key] for t in tasks]
        outcome = RunOutcome(out_dir, out_dir / INDEX_PAGE, ordered)
        write_state(out_dir, tasks, ordered, state)
        write_index(out_dir, tasks, ordered, period=period, title=title)
        counts = outcome.counts()
        log.info(
            "run finished: %d ok, %d unchanged, %d failed; index: %s",
            counts["ok"],
            counts["skipped"],
            counts["failed"],
            outcome.index,
        )
        return outcome
    finally:
        detach_logs(handlers)
        lock.release()
