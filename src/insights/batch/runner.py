"""Render one report per client (and a portfolio report) with papermill, then an index page.

The runner knows nothing of statistics: it checks parameters, hands the reports that changed to
an executor (:mod:`insights.batch.executors`), and lists the results.  Each report runs in its own
kernel, so nothing from one client's run is visible in another's; a failure is recorded and the
batch goes on.

The period's flags are computed once, before any report (:mod:`~insights.batch.alerts`): written to
``alerts.json`` beside the index page, passed to every notebook and shown on the index page.

The pieces: :mod:`~insights.batch.tasks` plans and fingerprints the reports,
:mod:`~insights.batch.execute` renders one, :mod:`~insights.batch.state` remembers what was
rendered from what, :mod:`~insights.batch.index` writes the index page and
:mod:`~insights.batch.snapshot` the data every notebook reads.  Their public names are importable
from here too.

A run claims its output folder (:mod:`~insights.batch.outdir`) before it reads any data, records
each report as it finishes, and on SIGINT or SIGTERM (:mod:`~insights.batch.interrupt`) stops
handing out work, kills what is under way, records what finished and raises
:class:`RunInterrupted`; the processes it started die with it (:mod:`~insights.batch.lifetime`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from contextlib import closing
from pathlib import Path

from insights.batch.alerts import flag_digests, write_run_alerts
from insights.batch.errors import RunError
from insights.batch.execute import START_FAILURE, execute_task, export_html, html_exporter
from insights.batch.executors import get_executor
from insights.batch.index import write_index
from insights.batch.interrupt import RunInterrupted, StopOnSignal
from insights.batch.layout import INDEX_PAGE, KERNEL_NAME, LOCK_FILE, STATE_FILE, TEMPLATES
from insights.batch.outdir import claimed_folder, output_errors, remove_temp_files
from insights.batch.progress import attach_logs, detach_logs, report_progress
from insights.batch.results import ReportResult, RunOutcome, count_statuses
from insights.batch.snapshot import write_snapshot
from insights.batch.state import RunState
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
from insights.core.periods import format_period

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
    "RunInterrupted",
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
DEFAULT_TITLE = "Client satisfaction reports"


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
        Before anything runs, for bad parameters or an output folder another run holds; a data
        error when the source does not validate, or a client id or the period is not in the data.
        Later, an output folder that cannot be written (``<path>: <reason>``).
    RunInterrupted
        On SIGINT or SIGTERM (in the main thread): what finished is recorded first.
    """
    from insights import __version__
    from insights.data.load import load
    from insights.data.read import is_url
    from insights.data.selection import check_clients, check_period, data_cadence, latest_period, parse_period
    from insights.reporting.notebooks import CLIENT_REPORT, PORTFOLIO, notebook_path

    get_executor(executor, scheduler)  # an unknown name or a stray --scheduler stops the run here
    source = str(source) if is_url(source) else Path(source).resolve()
    out = Path(out_dir).resolve()
    # The folder is claimed before the data is read: a refused run costs nothing and leaves nothing.
    with StopOnSignal() as signals, claimed_folder(out):
        data = load(source, survey, warn=False, sheet=sheet, table=table, query=query)
        chosen = parse_period(period, data_cadence(data)) if period else latest_period(data)
        check_period(data, chosen)
        if clients:
            check_clients(data, clients)
            client_ids = list(dict.fromkeys(clients))
        else:
            client_ids = sorted(data["client_id"].astype(str).unique())
        if months < 1:
            raise RunError(f"--months must be at least 1 (got {months})")
        rows = RowHashes.of_frame(data)  # for the snapshot's name and every report's fingerprint
        with output_errors():
            snapshot = write_snapshot(data, out, rows)
        parameters = {
            "source": str(snapshot),
            "period": format_period(chosen),
            "months": int(months),
            "survey": str(Path(survey).resolve()) if survey else "",
            **(extra_parameters or {}),
        }
        with output_errors():
            alerts_path, alerts = write_run_alerts(data, out, chosen, parameters, survey)
        parameters["alerts"] = str(alerts_path)
        if portfolio_notebook is None:
            portfolio_notebook = notebook_path(PORTFOLIO)
        tasks = plan_tasks(
            data,
            out_dir=out,
            client_notebook=client_notebook or notebook_path(CLIENT_REPORT),
            portfolio_notebook=portfolio_notebook,
            clients=client_ids,
            base_parameters=parameters,
            version=__version__,
            inputs=input_digests(parameters),
            row_hashes=rows,
            flags=flag_digests(alerts),
        )
        return _render(
            tasks,
            out,
            signals,
            workers=workers,
            force=force,
            period=format_period(chosen),
            title=DEFAULT_TITLE,
            progress=progress,
            warm=warm,
            executor=executor,
            scheduler=scheduler,
            alerts=alerts,
        )


def run_reports(
    tasks: list[ReportTask],
    out_dir: Path,
    *,
    workers: int | None = None,
    force: bool = False,
    period: str = "",
    title: str = DEFAULT_TITLE,
    progress: bool | None = None,
    warm: bool = True,
    executor: str = "local",
    scheduler: str | None = None,
    alerts=None,
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
    alerts
        The period's flags (:class:`insights.stats.alerts.Alerts`) for the index page, if any.

    Returns
    -------
    RunOutcome
        Every report's result (in task order) and the index page's path.

    Raises
    ------
    RunError
        When another run holds the folder's lock, or the folder cannot be written.
    RunInterrupted
        On SIGINT or SIGTERM (in the main thread): what finished is recorded first.
    """
    get_executor(executor, scheduler)
    with StopOnSignal() as signals, claimed_folder(out_dir):
        return _render(
            tasks,
            out_dir,
            signals,
            workers=workers,
            force=force,
            period=period,
            title=title,
            progress=progress,
            warm=warm,
            executor=executor,
            scheduler=scheduler,
            alerts=alerts,
        )


def _render(tasks: list[ReportTask], out_dir: Path, signals: StopOnSignal, **options) -> RunOutcome:
    """Render into a claimed folder, with ``run.log`` (and plain lines or a bar) for the whole time."""
    progress = options.pop("progress")
    show_bar = sys.stderr.isatty() if progress is None else progress
    signals.defer()  # from here on a signal only asks the reports under way to stop
    with output_errors():
        handlers = attach_logs(out_dir, plain_lines=not show_bar)
        try:
            return _render_logged(tasks, out_dir, signals, show_bar=show_bar, **options)
        finally:
            detach_logs(handlers)


def _render_logged(
    tasks, out_dir, signals, *, workers, force, period, title, warm, executor, scheduler, show_bar, alerts
) -> RunOutcome:
    state = RunState(out_dir)
    if state.problem:
        log.warning("%s", state.problem)
        if show_bar:  # the log's stderr lines are off while a bar is drawn; this must still be seen
            print(f"warning: {state.problem}", file=sys.stderr)
    results: dict[str, ReportResult] = {}
    pending: list[ReportTask] = []
    for task in tasks:
        if not force and state.is_unchanged(task):
            results[task.key] = state.skipped_result(task)
            log.info("%s: unchanged since the last run, skipped", task.key)
        else:
            pending.append(task)
    if pending and not signals.stop():
        execute = get_executor(executor, scheduler)
        finished = execute(pending, workers=workers, warm=warm, scheduler=scheduler, stop=signals.stop)
        progress_lines = report_progress(finished, len(pending), show_bar)
        try:  # the executor starts its workers and zygotes as the results are asked for
            with _zygote_fits(pending if warm else []), closing(finished), closing(progress_lines):
                for task, result in progress_lines:
                    results[task.key] = result
                    state.record(task, result)  # at once: an interrupted run keeps what it finished
        except BaseException:
            _sweep_quietly(out_dir)
            raise
    if signals.stop() and len(results) < len(tasks):
        _stop_interrupted(tasks, results, out_dir, state, signals, period=period, title=title, alerts=alerts)
    ordered = [results[t.key] for t in tasks]
    outcome = RunOutcome(out_dir, out_dir / INDEX_PAGE, ordered)
    state.write(tasks, ordered)
    write_index(out_dir, tasks, ordered, period=period, title=title, alerts=alerts)
    counts = outcome.counts()
    log.info(
        "run finished: %d ok, %d unchanged, %d failed; index: %s",
        counts["ok"],
        counts["skipped"],
        counts["failed"],
        outcome.index,
    )
    return outcome


@contextlib.contextmanager
def _zygote_fits(tasks: list[ReportTask]):
    """While the executor starts its zygotes: the parameters of the first client report, so they fit the
    portfolio-wide models every client report repeats once (:func:`insights.batch.warm.run_fits_env`)."""
    from insights.batch.warm import run_fits_env

    client = next((t for t in tasks if t.kind == "client"), None)
    added = run_fits_env({**client.parameters, "client_id": client.client_id}) if client else {}
    saved = {name: os.environ.get(name) for name in added}
    os.environ.update(added)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _stop_interrupted(tasks, results, out_dir, state, signals, *, period, title, alerts=None) -> None:
    """Record what finished (state, index page), then raise :class:`RunInterrupted`."""
    done = [task for task in tasks if task.key in results]
    done_results = [results[task.key] for task in done]
    remove_temp_files(out_dir)  # the half-written files of the reports that were killed
    state.write(done, done_results)
    write_index(out_dir, done, done_results, period=period, title=title, alerts=alerts)
    counts = {**count_statuses(done_results), "not_started": len(tasks) - len(done)}
    interrupted = RunInterrupted(signals.signum, counts)
    log.warning("%s", interrupted.describe())
    raise interrupted


def _sweep_quietly(out_dir: Path) -> None:
    # The run is failing (a full disk, say) and its executor has killed the reports under way: take
    # their half-written files with it if the folder allows; the next run sweeps them otherwise.
    try:
        remove_temp_files(out_dir)
    except OSError:
        pass
