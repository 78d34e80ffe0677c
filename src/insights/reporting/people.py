"""The People and Perception gap sections of a client report: who we deal with, who needs attention,
and the team's self-assessment against the client's ratings (escaped HTML; names only with
``show_names``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from insights.core.periods import as_period, cadence_of, format_period, noun
from insights.data.survey import SurveyDefinition
from insights.reporting.html import Section, caveats_html, ci_text, findings_html, fmt, render, table_html
from insights.stats.alerts import Alerts
from insights.stats.client import flag_text
from insights.stats.optional import asks_nps, has_respondents

CONTACTS_MISSING = (
    "No contact list was given (insights run --contacts FILE): people by role and contact, their "
    "preferred channels and the primary contact are not shown. Detractors to call back are still in "
    "the follow-up list, by pseudonym."
)
#: The People section when the responses do not say who answered (no ``respondent_id``).
NO_RESPONDENTS = (
    "The responses do not say who answered (no respondent ids): there is nobody to follow person by person."
)
SELF_ASSESSMENT_MISSING = (
    "No self-assessment was given (insights run --self-assessment FILE): the team's own "
    "ratings cannot be set against the client's."
)


def who(name: object, pseudonym: str, show_names: bool) -> str:
    """The person as a report may show them: the name with ``show_names``, else the pseudonym."""
    if show_names and isinstance(name, str) and name.strip():
        return name.strip()
    return pseudonym


@dataclass(frozen=True, repr=False)
class PeopleSection(Section):
    """One client's people: per contact, per role, who needs attention, and the primary contact.

    ``scores`` is :func:`insights.stats.people.contact_scores` for the client (names included: render it
    only through :func:`people_html`, which shows them only with ``show_names``)."""

    client_id: str
    period: pd.Period
    months: int
    show_names: bool
    contacts_given: bool
    scores: pd.DataFrame
    by_role: pd.DataFrame
    flagged: pd.DataFrame
    primary: dict | None
    notes: list[str] = field(default_factory=list)
    asks_nps: bool = True  # whether the survey asks the likelihood-to-recommend question at all
    named: bool = True  # whether the responses name their respondents (respondent_id)

    def html(self) -> str:
        """The People section (:func:`people_html`)."""
        return people_html(self)

    def who(self, row) -> str:
        """How the report names the person of a row of :attr:`scores`."""
        return who(row["name"], row["pseudonym"], self.show_names)

    def primary_who(self) -> str:
        """How the report names the primary contact (their pseudonym when not among the scores)."""
        from insights.stats.people import pseudonym

        primary = self.primary
        row = self.scores[self.scores["respondent_id"] == str(primary["respondent_id"])]
        alias = row["pseudonym"].iloc[0] if len(row) else pseudonym(primary["respondent_id"])
        return who(primary["name"], alias, self.show_names)


def people_section(
    df: pd.DataFrame,
    client_id: str,
    period: pd.Period | str,
    contacts: pd.DataFrame | None = None,
    *,
    months: int = 12,
    show_names: bool = False,
    survey: SurveyDefinition | None = None,
    key: str | None = None,
    alerts: Alerts | None = None,
) -> PeopleSection:
    """Compute the People section of a client report (works without a contact list too: then the
    people are the respondents of the responses, for the follow-up list).

    Whose ratings fell is the portfolio's ``person`` flags (``alerts``,
    :func:`insights.stats.alerts.compute_alerts`); without them the people of every client in ``df``
    are tested here as one family, as the alerts do.
    """
    from insights.stats import people

    survey = survey or SurveyDefinition.default()
    period = as_period(period)
    mine = df[df["client_id"].astype(str) == str(client_id)]
    listed = None
    notes = []
    if contacts is not None:
        listed = contacts[contacts["client_id"].astype(str) == str(client_id)]
        if listed.empty:
            notes.append("The contact list has nobody for this client.")
    falls = _portfolio_falls(df, client_id, period, months, survey, key, alerts)
    scores = people.contact_scores(
        mine, listed, period=period, months=months, survey=survey, key=key, falls=falls
    )
    by_role = people.scores_by_role(mine, scores, period=period, months=months, survey=survey)
    if contacts is not None and len(scores):
        unlisted = scores[~scores["in_contact_list"]]
        silent = scores[scores["in_contact_list"] & (scores["responses"] == 0)]
        if len(unlisted):
            notes.append(
                f"{len(unlisted)} respondent(s) of the last {_count(months, period)} are not in the contact list "
                "(shown with the role they answered under, if any)."
            )
        if len(silent):
            notes.append(
                f"{len(silent)} listed contact(s) did not answer in the last {_count(months, period)}."
            )
    notes.append(
        f"'Ratings fell' compares each person's answers in {format_period(period)} with their own earlier answers: a "
        "one-sided t test whose spread is moderated across every person of the portfolio, judged on the "
        "false discovery rate over all the people tested (Benjamini-Hochberg, q < 0.05), and a fall of at "
        f"least {people.MIN_FALL:g} points."
    )
    return PeopleSection(
        str(client_id),
        period,
        months,
        bool(show_names),
        contacts is not None,
        scores,
        by_role,
        people.flagged_contacts(scores) if len(scores) else scores,
        people.primary_contact(listed, client_id),
        notes,
        asks_nps(df),
        has_respondents(df),
    )


def _portfolio_falls(
    df: pd.DataFrame,
    client_id: str,
    period: pd.Period,
    months: int,
    survey: SurveyDefinition,
    key: str | None,
    alerts: Alerts | None,
) -> pd.DataFrame:
    """The client's people whose ratings fell, as the portfolio's flags say: ``client_id, pseudonym,
    p_value, q_value``."""
    from insights.stats.people import pseudonym
    from insights.stats.people_alerts import fall_tests

    if alerts is not None:
        rows = alerts.of_kind("person", str(client_id))
        rows = rows[rows["metric"] == "ratings"]
        return pd.DataFrame(
            {
                "client_id": rows["client_id"],
                "pseudonym": rows["subject"],
                "p_value": rows["p"].astype(float),
                "q_value": rows["q"].astype(float),
            }
        )
    tested = fall_tests(df, period, months=months, survey=survey)
    fell = tested[tested["fell"] & (tested["client_id"] == str(client_id))]
    return pd.DataFrame(
        {
            "client_id": fell["client_id"],
            "pseudonym": [pseudonym(r, key) for r in fell["respondent_id"]],
            "p_value": fell["p_value"],
            "q_value": fell["q_value"],
        }
    )


def contact_preference(channel: str, detail: str) -> str:
    from insights.stats.people import NOT_STATED

    parts = []
    parts.append("channel not stated" if channel == NOT_STATED else f"by {channel}")
    parts.append("detail not stated" if detail == NOT_STATED else f"{detail} updates")
    return ", ".join(parts)


def _ltr_text(value: float) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.0f}"


def _status(row) -> str:
    flags = []
    if row["new_detractor"]:
        flags.append("new detractor")
    elif row["detractor_now"]:
        flags.append("detractor")
    if row["fell"]:
        flags.append(f"ratings fell {abs(row['change']):.1f}")
    if row["responses"] == 0:
        flags.append(f"no answers in {row.get('_months', '12 months')}")
    return "; ".join(flags)


def _count(n: int, period: pd.Period) -> str:
    """``"12 months"``, ``"8 quarters"``: a window's length in the report period's cadence."""
    cadence = cadence_of(period)
    return f"{n} months" if cadence == "month" else noun(cadence, n)


def flagged_sentences(section: PeopleSection) -> list[str]:
    """Who needs attention, in words: new detractors and significant falls."""
    found = []
    for _, row in section.flagged.iterrows():
        person = f"{section.who(row)} ({row['role']})"
        if row["new_detractor"]:
            found.append(
                f"{person} became a detractor: {row['latest_ltr']:.0f} out of 10 in "
                f"{format_period(section.period)}, after {row['previous_ltr']:.0f} before."
            )
        if row["fell"]:
            found.append(
                f"{person}: ratings fell {abs(row['change']):.2f} points in {format_period(section.period)} "
                f"({row['recent_rating']:.2f} against {row['earlier_rating']:.2f} before; "
                f"{flag_text(row['p_value'], row['q_value'])})."
            )
    scores = section.scores
    for _, row in (
        scores[scores["detractor_now"] & ~scores["new_detractor"]].iterrows() if len(scores) else []
    ):
        before = "" if math.isnan(row["previous_ltr"]) else f" ({row['previous_ltr']:.0f} before)"
        found.append(
            f"{section.who(row)} ({row['role']}) is a detractor: {row['latest_ltr']:.0f} out of 10 in "
            f"{format_period(section.period)}{before}."
        )
    return found


def people_html(section: PeopleSection) -> str:
    """The People section: primary contact, who needs attention, by role, by contact (escaped;
    names only with ``show_names``, otherwise roles and pseudonyms)."""
    primary = section.primary
    context: dict[str, object] = {"contacts_given": section.contacts_given, "missing": CONTACTS_MISSING}
    if section.contacts_given and not section.named:
        context.update(contacts_given=False, missing=NO_RESPONDENTS)
    if section.contacts_given:
        context["primary"] = None
        if primary is not None:
            context["primary"] = {
                "who": section.primary_who(),
                "role": primary["role"],
                "how": contact_preference(primary["preferred_channel"], primary["detail_level"]),
            }
        context["nobody"] = section.scores.empty
    if section.contacts_given and not section.scores.empty:
        context.update(
            attention=findings_html(
                flagged_sentences(section),
                empty=f"Nobody became a detractor in {format_period(section.period)} "
                "and nobody's ratings fell significantly."
                if section.asks_nps
                else f"Nobody's ratings fell significantly in {format_period(section.period)}.",
            ),
            by_role=table_html(_by_role_table(section)),
            by_contact=table_html(
                _by_contact_table(section),
                caption="Responses, last answer and latest scores over the last "
                f"{_count(section.months, section.period)}; the primary contact first. "
                "Overall satisfaction on the overall scale"
                + (", NPS answers 0-10." if section.asks_nps else "."),
            ),
            preferences=_preferences_text(section.scores),
            notes=caveats_html(section.notes) if section.notes else "",
        )
    return render("people.html.j2", **context)


def _by_role_table(section: PeopleSection) -> pd.DataFrame:
    roles = section.by_role
    return pd.DataFrame(
        {
            "Role": roles["role"],
            "People": roles["people"],
            "Answered": roles["answered"],
            f"Responses ({_count(section.months, section.period)})": roles["responses"],
            "Mean overall (95% CI)": [
                f"{fmt(m, 2)} ({ci_text(lo, hi, 2)})"
                for m, lo, hi in zip(roles["mean_overall"], roles["ci_low"], roles["ci_high"])
            ],
            "NPS": [fmt(v, 0, signed=True) for v in roles["nps"]],
            "Latest overall (mean of people)": [fmt(v, 2) for v in roles["latest_overall"]],
            f"Detractors in {format_period(section.period)}": roles["detractors_now"],
        }
    ).drop(columns=[] if section.asks_nps else ["NPS", f"Detractors in {format_period(section.period)}"])


def _by_contact_table(section: PeopleSection) -> pd.DataFrame:
    scores = section.scores
    return pd.DataFrame(
        {
            "Contact": [section.who(r) for _, r in scores.iterrows()],
            "Role": scores["role"],
            "Primary": np.where(scores["primary"], "yes", ""),
            "Channel": scores["preferred_channel"],
            "Detail": scores["detail_level"],
            "Responses": scores["responses"],
            "Last answered": [f"{t:%Y-%m-%d}" if pd.notna(t) else "–" for t in scores["last_answered"]],
            "Latest overall": [fmt(v, 0) for v in scores["latest_overall"]],
            "Latest NPS answer": [
                f"{_ltr_text(v)} ({g})" if g else "–"
                for v, g in zip(scores["latest_ltr"], scores["latest_group"])
            ],
            "Status": [
                _status({**r, "_months": _count(section.months, section.period)})
                for _, r in scores.iterrows()
            ],
        }
    ).drop(columns=[] if section.asks_nps else ["Latest NPS answer"])


def _preferences_text(scores: pd.DataFrame) -> str:
    """How the listed contacts want to hear from us, most common first ("" with nobody listed)."""
    counts = scores[scores["in_contact_list"]].groupby(["preferred_channel", "detail_level"]).size()
    return "; ".join(
        f"{n} {contact_preference(c, d)}" for (c, d), n in counts.sort_values(ascending=False).items()
    )


@dataclass(frozen=True, repr=False)
class GapSection(Section):
    """The team's self-assessment against the client's ratings, for one client."""

    client_id: str
    period: pd.Period  # the report period
    assessed: pd.Period | None  # the self-assessment month used
    months: int
    given: bool
    gaps: pd.DataFrame
    note: str | None = None

    def html(self) -> str:
        """The Perception gap section (:func:`perception_html`)."""
        return perception_html(self)


def perception_section(
    df: pd.DataFrame,
    self_assessment: pd.DataFrame | None,
    client_id: str,
    period: pd.Period | str,
    *,
    months: int | None = None,
    survey: SurveyDefinition | None = None,
) -> GapSection:
    """The latest self-assessment of the client at or before ``period`` against the client's
    ratings (see :func:`insights.stats.perception.perception_gaps`)."""
    from insights.stats import perception

    survey = survey or SurveyDefinition.default()
    period = as_period(period)
    months = months or perception.gap_length(period)
    if self_assessment is None:
        return GapSection(
            str(client_id), period, None, months, False, pd.DataFrame(), SELF_ASSESSMENT_MISSING
        )
    mine = self_assessment[
        (self_assessment["client_id"].astype(str) == str(client_id)) & (self_assessment["period"] <= period)
    ]
    if mine.empty:
        return GapSection(
            str(client_id),
            period,
            None,
            months,
            True,
            pd.DataFrame(),
            f"The self-assessment has no ratings for this client up to {format_period(period)}.",
        )
    assessed = mine["period"].max()
    gaps = perception.perception_gaps(
        df, mine, client=str(client_id), period=assessed, months=months, survey=survey
    )
    note = (
        None
        if assessed == period
        else f"The latest self-assessment for this client is of {format_period(assessed)}."
    )
    return GapSection(str(client_id), period, assessed, months, True, gaps, note)


def gap_findings(section: GapSection) -> list[str]:
    gaps = section.gaps.dropna(subset=["gap"]) if len(section.gaps) else section.gaps
    if gaps.empty:
        return []
    found = []
    for row in gaps[gaps["blind_spot"]].sort_values("gap", ascending=False).itertuples():
        found.append(
            f"Blind spot: the team rates {row.label} {row.self:.1f}, the client {row.client:.2f} "
            f"(95% CI {row.client_ci_low:.2f} to {row.client_ci_high:.2f}, n = {row.n}): a gap of "
            f"{row.gap:+.2f} (95% CI {row.ci_low:+.2f} to {row.ci_high:+.2f})."
        )
    above = int((gaps["gap"] > 0).sum())
    found.append(
        f"The team rates itself above the client on {above} of {len(gaps)} components "
        f"(mean gap {gaps['gap'].mean():+.2f}); {int(gaps['significant'].sum())} gap(s) are significant at "
        "the 95% level."
    )
    return found


def perception_html(section: GapSection) -> str:
    """The Perception gap section: table, blind spots in words (escaped)."""
    if not section.given or section.gaps.empty:
        return render("perception.html.j2", table="", note=section.note)
    gaps = section.gaps
    first = section.assessed - (section.months - 1)
    span = (
        f"{format_period(section.assessed)}"
        if section.months == 1
        else f"{format_period(first)} to {format_period(section.assessed)}"
    )
    table = pd.DataFrame(
        {
            "Component": gaps["label"],
            "Team (self)": [fmt(v, 1) for v in gaps["self"]],
            "Client mean (95% CI)": [
                f"{fmt(c, 2)} ({ci_text(lo, hi, 2)})"
                for c, lo, hi in zip(gaps["client"], gaps["client_ci_low"], gaps["client_ci_high"])
            ],
            "n": gaps["n"],
            "Gap (95% CI)": [
                f"{fmt(g, 2, signed=True)} ({ci_text(lo, hi, 2, True)})"
                for g, lo, hi in zip(gaps["gap"], gaps["ci_low"], gaps["ci_high"])
            ],
            "Blind spot": np.where(gaps["blind_spot"], "BLIND SPOT", ""),
        }
    )
    caption = (
        f"The team's self-assessment of {format_period(section.assessed)} against the client's ratings from {span}. "
        "Gap = self minus the client's mean; its interval is the self-score minus the client mean's t interval "
        "(the self-score is a fixed number). A blind spot: the team rates itself at least one point above the "
        "client."
    )
    return render(
        "perception.html.j2",
        table=table_html(table, caption=caption),
        findings=findings_html(gap_findings(section)),
        note=section.note,
    )
