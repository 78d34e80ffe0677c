"""The portfolio's "Service levels and satisfaction" section: attainment per client against satisfaction,
whether breaches move satisfaction within a client, what breached and when.

The statistics come from :mod:`insights.stats.service_levels`, :mod:`insights.stats.service_timing` and
:mod:`insights.stats.service_impact`; this module chooses, words and lays out (fragments of
``templates/sections/service_portfolio.html.j2`` and the shared ones of
:mod:`insights.reporting.service_common`).
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from insights.core.periods import as_period, cadence_of, format_period
from insights.reporting.html import findings_html, table_html
from insights.reporting.service_common import (
    SHARED,
    ServiceSection,
    breach_pattern,
    card,
    card_row,
    fragment,
    intro_html,
    money,
    pct,
    report_as_of,
)
from insights.stats import service_impact, service_levels, service_timing
from insights.stats.as_of import parse_as_of
from insights.stats.service_levels import ALPHA, DEFAULT_HOURLY_COST, DEFAULT_TARGET

PORTFOLIO_TITLE = "Service levels and satisfaction"

_own = functools.partial(fragment, "service_portfolio.html.j2")
_shared = functools.partial(fragment, SHARED)


def portfolio_section(
    events: pd.DataFrame,
    responses: pd.DataFrame,
    period: pd.Period | str,
    *,
    months: int = 12,
    as_of: object = None,
    target: float = DEFAULT_TARGET,
    hourly_cost: float = DEFAULT_HOURLY_COST,
    tz: str = "UTC",
    outcome: str = "overall_satisfaction",
    outcome_label: str = "Mean overall satisfaction",
) -> ServiceSection:
    """Across clients, for the ``months`` due months to ``period``: attainment per client against
    satisfaction, the within-client effect of breaches on satisfaction
    (:func:`insights.stats.service_impact.satisfaction_impact`), breaches by category, and when
    breaches happen (heat map and weekday test).

    Parameters
    ----------
    events : DataFrame
        Validated service events (:func:`insights.data.events.load_events`).
    responses : DataFrame
        The loaded survey responses.
    period : Period or str
        The report month.
    months : int
        Due months covered, ending with ``period``.
    as_of : timestamp-like, optional
        When events are judged; defaults to :func:`insights.reporting.service_common.report_as_of`
        of ``period``.
    target, hourly_cost, tz :
        Attainment target (a fraction), cost of an idle person-hour, time zone of weekdays and hours.
    outcome, outcome_label :
        The satisfaction column set against breaches, and its name on the chart.

    Returns
    -------
    ServiceSection
        The parts in order (no figures for the index page).
    """
    period = as_period(period)
    moment = report_as_of(period) if as_of is None else parse_as_of(as_of)
    first = period - (months - 1)
    parts: list = [
        _shared("heading", anchor="service-levels-and-satisfaction", title=PORTFOLIO_TITLE),
        intro_html(
            f"Service events due from {format_period(first)} to {format_period(period)}, "
            "and the survey responses of the same months.",
            moment,
            target,
            hourly_cost,
            tz,
        ),
    ]
    frame = service_levels.classify(events, moment, hourly_cost=hourly_cost, cadence=cadence_of(period))
    window = frame[(frame["period"] >= first) & (frame["period"] <= period)]
    if window.empty:
        parts.append(_own("nothing_due", first=format_period(first), period=format_period(period)))
        return ServiceSection(PORTFOLIO_TITLE, parts)
    survey_window = responses[(responses["period"] >= first) & (responses["period"] <= period)]
    per_client = _per_client(window, survey_window, outcome, hourly_cost)
    parts.append(_portfolio_cards(frame, window, per_client, period, months, moment, target, hourly_cost))
    parts.extend(_impact_parts(frame, responses, period, first, outcome))
    parts.extend(_between_clients_parts(per_client, first, period, outcome_label, target))
    parts.extend(breach_pattern(window, first, period, tz, hourly_cost)[0])
    parts.extend(_weekday_parts(window, tz))
    return ServiceSection(PORTFOLIO_TITLE, parts)


def _per_client(
    window: pd.DataFrame, survey_window: pd.DataFrame, outcome: str, hourly_cost: float
) -> pd.DataFrame:
    """Attainment per client (:func:`insights.stats.service_levels.attainment_table`) with the
    client's mean ``outcome``, responses, name and type over the same months."""
    per_client = service_levels.attainment_table(window, by=["client_id"], hourly_cost=hourly_cost)
    per_client["client_id"] = per_client["client_id"].astype(str)
    answered = survey_window[survey_window[outcome].notna()]
    scores = (
        answered.assign(client_id=answered["client_id"].astype(str))
        .groupby("client_id", observed=True)
        .agg(
            satisfaction=(outcome, "mean"),
            n_responses=(outcome, "size"),
            client_name=("client_name", "first"),
            client_type=("client_type", "first"),
        )
    )
    return per_client.join(scores, on="client_id")


def _portfolio_cards(
    frame: pd.DataFrame,
    window: pd.DataFrame,
    per_client: pd.DataFrame,
    period: pd.Period,
    months: int,
    moment: pd.Timestamp,
    target: float,
    hourly_cost: float,
) -> str:
    """The row of cards: attainment of the month and the window, cost, what is unresolved."""
    total = service_levels.attainment_table(window, by=[], hourly_cost=hourly_cost).iloc[0]
    trend = service_levels.attainment_trend(frame, end=period, months=months, hourly_cost=hourly_cost)
    current = trend[trend["period"] == period].iloc[0]
    below = per_client[(per_client["events"] > 0) & (per_client["attainment"] < target)]
    overdue = int(frame["overdue"].sum())
    return card_row(
        [
            card(
                f"Attainment {format_period(period)}",
                pct(current["attainment"]),
                f"{int(current['met'])} of {int(current['events'])} due events met",
                css="ci-down" if current["attainment"] < target else "",
            ),
            card(
                f"Last {months} months",
                pct(total["attainment"]),
                f"{int(total['breached'])} breaches",
                f"{len(below)} of {int((per_client['events'] > 0).sum())} clients below target",
            ),
            card(
                f"Cost of non-delivery, {months} months",
                money(total["cost"]),
                f"penalties {money(total['penalties'])}",
                f"idle time {money(total['idle_cost'])}",
            ),
            card(
                f"Unresolved at {moment:%Y-%m-%d %H:%M}",
                str(int(frame["overdue"].sum() + (frame["status"] == "open").sum())),
                f"{overdue} overdue" if overdue else "none overdue",
                css="ci-down" if overdue else "",
            ),
        ]
    )


def _impact_parts(
    frame: pd.DataFrame, responses: pd.DataFrame, period: pd.Period, first: pd.Period, outcome: str
) -> list[str]:
    """Do breaches move satisfaction?  The within-client model
    (:func:`insights.stats.service_impact.satisfaction_impact`), its table and findings."""
    panel = service_impact.satisfaction_panel(
        frame[frame["period"] <= period], responses[responses["period"] <= period], outcome=outcome
    )
    panel = panel[panel["period"] >= first]  # last month's breaches of the first month still count
    impact = service_impact.satisfaction_impact(panel, outcome=outcome)
    parts = [_shared("subheading", title="Do breaches move satisfaction?"), _own("impact_method")]
    if not impact.ok:
        return [*parts, _own("impact_unavailable", reason=impact.reason)]
    coefficients = impact.coefficients
    table = pd.DataFrame(
        {
            "Term": coefficients["label"],
            "Change per breach": [f"{v:+.3f}" for v in coefficients["coef"]],
            "95% CI": [
                f"{lo:+.3f} to {hi:+.3f}" for lo, hi in zip(coefficients["ci_low"], coefficients["ci_high"])
            ],
            "p": [f"{p:.3g}" for p in coefficients["p"]],
            "Significant": np.where(coefficients["p"] < ALPHA, "yes", ""),
        }
    )
    caption = (
        f"{impact.n_obs} client-months, {impact.n_clients} clients, {impact.n_responses} responses; "
        f"within-client R² = {impact.r2_within:.2f}."
    )
    parts.append(table_html(table, caption=caption))
    parts.append(findings_html(impact.findings))
    parts.extend(_own("impact_caveat", warning=warning) for warning in impact.warnings)
    return parts


def _between_clients_parts(
    per_client: pd.DataFrame, first: pd.Period, period: pd.Period, outcome_label: str, target: float
) -> list:
    """Attainment against satisfaction across clients: the chart, Spearman's rho
    (:func:`insights.stats.service_impact.attainment_satisfaction_correlation`) and the table."""
    from insights.reporting import plots

    placed = per_client.dropna(subset=["attainment", "satisfaction"])
    parts: list = [_shared("subheading", title="Attainment and satisfaction by client")]
    if len(placed) >= 3:
        parts.append(
            plots.service_satisfaction_chart(
                placed,
                title=f"Clients, {format_period(first)} to {format_period(period)}",
                ylabel=outcome_label,
                target=target,
            )
        )
        link = service_impact.attainment_satisfaction_correlation(placed)
        if link.ok:
            parts.append(_shared("note", text=_correlation_text(link, len(placed))))
    parts.append(
        table_html(
            _clients_display(per_client),
            caption="Sorted by attainment, lowest first. The interval is for the underlying on-time rate.",
        )
    )
    return parts


def _correlation_text(link, clients: int) -> str:
    """Spearman's rho of attainment and satisfaction across ``clients``, in words."""
    rho, p = link.rho, link.p_value
    if link.significant:
        return (
            f"Across {clients} clients, higher attainment goes with {'higher' if rho > 0 else 'lower'} "
            f"satisfaction (Spearman's rho {rho:+.2f}, p = {p:.3f})."
        )
    return (
        f"Across {clients} clients, no significant association between attainment and satisfaction "
        f"(Spearman's rho {rho:+.2f}, p = {p:.3f}); clients differ in much more than service levels, "
        "which is why the model above compares each client with itself."
    )


def _clients_display(per_client: pd.DataFrame) -> pd.DataFrame:
    """Attainment, cost and satisfaction per client for people, lowest attainment first."""
    data = per_client.sort_values(["attainment", "breached"], ascending=[True, False])
    return pd.DataFrame(
        {
            "Client": data["client_name"].fillna(data["client_id"]).astype(str),
            "Type": data["client_type"].astype(object).fillna("–").astype(str),
            "Due": data["events"],
            "Breached": data["breached"],
            "Attainment": [pct(v) for v in data["attainment"]],
            "95% CI": [f"{pct(lo)} to {pct(hi)}" for lo, hi in zip(data["ci_low"], data["ci_high"])],
            "Overdue now": data["overdue"],
            "Cost": [money(v) for v in data["cost"]],
            "Satisfaction": [("–" if pd.isna(v) else f"{v:.2f}") for v in data["satisfaction"]],
        }
    )


def _weekday_parts(window: pd.DataFrame, tz: str) -> list:
    """Does the weekday an event is opened matter?  The weekday chart, the test's findings and its null
    (:func:`insights.stats.service_timing.weekday_test`)."""
    from insights.reporting import plots

    weekday = service_timing.weekday_test(window, tz=tz)
    if not weekday.ok:
        return [_shared("weekday_untestable", reason=weekday.reason)]
    return [
        plots.weekday_chart(weekday.table, title="Share of events breached, by weekday opened"),
        findings_html(weekday.findings),
        _own("weekday_null", method=weekday.method),
    ]
