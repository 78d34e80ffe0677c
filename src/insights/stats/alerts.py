"""Every flag of a report period, computed once: the one list the index page, the reports and
``insights alerts`` all show.

:func:`compute_alerts` runs each family of tests over the whole portfolio
(:mod:`insights.stats.changes`, :mod:`insights.stats.risks`, :mod:`insights.stats.people_alerts`),
controls each family's false discovery rate (:mod:`insights.stats.multiplicity`) and returns the
flags as one tidy frame, one row per flag:

==============  ===================================================================================
``kind``        ``drop`` (NPS, CSAT or mean overall fell), ``component_drop``, ``at_risk``,
                ``mover``, ``person``, ``service``, ``theme`` (a codeframe theme's share of a client's
                comments rose, :mod:`insights.stats.theme_alerts`),
                ``closeout`` (with accounts: a rule, the status turned closed)
``metric``      what is flagged (``nps``, ``csat``, ``mean``, a driver, ``ratings``, ``detractor``...)
``subject``     the person's pseudonym (people), else empty
``estimate``    this period's figure; ``previous`` what it is set against
``p``, ``q``    the test's p-value and its family's q-value (empty for rules such as detractors)
``family``      the family whose false discovery rate is controlled; ``family_size`` its tests
``method``      the test and the correction (or the rule)
==============  ===================================================================================

Nothing here reads or writes files: the command line prints :meth:`Alerts.records`, the report
runner writes them to ``alerts.json`` and the notebooks read them back with
:meth:`Alerts.from_records`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from insights.core.jsonsafe import json_value
from insights.core.periods import (
    as_period,
    cadence_of,
    format_period,
    months_in,
    span,
)
from insights.data.survey import SurveyDefinition
from insights.stats import changes, people_alerts, risks
from insights.stats.alert_caveats import alert_caveats
from insights.stats.multiplicity import FDR_LEVEL, METHOD_NAMES
from insights.stats.optional import asks_nps

__all__ = [
    "ALERT_COLUMNS",
    "ALERT_KINDS",
    "FAMILIES",
    "Alerts",
    "alert_caveats",
    "compute_alerts",
]

ALERT_KINDS = ("drop", "component_drop", "at_risk", "mover", "person", "service", "theme", "closeout")
ALERT_COLUMNS = [
    "client_id",
    "client_name",
    "kind",
    "metric",
    "subject",
    "estimate",
    "previous",
    "p",
    "q",
    "detail",
    "family",
    "method",
    "family_size",
    "period",
]
_BH, _BY = METHOD_NAMES["bh"], METHOD_NAMES["by"]
#: Each family: the test and correction its flags carry as ``method``.
FAMILIES = {
    "drops": f"satisfaction score, moderated t (one-sided); {_BH} across clients",
    "component falls": f"moderated t (one-sided); {_BH} across clients x components",
    "movers": f"moderated t (two-sided); {_BH} across clients",
    "at risk": f"moderated t against a reference (one-sided), Simes over the rules; {_BH} across clients",
    "people": f"moderated t (one-sided), a fall of at least {people_alerts.MIN_FALL:g} points; {_BH} across people",
    "service": f"Fisher's exact test (one-sided); {_BH} across clients",
    "themes": f"Fisher's exact test (one-sided); {_BH} across clients x themes",
}
_RULES = {
    "detractor": "rule: answered 0-6 on recommending us this month",
    "new_detractor": "rule: answered 0-6 this month after 7-10 before",
    "below_target": "rule: attainment below the target",
    "overdue": "rule: events overdue",
}
_KIND_ORDER = {kind: i for i, kind in enumerate(ALERT_KINDS)}
_HEADLINE_FORMAT = {
    "nps": (0, True, ""),
    "csat": (0, False, "%"),
    "mean": (2, False, ""),
    "satisfaction": (2, False, ""),
}


@dataclass(frozen=True)
class Alerts:
    """The flags of one report period (:data:`ALERT_COLUMNS`, one row per flag) and, when computed
    here rather than read back, every family's full table of tests (``tests``)."""

    period: pd.Period
    flags: pd.DataFrame
    tests: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    def for_client(self, client_id: str) -> pd.DataFrame:
        """The flags of one client, in the list's order."""
        return self.flags[self.flags["client_id"] == str(client_id)].reset_index(drop=True)

    def of_kind(self, kind: str, client_id: str | None = None) -> pd.DataFrame:
        """The flags of one kind (of one client)."""
        flags = self.flags if client_id is None else self.for_client(client_id)
        return flags[flags["kind"] == kind].reset_index(drop=True)

    def records(self) -> list[dict]:
        """The flags as JSON-safe dicts (NaN as None; ``family_size`` a whole number), in the list's order."""
        records = [{k: json_value(v) for k, v in row.items()} for row in self.flags.to_dict("records")]
        for record in records:
            if record["family_size"] is not None:
                record["family_size"] = int(record["family_size"])
        return records

    @classmethod
    def from_records(cls, records: list[dict], period: pd.Period | str) -> Alerts:
        """Alerts read back from :meth:`records` (``tests`` is then empty)."""
        frame = pd.DataFrame(list(records), columns=ALERT_COLUMNS)
        for column in ("estimate", "previous", "p", "q", "family_size"):
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
        for column in ("client_id", "client_name", "kind", "metric", "subject", "detail", "family", "method"):
            frame[column] = frame[column].fillna("").astype(str)
        frame["period"] = frame["period"].fillna(format_period(period)).astype(str)
        return cls(as_period(period), frame)


def compute_alerts(
    responses: pd.DataFrame,
    period: pd.Period | str | None = None,
    survey: SurveyDefinition | None = None,
    *,
    events: pd.DataFrame | None = None,
    contacts: pd.DataFrame | None = None,
    months: int = 12,
    sla_target: float = 0.95,
    key: str | None = None,
    accounts: pd.DataFrame | None = None,
) -> Alerts:
    """Every flag the reports raise for ``period``, over the whole portfolio.

    Parameters
    ----------
    responses : DataFrame
        Validated responses of every client (the families span the portfolio: filter the result,
        not the input, to look at one client).
    period : Period or str, optional
        The report month (default: the latest in the data).
    survey : SurveyDefinition, optional
        Drivers, scales and labels.
    events : DataFrame, optional
        Validated service events: adds the ``service`` flags, judged as of the end of ``period``.
    contacts : DataFrame, optional
        The contact list: people's roles (otherwise the responses' ``respondent_role``).
    months : int
        The people's window of answers (the reports' trend window).
    sla_target : float
        Attainment target for the ``service`` flags.
    key : str, optional
        Key of the people's pseudonyms (default: ``INSIGHTS_PSEUDONYM_KEY``).
    accounts : DataFrame, optional
        Validated accounts: adds the ``closeout`` flags (:mod:`insights.stats.account_alerts`) over
        the ``months`` months to ``period``.

    Returns
    -------
    Alerts
        ``flags`` sorted by client, kind and metric; ``tests`` holds every family's tests.
    """
    survey = survey or SurveyDefinition.default()
    period = as_period(period) if period is not None else responses["period"].max()
    upto = responses[responses["period"] <= period]
    drops, figures = changes.drop_tests(upto, period, survey)
    components = changes.component_falls(upto, period, survey)
    movers = changes.mover_tests(upto, period)
    at_risk = risks.risk_tests(upto, period)
    falls = people_alerts.fall_tests(upto, period, months=months, survey=survey)
    detractors = people_alerts.detractors(upto, period)
    tests = {
        "drops": drops,
        "component falls": components,
        "movers": movers,
        "at risk": at_risk,
        "people": falls,
        "detractors": detractors,
    }
    parts = [
        _drop_flags(drops, figures, period),
        _component_flags(components, survey, period),
        _mover_flags(movers, period),
        _risk_flags(at_risk, movers, period),
        _people_flags(falls, detractors, _roles(upto, contacts), period, key),
    ]
    if events is not None:
        from insights.stats.as_of import period_as_of

        service = risks.service_tests(
            events, period, as_of=period_as_of(period), target=sla_target, months=months
        )
        tests["service"] = service
        parts.append(_service_flags(service, sla_target, period))
    if survey.themes and "comment" in upto.columns:
        from insights.stats import theme_alerts

        tests["themes"] = theme_alerts.rise_tests(upto, period, survey)
        parts.append(theme_alerts.theme_flags(tests["themes"], survey, period))
    if accounts is not None:
        from insights.stats.account_alerts import closeout_flags

        # accounts are monthly: the window's waves in months
        closed, tests["closeout"] = closeout_flags(
            upto, accounts, period, months_in(months, cadence_of(period))
        )
        parts.append(closed)
    names = upto.groupby(upto["client_id"].astype(str), observed=True)["client_name"].first().astype(str)
    flags = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else None
    if flags is not None and not asks_nps(upto):  # a survey without the question: no NPS flag, however worded
        flags = flags[~flags["metric"].isin(_NPS_METRICS)]
        flags = flags if len(flags) else None
    return Alerts(period, _tidy(flags, names, period), tests)


#: The flags that need a likelihood-to-recommend question.
_NPS_METRICS = ("nps", "detractor", "new_detractor")


def _tidy(flags: pd.DataFrame | None, names: pd.Series, period: pd.Period) -> pd.DataFrame:
    if flags is None:
        return pd.DataFrame({c: pd.Series(dtype=float if c in _NUMERIC else str) for c in ALERT_COLUMNS})
    flags = flags.assign(
        client_name=flags["client_id"].map(names).fillna(flags["client_id"]).astype(str),
        period=format_period(period),
    )
    for column in ALERT_COLUMNS:
        if column not in flags:
            flags[column] = np.nan if column in _NUMERIC else ""
    flags["subject"] = flags["subject"].fillna("").astype(str)
    order = flags.assign(_k=flags["kind"].map(_KIND_ORDER))
    order = order.sort_values(["client_id", "_k", "family", "metric", "subject"], kind="stable")
    return order[ALERT_COLUMNS].astype({c: float for c in _NUMERIC}).reset_index(drop=True)


_NUMERIC = ("estimate", "previous", "p", "q", "family_size")


def _figure(metric: str, value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    digits, signed, suffix = _HEADLINE_FORMAT.get(metric, (2, False, ""))
    return f"{value:+.{digits}f}{suffix}" if signed else f"{value:.{digits}f}{suffix}"


def _drop_flags(drops: pd.DataFrame, figures: pd.DataFrame, period: pd.Period) -> pd.DataFrame:
    """A flagged client's headline figures that are lower than in its baseline months (the satisfaction
    score itself if none is)."""
    rows = []
    size = len(drops)
    when = format_period(period)
    for test in drops[drops["flag"]].itertuples():
        mine = figures[(figures["client_id"] == test.client_id) & (figures["change"] < 0)]
        shown = [
            (r.metric, r.estimate, r.previous, changes.HEADLINE_METRICS[r.metric], r.n, r.n_previous)
            for r in mine.itertuples()
        ] or [
            (
                changes.SCORE_METRIC,
                test.estimate,
                test.previous,
                "Satisfaction score",
                test.n,
                test.n_previous,
            )
        ]
        for metric, estimate, previous, label, n, n_previous in shown:
            rows.append(
                {
                    "client_id": test.client_id,
                    "kind": "drop",
                    "metric": metric,
                    "estimate": estimate,
                    "previous": previous,
                    "p": test.p,
                    "q": test.q,
                    "detail": f"{label} {_figure(metric, estimate)} in {when} (n = {n}) against "
                    f"{_figure(metric, previous)} in {test.baseline} (n = {n_previous})",
                    "family": "drops",
                    "method": FAMILIES["drops"],
                    "family_size": size,
                }
            )
    return pd.DataFrame(rows)


def _component_flags(components: pd.DataFrame, survey: SurveyDefinition, period: pd.Period) -> pd.DataFrame:
    size = len(components)
    return pd.DataFrame(
        [
            {
                "client_id": row.client_id,
                "kind": "component_drop",
                "metric": row.component,
                "estimate": row.estimate,
                "previous": row.previous,
                "p": row.p,
                "q": row.q,
                "detail": f"{survey.label(row.component)} {row.estimate:.2f} in {format_period(period)} "
                f"(n = {row.n}) against {row.previous:.2f} in {row.baseline} (n = {row.n_previous})",
                "family": "component falls",
                "method": FAMILIES["component falls"],
                "family_size": size,
            }
            for row in components[components["flag"]].itertuples()
        ]
    )


def _mover_flags(movers: pd.DataFrame, period: pd.Period) -> pd.DataFrame:
    recent, before = changes.mover_windows(period)
    size = len(movers)
    return pd.DataFrame(
        [
            {
                "client_id": row.client_id,
                "kind": "mover",
                "metric": "mean",
                "estimate": row.recent,
                "previous": row.before,
                "p": row.p,
                "q": row.q,
                "detail": f"Mean overall satisfaction {'rose' if row.change > 0 else 'fell'} {abs(row.change):.2f}: "
                f"{row.recent:.2f} in {recent} (n = {row.n_recent}) against {row.before:.2f} in {before} "
                f"(n = {row.n_before})",
                "family": "movers",
                "method": FAMILIES["movers"],
                "family_size": size,
            }
            for row in movers[movers["significant"]].itertuples()
        ]
    )


def _risk_flags(at_risk: pd.DataFrame, movers: pd.DataFrame, period: pd.Period) -> pd.DataFrame:
    """At risk: the level rules that hold (their own family) and the falling movers (the movers' family)."""
    first = period - risks.league_length(period) + 1
    rows = []
    size = at_risk.attrs.get("family_size", 0)
    flagged = at_risk[at_risk["flag"]]
    best = flagged.groupby("client_id")["p_rule"].transform("min")
    # the reasons: the rules that hold on their own (one-sided 5%), at least the strongest one
    held = flagged[
        (flagged["estimate"] < flagged["reference"])
        & ((flagged["p_rule"] < FDR_LEVEL) | (flagged["p_rule"] == best))
    ]
    for row in held.itertuples():
        if row.rule == "mean":
            detail = (
                f"Mean overall satisfaction {row.estimate:.2f} (95% CI {row.ci_low:.2f} to {row.ci_high:.2f}, "
                f"n = {row.n}) in {span(first, period)}, below the portfolio's {row.reference:.2f}"
            )
        else:
            detail = (
                f"NPS {row.estimate:+.0f} (95% CI {row.ci_low:+.0f} to {row.ci_high:+.0f}, n = {row.n}) "
                f"in {span(first, period)}, below zero"
            )
        rows.append(
            {
                "client_id": row.client_id,
                "kind": "at_risk",
                "metric": row.rule,
                "estimate": row.estimate,
                "previous": row.reference,
                "p": row.p,
                "q": row.q,
                "detail": detail,
                "family": "at risk",
                "method": FAMILIES["at risk"],
                "family_size": size,
            }
        )
    recent, before = changes.mover_windows(period)
    for row in movers[movers["significant"] & (movers["change"] < 0)].itertuples():
        rows.append(
            {
                "client_id": row.client_id,
                "kind": "at_risk",
                "metric": "mean_change",
                "estimate": row.recent,
                "previous": row.before,
                "p": row.p,
                "q": row.q,
                "detail": f"Mean overall satisfaction fell {abs(row.change):.2f} (95% CI {row.ci_low:+.2f} to "
                f"{row.ci_high:+.2f}): {recent} against {before}",
                "family": "movers",
                "method": FAMILIES["movers"],
                "family_size": len(movers),
            }
        )
    return pd.DataFrame(rows)


def _roles(responses: pd.DataFrame, contacts: pd.DataFrame | None) -> dict[tuple[str, str], str]:
    """(client, respondent) -> role: the contact list's, else the latest ``respondent_role`` answered under."""
    roles: dict[tuple[str, str], str] = {}
    if "respondent_role" in responses.columns:
        known = responses[responses["respondent_role"].notna() & responses["respondent_id"].notna()]
        known = known.sort_values(["submitted_at", "response_id"], kind="stable")
        for (client, person), role in (
            known.groupby(
                [known["client_id"].astype(str), known["respondent_id"].astype(str)], observed=True
            )["respondent_role"]
            .last()
            .items()
        ):
            roles[(client, person)] = str(role)
    if contacts is not None:
        for row in contacts.itertuples(index=False):
            roles[(str(row.client_id), str(row.respondent_id))] = str(row.role)
    return roles


def _people_flags(
    falls: pd.DataFrame, detractors: pd.DataFrame, roles: dict, period: pd.Period, key: str | None
) -> pd.DataFrame:
    from insights.stats.people import UNKNOWN_ROLE, pseudonym

    def who(client: str, person: str) -> tuple[str, str]:
        alias = pseudonym(person, key)
        return alias, f"{alias} ({roles.get((client, person), UNKNOWN_ROLE)})"

    rows = []
    tested = int(falls["p_value"].notna().sum()) if len(falls) else 0
    for row in falls[falls["fell"]].itertuples() if len(falls) else []:
        alias, person = who(row.client_id, row.respondent_id)
        rows.append(
            {
                "client_id": row.client_id,
                "kind": "person",
                "metric": "ratings",
                "subject": alias,
                "estimate": row.recent_rating,
                "previous": row.earlier_rating,
                "p": row.p_value,
                "q": row.q_value,
                "detail": f"{person}: ratings fell {abs(row.change):.2f} points, {row.recent_rating:.2f} in "
                f"{format_period(period)} against {row.earlier_rating:.2f} before (n = {row.n_earlier})",
                "family": "people",
                "method": FAMILIES["people"],
                "family_size": tested,
            }
        )
    for row in detractors.itertuples():
        alias, person = who(row.client_id, row.respondent_id)
        rule = "new_detractor" if row.new_detractor else "detractor"
        before = "" if math.isnan(row.previous_ltr) else f" ({row.previous_ltr:.0f} before)"
        rows.append(
            {
                "client_id": row.client_id,
                "kind": "person",
                "metric": rule,
                "subject": alias,
                "estimate": row.latest_ltr,
                "previous": row.previous_ltr,
                "detail": f"{person}: {'a new detractor' if row.new_detractor else 'a detractor'}, "
                f"{row.latest_ltr:.0f} of 10 on recommending us in {format_period(period)}{before}",
                "family": "people",
                "method": _RULES[rule],
            }
        )
    return pd.DataFrame(rows)


def _service_flags(service: pd.DataFrame, target: float, period: pd.Period) -> pd.DataFrame:
    rows = []
    size = int(service["p"].notna().sum()) if len(service) else 0
    for row in service.itertuples():
        common = {"client_id": row.client_id, "kind": "service", "family": "service"}
        if row.below_target:
            rows.append(
                {
                    **common,
                    "metric": "attainment",
                    "estimate": row.attainment,
                    "previous": target,
                    "detail": f"{row.met} of {row.events} events due in {format_period(period)} met on time "
                    f"({100 * row.attainment:.0f}%), below the {100 * target:g}% target",
                    "method": _RULES["below_target"],
                }
            )
        if row.fell:
            rows.append(
                {
                    **common,
                    "metric": "attainment_change",
                    "estimate": row.attainment,
                    "previous": row.baseline,
                    "p": row.p,
                    "q": row.q,
                    "detail": f"Attainment {100 * row.attainment:.0f}% of {row.events} in {format_period(period)} "
                    f"against {100 * row.baseline:.0f}% of {row.baseline_events} in the earlier months",
                    "method": FAMILIES["service"],
                    "family_size": size,
                }
            )
        if row.overdue:
            rows.append(
                {
                    **common,
                    "metric": "overdue",
                    "estimate": float(row.overdue),
                    "detail": f"{row.overdue} event(s) overdue at the end of {format_period(period)}",
                    "method": _RULES["overdue"],
                }
            )
    return pd.DataFrame(rows)
