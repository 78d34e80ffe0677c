"""Render reports on a Dask cluster when one machine is not enough.

Each client's report becomes one Dask task.  The task carries everything it needs: the notebook's
bytes, its parameters, and (scattered once to every worker) the run's validated data snapshot and
the other input files (survey definition, events, contacts, self-assessment), so a worker needs
only the project installed.  The worker executes the notebook exactly as a local
worker does (papermill, a warm kernel, the same HTML export) in a private temporary folder and
sends back the executed notebook and the HTML; the machine that runs ``insights run`` writes them
under ``--out`` as in a local run (atomically, then the index page).

A task whose worker dies is rescheduled by Dask on another worker
(``distributed.scheduler.allowed-failures`` times); a notebook that fails is reported, not retried.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from insights.batch.errors import describe_exception
from insights.batch.execute import execute_task
from insights.batch.results import ReportResult
from insights.batch.tasks import FILE_PARAMETERS, RUN_FILE_PARAMETERS, ReportTask
from insights.batch.worker import init_worker, write_kernel_spec
from insights.core.atomic import write_bytes_atomic

PLUGIN_NAME = "client-insights-kernels"
#: How often the run checks whether it was asked to stop while reports are under way.
POLL_SECONDS = 0.2


def _plugin_class():
    from distributed.diagnostics.plugin import WorkerPlugin

    class KernelPlugin(WorkerPlugin):
        """On every worker: a kernel spec for its interpreter, the warm zygote, the HTML exporter."""

        name = PLUGIN_NAME

        def __init__(self, warm: bool):
            self.warm = warm

        def setup(self, worker):
            folder = Path(tempfile.mkdtemp(prefix="insights-kernel-"))
            write_kernel_spec(folder, warm=self.warm)
            init_worker(str(folder), self.warm)

    return KernelPlugin


_snapshots: dict[str, Path] = {}


def _local_snapshot(name: str, data: bytes) -> Path:
    """The scattered data snapshot as a file on this worker (written once per worker process)."""
    digest = hashlib.sha256(data).hexdigest()[:16]
    if digest not in _snapshots:
        folder = Path(tempfile.mkdtemp(prefix="insights-data-"))
        path = folder / name
        path.write_bytes(data)
        _snapshots[digest] = path
    return _snapshots[digest]


def execute_remote(
    task: ReportTask,
    notebook: bytes,
    snapshot_name: str,
    snapshot: bytes,
    inputs: dict[str, tuple[str, bytes]] | None = None,
) -> tuple[ReportResult, bytes | None, bytes | None, dict[str, str]]:
    """On a worker: execute ``task`` in a private folder; return the files' bytes and local paths.

    Parameters
    ----------
    task
        The report, with the paths of the machine that runs ``insights run``.
    notebook
        The report notebook's bytes.
    snapshot_name, snapshot
        The data snapshot's file name and bytes (scattered once to every worker).
    inputs
        Other input files: parameter name -> (file name, bytes).

    Returns
    -------
    tuple
        The result, the executed notebook's and the page's bytes (None when not written), and the
        local path each file parameter was given here (to name the originals again).
    """
    local_source = _local_snapshot(snapshot_name, snapshot)
    local_inputs = {
        name: str(_local_snapshot(file_name, data)) for name, (file_name, data) in (inputs or {}).items()
    }
    with tempfile.TemporaryDirectory(prefix="insights-task-") as tmp:
        folder = Path(tmp)
        notebook_path = folder / "input.ipynb"
        notebook_path.write_bytes(notebook)
        local = dataclasses.replace(
            task,
            notebook=str(notebook_path),
            ipynb_path=str(folder / "report.ipynb"),
            html_path=str(folder / "report.html"),
            parameters={**task.parameters, **local_inputs, "source": str(local_source)},
        )
        result = execute_task(local)
        ipynb = Path(local.ipynb_path).read_bytes() if Path(local.ipynb_path).exists() else None
        html = (
            Path(local.html_path).read_bytes()
            if result.status == "ok" and Path(local.html_path).exists()
            else None
        )
    return result, ipynb, html, {**local_inputs, "source": str(local_source)}


def _client(scheduler: str | None, workers: int | None):
    from distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler, timeout="30s"), None
    cluster = LocalCluster(
        n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True, dashboard_address=None
    )
    return Client(cluster), cluster


def execute_on_dask(
    tasks: list[ReportTask],
    *,
    workers: int | None,
    warm: bool,
    scheduler: str | None,
    stop: Callable[[], bool] | None = None,
) -> Iterator[tuple[ReportTask, ReportResult]]:
    """Render ``tasks`` on a Dask cluster; write each report under ``--out`` and yield it as it finishes.

    Parameters
    ----------
    tasks
        The reports to render.
    workers
        Workers of the new LocalCluster when there is no ``scheduler`` (default: one per CPU).
    warm
        Each worker forks kernels from its own warm zygote.
    scheduler
        The address of a running scheduler (default: a new LocalCluster on this machine).
    stop
        Polled while reports are under way: once it returns True the reports not finished are
        cancelled on the cluster and nothing more is written or yielded.
    """
    stop = stop or (lambda: False)
    client, cluster = _client(scheduler, workers)
    try:
        client.register_plugin(_plugin_class()(warm), name=PLUGIN_NAME)
        snapshot = Path(tasks[0].parameters["source"])
        data = client.scatter(snapshot.read_bytes(), broadcast=True)
        # scattered as one object (a dict given to scatter would be scattered item by item)
        [inputs] = client.scatter([_input_files(tasks[0].parameters)], broadcast=True)
        notebooks = {path: Path(path).read_bytes() for path in {t.notebook for t in tasks}}
        futures = {
            client.submit(
                execute_remote,
                task,
                notebooks[task.notebook],
                snapshot.name,
                data,
                inputs,
                key=f"report-{task.key}-{task.fingerprint[:12]}",
                pure=False,
            ): task
            for task in tasks
        }
        try:
            for future in _as_finished(futures, stop):
                task = futures[future]
                try:
                    result, ipynb, html, remote_paths = future.result()
                except Exception as exc:  # the task kept killing workers, or the cluster went away
                    yield task, ReportResult(task.key, "failed", 0.0, describe_exception(exc))
                    continue
                _write_back(task, snapshot, ipynb, html, remote_paths)
                yield task, result
        finally:
            unfinished = [future for future in futures if not future.done()]
            if unfinished:  # stopped, or given up by the caller: what is left is not wanted any more
                client.cancel(unfinished)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _as_finished(futures, stop: Callable[[], bool]) -> Iterator:
    """Yield futures as they finish, until all have or ``stop()`` (checked a few times a second)."""
    from distributed import as_completed

    finished = as_completed(futures)
    while not finished.is_empty() and not stop():
        batch = finished.next_batch(block=False)
        if not batch:
            time.sleep(POLL_SECONDS)
        for future in batch:
            yield future
            if stop():
                return


def _write_back(
    task: ReportTask, snapshot: Path, ipynb: bytes | None, html: bytes | None, remote_paths
) -> None:
    """Write a report a worker sent back where a local run would have, naming the run's own inputs."""
    if ipynb is not None:
        # the executed notebook names its inputs the way a local run does
        text = ipynb.decode("utf-8")
        for name, remote in remote_paths.items():
            original = str(snapshot) if name == "source" else str(task.parameters[name])
            text = text.replace(_json_string(remote), _json_string(original))
        write_bytes_atomic(task.ipynb_path, text.encode("utf-8"))
    if html is not None:
        write_bytes_atomic(task.html_path, html)


def _input_files(parameters: dict) -> dict[str, tuple[str, bytes]]:
    """The input files a notebook reads besides the data (a file each; folders stay on shared storage)."""
    found = {}
    for name in (*FILE_PARAMETERS, *RUN_FILE_PARAMETERS):
        value = parameters.get(name)
        if value and Path(str(value)).is_file():
            found[name] = (Path(str(value)).name, Path(str(value)).read_bytes())
    return found


def _json_string(text: str) -> str:
    import json

    return json.dumps(text)[1:-1]


__all__ = ["execute_on_dask", "execute_remote"]
