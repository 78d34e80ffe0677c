"""The skip state: what each report was last rendered from, so an unchanged one is not rendered again.

It is written as each report finishes (atomically), so a run that is interrupted or killed loses
nothing it finished: the next run skips those reports.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from insights.batch.layout import STATE_FILE
from insights.batch.results import ReportResult
from insights.batch.tasks import ReportTask
from insights.core.atomic import write_text_atomic


class RunState:
    """The state file of an output folder: read once at the start of a run, then kept up to date.

    Attributes
    ----------
    path
        The state file.
    previous
        Report key -> that report's last result (as :func:`dataclasses.asdict` gives it).
    problem
        Why the file could not be used (corrupt, or valid JSON of the wrong shape), or None.  Every
        report is rendered again then.
    """

    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / STATE_FILE
        self.problem: str | None = None
        self.previous = self._read()
        self._entries = dict(self.previous)

    def _read(self) -> dict:
        try:
            state = json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            self.problem = f"{self.path}: state unreadable, rendering all ({type(exc).__name__})"
            return {}
        if not isinstance(state, dict):
            self.problem = f"{self.path}: state unreadable, rendering all (not a JSON object)"
            return {}
        # an entry of the wrong shape only renders its own report again
        return {key: entry for key, entry in state.items() if isinstance(entry, dict)}

    def is_unchanged(self, task: ReportTask) -> bool:
        """Whether ``task`` was rendered from the same inputs last time and both its files are still there."""
        return (
            self.previous.get(task.key, {}).get("fingerprint") == task.fingerprint
            and Path(task.html_path).exists()
            and Path(task.ipynb_path).exists()
        )

    def skipped_result(self, task: ReportTask) -> ReportResult:
        """The result of an unchanged report: skipped, with the summary it had when it was rendered."""
        summary = self.previous.get(task.key, {}).get("summary")
        if not isinstance(summary, dict):
            summary = None
        return ReportResult(task.key, "skipped", 0.0, None, summary, task.fingerprint)

    def record(self, task: ReportTask, result: ReportResult) -> None:
        """Record one finished report and write the state file at once (atomically)."""
        self._entries[task.key] = _entry(result)
        self._write()

    def write(self, tasks, results) -> None:
        """Record ``results`` (in the order of ``tasks``) over the previous state and write it.

        Reports that are not in this run keep their entries.
        """
        self._entries = dict(self.previous)
        for task, result in zip(tasks, results):
            self._entries[task.key] = _entry(result)
        self._write()

    def _write(self) -> None:
        write_text_atomic(self.path, json.dumps(self._entries, indent=1, default=str))


def _entry(result: ReportResult) -> dict:
    entry = asdict(result)
    if result.status == "failed":
        entry["fingerprint"] = None  # a failed report is always tried again
    return entry
