"""The period's flags as a file: ``alerts.json``, the list ``insights alerts --format json`` prints.

The report runner computes the flags once per run (:func:`insights.stats.alerts.compute_alerts`),
writes them beside ``index.html`` with :func:`write_alerts`, and passes the file to every report
notebook, which reads its client's flags back with :func:`read_alerts` instead of testing the
whole portfolio again.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from insights.core.atomic import write_text_atomic
from insights.core.periods import as_period, format_period
from insights.stats.alerts import Alerts

__all__ = ["alerts_json", "read_alerts", "write_alerts"]


def alerts_json(alerts: Alerts) -> str:
    """The flags as indented JSON text: a list of objects (NaN as null), one per flag."""
    return json.dumps(alerts.records(), indent=2, allow_nan=False, ensure_ascii=False) + "\n"


def write_alerts(path: str | Path, alerts: Alerts) -> Path:
    """Write ``alerts`` to ``path`` atomically (a reader never sees half a file)."""
    return write_text_atomic(path, alerts_json(alerts))


def read_alerts(path: str | Path, period: pd.Period | str) -> Alerts:
    """The flags written by :func:`write_alerts`, for the report month ``period``.

    Raises
    ------
    ValueError
        When the file holds flags of another month (a stale file must not mark a report).
    """
    records = json.loads(Path(path).read_text(encoding="utf-8"))
    period = as_period(period)
    months = {str(r.get("period")) for r in records if r.get("period")}
    if months - {format_period(period)}:
        raise ValueError(f"{path}: flags of {', '.join(sorted(months))}, not of {format_period(period)}")
    return Alerts.from_records(records, period)
