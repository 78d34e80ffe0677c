"""The local executor: a pool of worker processes on this machine, with one shared warm-up."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import ExitStack
from multiprocessing import get_context
from pathlib import Path

from insights.batch.errors import describe_exception
from insights.batch.execute import execute_task
from insights.batch.results import ReportResult
from insights.batch.tasks import ReportTask
from insights.batch.worker import init_worker, write_kernel_spec


def execute_locally(
    tasks: list[ReportTask], *, workers: int | None, warm: bool = True, scheduler: str | None = None
) -> Iterator[tuple[ReportTask, ReportResult]]:
    """Render ``tasks`` in local worker processes; yield (task, result) as they finish.

    Parameters
    ----------
    tasks
        The reports to render.
    workers
        Worker processes (default: one per CPU; never more than there are tasks).
    warm
        Fork kernels from a zygote that warmed up once for the whole run (:mod:`insights.batch.warm`).
    scheduler
        Not used (a local run has no scheduler); here so every executor is called alike.
    """
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
                initializer=init_worker,
                initargs=(kernel_dir, warm, server),
            )
        )
        futures = {pool.submit(execute_task, task): task for task in tasks}
        for future in as_completed(futures):
            task = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # the worker process itself died
                result = ReportResult(task.key, "failed", 0.0, describe_exception(exc))
            yield task, result
