"""Pick the client and period an analysis is about, with errors that say what is available."""

from __future__ import annotations

import re

import pandas as pd

from insights.core import periods
from insights.core.errors import InsightsError
from insights.core.periods import format_period as fmt

PERIOD_PATTERN = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class SelectionError(InsightsError, ValueError):
    """A client id or period that the data does not hold."""


def parse_period(text: str, cadence: str = "month") -> pd.Period:
    """``"2026-03"`` -> ``Period('2026-03', 'M')`` (``"2026-Q3"`` for ``cadence="quarter"``, and so on).

    Anything else is a clear error saying the form the survey's cadence expects.
    """
    try:
        return periods.parse_period(text, cadence)
    except periods.PeriodError as exc:
        raise SelectionError(str(exc)) from None


def data_cadence(df: pd.DataFrame) -> str:
    """The cadence of a loaded survey's ``period`` column (``"month"`` when it has none)."""
    return periods.column_cadence(df.get("period"))


def check_clients(df: pd.DataFrame, clients: list[str] | tuple[str, ...]) -> None:
    known = set(df["client_id"].astype(str).unique())
    unknown = [c for c in clients if c not in known]
    if unknown:
        sample = ", ".join(sorted(known)[:8])
        raise SelectionError(
            f"unknown client id(s): {', '.join(unknown)} (the data has {len(known)} clients, e.g. {sample})"
        )


def check_period(df: pd.DataFrame, period: pd.Period) -> None:
    waves = df["period"]
    if not (waves == period).any():
        raise SelectionError(
            f"no responses in period {fmt(period)} (the data covers {fmt(waves.min())} to {fmt(waves.max())})"
        )


def latest_period(df: pd.DataFrame) -> pd.Period:
    return df["period"].max()


def select(
    df: pd.DataFrame, client: str | None = None, period: str | pd.Period | None = None
) -> pd.DataFrame:
    """Rows of one client and/or one period (in the data's cadence); unknown ids or empty periods raise
    :class:`SelectionError`."""
    if client is not None:
        check_clients(df, [client])
        df = df[df["client_id"].astype(str) == client]
    if period is not None:
        period = period if isinstance(period, pd.Period) else parse_period(period, data_cadence(df))
        check_period(df, period)
        df = df[df["period"] == period]
    return df
