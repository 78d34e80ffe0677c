"""The period's flags as a file: ``alerts.json``, the list ``insights alerts --format json`` prints.

The report runner computes the flags once per run (:func:`insights.stats.alerts.compute_alerts`),
writes them beside ``index.html`` with :func:`write_alerts`, and passes the file to every report
notebook, which reads its client's flags back with :func:`read_alerts` instead of testing the
whole portfolio again.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from insights.core.atomic import write_text_atomic
from insights.data.redaction import redact_series
from insights.stats.alerts import Alerts

__all__ = ["FREE_TEXT_FIELDS", "alerts_json", "read_alerts", "redact_alerts", "write_alerts"]

#: The fields of a flag that may carry free text (a comment quoted, a name): redacted in ``alerts.json``.
FREE_TEXT_FIELDS = ("subject", "detail")


def redact_alerts(alerts: Alerts, names: Iterable[str] = ()) -> Alerts:
    """``alerts`` with e-mail addresses, phone numbers and the contact ``names`` in their free-text
    fields (:data:`FREE_TEXT_FIELDS`) replaced by ``[email]``, ``[phone]`` and ``[name]``
    (:func:`insights.data.redaction.redact_series`); the run writes these unless ``--show-names``."""
    names = tuple(names)
    flags = alerts.flags.copy()
    for column in FREE_TEXT_FIELDS:
        if column in flags.columns:
            flags[column] = redact_series(flags[column], names)
    return dataclasses.replace(alerts, flags=flags)


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
    period = pd.Period(period, "M")
    months = {str(r.get("period")) for r in records if r.get("period")}
    if months - {str(period)}:
        raise ValueError(f"{path}: flags of {', '.join(sorted(months))}, not of {period}")
    return Alerts.from_records(records, period)
