"""The local executor: a pool of worker processes on this machine, with one shared warm-up.

The workers, the zygote server and every kernel die with the run (:mod:`insights.batch.lifetime`),
and when the run is asked to stop, reports under way are killed, not finished: nothing is written
into the output folder once the run has gone.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack
from multiprocessing import get_context
from pathlib import Path

from insights.batch.errors import describe_exception
from insights.batch.execute import execute_task
from insights.batch.lifetime import interrupts_held
from insights.batch.results import ReportResult
from insights.batch.tasks import ReportTask
from insights.batch.worker import init_worker, write_kernel_spec

#: How often the run checks whether it was asked to stop while reports are under way.
POLL_SECONDS = 0.2
#: How long a report whose worker died waits for the signal that may have killed it to reach the run.
DEATH_GRACE_SECONDS = 0.5


def execute_locally(
    tasks: list[ReportTask],
    *,
    workers: int | None,
    warm: bool = True,
    scheduler: str | None = None,
    stop: Callable[[], bool] | None = None,
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
    stop
        Polled while reports are under way: once it returns True no report is started, the ones
        under way are killed (their results are not yielded) and the iteration ends.  Closing the
        iterator early does the same.
    """
    from insights.batch.warm import ZygoteServer

    stop = stop or (lambda: False)
    workers = max(1, min(workers or os.cpu_count() or 1, len(tasks)))
    with ExitStack() as stack:
        kernel_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="insights-kernel-"))
        write_kernel_spec(Path(kernel_dir), warm=warm)
        # One warm-up for the whole run, under way while the workers start.
        server = stack.enter_context(ZygoteServer(kernel_dir)) if warm else None
        pool = stack.enter_context(
            ProcessPoolExecutor(
                max_workers=workers,
                mp_context=get_context("spawn"),
                initializer=init_worker,
                initargs=(kernel_dir, warm, server.path if server else None, os.getpid()),
            )
        )
        completed = False
        try:
            with interrupts_held():  # the workers start here, and start deaf to Ctrl-C
                futures = {pool.submit(execute_task, task): task for task in tasks}
            yield from _as_finished(futures, stop)
            completed = not stop()
        finally:
            if not completed:
                _kill(pool, server)


def _as_finished(futures: dict, stop: Callable[[], bool]) -> Iterator[tuple[ReportTask, ReportResult]]:
    """Yield each future's task and result as it finishes, until all have or ``stop()``.

    Once stopped, only reports that had already come back are yielded: they are written and done.
    """
    pending = set(futures)
    while pending and not stop():
        done, pending = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
        for future in done:
            task = futures[future]
            try:
                result = future.result()
            except BrokenProcessPool as exc:  # the worker process itself died
                if _stops_soon(stop):
                    return  # killed by the signal that stops the run: not a failed report
                result = ReportResult(task.key, "failed", 0.0, describe_exception(exc))
            except Exception as exc:
                result = ReportResult(task.key, "failed", 0.0, describe_exception(exc))
            yield task, result
    for future in pending:
        if future.done() and not future.cancelled() and future.exception() is None:
            yield futures[future], future.result()


def _stops_soon(stop: Callable[[], bool]) -> bool:
    # A SIGTERM to the whole process group kills the workers at the instant the run gets it; give
    # the run's handler a moment to say so before a dead worker counts as a failed report.
    deadline = time.monotonic() + DEATH_GRACE_SECONDS
    while not stop() and time.monotonic() < deadline:
        time.sleep(0.02)
    return stop()


def _kill(pool: ProcessPoolExecutor, server) -> None:
    """Stop at once: kill the workers (their kernels die with their zygotes) and the zygote server."""
    # The pool offers no way to stop work under way; its processes are the only handle on it.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        process.kill()
    for process in processes:
        process.join()
    pool.shutdown(wait=True, cancel_futures=True)
    if server is not None:
        server.close(now=True)
