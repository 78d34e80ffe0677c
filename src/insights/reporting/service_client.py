"""A client's "Service levels" section: attainment against the target, breaches and their cost, when
they happen, and what is still open.

The statistics come from :mod:`insights.stats.service_levels` and :mod:`insights.stats.service_timing`;
this module chooses, words and lays out (fragments of ``templates/sections/service_client.html.j2``
and the shared ones of :mod:`insights.reporting.service_common`).
"""

from __future__ import annotations

import functools
import math

import pandas as pd

from insights.core.periods import as_period, cadence_of, column_cadence, format_period, noun, title
from insights.reporting.html import findings_html, table_html
from insights.reporting.service_common import (
    SHARED,
    ServiceSection,
    breach_pattern,
    card,
    card_row,
    fragment,
    hours,
    intro_html,
    money,
    pct,
    report_as_of,
)
from insights.stats import service_levels, service_timing
from insights.stats.as_of import parse_as_of
from insights.stats.service_levels import DEFAULT_HOURLY_COST, DEFAULT_TARGET

CLIENT_TITLE = "Service levels"
MAX_OPEN_ROWS = 15

_own = functools.partial(fragment, "service_client.html.j2")
_shared = functools.partial(fragment, SHARED)


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
    flags: pd.DataFrame | None = None,
) -> ServiceSection:
    """One client's "Service levels": attainment trend against the target, breaches by category and
    severity, cost, the weekday x hour heat map, and the events open or overdue at ``as_of``.

    Parameters
    ----------
    events : DataFrame
        Validated service events of every client (:func:`insights.data.events.load_events`).
    client_id, period :
        The client and the report month.
    months : int
        Due months of the trend, ending with ``period``.
    as_of : timestamp-like, optional
        When events are judged; defaults to :func:`insights.reporting.service_common.report_as_of`
        of ``period``.
    target, hourly_cost, tz :
        Attainment target (a fraction), cost of an idle person-hour, time zone of weekdays and hours.
    max_rows : int
        Unresolved events listed at most.
    flags : DataFrame, optional
        The client's flags of the period (:func:`insights.stats.alerts.compute_alerts`): with them,
        attainment is called significantly lower only when the portfolio's ``service`` family flags
        it (its q-value beside the p-value).

    Returns
    -------
    ServiceSection
        The parts in order, and the "SLA attainment" figure for the index page.
    """
    from insights.reporting import plots

    if not 0 < target <= 1:
        raise ValueError(f"target must be a fraction in (0, 1] (got {target})")
    period = as_period(period)
    moment = report_as_of(period) if as_of is None else parse_as_of(as_of)
    first = period - (months - 1)
    mine = events[events["client_id"].astype(str) == str(client_id)]
    parts: list = [
        _shared("heading", anchor="service-levels", title=CLIENT_TITLE),
        intro_html(
            f"Service events due from {format_period(first)} to {format_period(period)}.",
            moment,
            target,
            hourly_cost,
            tz,
        ),
    ]
    if mine.empty:
        parts.append(_own("no_events"))
        return ServiceSection(CLIENT_TITLE, parts, [{"label": "SLA attainment", "value": "–"}])

    frame = service_levels.classify(mine, moment, hourly_cost=hourly_cost, cadence=cadence_of(period))
    window = frame[(frame["period"] >= first) & (frame["period"] <= period)]
    trend = service_levels.attainment_trend(frame, end=period, months=months, hourly_cost=hourly_cost)
    current = trend[trend["period"] == period].iloc[0]
    pending = open_events(mine, as_of=moment, tz=tz)
    parts.append(_client_cards(current, trend, pending, period, months, moment, target))

    findings = _client_findings(current, trend[trend["period"] < period], target, period, trend, flags)
    weekday = service_timing.weekday_test(window, tz=tz)
    if weekday.ok and weekday.significant:
        findings.extend(weekday.findings)
    parts.append(findings_html(findings))

    wave = noun(cadence_of(period))
    parts.append(_shared("subheading", title=f"Attainment and cost by {wave}"))
    parts.append(plots.attainment_chart(trend, target=target, title=f"Events met on time, by {wave} due"))
    if trend["cost"].sum() > 0:
        parts.append(plots.cost_chart(trend, title=f"Cost of non-delivery, by {wave} due"))
    parts.append(table_html(_month_display(trend, target)))

    pattern, any_breach = breach_pattern(window, first, period, tz, hourly_cost)
    parts.extend(pattern)
    if any_breach:
        parts.append(
            _shared("note", text=weekday.findings[0])
            if weekday.ok
            else _shared("weekday_untestable", reason=weekday.reason)
        )
    parts.extend(_open_parts(pending, moment, tz, max_rows))
    return ServiceSection(CLIENT_TITLE, parts, [_index_figure(current, pending, target)])


def _index_figure(current: pd.Series, pending: pd.DataFrame, target: float) -> dict:
    """The "SLA attainment" figure of the index page: the month's attainment, flagged below target."""
    below = not math.isnan(current["attainment"]) and current["attainment"] < target
    overdue = int(pending["overdue"].sum())
    return {
        "label": "SLA attainment",
        "value": pct(current["attainment"]),
        "detail": f"{int(current['breached'])} breach(es), {overdue} overdue; target {target * 100:g}%",
        "flag": bool(below),
    }


def open_events(events: pd.DataFrame, *, as_of: object, tz: str = "UTC") -> pd.DataFrame:
    """Unresolved events as of ``as_of``: overdue ones first (longest overdue first), then open by due time."""
    frame = service_levels.classify(events, as_of)
    moment = frame.attrs["as_of"]
    pending = frame[frame["overdue"] | (frame["status"] == "open")].copy()
    pending["hours"] = (moment - pending["due_at"]).dt.total_seconds() / 3600
    pending = pending.sort_values(["overdue", "hours"], ascending=[False, False])
    return pending


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
    return card_row(
        [
            card(
                f"Attainment {format_period(period)}",
                pct(current["attainment"]),
                gap,
                f"{int(current['met'])} of {int(current['events'])} due events met",
                css="ci-down" if below else "",
            ),
            card(
                f"Breaches {format_period(period)}",
                str(int(current["breached"])),
                f"median {hours(current['median_hours_late'])} late" if current["breached"] else "none",
                f"{int(current['overdue'])} still unresolved" if current["overdue"] else "",
            ),
            card(
                f"Cost of non-delivery {format_period(period)}",
                money(current["cost"]),
                f"penalties {money(current['penalties'])}",
                f"idle time {money(current['idle_cost'])} ({current['idle_hours']:,.0f} person-hours)",
            ),
            card(
                f"Last {months} months"
                if cadence_of(period) == "month"
                else f"Last {noun(cadence_of(period), months)}",
                pct(window_met / window_events if window_events else math.nan),
                f"{window_met} of {window_events} met; below target in {months_below} of {months_due} months",
                f"cost {money(trend['cost'].sum())}",
            ),
            card(
                f"Unresolved at {moment:%Y-%m-%d %H:%M}",
                str(len(pending)),
                f"{overdue} overdue" if overdue else "none overdue",
                css="ci-down" if overdue else "",
            ),
        ]
    )


def _client_findings(
    current: pd.Series,
    earlier: pd.DataFrame,
    target: float,
    period: pd.Period,
    trend: pd.DataFrame,
    flags: pd.DataFrame | None = None,
) -> list[str]:
    """The month against the target and against the months before (Fisher's exact test,
    :func:`insights.stats.service_levels.compare_attainment`), months below target, and the cost."""
    found = []
    if current["events"] > 0:
        verdict = "below" if current["attainment"] < target else "at or above"
        found.append(
            f"{int(current['met'])} of {int(current['events'])} events due in {format_period(period)} were met on time "
            f"({pct(current['attainment'])}), {verdict} the {target * 100:g}% target."
        )
    else:
        found.append(f"No events were due in {format_period(period)}.")
    base_events, base_met = int(earlier["events"].sum()), int(earlier["met"].sum())
    change = service_levels.compare_attainment(
        int(current["met"]), int(current["events"]), base_met, base_events
    )
    if flags is not None:
        fell = flags[(flags["kind"] == "service") & (flags["metric"] == "attainment_change")]
        if len(fell):
            found.append(
                f"That is significantly lower than the {pct(change.baseline)} of the previous months "
                f"({100 * change.difference:+.0f} pts, 95% CI {100 * change.ci_low:+.0f} to "
                f"{100 * change.ci_high:+.0f}; Fisher's exact test, one-sided p = {fell['p'].iloc[0]:.2g}, "
                f"q = {fell['q'].iloc[0]:.2g} across the clients)."
            )
    elif change.significant:
        direction = "lower" if change.difference < 0 else "higher"
        found.append(
            f"That is significantly {direction} than the {pct(change.baseline)} of the previous months "
            f"({100 * change.difference:+.0f} pts, 95% CI {100 * change.ci_low:+.0f} to "
            f"{100 * change.ci_high:+.0f}; Fisher's exact test p = {change.p_value:.3f})."
        )
    months_below, months_due = _months_below_target(trend, target)
    if months_due:
        found.append(
            f"Attainment was below target in {months_below} of the {months_due} months with events due."
        )
    if current["cost"] > 0:
        found.append(
            f"Non-delivery in {format_period(period)} cost {money(current['cost'])}: {money(current['penalties'])} in "
            f"penalties and {money(current['idle_cost'])} of idle time."
        )
    return found


def _month_display(trend: pd.DataFrame, target: float) -> pd.DataFrame:
    """The trend for people, newest month first, months without events left out."""
    data = trend[(trend["events"] + trend["open"]) > 0].iloc[::-1]
    return pd.DataFrame(
        {
            title(_cadence(data)) + " due": [format_period(p) for p in data["period"]],
            "Due": data["events"],
            "Met": data["met"],
            "Breached": data["breached"],
            "Attainment": [pct(v) for v in data["attainment"]],
            "vs target": [
                "below" if (not math.isnan(v) and v < target) else ("met" if not math.isnan(v) else "–")
                for v in data["attainment"].astype(float)
            ],
            "Hours late": [f"{v:,.1f}" for v in data["hours_late"]],
            "Penalties": [money(v) for v in data["penalties"]],
            "Idle cost": [money(v) for v in data["idle_cost"]],
            "Cost": [money(v) for v in data["cost"]],
        }
    )


def _open_parts(pending: pd.DataFrame, moment: pd.Timestamp, tz: str, max_rows: int) -> list[str]:
    """The events unresolved at ``moment``: overdue first, at most ``max_rows`` of them."""
    parts = [_own("open_heading", as_of=f"{moment:%Y-%m-%d %H:%M}")]
    if pending.empty:
        return [*parts, _own("nothing_open")]
    overdue = int(pending["overdue"].sum())
    more = len(pending) - max_rows
    caption = (
        f"{len(pending)} unresolved: {overdue} overdue (a breach still running), "
        f"{len(pending) - overdue} not yet due" + (f"; the first {max_rows} shown" if more > 0 else "") + "."
    )
    return [*parts, table_html(_open_display(pending.head(max_rows), tz), caption=caption)]


def _open_display(pending: pd.DataFrame, tz: str) -> pd.DataFrame:
    """Unresolved events for people, times in ``tz``."""

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
                f"overdue by {hours(h)}" if overdue else f"due in {hours(-h)}"
                for overdue, h in zip(pending["overdue"], pending["hours"])
            ],
            "People affected": pending["people_affected"].astype(int),
            "Idle cost so far": [money(v) for v in pending["idle_cost"]],
        }
    )


def _cadence(frame: pd.DataFrame) -> str:
    return column_cadence(frame.get("period"))
