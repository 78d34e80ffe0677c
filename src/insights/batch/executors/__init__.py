"""Executors: where a run's reports are rendered, by name (``insights run --executor NAME``).

An executor is a function ``execute(tasks, *, workers, warm, scheduler, stop)`` that renders every
task and yields ``(task, result)`` pairs as reports finish, in any order; it writes each report's
notebook and page where the task says.  It polls ``stop()`` while reports are under way: once that
is True, or when the iterator is closed early, it starts nothing more, abandons the reports under
way (writing none of them) and ends.  Each is imported when first used: a local run never imports
Dask.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from insights.batch.errors import RunError
from insights.batch.results import ReportResult
from insights.batch.tasks import ReportTask

Executor = Callable[..., Iterator[tuple[ReportTask, ReportResult]]]


@dataclass(frozen=True)
class ExecutorEntry:
    """A registered executor: the function's ``module:name``, and whether it takes ``--scheduler``."""

    target: str
    takes_scheduler: bool = False

    def load(self) -> Executor:
        module, name = self.target.split(":")
        return getattr(importlib.import_module(module), name)


EXECUTORS: dict[str, ExecutorEntry] = {
    "local": ExecutorEntry("insights.batch.executors.local:execute_locally"),
    "dask": ExecutorEntry("insights.batch.executors.dask:execute_on_dask", takes_scheduler=True),
}


def get_executor(name: str, scheduler: str | None = None) -> Executor:
    """The executor registered as ``name``, checked against the options it is given.

    Parameters
    ----------
    name
        A key of :data:`EXECUTORS`.
    scheduler
        A scheduler address, for the executors that take one.

    Returns
    -------
    Executor
        The executor function.

    Raises
    ------
    RunError
        For an unknown name, or a scheduler given to an executor that takes none.
    """
    entry = EXECUTORS.get(name)
    if entry is None:
        raise RunError(f"unknown executor '{name}' (use {_either(list(EXECUTORS))})")
    if scheduler and not entry.takes_scheduler:
        takers = [n for n, e in EXECUTORS.items() if e.takes_scheduler]
        raise RunError(f"--scheduler goes with --executor {_either(takers)}")
    return entry.load()


def _either(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
