"""The portfolio report: every client on one page (league table, client types, drivers, risks, movers,
every flag of the period) and the perception gaps across clients, as tables and escaped HTML
(``templates/sections/portfolio_*``).

Movers, clients at risk and the list of flags are the period's flags
(:func:`insights.stats.alerts.compute_alerts`): the same list the index page, the client reports
and ``insights alerts`` show.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from insights.core.periods import (
    MONTHS_PER_WAVE,
    as_period,
    cadence_of,
    column_cadence,
    format_period,
    last_words,
    noun,
    span,
    title,
)
from insights.data.survey import SurveyDefinition
from insights.reporting.html import Section, ci_text, esc, fmt, render, table_html
from insights.reporting.people import SELF_ASSESSMENT_MISSING
from insights.reporting.priorities import portfolio_priorities_caveat
from insights.stats import drivers as drivers_mod
from insights.stats.alerts import Alerts, alert_caveats, compute_alerts
from insights.stats.client import flag_text
from insights.stats.drivers.change import ImportanceChange, importance_change, importance_over_time
from insights.stats.drivers.change_pooled import ClientImportanceChanges, client_importance_changes
from insights.stats.optional import asks_nps
from insights.stats.portfolio import (
    GROUP_COMPONENT_LABELS,
    at_risk,
    compare_groups,
    league_table,
    months_window,
    movers,
)
from insights.stats.risks import league_length


@dataclass(frozen=True)
class PortfolioReport:
    """Every client on one page: league table, types compared, drivers across clients, risks, movers."""

    period: pd.Period
    window_months: int
    as_of: pd.Timestamp
    survey: SurveyDefinition
    window: pd.DataFrame
    league: pd.DataFrame
    by_type: pd.DataFrame
    type_tests: pd.DataFrame
    drivers: drivers_mod.DriverAnalysis
    movers: pd.DataFrame
    at_risk: pd.DataFrame
    caveats: list[str] = field(default_factory=list)
    flags: pd.DataFrame = field(default_factory=pd.DataFrame)  # every flag of the period
    asks_nps: bool = True  # whether the survey asks the likelihood-to-recommend question at all
    priorities: ImportanceChange | None = None  # driver shares, last six months against the six before
    priorities_over_time: pd.DataFrame | None = None  # driver shares in rolling six-month windows
    client_priorities: ClientImportanceChanges | None = None  # the same per client, pooled

    @property
    def wave(self) -> str:
        """The survey's period in words, for titles: ``"month"``, ``"quarter"``, ``"half-year"``, ``"year"``."""
        return noun(cadence_of(self.period))


def portfolio_report(
    df: pd.DataFrame,
    period: pd.Period | str,
    *,
    months: int = 12,
    league_waves: int | None = None,
    survey: SurveyDefinition | None = None,
    n_boot: int = 100,
    alerts: Alerts | None = None,
) -> PortfolioReport:
    """Compute the portfolio report for ``period``; the league table covers the last ``league_waves``
    periods (default :func:`~insights.stats.risks.league_length`: three months, or the latest quarter,
    half-year or year).

    ``alerts`` are the period's flags (computed here from ``df`` when not given).
    """
    survey = survey or SurveyDefinition.default()
    period = as_period(period)
    upto = df[df["period"] <= period]
    league_months = league_waves or league_length(period)
    if alerts is None:
        alerts = compute_alerts(df, period, survey, months=months)
    league = league_table(months_window(upto, period, league_months), survey)
    window = months_window(upto, period, months)
    by_type, type_tests = compare_groups(window, survey)
    drivers_present = [d for d in survey.driver_names if d in df.columns]
    # Imputes skipped driver answers when listwise deletion would drop more than 5% of the responses.
    analysis = drivers_mod.key_drivers_auto(
        window, drivers_present, cluster="client_id", n_boot=n_boot, labels=survey.drivers
    )
    moved = movers(upto, period, months=league_months)
    risks = at_risk(league, alerts.flags)
    cadence = cadence_of(period)
    nps_asked = asks_nps(upto)
    caveats = [
        f"League table, movers and risks use {last_words(league_months, cadence)} "
        f"({span(period - league_months + 1, period)}); "
        f"types and drivers use the last {_count(months, cadence)}.",
        f"Drivers across clients: {analysis.n} "
        + ("responses" if getattr(analysis, "imputations", 0) else "complete responses")
        + ", cluster-robust standard errors by client"
        + (f" ({analysis.n_clusters} clients)." if analysis.n_clusters else "."),
        *(
            [f"{analysis.imputation_note} {drivers_mod.IMPUTATION_CHECK}"]
            if getattr(analysis, "imputations", 0)
            else []
        ),
        *[f"Model warning: {w}" for w in analysis.warnings],
        *alert_caveats(period, nps=nps_asked, csat=survey.reports_csat),
    ]
    if not analysis.ok:
        caveats.append(f"Drivers across clients: insufficient data ({analysis.reason}).")
    priorities = over_time = client_priorities = None
    if len(drivers_present) > 1:  # shares of one driver are always 100%
        kw = dict(end=period, labels=survey.drivers)
        priorities = importance_change(upto, drivers_present, n_boot=max(n_boot, 200), **kw)
        # the chart's span in months of time: the trend window's waves
        over_time = importance_over_time(
            upto, drivers_present, months=months * MONTHS_PER_WAVE[cadence], **kw
        )
        client_priorities = client_importance_changes(upto, drivers_present, **kw)
    caveats.extend(portfolio_priorities_caveat(priorities))
    return PortfolioReport(
        period,
        months,
        df["submitted_at"].max(),
        survey,
        window,
        league,
        by_type,
        type_tests,
        analysis,
        moved,
        risks,
        caveats,
        alerts.flags,
        nps_asked,
        priorities,
        over_time,
        client_priorities,
    )


def portfolio_summary(report: PortfolioReport) -> dict:
    return {
        "period": str(report.period),
        "clients": int(len(report.league)),
        "at_risk": int(len(report.at_risk)),
        "figures": [],
    }


def league_display(league: pd.DataFrame, *, nps: bool = True) -> pd.DataFrame:
    """The league table for people: sorted by mean overall, CIs as text (without NPS when ``nps`` is
    False: a survey without the likelihood-to-recommend question; without CSAT when the league has no
    ``csat`` column: a survey whose overall scale has no top box, :func:`league_table`)."""
    data = league.sort_values("mean", ascending=False)
    table = pd.DataFrame(
        {
            "Client": data["client_name"],
            "Type": data["client_type"],
            "n": data["n"],
            "NPS": [fmt(v, 0, signed=True) for v in data["nps"]],
            "NPS 95% CI": [ci_text(lo, hi, 0, True) for lo, hi in zip(data["nps_low"], data["nps_high"])],
            "CSAT %": [fmt(v, 0) for v in data["csat"]] if "csat" in data else None,
            "Mean overall": [fmt(v, 2) for v in data["mean"]],
            "Mean 95% CI": [ci_text(lo, hi, 2) for lo, hi in zip(data["mean_low"], data["mean_high"])],
        }
    )
    table = table if "csat" in data else table.drop(columns=["CSAT %"])
    return table if nps else table.drop(columns=["NPS", "NPS 95% CI"])


def type_comparison_display(report: PortfolioReport) -> pd.DataFrame:
    """Internal and external side by side: estimate (95% CI clustered by client), responses and
    clients; the difference internal minus external with its CI and p (clustered), and the p a
    test would give if every response were independent (for comparison)."""
    by_type = report.by_type
    if by_type.empty:
        return by_type
    digits = [0 if c in GROUP_COMPONENT_LABELS.values() else 2 for c in by_type["component"]]
    wide = by_type.assign(
        text=[
            f"{fmt(e, d)} ({ci_text(lo, hi, d)}), n={n} from {k} clients"
            for e, lo, hi, n, k, d in zip(
                by_type["estimate"],
                by_type["ci_low"],
                by_type["ci_high"],
                by_type["n"],
                by_type["clients"],
                digits,
            )
        ]
    )
    table = wide.pivot(index="component", columns="group", values="text")
    order = list(dict.fromkeys(by_type["component"]))
    table = table.reindex(order)
    table = table[[c for c in ("internal", "external") if c in table.columns]]
    table.columns = [str(c).capitalize() for c in table.columns]
    if not report.type_tests.empty:
        tests = report.type_tests.set_index("component").reindex(order)
        places = [0 if c in GROUP_COMPONENT_LABELS.values() else 2 for c in order]
        table["Difference (95% CI)"] = [
            f"{fmt(d, k, signed=True)} ({ci_text(lo, hi, k, True)})"
            for d, lo, hi, k in zip(tests["difference"], tests["ci_low"], tests["ci_high"], places)
        ]
        table["p"] = ["–" if pd.isna(p) else f"{p:.3g}" for p in tests["p"]]
        table["Significant"] = np.where(tests["significant"], "yes", "")
        table["p if responses were independent"] = [
            "–" if pd.isna(p) else f"{p:.3g}" for p in tests["p_responses"]
        ]
    return table.reset_index().rename(columns={"component": "Component"})


def type_findings(report: PortfolioReport) -> list[str]:
    """Plain sentences on internal against external clients (clustered tests only)."""
    tests = report.type_tests
    if tests.empty:
        return []
    found = []
    for row in tests.itertuples():
        if row.significant:
            digits = 0 if row.component in GROUP_COMPONENT_LABELS.values() else 2
            direction = "higher" if row.difference > 0 else "lower"
            found.append(
                f"Internal clients rate {row.component} {abs(row.difference):.{digits}f} {direction} than "
                f"external clients (95% CI {row.ci_low:+.{digits}f} to {row.ci_high:+.{digits}f}, "
                f"p = {row.p:.3g}, clustered by client)."
            )
    higher = int((tests["difference"] > 0).sum())
    found.append(
        f"Internal clients score higher on {higher} of {len(tests)} measures; "
        f"{int(tests['significant'].sum())} difference(s) are significant once responses are clustered by "
        "client (each client's people answer alike, so a client counts nearer once than once per response)."
    )
    return found


def risk_display(report: PortfolioReport) -> pd.DataFrame:
    risk = report.at_risk
    return pd.DataFrame(
        {
            "Client": risk["client_name"],
            "Type": risk["client_type"],
            "n": risk["n"],
            "Mean overall": [fmt(v, 2) for v in risk["mean"]],
            "Why": risk["why"],
        }
    )


def risk_html(report: PortfolioReport) -> str:
    """The clients at risk (:func:`risk_display`) or a note, and the rules they were judged by."""
    league = last_words(league_length(report.period), cadence_of(report.period))
    rules = f"a mean overall satisfaction over {league} below the portfolio's"
    if report.asks_nps:
        rules += ", or an NPS below zero"
    rules = (
        f"The rules: {rules} (one test per client, Benjamini-Hochberg across the clients), or a significant "
        "fall in mean overall satisfaction (a falling mover). Each reason with its p- and q-value."
    )
    shown = table_html(risk_display(report)) if len(report.at_risk) else "<p>No client meets a risk rule.</p>"
    return f"{shown}<p class='ci-note'>{esc(rules)}</p>"


def movers_display(report: PortfolioReport, top: int = 10) -> pd.DataFrame:
    """The largest changes in mean overall satisfaction; "Significant" marks the ``mover`` flags."""
    moved = report.movers.head(top)
    if moved.empty:
        return pd.DataFrame({"Client": []})
    flags = report.flags
    flagged = set(flags.loc[flags["kind"] == "mover", "client_id"]) if len(flags) else set()
    return pd.DataFrame(
        {
            "Client": moved["client_name"],
            "Type": moved["client_type"],
            "n (recent / before)": [f"{a} / {b}" for a, b in zip(moved["n_recent"], moved["n_before"])],
            "Change in mean": [fmt(v, 2, signed=True) for v in moved["change"]],
            "95% CI": [ci_text(lo, hi, 2, True) for lo, hi in zip(moved["ci_low"], moved["ci_high"])],
            "p": [f"{p:.2g}" for p in moved["p"]],
            "q": [f"{q:.2g}" for q in moved["q"]],
            "Significant": np.where(moved["client_id"].isin(flagged), "yes", ""),
        }
    )


#: How the portfolio's list of flags names each kind.
FLAG_KINDS = {
    "drop": "drop",
    "component_drop": "component fell",
    "at_risk": "at risk",
    "mover": "mover",
    "person": "person",
    "service": "service levels",
    "closeout": "close-out",
}


def flags_display(report: PortfolioReport) -> pd.DataFrame:
    """Every flag of the period, one row each: client, kind, what, p and q (or the rule), family."""
    flags = report.flags
    if flags is None or flags.empty:
        return pd.DataFrame({"Client": []})
    return pd.DataFrame(
        {
            "Client": flags["client_name"],
            "Flag": [FLAG_KINDS.get(k, k) for k in flags["kind"]],
            "What": flags["detail"],
            "p, q": [flag_text(p, q) or m for p, q, m in zip(flags["p"], flags["q"], flags["method"])],
            "Family": flags["family"],
        }
    )


# --- the portfolio: perception gaps across clients --------------------------------------------------


def portfolio_gaps_html(
    df: pd.DataFrame,
    self_assessment: pd.DataFrame | None,
    period: pd.Period | str,
    *,
    survey: SurveyDefinition | None = None,
) -> str:
    """Perception gaps across clients, as escaped HTML.

    Per component the mean gap (self minus client) over clients, with a t interval over clients
    (:func:`insights.stats.perception.gap_summary`), each client's latest self-assessment up to
    ``period`` set against its ratings (:func:`insights.stats.perception.perception_gaps`); then
    every blind spot (a self-rating a point or more above the client's).

    Parameters
    ----------
    df : DataFrame
        The loaded survey responses.
    self_assessment : DataFrame or None
        The team's self-assessment (:func:`insights.data.people.read_self_assessment`); None when
        none was given, which the section says.
    period : Period or str
        The report month: self-assessments after it are ignored.
    survey : SurveyDefinition, optional
        The survey definition (components and labels); the shipped default when omitted.

    Returns
    -------
    str
        The section's HTML (``templates/sections/portfolio_gaps.html.j2``).
    """
    from insights.stats import perception

    if self_assessment is None:
        return render("portfolio_gaps.html.j2", note=SELF_ASSESSMENT_MISSING)
    period = as_period(period)
    chosen = self_assessment[self_assessment["period"] <= period]
    if chosen.empty:
        return render(
            "portfolio_gaps.html.j2",
            note=f"The self-assessment has no ratings up to {format_period(period)}.",
        )
    latest = chosen.groupby("client_id")["period"].transform("max")
    gaps = perception.perception_gaps(df, chosen[chosen["period"] == latest], survey=survey)
    summary = perception.gap_summary(gaps)
    if summary.empty:
        return render("portfolio_gaps.html.j2", note="No client ratings to set the self-assessment against.")
    spots = gaps[gaps["blind_spot"]].sort_values("gap", ascending=False)
    return render(
        "portfolio_gaps.html.j2",
        note="",
        summary=table_html(
            _gap_summary_display(summary),
            caption="Each client's latest self-assessment against its ratings over the three months to then; "
            "gap = self minus client.",
        ),
        blind_spots=table_html(_blind_spots_display(spots, df)) if len(spots) else "",
    )


def _gap_summary_display(summary: pd.DataFrame) -> pd.DataFrame:
    """The mean gap per component across clients, for people."""
    return pd.DataFrame(
        {
            "Component": summary["label"],
            "Clients": summary["clients"],
            "Team (self), mean": [fmt(v, 2) for v in summary["self"]],
            "Clients, mean": [fmt(v, 2) for v in summary["client"]],
            "Mean gap (95% CI over clients)": [
                f"{fmt(g, 2, signed=True)} ({ci_text(lo, hi, 2, True)})"
                for g, lo, hi in zip(summary["gap"], summary["ci_low"], summary["ci_high"])
            ],
            "Blind spots": summary["blind_spots"],
        }
    )


def _count(n: int, cadence: str) -> str:
    """``"12 months"``, ``"8 quarters"``: a window's length in the survey's periods."""
    return f"{n} months" if cadence == "month" else noun(cadence, n)


def _blind_spots_display(spots: pd.DataFrame, df: pd.DataFrame) -> pd.DataFrame:
    """Every blind spot for people: the client's name (from ``df``), month, component and gap."""
    clients = df.drop_duplicates("client_id")
    names = clients.set_index(clients["client_id"].astype(str))["client_name"]
    return pd.DataFrame(
        {
            "Client": [names.get(c, c) for c in spots["client_id"]],
            title(column_cadence(spots["period"])): [format_period(p) for p in spots["period"]],
            "Component": spots["label"],
            "Team (self)": [fmt(v, 1) for v in spots["self"]],
            "Client mean": [fmt(v, 2) for v in spots["client"]],
            "Gap (95% CI)": [
                f"{fmt(g, 2, signed=True)} ({ci_text(lo, hi, 2, True)})"
                for g, lo, hi in zip(spots["gap"], spots["ci_low"], spots["ci_high"])
            ],
        }
    )


# --- sections that display themselves ---------------------------------------------------------------


def portfolio_header_html(report: PortfolioReport) -> str:
    """The portfolio report's title and one-line description (escaped)."""
    return render(
        "portfolio_header.html.j2",
        period=format_period(report.period),
        clients=len(report.league),
        responses=len(report.window),
        window=_count(report.window_months, cadence_of(report.period)),
        as_of=f"{report.as_of:%Y-%m-%d}",
    )


@dataclass(frozen=True, repr=False)
class PortfolioHeaderSection(Section):
    """The portfolio report's title line (:func:`portfolio_header_html`)."""

    report: PortfolioReport

    def html(self) -> str:
        return portfolio_header_html(self.report)


@dataclass(frozen=True, eq=False, repr=False)
class PortfolioGapsSection(Section):
    """Perception gaps across clients (:func:`portfolio_gaps_html` of these arguments)."""

    df: pd.DataFrame
    self_assessment: pd.DataFrame | None
    period: pd.Period | str
    survey: SurveyDefinition | None = None

    def html(self) -> str:
        return portfolio_gaps_html(self.df, self.self_assessment, self.period, survey=self.survey)
