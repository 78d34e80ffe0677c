"""Pick the client and period an analysis is about, with errors that say what is available."""

from __future__ import annotations

import re

import pandas as pd

from insights.core.errors import InsightsError

PERIOD_PATTERN = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class SelectionError(InsightsError, ValueError):
    """A client id or period that the data does not hold."""


def parse_period(text: str) -> pd.Period:
    """``"2026-03"`` -> ``Period('2026-03', 'M')``; anything else is a clear error."""
    if not PERIOD_PATTERN.match(str(text).strip()):
        raise SelectionError(f"period '{text}' is not of the form YYYY-MM (for example 2026-03)")
    return pd.Period(str(text).strip(), freq="M")


def check_clients(df: pd.DataFrame, clients: list[str] | tuple[str, ...]) -> None:
    known = set(df["client_id"].astype(str).unique())
    unknown = [c for c in clients if c not in known]
    if unknown:
        sample = ", ".join(sorted(known)[:8])
        raise SelectionError(
            f"unknown client id(s): {', '.join(unknown)} (the data has {len(known)} clients, e.g. {sample})"
        )


def check_period(df: pd.DataFrame, period: pd.Period) -> None:
    periods = df["period"]
    if not (periods == period).any():
        raise SelectionError(
            f"no responses in period {period} (the data covers {periods.min()} to {periods.max()})"
        )


def latest_period(df: pd.DataFrame) -> pd.Period:
    return df["period"].max()


def select(
    df: pd.DataFrame, client: str | None = None, period: str | pd.Period | None = None
) -> pd.DataFrame:
    """Rows of one client and/or one month; unknown ids or empty months raise :class:`SelectionError`."""
    if client is not None:
        check_clients(df, [client])
        df = df[df["client_id"].astype(str) == client]
    if period is not None:
        period = period if isinstance(period, pd.Period) else parse_period(period)
        check_period(df, period)
        df = df[df["period"] == period]
    return df
