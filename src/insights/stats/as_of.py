"""The as-of moment: when a view of the data is taken, always a UTC time.

One home for the rule every as-of time follows, so the service-level statistics, the command
line (``--as-of``) and the reports (the "Service levels" section, the follow-up list) agree on
time zones: a time with an offset is converted to UTC, a time without one is taken to be UTC, and
a date alone is 00:00 UTC at the start of that day.
"""

from __future__ import annotations

import pandas as pd

from insights.core.errors import InsightsError
from insights.core.periods import as_period

__all__ = ["parse_as_of", "period_as_of"]


def parse_as_of(value: object = None) -> pd.Timestamp:
    """The as-of moment in UTC: ``None`` is now; a string is ISO 8601 (offsets honoured, none = UTC).

    A date alone (``"2026-04-01"``) is 00:00 UTC at the start of that day, so "the end of March" is
    ``"2026-04-01"``.

    Raises
    ------
    InsightsError
        When ``value`` is not a date or date-time.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return pd.Timestamp.now(tz="UTC")
    try:
        stamp = pd.Timestamp(value.strip() if isinstance(value, str) else value)
    except (ValueError, TypeError):
        raise InsightsError(
            f"as-of '{value}' is not an ISO 8601 date or date-time (e.g. 2026-04-01 or 2026-03-31T18:00+02:00)"
        ) from None
    if stamp is pd.NaT:
        raise InsightsError(f"as-of '{value}' is not a date")
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def period_as_of(period: pd.Period | str, now: object = None) -> pd.Timestamp:
    """The moment a report for the month ``period`` looks at the data from: the end of that month
    (00:00 UTC on the first day of the next), or now if the month is not over yet.

    A past month's report is therefore the same whenever it is rendered.  ``now`` (default: the
    current time) follows :func:`parse_as_of`.
    """
    end = (as_period(period) + 1).start_time.tz_localize("UTC")
    return min(end, parse_as_of(now))
