"""The "Satisfaction and the business" sections: the portfolio's (churn model, retention by NPS group,
revenue at risk, owners' books, close-outs, lost clients) and a client's (its account line, the cost of
losing it beside the service-level cost), and the close-out items of a client's follow-up list.

Shown only when an accounts file is given (``accounts`` parameter / ``insights run --accounts``): the
notebook cells call :func:`available` first and show nothing without one.  The statistics come from
:mod:`insights.stats.churn` and :mod:`insights.stats.value`; this module words and lays them out
(fragments of ``templates/sections/value.html.j2``).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from insights.core.periods import as_period, cadence_of, format_period, months_in, noun
from insights.reporting.html import Section, caveats_html, render, table_html
from insights.stats.churn import churn_table, window
from insights.stats.optional import asks_nps
from insights.stats.value import CHECK_IN_DAYS, client_value, closeouts, value_summary

__all__ = [
    "CLIENT_TITLE",
    "PORTFOLIO_TITLE",
    "ValueSection",
    "available",
    "client_section",
    "account_months",
    "closeout_items",
    "load",
    "portfolio_section",
    "service_cost",
    "value_caveats",
]

PORTFOLIO_TITLE = "Satisfaction and the business"
CLIENT_TITLE = "Account"
_fragment = functools.partial(render, "fragment.html.j2", source="value.html.j2")


def _part(macro: str, **args: object) -> str:
    return _fragment(macro=macro, args=args)


def available(accounts: object) -> bool:
    """Whether the notebook was given an accounts file (a non-empty parameter)."""
    return bool(accounts)


def load(accounts: str, responses: pd.DataFrame | None = None) -> pd.DataFrame:
    """The validated accounts (warnings kept in ``attrs``, not printed)."""
    from insights.data.accounts import load_accounts

    return load_accounts(accounts, responses=responses, warn=False)


@dataclass(frozen=True, repr=False)
class ValueSection(Section):
    """HTML strings and matplotlib figures in order; ``display(section)`` shows each as its own output."""

    title: str
    parts: list = field(default_factory=list)

    def html(self) -> str:
        return "".join(p for p in self.parts if isinstance(p, str))

    def _ipython_display_(self) -> None:
        from IPython.display import HTML, display

        for part in self.parts:
            display(HTML(part) if isinstance(part, str) else part)


def _money(value: float) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:,.0f}"


def _pct(value: float, digits: int = 1) -> str:
    return (
        "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}%"
    )


def account_months(period: pd.Period | str, waves: int) -> int:
    """The accounts' window in months for a report over ``waves`` periods of the survey (accounts are
    monthly: eight quarters are 24 months)."""
    return months_in(waves, cadence_of(as_period(period)))


def value_caveats(months: int, *, nps: bool = True, wave: str = "month") -> list[str]:
    """What each view is, and what it was tested against (the README's definitions); ``months`` of
    accounts, ``nps=False`` for a survey without the likelihood-to-recommend question, ``wave`` the
    survey's period in words."""
    from insights.stats.account_alerts import closeout_caveat

    retention = (
        [
            "Retention by NPS group is descriptive: the share of each group's clients not lost, with a 95% Wilson "
            "interval; the groups are the clients' NPS over the same responses, not a test."
        ]
        if nps
        else []
    )
    return [
        f"Churn model: one row per client with accounts in the {months} months to the report period; outcome "
        "lost (status lost in any month of the window); predictor its mean overall satisfaction over its "
        "responses in the window before it was lost (all of them if kept); logistic regression (statsmodels), "
        "odds ratio per point with its 95% Wald interval. Checked against statsmodels on the same table built "
        "independently; on simulated portfolios without a link the test rejected at about its 5% level, and "
        "a planted link was found and covered by the interval (tests/test_value.py). An association across "
        "clients, not a cause: clients that are lost may differ in other ways.",
        *retention,
        f"Revenue at risk: the clients flagged at risk or with a significant drop this {wave} (the flags' own "
        "tests and false discovery rate), with their revenue over the window, summed. It is revenue at stake, "
        "not a forecast of loss.",
        "Margin % is gross margin over revenue as the accounts record it (write-offs are as recorded; the "
        f"accounts' margin is taken to include them). Satisfaction{' and NPS' if nps else ''} in the books "
        "are over the window's responses; retention is the share of the book's clients not lost.",
        closeout_caveat(months),
    ]


def portfolio_section(
    responses: pd.DataFrame,
    accounts: pd.DataFrame,
    flags: pd.DataFrame,
    period: pd.Period | str,
    *,
    months: int = 12,
    outcome_label: str = "Mean overall satisfaction",
) -> ValueSection:
    """The portfolio's "Satisfaction and the business" section (see the module), over ``months``
    periods of the survey (months of accounts: :func:`account_months`)."""
    from insights.reporting import plots

    months = account_months(period, months)
    nps = asks_nps(responses)
    summary = value_summary(responses, accounts, flags, period, months)
    churn, risk = summary.churn, summary.risk
    names = (
        responses.groupby(responses["client_id"].astype(str), observed=True)["client_name"]
        .first()
        .astype(str)
    )
    parts: list = [
        _part("heading", anchor="business", title=PORTFOLIO_TITLE),
        _part(
            "note",
            text=f"From the accounts file: {churn.first} to {churn.last} ({months} months to "
            f"{format_period(as_period(period))}).",
        ),
        _part("subheading", title="Does satisfaction keep clients?"),
        _part("paragraph", text=churn.sentence() + "."),
    ]
    table = churn_table(responses, accounts, period, months)
    if table["mean_overall"].notna().any():
        parts.append(
            plots.churn_chart(
                table,
                intercept=churn.intercept,
                slope=churn.log_odds_per_point,
                title="Clients kept and lost, by mean overall satisfaction",
                xlabel=f"{outcome_label}, before any loss",
            )
        )
    retention = summary.retention if nps else summary.retention.iloc[:0]
    if nps:
        parts.append(_part("subheading", title="Retention by NPS group (descriptive)"))
    if len(retention):
        chart = retention.assign(pct=100 * retention["retention"], low=100 * retention["ci_low"])
        chart = chart.assign(high=100 * retention["ci_high"])
        parts.append(
            plots.league_chart(
                chart, label="group", estimate="pct", ci_low="low", ci_high="high", by=None,
                title="Clients kept, by their NPS", xlabel="Clients kept (%, 95% Wilson interval)",
            )
        )  # fmt: skip
        parts.append(table_html(_retention_display(retention)))
    parts.append(_part("subheading", title="Revenue at risk"))
    parts.append(
        _part(
            "risk_line",
            revenue=_money(risk.revenue),
            clients=len(risk.clients),
            first=risk.first,
            last=risk.last,
            period=str(summary.period),
        )
    )
    if len(risk.table):
        parts.append(table_html(_risk_display(risk.table, names)))
    parts.append(_part("subheading", title="Owners' books"))
    parts.append(table_html(_book_display(summary.owners, "account_owner", "Owner", nps=nps)))
    parts.append(_part("subheading", title="Recently closed clients"))
    parts.append(
        table_html(_closeout_display(summary.closeouts, names))
        if len(summary.closeouts)
        else _part("paragraph", text=f"No client closed from {churn.first} to {churn.last}.")
    )
    parts.append(_part("subheading", title="Lost clients and what they cost"))
    parts.append(
        table_html(_lost_display(summary.lost, names))
        if len(summary.lost)
        else _part("paragraph", text=f"No client was lost from {churn.first} to {churn.last}.")
    )
    parts.append(caveats_html(value_caveats(months, nps=nps, wave=noun(cadence_of(as_period(period))))))
    return ValueSection(PORTFOLIO_TITLE, parts)


def _retention_display(retention: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "NPS group": retention["group"],
            "Clients": retention["clients"],
            "Lost": retention["lost"],
            "Kept": [_pct(100 * v, 0) for v in retention["retention"]],
            "95% CI": [
                f"{100 * lo:.0f}% to {100 * hi:.0f}%"
                for lo, hi in zip(retention["ci_low"], retention["ci_high"])
            ],
        }
    )


def _risk_display(table: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Client": [names.get(c, c) for c in table["client_id"]],
            "Flags": [k.replace("at_risk", "at risk") for k in table["kinds"]],
            "Revenue": [_money(v) for v in table["revenue"]],
            "Margin": [_money(v) for v in table["margin"]],
        }
    )


def _book_display(book: pd.DataFrame, key: str, label: str, *, nps: bool = True) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            label: book[key],
            "Clients": book["clients"],
            "Revenue": [_money(v) for v in book["revenue"]],
            "Margin %": [_pct(v) for v in book["margin_pct"]],
            "Write-offs": [_money(v) for v in book["writeoffs"]],
            "Satisfaction": [f"{v:.2f}" if not math.isnan(v) else "–" for v in book["satisfaction"]],
            "NPS": [f"{v:+.0f}" if not math.isnan(v) else "–" for v in book["nps"]],
            "Lost": book["lost"],
            "Retention": [_pct(100 * v, 0) for v in book["retention"]],
        }
    )
    return table if nps else table.drop(columns="NPS")


def _closeout_display(table: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Client": [names.get(c, c) for c in table["client_id"]],
            "Closed": table["closed_period"].astype(str),
            "Check in by": table["check_in_by"].astype(str),
            "Answered since": [f"yes ({n})" if n else "no" for n in table["responses_after"]],
        }
    )


def _lost_display(table: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Client": [names.get(c, c) for c in table["client_id"]],
            "Lost in": table["lost_period"],
            "Owner": table["account_owner"],
            "Revenue a month before": [_money(v) for v in table["monthly_revenue"]],
            "Margin a month before": [_money(v) for v in table["monthly_margin"]],
        }
    )


def client_section(
    accounts: pd.DataFrame,
    client_id: str,
    period: pd.Period | str,
    *,
    months: int = 12,
    service_cost: float | None = None,
) -> ValueSection:
    """A client's "Account" section: revenue, margin, write-offs and status over the window (``months``
    periods of the survey), and what losing the client would cost a month beside ``service_cost`` (the
    cost of non-delivery over the same window, with service events)."""
    months = account_months(period, months)
    value = client_value(accounts, client_id, period, months)
    parts: list = [_part("heading", anchor="account", title=CLIENT_TITLE)]
    if value is None:
        parts.append(_part("paragraph", text="No accounts are recorded for this client in the window."))
        return ValueSection(CLIENT_TITLE, parts)
    first, last = window(period, months)
    status = {"lost": f"lost in {value.lost_period}", "closed": f"closed in {value.closed_period}"}
    parts.append(
        _part(
            "account_line",
            revenue=_money(value.revenue),
            margin=_pct(value.margin_pct),
            writeoffs=_money(value.writeoffs),
            status=status.get(value.status, value.status),
            owner=value.account_owner,
            first=str(first),
            last=str(last),
            months=value.months,
        )
    )
    cards = [
        {
            "label": "Revenue a month",
            "value": _money(value.monthly_revenue),
            "note": "cost of losing the client",
        },
        {
            "label": "Margin a month",
            "value": _money(value.monthly_margin),
            "note": "cost of losing the client",
        },
    ]
    if service_cost is not None:
        cards.append(
            {
                "label": "Cost of non-delivery",
                "value": _money(service_cost),
                "note": f"service levels, {first} to {last}",
            }
        )
    parts.append(_part("cards", cards=cards))
    parts.append(
        _part(
            "note",
            text="The cost of losing the client: its average monthly revenue and margin over the window's months "
            + ("before it was lost." if value.lost_period else "with accounts."),
        )
    )
    if value.closed_period:
        from insights.stats.account_alerts import closeout_caveat

        parts.append(_part("note", text=closeout_caveat(months)))
    return ValueSection(CLIENT_TITLE, parts)


def closeout_items(
    responses: pd.DataFrame, accounts: pd.DataFrame, client_id: str, period: pd.Period | str, months: int = 12
) -> list[dict]:
    """The follow-up items of a client whose status turned closed in the window (``months`` periods of the
    survey): a hand-over to client care, a check-in within :data:`CHECK_IN_DAYS` days of the closing
    month's end, a close-out survey."""
    months = account_months(period, months)
    mine = accounts[accounts["client_id"].astype(str) == str(client_id)]
    table = closeouts(responses[responses["client_id"].astype(str) == str(client_id)], mine, period, months)
    items = []
    for row in table.itertuples():
        start = pd.Timestamp(np.busday_offset((row.closed_period + 1).start_time.date(), 0, roll="forward"))
        check_in = pd.Timestamp(row.check_in_by)
        why = f"status turned closed in {row.closed_period}"
        survey = (
            ("Read the close-out answers with client care and thank the client",
             f"{why}; answered since ({row.responses_after})")
            if row.answered_after
            else ("Send the close-out survey", f"{why}; no answer since closing")
        )  # fmt: skip
        items += [
            {"kind": "close-out", "due": start, "action": "Hand the client over to client care",
             "who": "the account owner", "how": "", "why": why},
            {"kind": "close-out", "due": check_in, "action": "Check in: how is the client doing since the close-out?",
             "who": "client care", "how": "", "why": f"{why}; within {CHECK_IN_DAYS} days of the month's end"},
            {"kind": "close-out", "due": check_in, "action": survey[0], "who": "client care", "how": "",
             "why": survey[1]},
        ]  # fmt: skip
    return items


def service_cost(
    events: pd.DataFrame | None,
    client_id: str,
    period: pd.Period | str,
    *,
    months: int = 12,
    hourly_cost: float = 60.0,
) -> float | None:
    """The client's cost of non-delivery over the window (``months`` periods of the survey; events due in
    it, judged at the report's moment, as the "Service levels" section counts it); None without events."""
    if events is None:
        return None
    months = account_months(period, months)
    from insights.stats.as_of import period_as_of
    from insights.stats.service_levels import attainment_trend

    last = window(period, months)[1]
    trend = attainment_trend(
        events,
        end=last,
        months=months,
        as_of=period_as_of(last),
        client=str(client_id),
        hourly_cost=hourly_cost,
    )
    return float(trend["cost"].sum())
