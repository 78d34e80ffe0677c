"""Satisfaction and the business: revenue at risk, owners' books, the cost of a lost client, close-outs.

Every figure is over the window of :func:`insights.stats.churn.window` (the ``months`` months to the
report period) and comes from validated accounts (:func:`insights.data.accounts.load_accounts`) and
responses; nothing here reads files.

* **Revenue at risk** (:func:`revenue_at_risk`): the clients flagged ``at_risk`` or ``drop`` in the
  report period (:mod:`insights.stats.alerts`), with their revenue over the window, summed.
* **Books** (:func:`books`): per client or per ``account_owner``: revenue, margin, margin % (margin
  over revenue), write-offs, mean overall satisfaction and NPS of the window's responses, clients
  lost and retention (the share of clients not lost).
* **The cost of a lost client** (:func:`client_value`): its average monthly revenue and margin over
  the window's months before it was lost (all the window's months with a row, if it was not).
* **Close-outs** (:func:`closeouts`): a client whose status turns ``closed`` in the window (its
  first ``closed`` month after a month that was not, or its first month), and whether it answered
  the survey in a month after closing.  A rule, not a test.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from insights.core.periods import as_period, format_period
from insights.stats.churn import ChurnModel, churn_model, monthly, retention_by_group, window
from insights.stats.nps import nps_points

__all__ = [
    "CHECK_IN_DAYS",
    "RISK_KINDS",
    "ClientValue",
    "RevenueAtRisk",
    "ValueSummary",
    "books",
    "client_value",
    "closeouts",
    "lost_clients",
    "revenue_at_risk",
    "value_summary",
]

RISK_KINDS = ("at_risk", "drop")
CHECK_IN_DAYS = 30
BOOK_COLUMNS = [
    "clients",
    "revenue",
    "margin",
    "margin_pct",
    "writeoffs",
    "satisfaction",
    "nps",
    "responses",
    "lost",
    "retention",
]


def _in_window(frame: pd.DataFrame, period: pd.Period | str, months: int) -> pd.DataFrame:
    first, last = window(period, months)
    inside = frame[(frame["period"] >= first) & (frame["period"] <= last)]
    return inside.assign(client_id=inside["client_id"].astype(str))


@dataclass(frozen=True)
class RevenueAtRisk:
    """The clients flagged at risk or dropping and their revenue over the window (``table``: one row each)."""

    clients: list[str]
    revenue: float
    first: str
    last: str
    table: pd.DataFrame = field(repr=False)

    def __repr__(self) -> str:
        return f"RevenueAtRisk({len(self.clients)} clients, revenue {self.revenue:,.0f} in {self.first} to {self.last})"

    def record(self) -> dict:
        """JSON-ready: ``clients`` (ids), ``revenue`` and the window."""
        return {
            "clients": list(self.clients),
            "revenue": float(self.revenue),
            "first": self.first,
            "last": self.last,
        }


def revenue_at_risk(
    flags: pd.DataFrame, accounts: pd.DataFrame, period: pd.Period | str, months: int = 12
) -> RevenueAtRisk:
    """The revenue over the window of the clients flagged ``at_risk`` or ``drop`` in ``period``.

    Parameters
    ----------
    flags : DataFrame
        The period's flags (``Alerts.flags`` of :func:`insights.stats.alerts.compute_alerts`).
    accounts : DataFrame
        Validated accounts.
    period : Period or str
        The report month.
    months : int
        The window's length.

    Returns
    -------
    RevenueAtRisk
        ``table``: ``client_id``, ``kinds`` (the flags' kinds, comma-separated), ``revenue`` and
        ``margin`` over the window (0 for a flagged client without accounts), by revenue, largest first.

    Examples
    --------
    >>> flags = pd.DataFrame({"client_id": ["a", "b", "b"], "kind": ["at_risk", "drop", "mover"]})
    >>> acc = pd.DataFrame({"client_id": ["a", "a", "b", "c"], "period": pd.PeriodIndex(
    ...     ["2026-01", "2026-02", "2026-02", "2026-02"], freq="M"), "revenue": [10.0, 5, 7, 100],
    ...     "margin": [1.0, 1, 1, 1]})
    >>> revenue_at_risk(flags, acc, "2026-02").record()["revenue"]
    22.0
    """
    first, last = window(period, months)
    risky = flags[flags["kind"].isin(RISK_KINDS)]
    kinds = risky.groupby(risky["client_id"].astype(str))["kind"].agg(lambda k: ", ".join(sorted(set(k))))
    sums = _in_window(accounts, period, months).groupby("client_id")[["revenue", "margin"]].sum()
    table = pd.DataFrame({"client_id": list(kinds.index), "kinds": list(kinds)})
    table["revenue"] = table["client_id"].map(sums["revenue"]).fillna(0.0).astype(float)
    table["margin"] = table["client_id"].map(sums["margin"]).fillna(0.0).astype(float)
    table = table.sort_values(["revenue", "client_id"], ascending=[False, True], kind="stable").reset_index(
        drop=True
    )
    return RevenueAtRisk(
        list(table["client_id"]), float(table["revenue"].sum()), str(first), str(last), table
    )


def books(
    responses: pd.DataFrame,
    accounts: pd.DataFrame,
    period: pd.Period | str,
    months: int = 12,
    by: str = "account_owner",
) -> pd.DataFrame:
    """Each owner's (or client's) book over the window: money, satisfaction and retention together.

    Parameters
    ----------
    by : str
        ``account_owner`` (a client counts under its latest owner in the window) or ``client_id``.

    Returns
    -------
    DataFrame
        ``by`` (and for clients ``account_owner`` and ``status``, the latest in the window), then
        :data:`BOOK_COLUMNS`: revenue, margin and write-offs summed; ``margin_pct`` = 100 x margin /
        revenue (NaN without revenue); ``satisfaction`` the mean overall satisfaction and ``nps`` the
        NPS of the window's responses; ``lost`` the clients lost in the window and ``retention`` the
        share not lost.  Sorted by revenue, largest first.
    """
    if by not in ("account_owner", "client_id"):
        raise ValueError(f"by must be account_owner or client_id, not {by!r}")
    acc = _in_window(accounts, period, months).sort_values(["client_id", "period"], kind="stable")
    latest = acc.groupby("client_id")[["account_owner", "status"]].last()
    lost = acc[acc["status"] == "lost"].groupby("client_id").size().gt(0)
    per_client = acc.groupby("client_id")[["revenue", "margin", "writeoffs"]].sum()
    per_client["lost"] = per_client.index.map(lost).fillna(False).astype(int)
    per_client = per_client.join(latest)
    res = _in_window(monthly(responses), period, months)
    res = res[res["client_id"].isin(per_client.index)]
    key = res["client_id"].map(per_client["account_owner"]) if by == "account_owner" else res["client_id"]
    ltr = (
        res["likelihood_to_recommend"]
        if "likelihood_to_recommend" in res
        else pd.Series(float("nan"), res.index)
    )
    answers = res.assign(_key=key, _nps=nps_points(ltr)).groupby("_key")
    per_client = per_client.reset_index()
    grouped = per_client.groupby(by)
    table = grouped[["revenue", "margin", "writeoffs", "lost"]].sum()
    table["clients"] = grouped.size()
    table["margin_pct"] = [
        100 * m / r if r > 0 else math.nan for m, r in zip(table["margin"], table["revenue"])
    ]
    table["satisfaction"] = table.index.map(answers["overall_satisfaction"].mean()).astype(float)
    table["nps"] = table.index.map(answers["_nps"].mean()).astype(float)
    table["responses"] = table.index.map(answers["overall_satisfaction"].count()).fillna(0).astype(int)
    table["retention"] = 1 - table["lost"] / table["clients"]
    table = table.reset_index()
    extra = []
    if by == "client_id":
        table = table.merge(per_client[["client_id", "account_owner", "status"]], on="client_id")
        extra = ["account_owner", "status"]
    table = table.sort_values(["revenue", by], ascending=[False, True], kind="stable")
    return table[[by, *extra, *BOOK_COLUMNS]].reset_index(drop=True)


def closeouts(
    responses: pd.DataFrame, accounts: pd.DataFrame, period: pd.Period | str, months: int = 12
) -> pd.DataFrame:
    """The clients whose status turned ``closed`` in the window, and whether they answered since.

    Returns
    -------
    DataFrame
        ``client_id``, ``closed_period`` (the month it turned closed), ``check_in_by`` (the date
        :data:`CHECK_IN_DAYS` days after that month's end), ``responses_after`` (responses in later
        months, to the report period) and ``answered_after`` (bool), most recent closing first.
    """
    first, last = window(period, months)
    acc = accounts[accounts["period"] <= last].sort_values(["client_id", "period"], kind="stable")
    acc = acc.assign(client_id=acc["client_id"].astype(str))
    closed = acc["status"] == "closed"
    turned = closed & ~closed.groupby(acc["client_id"]).shift(1, fill_value=False).astype(bool)
    turns = acc[turned & (acc["period"] >= first)].groupby("client_id")["period"].max()
    responses = monthly(responses)
    res = responses[responses["period"] <= last]
    rows = []
    for client, month in turns.items():
        after = int(((res["client_id"].astype(str) == client) & (res["period"] > month)).sum())
        rows.append(
            {
                "client_id": client,
                "closed_period": month,
                "check_in_by": (month.end_time.normalize() + pd.Timedelta(days=CHECK_IN_DAYS)).date(),
                "responses_after": after,
                "answered_after": after > 0,
            }
        )
    table = pd.DataFrame(
        rows, columns=["client_id", "closed_period", "check_in_by", "responses_after", "answered_after"]
    )
    return table.sort_values(
        ["closed_period", "client_id"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)


@dataclass(frozen=True)
class ClientValue:
    """One client's account over the window: money, status, and what losing it costs a month."""

    client_id: str
    revenue: float
    margin: float
    writeoffs: float
    status: str
    account_owner: str
    months: int
    monthly_revenue: float
    monthly_margin: float
    lost_period: str = ""
    closed_period: str = ""

    @property
    def margin_pct(self) -> float:
        return 100 * self.margin / self.revenue if self.revenue > 0 else math.nan

    def record(self) -> dict:
        from insights.core.jsonsafe import json_value

        return {
            **{k: json_value(v) for k, v in self.__dict__.items()},
            "margin_pct": json_value(self.margin_pct),
        }


def client_value(
    accounts: pd.DataFrame, client_id: str, period: pd.Period | str, months: int = 12
) -> ClientValue | None:
    """One client's revenue, margin, write-offs and status over the window, and the cost of losing it.

    The cost of losing the client is its average monthly revenue and margin over the window's months
    before it was lost (all the window's months with a row, if it was not).  ``None`` when the client
    has no rows in the window.

    Examples
    --------
    >>> acc = pd.DataFrame({"client_id": "a", "period": pd.PeriodIndex(["2026-01", "2026-02", "2026-03"], freq="M"),
    ...     "revenue": [10.0, 20, 0], "margin": [2.0, 4, 0], "writeoffs": 0.0, "status": ["active", "active", "lost"],
    ...     "account_owner": "x"})
    >>> v = client_value(acc, "a", "2026-03")
    >>> v.monthly_revenue, v.lost_period
    (15.0, '2026-03')
    """
    acc = _in_window(accounts, period, months)
    mine = acc[acc["client_id"] == str(client_id)].sort_values("period", kind="stable")
    if not len(mine):
        return None
    lost = mine[mine["status"] == "lost"]["period"]
    before = mine[mine["period"] < lost.min()] if len(lost) else mine
    no_answers = pd.DataFrame({"client_id": pd.Series([], dtype=str), "period": pd.PeriodIndex([], freq="M")})
    turned = closeouts(
        no_answers, accounts[accounts["client_id"].astype(str) == str(client_id)], period, months
    )
    return ClientValue(
        client_id=str(client_id),
        revenue=float(mine["revenue"].sum()),
        margin=float(mine["margin"].sum()),
        writeoffs=float(mine["writeoffs"].sum()),
        status=str(mine["status"].iloc[-1]),
        account_owner=str(mine["account_owner"].iloc[-1]),
        months=len(mine),
        monthly_revenue=float(before["revenue"].mean()) if len(before) else math.nan,
        monthly_margin=float(before["margin"].mean()) if len(before) else math.nan,
        lost_period=str(lost.min()) if len(lost) else "",
        closed_period=str(turned["closed_period"].iloc[0]) if len(turned) else "",
    )


def lost_clients(accounts: pd.DataFrame, period: pd.Period | str, months: int = 12) -> pd.DataFrame:
    """The clients lost in the window and what each cost: ``client_id``, ``lost_period``,
    ``account_owner``, ``monthly_revenue`` and ``monthly_margin`` (see :func:`client_value`)."""
    acc = _in_window(accounts, period, months)
    rows = []
    for client in sorted(acc.loc[acc["status"] == "lost", "client_id"].unique()):
        value = client_value(accounts, client, period, months)
        rows.append(
            {
                "client_id": client,
                "lost_period": value.lost_period,
                "account_owner": value.account_owner,
                "monthly_revenue": value.monthly_revenue,
                "monthly_margin": value.monthly_margin,
            }
        )
    columns = ["client_id", "lost_period", "account_owner", "monthly_revenue", "monthly_margin"]
    return pd.DataFrame(rows, columns=columns)


@dataclass(frozen=True)
class ValueSummary:
    """Everything the accounts answer for one period: the churn model, retention by NPS group,
    revenue at risk, the owners' and clients' books, close-outs and lost clients."""

    period: str
    months: int
    churn: ChurnModel
    retention: pd.DataFrame = field(repr=False)
    risk: RevenueAtRisk = field(repr=False)
    owners: pd.DataFrame = field(repr=False)
    clients: pd.DataFrame = field(repr=False)
    closeouts: pd.DataFrame = field(repr=False)
    lost: pd.DataFrame = field(repr=False)

    def record(self) -> dict:
        """JSON-ready, with the keys of ``insights value --format json``."""
        from insights.core.jsonsafe import json_value

        def rows(frame: pd.DataFrame) -> list[dict]:
            return [{k: json_value(_plain(v)) for k, v in r.items()} for r in frame.to_dict("records")]

        churn = self.churn.record()
        return {
            "period": self.period,
            "months": self.months,
            "churn_model": churn,
            "revenue_at_risk": {**self.risk.record(), "by_client": rows(self.risk.table)},
            "retention_by_group": rows(self.retention),
            "owners": rows(self.owners),
            "clients": rows(self.clients),
            "closeouts": rows(self.closeouts),
            "lost_clients": rows(self.lost),
        }


def _plain(value: object) -> object:
    if isinstance(value, pd.Period):
        return str(value)
    if hasattr(value, "isoformat") and not isinstance(value, float):
        return value.isoformat()
    return value


def value_summary(
    responses: pd.DataFrame,
    accounts: pd.DataFrame,
    flags: pd.DataFrame,
    period: pd.Period | str,
    months: int = 12,
) -> ValueSummary:
    """Every view of the accounts for ``period`` (``flags``: the period's alerts, for revenue at risk)."""
    return ValueSummary(
        period=format_period(as_period(period)),
        months=months,
        churn=churn_model(responses, accounts, period, months),
        retention=retention_by_group(responses, accounts, period, months),
        risk=revenue_at_risk(flags, accounts, period, months),
        owners=books(responses, accounts, period, months, by="account_owner"),
        clients=books(responses, accounts, period, months, by="client_id"),
        closeouts=closeouts(responses, accounts, period, months),
        lost=lost_clients(accounts, period, months),
    )
