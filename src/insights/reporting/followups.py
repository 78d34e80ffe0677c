"""The Follow-up list: what to do, for whom and by when, with its business-day rules."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from insights.core.periods import format_period
from insights.reporting.client import ClientReport
from insights.reporting.html import Section, render, table_html
from insights.reporting.people import GapSection, PeopleSection, contact_preference
from insights.stats.client import flag_text

#: Business days (Monday to Friday; public holidays are not known) to call a detractor back.
CALL_BACK_DAYS = 2
#: Business days to check in with a contact whose ratings fell (and who is not a detractor).
CHECK_IN_DAYS = 5


def reference_date(period: pd.Period | str, now: pd.Timestamp | None = None) -> pd.Timestamp:
    """The day follow-up dates count from: the end of the report period (the first day of the next
    month), or today if the month is not over -- the moment the "Service levels" section judges
    events at, so a past month's list is the same whenever it is rendered."""
    from insights.stats.as_of import period_as_of

    return period_as_of(period, now).tz_localize(None).normalize()


def _business_days(start: pd.Timestamp, days: int) -> pd.Timestamp:
    return pd.Timestamp(np.busday_offset(start.date(), days, roll="forward" if days == 0 else "backward"))


def _end_of_next_month(period: pd.Period) -> pd.Timestamp:
    last = (period.asfreq("M", "end") + 1).end_time.normalize()  # the month after the period, any cadence
    return pd.Timestamp(np.busday_offset(last.date(), 0, roll="backward"))


def _events_follow_up(events: pd.DataFrame, client_id: str, moment: pd.Timestamp) -> list[dict]:
    """Open and overdue service events of the client at ``moment`` (see :func:`follow_up_list`)."""
    mine = events[events["client_id"].astype(str) == str(client_id)]
    if mine.empty:
        return []
    utc = moment.tz_localize("UTC") if moment.tzinfo is None else moment
    from insights.stats.service_levels import classify

    frame = classify(mine, utc)
    pending = frame[frame["overdue"] | (frame["status"] == "open")]
    due = pending["due_at"]
    overdue = pending["overdue"].to_numpy(dtype=bool)
    items = []
    next_day = _business_days(moment.normalize() + pd.Timedelta(days=1), 0)
    for (_, event), when, late in zip(pending.iterrows(), due, overdue):
        ident = next(
            (str(event[c]) for c in ("event_id", "id") if c in event.index and pd.notna(event[c])), ""
        )
        title = next(
            (
                str(event[c])
                for c in ("title", "summary", "description", "category")
                if c in event.index and pd.notna(event[c])
            ),
            "service event",
        )
        when_local = (
            pd.Timestamp(when).tz_convert("UTC").tz_localize(None)
            if pd.Timestamp(when).tzinfo
            else pd.Timestamp(when)
        )
        items.append(
            {
                "kind": "overdue event" if late else "open event",
                "due": next_day if late else when_local.normalize(),
                "action": (
                    f"Overdue since {when_local:%Y-%m-%d %H:%M} UTC: resolve {ident} ({title}) or agree a new date "
                    "with the client, and tell them which"
                    if late
                    else f"Resolve {ident} ({title}) by its due time {when_local:%Y-%m-%d %H:%M} UTC"
                ),
                "who": "the team",
                "how": "",
                "why": "service event overdue" if late else "service event open",
            }
        )
    return items


def follow_up_list(
    report: ClientReport,
    people_section: PeopleSection | None = None,
    gaps: GapSection | None = None,
    events: pd.DataFrame | None = None,
    *,
    now: pd.Timestamp | None = None,
    accounts: pd.DataFrame | None = None,
    months: int = 12,
) -> pd.DataFrame:
    """What to do, for whom and by when, so the team can tell the client what happens and when.

    Due dates count from :func:`reference_date` (the end of the report period, or today within it),
    in business days (Monday to Friday; public holidays are not known):

    * detractors (NPS 0-6 in the report period) to call back: within :data:`CALL_BACK_DAYS`
      (2) business days, by their preferred channel;
    * contacts whose ratings fell significantly (not detractors): a check-in within
      :data:`CHECK_IN_DAYS` (5) business days;
    * overdue service events: the next business day; open events: by their own due time;
    * ``Fix first`` components (important for this client, performing below its average) and
      blind spots of the perception gap: a plan agreed with the client's primary contact, or
      discussed in the team, by the last business day of the next month;
    * with ``accounts``, a client whose status turned closed in the ``months`` to the period: a
      hand-over to client care, a check-in and a close-out survey
      (:func:`insights.reporting.value.closeout_items`).

    Columns: ``due`` (date), ``action``, ``who``, ``how``, ``why``, ``kind``; sorted by date.
    """
    moment = reference_date(report.report_period, now)  # the report's period, even for an earlier wave
    items: list[dict] = []
    if people_section is not None and len(people_section.scores):
        items.extend(_people_items(people_section, moment, report.period))
    items.extend(_plan_items(report, people_section, gaps))
    if events is not None and len(events):
        items.extend(_events_follow_up(events, report.client_id, moment))
    if accounts is not None:
        from insights.reporting.value import closeout_items

        items.extend(
            closeout_items(report.responses, accounts, report.client_id, report.report_period, months)
        )
    frame = pd.DataFrame(items, columns=["due", "action", "who", "how", "why", "kind"])
    if len(frame):
        frame = (
            frame.assign(_o=frame["kind"].map(_KIND_ORDER))
            .sort_values(["due", "_o"], kind="stable")
            .drop(columns="_o")
        )
    frame.attrs["reference"] = moment
    frame.attrs["drivers_ok"] = report.drivers.ok
    return frame.reset_index(drop=True)


# Same-day actions in this order: the most urgent kinds first.
_KIND_ORDER = {
    "overdue event": 0,
    "detractor": 1,
    "falling contact": 2,
    "open event": 3,
    "fix first": 4,
    "blind spot": 5,
    "close-out": 6,
}


def _people_items(section: PeopleSection, moment: pd.Timestamp, period: pd.Period) -> list[dict]:
    """Detractors to call back and falling contacts to check in with."""
    items = []
    scores = section.scores
    for _, row in scores[scores["detractor_now"]].iterrows():
        items.append(
            {
                "kind": "detractor",
                "due": _business_days(moment, CALL_BACK_DAYS),
                "action": "Call back: listen, agree what will change, and say when"
                + (" (new detractor)" if row["new_detractor"] else ""),
                "who": f"{section.who(row)} ({row['role']})",
                "how": contact_preference(row["preferred_channel"], row["detail_level"]),
                "why": f"answered {row['latest_ltr']:.0f} of 10 on recommending us in {format_period(period)}"
                + (f" (previously {row['previous_ltr']:.0f})" if not math.isnan(row["previous_ltr"]) else ""),
            }
        )
    for _, row in scores[scores["fell"] & ~scores["detractor_now"]].iterrows():
        items.append(
            {
                "kind": "falling contact",
                "due": _business_days(moment, CHECK_IN_DAYS),
                "action": "Check in: ask what changed",
                "who": f"{section.who(row)} ({row['role']})",
                "how": contact_preference(row["preferred_channel"], row["detail_level"]),
                "why": f"ratings fell {abs(row['change']):.2f} points ({flag_text(row['p_value'], row['q_value'])})",
            }
        )
    return items


def _plan_items(
    report: ClientReport, people_section: PeopleSection | None, gaps: GapSection | None
) -> list[dict]:
    """Fix-first components (a plan with the primary contact) and blind spots (a team review)."""
    items = []
    plan_due = _end_of_next_month(report.report_period)
    primary_text, primary_how = "the client's primary contact", ""
    if people_section is not None and people_section.primary is not None:
        p = people_section.primary
        primary_text = f"{people_section.primary_who()} ({p['role']}, primary contact)"
        primary_how = contact_preference(p["preferred_channel"], p["detail_level"])
    if report.drivers.ok:
        importance = report.drivers.importance
        for row in importance[importance["quadrant"] == "Fix first"].itertuples():
            items.append(
                {
                    "kind": "fix first",
                    "due": plan_due,
                    "action": f"Agree an improvement plan for {report.survey.label(row.driver)} and tell the client "
                    "what will change and when",
                    "who": primary_text,
                    "how": primary_how,
                    "why": f"Fix first: {row.share:.0f}% of what drives satisfaction, "
                    f"performance {row.performance:.2f} (below this client's average)",
                }
            )
    if gaps is not None and len(gaps.gaps):
        for row in gaps.gaps[gaps.gaps["blind_spot"]].itertuples():
            items.append(
                {
                    "kind": "blind spot",
                    "due": plan_due,
                    "action": f"Review {row.label} in the team: "
                    f"we rate ourselves {row.self:.1f}, the client {row.client:.2f}",
                    "who": "the team",
                    "how": "team meeting",
                    "why": f"perception gap {row.gap:+.2f} (95% CI {row.ci_low:+.2f} to {row.ci_high:+.2f})",
                }
            )
    return items


def follow_up_html(items: pd.DataFrame) -> str:
    """The Follow-up list: one row per action with its due date (escaped)."""
    moment = items.attrs.get("reference")
    rule = (
        (
            f"Dates count business days (Monday to Friday, public holidays not known) from {moment:%Y-%m-%d}: "
            f"detractors are called back within {CALL_BACK_DAYS} business days, falling contacts within "
            f"{CHECK_IN_DAYS}, overdue service events the next business day, open ones by their due time; Fix-first "
            "components and blind spots get a plan by the end of next month."
        )
        if moment is not None
        else ""
    )
    table = ""
    if not items.empty:
        table = table_html(
            pd.DataFrame(
                {
                    "Due": [f"{d:%a %Y-%m-%d}" for d in items["due"]],
                    "Action": items["action"],
                    "Who": items["who"],
                    "How": items["how"],
                    "Why": items["why"],
                }
            )
        )
    if rule and "close-out" in set(items["kind"]):
        rule += " Close-outs: a hand-over to client care the first business day after the closing month, a check-in "
        rule += "and the close-out survey within 30 days of its end."
    return render(
        "follow_ups.html.j2", table=table, drivers_ok=items.attrs.get("drivers_ok", True), rule=rule
    )


@dataclass(frozen=True, repr=False)
class FollowUpSection(Section):
    """The Follow-up list as a section: ``items`` from :func:`follow_up_list`, shown by :func:`follow_up_html`."""

    items: pd.DataFrame

    def html(self) -> str:
        return follow_up_html(self.items)
