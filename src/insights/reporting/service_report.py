"""The "Service levels" sections of the client and portfolio reports.

The notebooks stay thin: one cell calls :func:`client_section` or :func:`portfolio_section` and
shows the result, and only when an events file was given (``events`` parameter / ``insights run
--events``); without one the cell shows nothing and the report has no such section.  The
section's heading is part of the section itself, so it cannot appear empty.

The statistics live in :mod:`insights.stats.service_levels`, :mod:`insights.stats.service_timing` and
:mod:`insights.stats.service_impact`; this module only chooses, words and lays out.
Every piece of untrusted text (client names, ids, categories) is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from insights.data.events import load_events
from insights.reporting.report import esc, findings_html, table_html
from insights.stats import service_impact, service_levels, service_timing
from insights.stats.as_of import parse_as_of, period_as_of
from insights.stats.service_levels import ALPHA, DEFAULT_HOURLY_COST, DEFAULT_TARGET

CLIENT_TITLE = "Service levels"
PORTFOLIO_TITLE = "Service levels and satisfaction"
MAX_OPEN_ROWS = 15


@dataclass(frozen=True, eq=False)
class Section:
    """A report section: HTML strings and matplotlib figures, in order, plus figures for the index page."""

    title: str
    parts: list = field(default_factory=list)
    index_figures: list[dict] = field(default_factory=list)

    def html(self) -> str:
        """The HTML parts joined (figures left out): for tests and plain-text use."""
        return "".join(p for p in self.parts if isinstance(p, str))

    @property
    def figures(self) -> list:
        return [p for p in self.parts if not isinstance(p, str)]

    def show(self) -> None:
        """Display every part in a notebook."""
        from IPython.display import HTML, display

        for part in self.parts:
            display(HTML(part) if isinstance(part, str) else part)


def report_as_of(period: pd.Period | str, now: pd.Timestamp | None = None) -> pd.Timestamp:
    """The moment a report for ``period`` judges events at: the end of that month (00:00 UTC on the
    first day of the next), or now if the month is not over yet (see
    :func:`insights.stats.as_of.period_as_of`).  A past month's report is therefore the same
    whenever it is rendered."""
    return period_as_of(period, now)


def load(events: str | Path | pd.DataFrame) -> pd.DataFrame:
    """Validated events (see :func:`insights.data.events.load_events`), warnings kept in ``attrs``."""
    return load_events(events, warn=False)


def _pct(value: float, digits: int = 0) -> str:
    return (
        "–"
        if value is None or (isinstance(value, float) and math.isnan(value))
        else f"{100 * value:.{digits}f}%"
    )


def _money(value: float) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:,.0f}"


def _hours(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.1f} h" if value < 48 else f"{value / 24:.1f} days"


def _card(label: str, value: str, *notes: str, css: str = "") -> str:
    lines = "".join(
        f"<div class='ci-note {css if i == 0 else ''}'>{esc(n)}</div>" for i, n in enumerate(notes) if n
    )
    return (
        f"<div class='ci-card'><div class='ci-label'>{esc(label)}</div><div class='ci-value'>{esc(value)}</div>"
        f"{lines}</div>"
    )


def _intro(what: str, as_of: pd.Timestamp, target: float, hourly_cost: float, tz: str) -> str:
    return (
        f"<p class='ci-note'>{what} Status as of {as_of:%Y-%m-%d %H:%M} UTC: <em>met</em> = resolved by the "
        f"due time, <em>breached</em> = resolved late or still unresolved after it, <em>open</em> = not yet due. "
        f"Attainment = met / (met + breached); target {target * 100:g}%. Cost of non-delivery = penalties + people "
        f"affected × hours late × {hourly_cost:,.0f} per idle hour. Weekdays and hours are those the events were "
        f"opened ({esc(tz)}).</p>"
    )


def _breakdown_tables(window: pd.DataFrame, hourly_cost: float) -> list[str]:
    """Per category, then per severity: due, breached, attainment, time late, penalties and cost."""
    by_category = service_levels.breaches_by(window, by=("category",), hourly_cost=hourly_cost)
    by_severity = service_levels.breaches_by(window, by=("severity",), hourly_cost=hourly_cost)
    by_severity = by_severity.sort_values("severity").reset_index(drop=True)
    return [
        table_html(_category_display(by_category), caption="By category, most breaches first."),
        table_html(_category_display(by_severity), caption="By severity."),
    ]


def _category_display(table: pd.DataFrame) -> pd.DataFrame:
    key = "category" if "category" in table.columns else "severity"
    return pd.DataFrame(
        {
            key.capitalize(): table[key].astype(str).str.capitalize(),
            "Due": table["events"],
            "Breached": table["breached"],
            "Attainment": [_pct(v) for v in table["attainment"]],
            "Median time late": [_hours(v) for v in table["median_hours_late"]],
            "Penalties": [_money(v) for v in table["penalties"]],
            "Idle cost": [_money(v) for v in table["idle_cost"]],
            "Cost": [_money(v) for v in table["cost"]],
        }
    )


def _month_display(trend: pd.DataFrame, target: float) -> pd.DataFrame:
    data = trend[(trend["events"] + trend["open"]) > 0].iloc[::-1]
    return pd.DataFrame(
        {
            "Month due": data["period"].astype(str),
            "Due": data["events"],
            "Met": data["met"],
            "Breached": data["breached"],
            "Attainment": [_pct(v) for v in data["attainment"]],
            "vs target": [
                "below" if (not math.isnan(v) and v < target) else ("met" if not math.isnan(v) else "–")
                for v in data["attainment"].astype(float)
            ],
            "Hours late": [f"{v:,.1f}" for v in data["hours_late"]],
            "Penalties": [_money(v) for v in data["penalties"]],
            "Idle cost": [_money(v) for v in data["idle_cost"]],
            "Cost": [_money(v) for v in data["cost"]],
        }
    )


def open_events(events: pd.DataFrame, *, as_of: object, tz: str = "UTC") -> pd.DataFrame:
    """Unresolved events as of ``as_of``: overdue ones first (longest overdue first), then open by due time."""
    frame = service_levels.classify(events, as_of)
    moment = frame.attrs["as_of"]
    pending = frame[frame["overdue"] | (frame["status"] == "open")].copy()
    pending["hours"] = (moment - pending["due_at"]).dt.total_seconds() / 3600
    pending = pending.sort_values(["overdue", "hours"], ascending=[False, False])
    return pending


def _open_display(pending: pd.DataFrame, tz: str) -> pd.DataFrame:
    def when(series):
        local = series if tz == "UTC" else series.dt.tz_convert(tz)
        return local.dt.strftime("%Y-%m-%d %H:%M")

    return pd.DataFrame(
        {
            "Event": pending["event_id"].astype(str),
            "Category": pending["category"].astype(str),
            "Severity": pending["severity"].astype(object).where(pending["severity"].notna(), "–"),
            "Opened": when(pending["opened_at"]),
            "Due": when(pending["due_at"]),
            "State": [
                f"overdue by {_hours(h)}" if overdue else f"due in {_hours(-h)}"
                for overdue, h in zip(pending["overdue"], pending["hours"])
            ],
            "People affected": pending["people_affected"].astype(int),
            "Idle cost so far": [_money(v) for v in pending["idle_cost"]],
        }
    )


# --- the client section ---------------------------------------------------------------------------


def client_section(
    events: pd.DataFrame,
    client_id: str,
    period: pd.Period | str,
    *,
    months: int = 12,
    as_of: object = None,
    target: float = DEFAULT_TARGET,
    hourly_cost: float = DEFAULT_HOURLY_COST,
    tz: str = "UTC",
    max_rows: int = MAX_OPEN_ROWS,
) -> Section:
    """One client's "Service levels": attainment trend against the target, breaches by category and
    severity, cost, the weekday x hour heat map, and the events open or overdue at ``as_of``.

    ``as_of`` defaults to :func:`report_as_of` of ``period``; the trend covers the ``months`` due
    months to ``period``.
    """
    from insights.reporting import plots

    if not 0 < target <= 1:
        raise ValueError(f"target must be a fraction in (0, 1] (got {target})")
    period = pd.Period(period, "M")
    moment = report_as_of(period) if as_of is None else parse_as_of(as_of)
    first = period - (months - 1)
    mine = events[events["client_id"].astype(str) == str(client_id)]
    parts: list = [
        f"<h2 id='service-levels'>{CLIENT_TITLE}</h2>",
        _intro(f"Service events due from {first} to {period}.", moment, target, hourly_cost, tz),
    ]
    if mine.empty:
        parts.append("<p>No service events are recorded for this client.</p>")
        return Section(CLIENT_TITLE, parts, [{"label": "SLA attainment", "value": "–"}])

    frame = service_levels.classify(mine, moment, hourly_cost=hourly_cost)
    window = frame[(frame["period"] >= first) & (frame["period"] <= period)]
    trend = service_levels.attainment_trend(frame, end=period, months=months, hourly_cost=hourly_cost)
    current = trend[trend["period"] == period].iloc[0]
    earlier = trend[trend["period"] < period]
    pending = open_events(mine, as_of=moment, tz=tz)
    overdue = int(pending["overdue"].sum())

    below = not math.isnan(current["attainment"]) and current["attainment"] < target
    months_below, months_due = _months_below_target(trend, target)
    parts.append(_client_cards(current, trend, pending, period, months, moment, target))

    findings = _client_findings(current, earlier, target, period, months_below, months_due)
    weekday = service_timing.weekday_test(window, tz=tz)
    if weekday.ok and weekday.significant:
        findings.extend(weekday.findings)
    parts.append(findings_html(findings))

    parts.append("<h3>Attainment and cost by month</h3>")
    parts.append(plots.attainment_chart(trend, target=target, title="Events met on time, by month due"))
    if trend["cost"].sum() > 0:
        parts.append(plots.cost_chart(trend, title="Cost of non-delivery, by month due"))
    parts.append(table_html(_month_display(trend, target)))

    pattern, any_breach = _breach_pattern(window, first, period, tz, hourly_cost)
    parts.extend(pattern)
    if any_breach:
        note = weekday.findings[0] if weekday.ok else f"The weekday test needs more data ({weekday.reason})."
        parts.append(f"<p class='ci-note'>{esc(note)}</p>")

    parts.extend(_open_parts(pending, moment, tz, max_rows))

    summary = {
        "label": "SLA attainment",
        "value": _pct(current["attainment"]),
        "detail": f"{int(current['breached'])} breach(es), {overdue} overdue; target {target * 100:g}%",
        "flag": bool(below),
    }
    return Section(CLIENT_TITLE, parts, [summary])


def _months_below_target(trend: pd.DataFrame, target: float) -> tuple[int, int]:
    """Months of the trend with attainment below ``target``, and months with events due."""
    due = trend["events"] > 0
    return int((due & (trend["attainment"] < target)).sum()), int(due.sum())


def _client_cards(
    current: pd.Series,
    trend: pd.DataFrame,
    pending: pd.DataFrame,
    period: pd.Period,
    months: int,
    moment: pd.Timestamp,
    target: float,
) -> str:
    """The row of cards: attainment, breaches and cost of the month, the last months, what is unresolved."""
    below = not math.isnan(current["attainment"]) and current["attainment"] < target
    gap = f"target {target * 100:g}%: " + (
        "no events due"
        if math.isnan(current["attainment"])
        else f"below by {100 * (target - current['attainment']):.0f} pts"
        if below
        else "met"
    )
    window_events, window_met = int(trend["events"].sum()), int(trend["met"].sum())
    months_below, months_due = _months_below_target(trend, target)
    overdue = int(pending["overdue"].sum())
    cards = [
        _card(
            f"Attainment {period}",
            _pct(current["attainment"]),
            gap,
            f"{int(current['met'])} of {int(current['events'])} due events met",
            css="ci-down" if below else "",
        ),
        _card(
            f"Breaches {period}",
            str(int(current["breached"])),
            f"median {_hours(current['median_hours_late'])} late" if current["breached"] else "none",
            f"{int(current['overdue'])} still unresolved" if current["overdue"] else "",
        ),
        _card(
            f"Cost of non-delivery {period}",
            _money(current["cost"]),
            f"penalties {_money(current['penalties'])}",
            f"idle time {_money(current['idle_cost'])} ({current['idle_hours']:,.0f} person-hours)",
        ),
        _card(
            f"Last {months} months",
            _pct(window_met / window_events if window_events else math.nan),
            f"{window_met} of {window_events} met; below target in {months_below} of {months_due} months",
            f"cost {_money(trend['cost'].sum())}",
        ),
        _card(
            f"Unresolved at {moment:%Y-%m-%d %H:%M}",
            str(len(pending)),
            f"{overdue} overdue" if overdue else "none overdue",
            css="ci-down" if overdue else "",
        ),
    ]
    return f"<div class='ci-card-row'>{''.join(cards)}</div>"


def _open_parts(pending: pd.DataFrame, moment: pd.Timestamp, tz: str, max_rows: int) -> list[str]:
    """The events unresolved at ``moment``: overdue first, at most ``max_rows`` of them."""
    parts = [f"<h3>Open and overdue events at {moment:%Y-%m-%d %H:%M} UTC</h3>"]
    if pending.empty:
        return [*parts, "<p>No unresolved events.</p>"]
    overdue = int(pending["overdue"].sum())
    more = len(pending) - max_rows
    caption = (
        f"{len(pending)} unresolved: {overdue} overdue (a breach still running), "
        f"{len(pending) - overdue} not yet due" + (f"; the first {max_rows} shown" if more > 0 else "") + "."
    )
    return [*parts, table_html(_open_display(pending.head(max_rows), tz), caption=caption)]


def _client_findings(
    current, earlier: pd.DataFrame, target: float, period, months_below: int, months_due: int
) -> list[str]:
    found = []
    if current["events"] > 0:
        verdict = "below" if current["attainment"] < target else "at or above"
        found.append(
            f"{int(current['met'])} of {int(current['events'])} events due in {period} were met on time "
            f"({_pct(current['attainment'])}), {verdict} the {target * 100:g}% target."
        )
    else:
        found.append(f"No events were due in {period}.")
    base_events, base_met = int(earlier["events"].sum()), int(earlier["met"].sum())
    change = service_levels.compare_attainment(
        int(current["met"]), int(current["events"]), base_met, base_events
    )
    if change.significant:
        direction = "lower" if change.difference < 0 else "higher"
        found.append(
            f"That is significantly {direction} than the {_pct(change.baseline)} of the previous months "
            f"({100 * change.difference:+.0f} pts, 95% CI {100 * change.ci_low:+.0f} to "
            f"{100 * change.ci_high:+.0f}; Fisher's exact test p = {change.p_value:.3f})."
        )
    if months_due:
        found.append(
            f"Attainment was below target in {months_below} of the {months_due} months with events due."
        )
    if current["cost"] > 0:
        found.append(
            f"Non-delivery in {period} cost {_money(current['cost'])}: {_money(current['penalties'])} in "
            f"penalties and {_money(current['idle_cost'])} of idle time."
        )
    return found


# --- the portfolio section ------------------------------------------------------------------------


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
) -> Section:
    """Across clients: attainment per client against satisfaction, the within-client effect of breaches
    on satisfaction (:func:`insights.stats.service_impact.satisfaction_impact`), breaches by category, and when
    breaches happen (heat map and weekday test), for the ``months`` due months to ``period``."""
    period = pd.Period(period, "M")
    moment = report_as_of(period) if as_of is None else parse_as_of(as_of)
    first = period - (months - 1)
    parts: list = [
        f"<h2 id='service-levels-and-satisfaction'>{PORTFOLIO_TITLE}</h2>",
        _intro(
            f"Service events due from {first} to {period}, and the survey responses of the same months.",
            moment,
            target,
            hourly_cost,
            tz,
        ),
    ]
    frame = service_levels.classify(events, moment, hourly_cost=hourly_cost)
    window = frame[(frame["period"] >= first) & (frame["period"] <= period)]
    if window.empty:
        parts.append(f"<p>No service events were due from {first} to {period}.</p>")
        return Section(PORTFOLIO_TITLE, parts)
    survey_window = responses[(responses["period"] >= first) & (responses["period"] <= period)]
    per_client = _per_client(window, survey_window, outcome, hourly_cost)
    parts.append(_portfolio_cards(frame, window, per_client, period, months, moment, target, hourly_cost))
    parts.extend(_impact_parts(frame, responses, period, first, outcome))
    parts.extend(_between_clients_parts(per_client, first, period, outcome_label, target))
    parts.extend(_breach_pattern(window, first, period, tz, hourly_cost)[0])
    parts.extend(_weekday_parts(window, tz))
    return Section(PORTFOLIO_TITLE, parts)


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
    cards = [
        _card(
            f"Attainment {period}",
            _pct(current["attainment"]),
            f"{int(current['met'])} of {int(current['events'])} due events met",
            css="ci-down" if current["attainment"] < target else "",
        ),
        _card(
            f"Last {months} months",
            _pct(total["attainment"]),
            f"{int(total['breached'])} breaches",
            f"{len(below)} of {int((per_client['events'] > 0).sum())} clients below target",
        ),
        _card(
            f"Cost of non-delivery, {months} months",
            _money(total["cost"]),
            f"penalties {_money(total['penalties'])}",
            f"idle time {_money(total['idle_cost'])}",
        ),
        _card(
            f"Unresolved at {moment:%Y-%m-%d %H:%M}",
            str(int(frame["overdue"].sum() + (frame["status"] == "open").sum())),
            f"{overdue} overdue" if overdue else "none overdue",
            css="ci-down" if overdue else "",
        ),
    ]
    return f"<div class='ci-card-row'>{''.join(cards)}</div>"


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
    parts = [
        "<h3>Do breaches move satisfaction?</h3>",
        "<p class='ci-note'>One model over every client-month: mean satisfaction on the month's breaches and "
        "the previous month's, with an effect for each client (so each client is compared with itself) and "
        "for each month (so a month that was bad for everyone is not blamed on breaches), weighted by the "
        "responses behind each mean, with standard errors clustered by client.</p>",
    ]
    if not impact.ok:
        return [*parts, f"<p class='ci-note'>The link cannot be estimated: {esc(impact.reason)}.</p>"]
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
    parts.append(
        table_html(
            table,
            caption=f"{impact.n_obs} client-months, {impact.n_clients} clients, "
            f"{impact.n_responses} responses; within-client R² = "
            f"{impact.r2_within:.2f}.",
        )
    )
    parts.append(findings_html(impact.findings))
    parts.extend(f"<p class='ci-note'>Caveat: {esc(warning)}.</p>" for warning in impact.warnings)
    return parts


def _between_clients_parts(
    per_client: pd.DataFrame, first: pd.Period, period: pd.Period, outcome_label: str, target: float
) -> list:
    """Attainment against satisfaction across clients: the chart, Spearman's rho
    (:func:`insights.stats.service_impact.attainment_satisfaction_correlation`) and the table."""
    from insights.reporting import plots

    placed = per_client.dropna(subset=["attainment", "satisfaction"])
    parts: list = ["<h3>Attainment and satisfaction by client</h3>"]
    if len(placed) >= 3:
        parts.append(
            plots.service_satisfaction_chart(
                placed, title=f"Clients, {first} to {period}", ylabel=outcome_label, target=target
            )
        )
        link = service_impact.attainment_satisfaction_correlation(placed)
        if link.ok:
            rho, p = link.rho, link.p_value
            text = (
                f"Across {len(placed)} clients, higher attainment goes with {'higher' if rho > 0 else 'lower'} "
                f"satisfaction (Spearman's rho {rho:+.2f}, p = {p:.3f})."
                if link.significant
                else f"Across {len(placed)} clients, no significant association between attainment and satisfaction "
                f"(Spearman's rho {rho:+.2f}, p = {p:.3f}); clients differ in much more than service levels, "
                "which is why the model above compares each client with itself."
            )
            parts.append(f"<p class='ci-note'>{esc(text)}</p>")
    display = per_client.sort_values(["attainment", "breached"], ascending=[True, False])
    parts.append(
        table_html(
            pd.DataFrame(
                {
                    "Client": display["client_name"].fillna(display["client_id"]).astype(str),
                    "Type": display["client_type"].fillna("–").astype(str),
                    "Due": display["events"],
                    "Breached": display["breached"],
                    "Attainment": [_pct(v) for v in display["attainment"]],
                    "95% CI": [
                        f"{_pct(lo)} to {_pct(hi)}" for lo, hi in zip(display["ci_low"], display["ci_high"])
                    ],
                    "Overdue now": display["overdue"],
                    "Cost": [_money(v) for v in display["cost"]],
                    "Satisfaction": [("–" if pd.isna(v) else f"{v:.2f}") for v in display["satisfaction"]],
                }
            ),
            caption="Sorted by attainment, lowest first. The interval is for the underlying on-time rate.",
        )
    )
    return parts


def _weekday_parts(window: pd.DataFrame, tz: str) -> list:
    """Does the weekday an event is opened matter?  The weekday chart, the test's findings and its null."""
    from insights.reporting import plots

    weekday = service_timing.weekday_test(window, tz=tz)
    if not weekday.ok:
        return [f"<p class='ci-note'>The weekday test needs more data ({esc(weekday.reason)}).</p>"]
    return [
        plots.weekday_chart(weekday.table, title="Share of events breached, by weekday opened"),
        findings_html(weekday.findings),
        f"<p class='ci-note'>Null hypothesis: an event's chance of breaching does not depend on its "
        f"weekday, so breaches follow the weekday mix of the events due ({esc(weekday.method)}).</p>",
    ]


def _breach_pattern(window: pd.DataFrame, first, period, tz: str, hourly_cost: float) -> tuple[list, bool]:
    """What breached and when: the category chart, the breakdown tables and the weekday x hour heat map.

    Returns the section parts and whether there was any breach to map.
    """
    from insights.reporting import plots

    none = f"<p>No breaches from {first} to {period}.</p>"
    parts: list = ["<h3>Breaches by category and severity</h3>"]
    if window["status"].eq("breached").any():
        parts.append(
            plots.breach_category_chart(
                service_levels.breaches_by(window, hourly_cost=hourly_cost),
                title=f"Breaches by category, {first} to {period}",
            )
        )
    else:
        parts.append(none)
    parts.extend(_breakdown_tables(window, hourly_cost))
    parts.append("<h3>When breaches happen</h3>")
    heat = service_timing.breach_heatmap_counts(window, tz=tz)
    any_breach = bool(heat.to_numpy().sum())
    parts.append(
        plots.breach_heatmap(heat, title="Breaches by weekday and hour opened", xlabel=f"Hour opened ({tz})")
        if any_breach
        else none
    )
    return parts, any_breach


def add_index_figures(summary: dict, section: Section | None) -> dict:
    """The report summary with the section's figures for the index page appended (unchanged without a section)."""
    if section is None or not section.index_figures:
        return summary
    return {**summary, "figures": [*summary.get("figures", []), *section.index_figures]}


def available(value: object) -> bool:
    """Whether an ``events`` notebook parameter names events (``""`` or ``None`` = no events)."""
    return value is not None and not (isinstance(value, str) and not value.strip())


__all__: Sequence[str] = [
    "CLIENT_TITLE",
    "PORTFOLIO_TITLE",
    "Section",
    "add_index_figures",
    "available",
    "client_section",
    "load",
    "open_events",
    "portfolio_section",
    "report_as_of",
]
