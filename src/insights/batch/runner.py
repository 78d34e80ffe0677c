"""Render one report per client (and a portfolio report) with papermill, then an index page.

The runner knows nothing of statistics: it checks parameters, executes notebooks in parallel
worker processes, exports code-free self-contained HTML, and lists the results.  Each report
runs in its own kernel, so nothing from one client's run is visible in another's; a failure is
recorded and the batch goes on.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import tempfile
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import pandas as pd

from insights.core.atomic import atomic_path, write_text_atomic
from insights.core.errors import InsightsError
from insights.core.slug import slugify
from insights.reporting.summary import REMOVE_TAG, read_summary

STATE_FILE = ".insights-state.json"
LOCK_FILE = ".insights-run.lock"
KERNEL_NAME = "client-insights-run"
TEMPLATES = Path(__file__).resolve().parents[1] / "reporting" / "templates"
log = logging.getLogger("insights.batch.runner")


class RunError(InsightsError):
    """A run that cannot start: bad parameters, a locked output folder."""


@dataclass(frozen=True)
class ReportTask:
    """One notebook to execute and export."""

    key: str
    kind: str  # "client" or "portfolio"
    title: str
    client_id: str | None
    client_type: str | None
    notebook: str
    parameters: dict
    ipynb_path: str
    html_path: str
    fingerprint: str


@dataclass
class ReportResult:
    key: str
    status: str  # "ok", "failed" or "skipped"
    seconds: float = 0.0
    error: str | None = None
    summary: dict | None = None
    fingerprint: str | None = None


@dataclass
class RunOutcome:
    out_dir: Path
    index: Path
    results: list[ReportResult] = field(default_factory=list)

    @property
    def failed(self) -> list[ReportResult]:
        return [r for r in self.results if r.status == "failed"]

    def counts(self) -> dict[str, int]:
        counts = {"ok": 0, "skipped": 0, "failed": 0}
        for result in self.results:
            counts[result.status] += 1
        return counts


# --- planning -------------------------------------------------------------------------------------


def fingerprint(*parts: object) -> str:
    """A stable hash of a run's inputs (rows' hashes from :class:`RowHashes`, notebook bytes,
    parameters, versions)."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, bytes):
            digest.update(part)
        else:
            digest.update(json.dumps(part, sort_keys=True, default=str).encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def plan_tasks(
    data: pd.DataFrame,
    *,
    out_dir: Path,
    client_notebook: Path,
    portfolio_notebook: Path | None,
    clients: list[str],
    base_parameters: dict,
    version: str,
    inputs: dict | None = None,
    row_hashes: RowHashes | None = None,
) -> list[ReportTask]:
    """One task per client plus the portfolio; each fingerprinted by the inputs it reads.

    A client report reads its own responses and, for the comparison with the portfolio, every
    client's responses in the report period; so those (with the notebook, the parameters and
    the package version) are its fingerprint.  ``inputs`` are content hashes of other files the
    notebooks read (:func:`input_digests`: the service events, contacts and self-assessment), so a
    changed file re-renders even when its path is the same.  ``row_hashes`` are ``data``'s, when
    the caller has them already.
    """
    inputs = dict(inputs or {})
    tasks: list[ReportTask] = []
    period = pd.Period(base_parameters["period"], "M")
    rows = row_hashes or RowHashes.of_frame(data)
    period_rows = rows.of((data["period"] == period).to_numpy())
    client_ids = data["client_id"].astype(str)
    names = data.groupby(client_ids, observed=True)["client_name"].first()
    types = data.groupby(client_ids, observed=True)["client_type"].first()
    if portfolio_notebook is not None:
        parameters = dict(base_parameters)
        tasks.append(
            _task(
                "portfolio",
                "portfolio",
                "Portfolio",
                None,
                None,
                portfolio_notebook,
                parameters,
                out_dir,
                fingerprint(
                    rows.of(slice(None)),
                    portfolio_notebook.read_bytes(),
                    _settings(parameters),
                    version,
                    *([inputs] if inputs else []),
                ),
            )
        )
    notebook_bytes = client_notebook.read_bytes()
    positions = client_ids.groupby(client_ids, observed=True).indices
    for client_id in clients:
        parameters = {**base_parameters, "client_id": client_id}
        mine = rows.of(positions.get(client_id, []))
        tasks.append(
            _task(
                slugify(client_id),
                "client",
                str(names.get(client_id, client_id)),
                client_id,
                str(types.get(client_id, "")),
                client_notebook,
                parameters,
                out_dir / "clients",
                fingerprint(
                    mine,
                    period_rows,
                    notebook_bytes,
                    _settings(parameters),
                    version,
                    *([inputs] if inputs else []),
                ),
            )
        )
    return tasks


@dataclass(frozen=True)
class RowHashes:
    """Every row's hash, computed once: any subset's part of a fingerprint is a slice of it.

    A row's hash does not depend on the other rows, so ``of(rows)`` is what hashing ``data.iloc[rows]``
    on its own would give, at a fraction of the cost for hundreds of clients.
    """

    hashes: np.ndarray
    columns: bytes

    @classmethod
    def of_frame(cls, data: pd.DataFrame) -> RowHashes:
        return cls(
            pd.util.hash_pandas_object(_hashable(data), index=False).to_numpy(),
            ",".join(map(str, data.columns)).encode(),
        )

    def of(self, rows) -> bytes:
        return self.hashes[rows].tobytes() + self.columns


#: Notebook parameters that name an input file: its content is part of every fingerprint.
FILE_PARAMETERS = ("events", "contacts", "self_assessment", "survey")


def file_digest(path: str | Path) -> str:
    """SHA-256 of a file's bytes (of every file's name and bytes, in name order, for a folder)."""
    path = Path(path)
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(file.relative_to(path).as_posix().encode() + b"\x00")
        with open(file, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def input_digests(parameters: dict) -> dict[str, str]:
    """Content hashes of the input files named by :data:`FILE_PARAMETERS` (blank ones skipped)."""
    found = {}
    for name in FILE_PARAMETERS:
        value = parameters.get(name)
        if value and Path(str(value)).exists():
            found[name] = file_digest(value)
    return found


def _settings(parameters: dict) -> dict:
    # The data snapshot's path changes with any response anywhere; the data itself is hashed
    # separately, per client, so the path is left out of the fingerprint.
    return {k: v for k, v in parameters.items() if k != "source"}


def _hashable(frame: pd.DataFrame) -> pd.DataFrame:
    # Categories and periods hash by their values, not by their codes, so a new client elsewhere
    # in the file does not change this client's fingerprint.
    return frame.astype({c: str for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])})


def _task(key, kind, title, client_id, client_type, notebook, parameters, folder, digest) -> ReportTask:
    return ReportTask(
        key=key,
        kind=kind,
        title=title,
        client_id=client_id,
        client_type=client_type,
        notebook=str(notebook),
        parameters=parameters,
        ipynb_path=str(folder / f"{key}.ipynb"),
        html_path=str(folder / f"{key}.html"),
        fingerprint=digest,
    )


# --- execution (in worker processes) ----------------------------------------------------------------

_exporter = None


def _worker_init(kernel_dir: str, warm: bool, zygote_server: str | None = None) -> None:
    """Point Jupyter at this run's kernel spec, get a warm zygote, build the exporter once.

    The zygote is forked for this worker by the run's shared ``zygote_server`` when there is one
    (a local run), else started here (a Dask worker).
    """
    os.environ["JUPYTER_PATH"] = kernel_dir + os.pathsep + os.environ.get("JUPYTER_PATH", "")
    # jsonschema (under nbformat) imports rfc3987_syntax when it is installed (JupyterLab brings it),
    # for a string format no notebook schema uses, and that compiles a grammar: 0.8 s per worker.
    sys.modules.setdefault("rfc3987_syntax", None)
    for name in ("papermill", "traitlets", "nbclient"):
        logging.getLogger(name).setLevel(logging.ERROR)
    if warm:
        from insights.batch.warm import start_zygote

        start_zygote(zygote_server)
    html_exporter()


def write_kernel_spec(folder: Path, warm: bool = True) -> Path:
    """A kernel spec for this interpreter; with ``warm``, kernels come from the worker's zygote."""
    from insights.batch.warm import PROVISIONER_NAME, SINGLE_THREAD_ENV

    spec_dir = folder / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        # The kernel's own log (transport notices, shutdown chatter) is not report output.
        "argv": [
            sys.executable,
            "-m",
            "ipykernel_launcher",
            "-f",
            "{connection_file}",
            "--IPKernelApp.log_level=CRITICAL",
        ],
        "display_name": "Python (client-insights run)",
        "language": "python",
        "env": {"PYTHONWARNINGS": "ignore", **SINGLE_THREAD_ENV},
    }
    if warm:
        spec["metadata"] = {"kernel_provisioner": {"provisioner_name": PROVISIONER_NAME}}
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    return folder


def html_exporter():
    """One exporter per process, reused for every report (building it costs more than using it)."""
    global _exporter
    if _exporter is None:
        from nbconvert import HTMLExporter
        from traitlets.config import Config

        config = Config()
        config.TagRemovePreprocessor.enabled = True
        config.TagRemovePreprocessor.remove_cell_tags = {REMOVE_TAG}
        config.TagRemovePreprocessor.remove_all_outputs_tags = {"remove-output"}
        _exporter = HTMLExporter(
            config=config, extra_template_basedirs=[str(TEMPLATES)], template_name="report"
        )
        _exporter.exclude_input = True
        _exporter.exclude_input_prompt = True
        _exporter.exclude_output_prompt = True
        _exporter.embed_images = True
        _exporter.register_preprocessor("nbconvert.preprocessors.TagRemovePreprocessor", enabled=True)
    return _exporter


def export_html(notebook, title: str) -> str:
    notebook.metadata["title"] = title  # escaped by the template
    body, _ = html_exporter().from_notebook_node(notebook)
    return body


def _escape_braces(path: str) -> str:
    # papermill formats paths with the parameters (str.format); a literal brace must survive it.
    return path.replace("{", "{{").replace("}", "}}")


# A kernel that dies before it answers its first message has run none of the notebook: that is a
# failure to start (seen under heavy load), so the report is tried once more before it counts.
START_FAILURE = "Kernel died before replying to kernel_info"


def execute_task(task: ReportTask, timeout: int = 600) -> ReportResult:
    """Execute one notebook into place and export its HTML; never raises."""
    result = _execute_once(task, timeout)
    if result.status == "failed" and START_FAILURE in (result.error or ""):
        log.warning("%s: the kernel did not start; trying once more", task.key)
        result = _execute_once(task, timeout)
    return result


def _execute_once(task: ReportTask, timeout: int) -> ReportResult:
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from insights.batch.kernel import ReportKernelManager

    started = time.perf_counter()
    error: str | None = None
    notebook = None
    try:
        with atomic_path(task.ipynb_path) as tmp:
            try:
                notebook = papermill.execute_notebook(
                    _escape_braces(task.notebook),
                    _escape_braces(str(tmp)),
                    parameters=task.parameters,
                    kernel_name=KERNEL_NAME,
                    progress_bar=False,
                    log_output=False,
                    execution_timeout=timeout,
                    request_save_on_cell_execute=False,
                    # one-shot kernels: no idle waits at start-up, killed once the last cell answered
                    kernel_manager_class=ReportKernelManager,
                    shutdown_kernel="immediate",
                )
            except PapermillExecutionError as exc:
                error = f"{exc.ename}: {exc.evalue}".strip().splitlines()[-1] if exc.evalue else exc.ename
            except Exception as exc:  # kernel died, timeout...: keep what was written
                error = _last_line(exc)
            if notebook is None and tmp.exists() and tmp.stat().st_size:
                notebook = nbformat.read(tmp, as_version=4)
            if notebook is None:
                # The kernel died before papermill could save: keep the parameterised notebook
                # with the error, so the failure is visible where the report would have been.
                notebook = papermill.execute_notebook(
                    _escape_braces(task.notebook),
                    None,
                    parameters=task.parameters,
                    kernel_name=KERNEL_NAME,
                    prepare_only=True,
                    progress_bar=False,
                )
                notebook.cells.append(nbformat.v4.new_markdown_cell(f"**This report failed:** {error}"))
                nbformat.write(notebook, tmp)
        if error is None:
            write_text_atomic(task.html_path, export_html(notebook, task.title))
    except Exception as exc:
        error = error or _last_line(exc)
    summary = read_summary(notebook) if notebook is not None else None
    return ReportResult(
        task.key,
        "failed" if error else "ok",
        time.perf_counter() - started,
        error,
        summary,
        None if error else task.fingerprint,
    )


def _last_line(exc: BaseException) -> str:
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return text.splitlines()[-1] if text else type(exc).__name__


# --- the run ----------------------------------------------------------------------------------------


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
    """Execute ``tasks`` (skipping unchanged ones unless ``force``), then write the index page."""
    from filelock import FileLock, Timeout

    out_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(out_dir / LOCK_FILE))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise RunError(
            f"{out_dir}: another insights run is writing here (lock {out_dir / LOCK_FILE})"
        ) from None
    show_bar = sys.stderr.isatty() if progress is None else progress
    handlers = _attach_logs(out_dir, plain_lines=not show_bar)
    try:
        state = _read_state(out_dir)
        results = _execute_all(
            tasks,
            state,
            workers=workers,
            force=force,
            progress=show_bar,
            warm=warm,
            executor=executor,
            scheduler=scheduler,
        )
        outcome = RunOutcome(out_dir, out_dir / "index.html", results)
        _write_state(out_dir, tasks, results, state)
        write_index(out_dir, tasks, results, period=period, title=title)
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
        for handler in handlers:
            logging.getLogger("insights").removeHandler(handler)
            handler.close()
        lock.release()


def _execute_all(
    tasks, state, *, workers, force, progress, warm=True, executor="local", scheduler=None
) -> list[ReportResult]:
    results: dict[str, ReportResult] = {}
    pending: list[ReportTask] = []
    for task in tasks:
        previous = state.get(task.key, {})
        unchanged = (
            not force
            and previous.get("fingerprint") == task.fingerprint
            and Path(task.html_path).exists()
            and Path(task.ipynb_path).exists()
        )
        if unchanged:
            results[task.key] = ReportResult(
                task.key, "skipped", 0.0, None, previous.get("summary"), task.fingerprint
            )
            log.info("%s: unchanged since the last run, skipped", task.key)
        else:
            pending.append(task)
    if pending:
        if executor == "dask":
            from insights.batch.dask_executor import execute_on_dask

            finished = execute_on_dask(pending, workers=workers, warm=warm, scheduler=scheduler)
        else:
            finished = _execute_in_pool(pending, workers, warm)
        for result in _with_progress(finished, len(pending), progress):
            results[result.key] = result
    return [results[t.key] for t in tasks]


def _execute_in_pool(tasks: list[ReportTask], workers: int | None, warm: bool = True):
    """Execute tasks in local worker processes; yield (task, result) as they finish."""
    from insights.batch.warm import ZygoteServer

    workers = max(1, min(workers or os.cpu_count() or 1, len(tasks)))
    with ExitStack() as stack:
        kernel_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="insights-kernel-"))
        write_kernel_spec(Path(kernel_dir), warm=warm)
        # One warm-up for the whole run, under way while the workers start.
        server = stack.enter_context(ZygoteServer(kernel_dir)).path if warm else None
        pool = stack.enter_context(
            ProcessPoolExecutor(
                max_workers=workers,
                mp_context=get_context("spawn"),
                initializer=_worker_init,
                initargs=(kernel_dir, warm, server),
            )
        )
        futures = {pool.submit(execute_task, task): task for task in tasks}
        for future in as_completed(futures):
            task = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # the worker process itself died
                result = ReportResult(task.key, "failed", 0.0, _last_line(exc))
            yield task, result


def _with_progress(finished, total: int, show_bar: bool):
    """Log each finished report (run.log, stderr when not on a terminal) and drive the progress bar."""
    from tqdm import tqdm

    done = failed = 0
    with tqdm(total=total, unit="report", disable=not show_bar, dynamic_ncols=True) as bar:
        for task, result in finished:
            done += 1
            failed += result.status == "failed"
            label = task.client_id or "portfolio"
            if result.status == "failed":
                log.error(
                    "[%d/%d] %s failed after %.1fs: %s", done, total, label, result.seconds, result.error
                )
            else:
                log.info("[%d/%d] %s rendered in %.1fs", done, total, label, result.seconds)
            bar.set_postfix(done=done - failed, failed=failed, refresh=False)
            bar.update(1)
            yield result


def _attach_logs(out_dir: Path, plain_lines: bool) -> list[logging.Handler]:
    """``run.log`` in the output folder always; plain lines on stderr when there is no progress bar."""
    file_handler = logging.FileHandler(out_dir / "run.log", encoding="utf-8")
    file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    handlers: list[logging.Handler] = [file_handler]
    if plain_lines:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        handlers.append(stream)
    logger = logging.getLogger("insights")
    for handler in handlers:
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return handlers


def _read_state(out_dir: Path) -> dict:
    try:
        return json.loads((out_dir / STATE_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def _write_state(out_dir: Path, tasks, results, previous: dict) -> None:
    state = dict(previous)
    for task, result in zip(tasks, results):
        entry = asdict(result)
        if result.status == "failed":
            entry["fingerprint"] = None  # a failed report is always tried again
        state[task.key] = entry
    write_text_atomic(out_dir / STATE_FILE, json.dumps(state, indent=1, default=str))


# --- the index page ---------------------------------------------------------------------------------


def write_index(out_dir: Path, tasks, results, *, period: str, title: str) -> Path:
    """``index.html``: every client with its headline figures, status and links (all text escaped)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html", "j2"]))
    rows, columns, portfolio = [], [], None
    for task, result in zip(tasks, results):
        html = _relative(out_dir, task.html_path) if result.status != "failed" else None
        ipynb = _relative(out_dir, task.ipynb_path) if Path(task.ipynb_path).exists() else None
        if task.kind == "portfolio":
            portfolio = {"html": html, "ipynb": ipynb, "status": result.status, "error": result.error}
            continue
        figures = {}
        for item in (result.summary or {}).get("figures", []):
            label = str(item.get("label", ""))
            figures[label] = item
            if label not in columns:
                columns.append(label)
        status_text = {"ok": "rendered", "skipped": "unchanged", "failed": "failed"}[result.status]
        rows.append(
            {
                "name": task.title,
                "client_id": task.client_id,
                "client_type": task.client_type or "",
                "figures": figures,
                "status": result.status,
                "status_text": status_text,
                "error": result.error,
                "html": html,
                "ipynb": ipynb,
            }
        )
    rows.sort(key=lambda r: (r["status"] != "failed", r["name"].casefold()))
    counts = {"ok": 0, "skipped": 0, "failed": 0}
    for result in results:
        counts[result.status] += 1
    page = env.get_template("index.html.j2").render(
        title=title,
        period=period,
        rendered_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        rows=rows,
        columns=columns,
        portfolio=portfolio,
        counts=counts,
    )
    return write_text_atomic(out_dir / "index.html", page)


def _relative(out_dir: Path, path: str) -> str:
    from urllib.parse import quote

    return quote(Path(path).relative_to(out_dir).as_posix())


def write_snapshot(data: pd.DataFrame, out_dir: Path, row_hashes: RowHashes | None = None) -> Path:
    """The validated responses as Parquet under ``out_dir/data``, named by their content."""
    digest = fingerprint((row_hashes or RowHashes.of_frame(data)).of(slice(None)))[:16]
    target = out_dir / "data" / f"responses-{digest}.parquet"
    if not target.exists():
        frame = data.copy()
        frame.attrs = {}
        with atomic_path(target) as tmp:
            frame.to_parquet(tmp, index=False)
    return target


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

    Raises :class:`RunError` (or a data error) before anything runs when the source does not
    validate, or a client id or the period is not in the data.

    The validated data is written once to ``out_dir/data/responses-<hash>.parquet`` and every
    notebook reads that snapshot: kernels skip the source's parsing, a database is queried once,
    and no connection string (with its credentials) ever lands in a notebook's parameters.
    """
    from insights import __version__
    from insights.data.load import load
    from insights.data.read import is_url
    from insights.data.selection import check_clients, check_period, latest_period, parse_period
    from insights.reporting.notebooks import CLIENT_REPORT, PORTFOLIO, notebook_path

    if executor not in ("local", "dask"):
        raise RunError(f"unknown executor '{executor}' (use local or dask)")
    if scheduler and executor != "dask":
        raise RunError("--scheduler goes with --executor dask")
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
