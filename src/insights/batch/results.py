"""What a run reports: one result per report, and the run's outcome."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class ReportResult:
    """How one report went: ``status`` is ``"ok"``, ``"failed"`` or ``"skipped"`` (unchanged)."""

    key: str
    status: str
    seconds: float = 0.0
    error: str | None = None
    summary: dict | None = None
    fingerprint: str | None = None


@dataclass
class RunOutcome:
    """A finished run: its folder, its index page and every report's result, in task order."""

    out_dir: Path
    index: Path
    results: list[ReportResult] = field(default_factory=list)

    @property
    def failed(self) -> list[ReportResult]:
        return [r for r in self.results if r.status == "failed"]

    def counts(self) -> dict[str, int]:
        return count_statuses(self.results)


def count_statuses(results) -> dict[str, int]:
    """How many results are ``ok``, ``skipped`` and ``failed`` (each key always present)."""
    counts = {"ok": 0, "skipped": 0, "failed": 0}
    for result in results:
        counts[result.status] += 1
    return counts
