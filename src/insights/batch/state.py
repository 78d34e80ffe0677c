"""The skip state: what each report was last rendered from, so an unchanged one is not rendered again."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from insights.batch.layout import STATE_FILE
from insights.batch.results import ReportResult
from insights.batch.tasks import ReportTask
from insights.core.atomic import write_text_atomic


def read_state(out_dir: Path) -> dict:
    """The state the last run left in ``out_dir`` (empty when there is none or it cannot be read).

    Parameters
    ----------
    out_dir
        The run's output folder.

    Returns
    -------
    dict
        Report key -> that report's last result (as :func:`dataclasses.asdict` gives it).
    """
    try:
        return json.loads((out_dir / STATE_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def is_unchanged(task: ReportTask, state: dict) -> bool:
    """Whether ``task`` was rendered from the same inputs last time and both its files are still there."""
    previous = state.get(task.key, {})
    return (
        previous.get("fingerprint") == task.fingerprint
        and Path(task.html_path).exists()
        and Path(task.ipynb_path).exists()
    )


def skipped_result(task: ReportTask, state: dict) -> ReportResult:
    """The result of an unchanged report: skipped, with the summary it had when it was rendered."""
    return ReportResult(
        task.key, "skipped", 0.0, None, state.get(task.key, {}).get("summary"), task.fingerprint
    )


def write_state(out_dir: Path, tasks, results, previous: dict) -> None:
    """Record ``results`` over the ``previous`` state, atomically.

    Parameters
    ----------
    out_dir
        The run's output folder.
    tasks, results
        Reports and their results, in the same order.
    previous
        The state read at the start of the run: reports not in this run keep their entries.
    """
    state = dict(previous)
    for task, result in zip(tasks, results):
        entry = asdict(result)
        if result.status == "failed":
            entry["fingerprint"] = None  # a failed report is always tried again
        state[task.key] = entry
    write_text_atomic(out_dir / STATE_FILE, json.dumps(state, indent=1, default=str))
