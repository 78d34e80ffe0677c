"""The client report: its statistics computed once, and the header, headline, scorecard, comments and
caveats sections as escaped HTML.

Every "significant" mark of a client report is one of the period's flags
(:func:`insights.stats.alerts.compute_alerts`, computed once for the whole portfolio, or read back
from a run's ``alerts.json``): the headline cards' falls, the scorecard's component falls and the
list of flags under the headline, each with its p- and q-value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from insights.core.periods import as_period, cadence_of, column_cadence, format_period, noun, plural
from insights.core.periods import span as period_span
from insights.data.survey import SurveyDefinition
from insights.reporting.comments import comments_html
from insights.reporting.html import Section, caveats_html, esc, findings_html, fmt, render, table_html
from insights.reporting.priorities import client_priorities_caveat
from insights.stats import drivers as drivers_mod
from insights.stats import metrics
from insights.stats.alerts import Alerts, alert_caveats, compute_alerts
from insights.stats.changes import baseline_length, headline_values
from insights.stats.client import Comparison, compare_headlines, flag_text, with_flags
from insights.stats.drivers.change_pooled import ClientImportanceChanges, client_importance_changes
from insights.stats.optional import asks_nps, has_comments

MIN_CELL = 5  # cells with fewer responses are flagged, not trusted


@dataclass(frozen=True)
class ClientReport:
    """Everything a client report shows, computed once."""

    client_id: str
    client_name: str
    client_type: str
    period: pd.Period
    previous_period: pd.Period | None
    as_of: pd.Timestamp
    survey: SurveyDefinition
    responses: pd.DataFrame  # the client's responses within the trend window
    headline: metrics.Headline
    vs_previous: dict[str, Comparison]
    vs_portfolio: dict[str, Comparison]
    scorecard: pd.DataFrame
    nps_trend: pd.DataFrame
    overall_trend: pd.DataFrame
    portfolio_overall_trend: pd.DataFrame
    drivers: drivers_mod.DriverAnalysis
    caveats: list[str] = field(default_factory=list)
    flags: pd.DataFrame = field(default_factory=pd.DataFrame)  # this client's flags of the period
    baseline_scores: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))  # per component
    pooling: drivers_mod.PooledClient | None = None  # the partially pooled drivers, when used
    asks_nps: bool = True  # whether the survey asks the likelihood-to-recommend question at all
    requested_period: pd.Period | None = None  # the report period, when the figures are of an earlier wave
    asks_comments: bool = True  # whether any response of the survey carries a comment

    @property
    def report_period(self) -> pd.Period:
        """The period the report is for (``period`` is that of its figures, an earlier wave for a client
        without responses in it): follow-up dates count from its end."""
        return self.requested_period or self.period

    @property
    def banner(self) -> str:
        """``"No responses in 2026-10; figures are from 2026-07, its latest wave"`` (``""`` when the
        figures are of the report period itself)."""
        if self.requested_period is None:
            return ""
        return (
            f"No responses in {format_period(self.requested_period)}; figures are from "
            f"{format_period(self.period)}, its latest wave"
        )

    priorities: ClientImportanceChanges | None = None  # every client's pooled change in driver shares

    @property
    def n(self) -> int:
        return int(self.headline.n)

    @property
    def shows_top_box(self) -> bool:
        """Whether the scorecard has a top-box share column: the drivers' scale has a top box."""
        return self.survey.driver_scale.has_top_box

    @property
    def wave(self) -> str:
        """The survey's period in words, for titles: ``"month"``, ``"quarter"``, ``"half-year"``, ``"year"``."""
        return noun(cadence_of(self.period))


def client_report(
    df: pd.DataFrame,
    client_id: str,
    period: pd.Period | str,
    *,
    months: int = 12,
    survey: SurveyDefinition | None = None,
    n_boot: int = 200,
    alerts: Alerts | None = None,
    pooling: str = "partial",
    pooled: drivers_mod.PooledDrivers | None = None,
) -> ClientReport:
    """Compute every section of one client's report for ``period`` (trends over ``months``).

    ``alerts`` are the period's flags of the whole portfolio (:func:`insights.stats.alerts.compute_alerts`,
    or a run's ``alerts.json`` read back); without them they are computed here from ``df``.
    ``pooling="partial"`` (the default) shows key drivers partially pooled toward the portfolio's
    (:func:`insights.stats.drivers.fit_pooled_drivers` on every client's responses of the window,
    or ``pooled``, that fit computed once for many reports); ``"none"`` the client's own regression.

    A client with no responses in ``period`` but some before it gets its report built on its latest
    period with responses (its latest wave): ``report.period`` is that period, ``requested_period``
    the one asked for, and :attr:`ClientReport.banner` says so.  Its flags stay those of ``period``,
    and its comparisons with earlier months are shown for information only (no test of that wave
    is claimed).  Without a likelihood-to-recommend question (:func:`insights.stats.optional.asks_nps`)
    the report shows no NPS anywhere.
    """
    survey = survey or SurveyDefinition.default()
    period = as_period(period)
    if alerts is None:
        alerts = compute_alerts(df, period, survey, months=months)
    flags = alerts.for_client(client_id)
    asked, period = period, latest_wave(df, client_id, period)
    requested = asked if period != asked else None
    first = period - (months - 1)
    ids = df["client_id"].astype(str)
    mine = df[ids == client_id]
    window = mine[(mine["period"] >= first) & (mine["period"] <= period)]
    current = window[window["period"] == period]
    earlier = mine[mine["period"] < period]
    previous_period = earlier["period"].max() if len(earlier) else None
    baseline = earlier[earlier["period"] >= period - baseline_length(period)]
    rest = df[(ids != client_id) & (df["period"] == period)]
    drivers_present = [d for d in survey.driver_names if d in df.columns]
    scale = survey.overall_scale
    nps_asked = asks_nps(df)

    headline = metrics.summary(current, scale_max=scale.max, top_box=scale.top_box)
    card = _scorecard(df[df["period"] <= period], drivers_present, survey)
    undefined = (card["component"].isin(drivers_present) & (not survey.driver_scale.has_top_box)) | (
        (card["component"] == "overall_satisfaction") & (not survey.reports_csat)  # its share is CSAT
    )
    card = card.assign(top2=card["top2"].mask(undefined))
    ranked = card.groupby(["period", "component"], observed=True)["rank"].count().rename("rank_of")
    card = card[(card["client_id"].astype(str) == client_id) & (card["period"] >= first)]
    card = card.join(ranked, on=["period", "component"])
    trend_kw = dict(min_n=MIN_CELL, months=months, end=period)
    nps_trend = metrics.trend(mine, kind="nps", **trend_kw)
    overall_trend = metrics.trend(mine, "overall_satisfaction", kind="mean", **trend_kw)
    portfolio_trend = metrics.trend(df, "overall_satisfaction", kind="mean", **trend_kw)
    pooled_client, imputed_note = _pooled_client(
        df, client_id, first, period, drivers_present, pooling, pooled
    )
    if pooled_client is not None:
        analysis = drivers_mod.key_drivers(
            window, drivers_present, cluster=None, n_boot=0, labels=survey.drivers
        )
        analysis = drivers_mod.pooled_analysis(analysis, pooled_client, labels=survey.drivers)
        if imputed_note:  # every response of the client counts, its skipped answers imputed
            analysis = replace(analysis, n=pooled_client.n)
    else:
        # Imputes skipped driver answers when listwise deletion would drop more than 5% of the responses.
        analysis = drivers_mod.key_drivers_auto(
            window, drivers_present, cluster=None, n_boot=n_boot, labels=survey.drivers
        )

    caveats = _client_caveats(
        headline.n,
        nps_trend,
        overall_trend,
        analysis,
        window,
        months,
        previous_period,
        nps=nps_asked,
        imputed=imputed_note,
    )
    if requested is not None:
        caveats.insert(
            0,
            f"No responses in {format_period(requested)}: every figure is of {format_period(period)}, "
            "this client's latest wave; "
            f"its comparisons with earlier {plural(cadence_of(period))} are shown for information, not tested.",
        )
    caveats.extend(alert_caveats(requested or period, nps=nps_asked, csat=survey.reports_csat))
    priorities = None
    if len(drivers_present) > 1:  # shares of one driver are always 100%
        end = requested or period  # every report uses the same tests, so the q-values agree
        upto = df[df["period"] <= end]
        priorities = client_importance_changes(upto, drivers_present, end=end, labels=survey.drivers)
    caveats.extend(client_priorities_caveat(priorities))
    span = baseline_label(baseline)
    return ClientReport(
        client_id=client_id,
        client_name=str(mine["client_name"].iloc[0]) if len(mine) else client_id,
        client_type=str(mine["client_type"].iloc[0]) if len(mine) else "external",
        period=period,
        previous_period=previous_period,
        as_of=df["submitted_at"].max(),
        survey=survey,
        responses=window,
        headline=headline,
        vs_previous=(
            with_flags(compare_headlines(current, baseline, survey, span, tested=True), flags)
            if requested is None
            else compare_headlines(current, baseline, survey, span)
        ),
        vs_portfolio=compare_headlines(current, rest, survey, "other clients"),
        scorecard=card,
        nps_trend=nps_trend,
        overall_trend=overall_trend,
        portfolio_overall_trend=portfolio_trend,
        drivers=analysis,
        caveats=caveats,
        flags=flags,
        baseline_scores=_baseline_scores(baseline, [*drivers_present, "overall_satisfaction"], survey),
        pooling=pooled_client,
        asks_nps=nps_asked,
        requested_period=requested,
        asks_comments=has_comments(df),
        priorities=priorities,
    )


def _scorecard(df: pd.DataFrame, drivers: list[str], survey: SurveyDefinition) -> pd.DataFrame:
    """Every client's scorecard of ``drivers`` and overall satisfaction, in one family of tests; each
    row's top-box share on its own scale (a 1-5 driver and a 0-10 overall question do not share one)."""
    overall, rated = survey.overall_scale, survey.driver_scale
    components = [*drivers, "overall_satisfaction"]
    if (overall.max, overall.top_box) == (rated.max, rated.top_box) or not drivers:
        return metrics.scorecard(df, components, scale_max=overall.max, top_box=scorecard_top_box(survey))
    card = metrics.scorecard(df, components, scale_max=max(overall.max, rated.max), top_box=0)
    keys = ["client_id", "period", "component"]
    for columns, scale in ((drivers, rated), (["overall_satisfaction"], overall)):
        if scale.top_box:
            shares = metrics.scorecard(df, columns, scale_max=scale.max, top_box=scale.top_box)
            card["top2"] = card["top2"].fillna(
                card[keys].merge(shares[[*keys, "top2"]], on=keys, how="left")["top2"]
            )
    return card


def scorecard_top_box(survey: SurveyDefinition) -> int:
    """The top box of the scorecard's shares: the overall scale's, else the drivers' (0: neither has one)."""
    return survey.overall_scale.top_box or survey.driver_scale.top_box


def latest_wave(df: pd.DataFrame, client_id: str, period: pd.Period) -> pd.Period:
    """``period`` when the client has responses in it, else its latest period with responses before it
    (``period`` again when it has none up to then)."""
    mine = df.loc[(df["client_id"].astype(str) == client_id) & (df["period"] <= period), "period"]
    return period if mine.empty or (mine == period).any() else mine.max()


def _pooled_client(df, client_id, first, period, drivers_present, pooling, pooled):
    """(the client's partially pooled drivers, a sentence on imputed answers or ""): from ``pooled``
    or a fit of every client's responses of the window, on answers imputed by Rubin's rules when
    listwise deletion would drop more than 5% of them; None with ``pooling="none"`` or when pooling
    is not possible (too few clients, no complete response of this client)."""
    if pooling not in ("partial", "none"):
        raise ValueError(f"pooling must be 'partial' or 'none', got {pooling!r}")
    if pooling == "none" or not drivers_present:
        return None, ""
    if pooled is None:
        in_window = df[(df["period"] >= first) & (df["period"] <= period)]
        if drivers_mod.listwise_loss(in_window, drivers_present) > drivers_mod.IMPUTE_ABOVE:
            client = drivers_mod.pooled_client_imputed(in_window, client_id, drivers_present)
            if client is not None:
                return client, _imputed_answers_note(in_window, client_id, drivers_present)
        pooled = drivers_mod.fit_pooled_drivers(in_window, drivers_present)
    if not pooled.ok or client_id not in set(pooled.clients["client_id"]):
        return None, ""
    return pooled.for_client(client_id), ""


def _imputed_answers_note(window: pd.DataFrame, client_id: str, drivers: list[str]) -> str:
    """How many skipped driver answers the pooled drivers imputed, the client's and the portfolio's."""
    rated = window[window["overall_satisfaction"].notna()]
    skipped = rated[drivers].isna()
    mine = int(skipped[rated["client_id"].astype(str) == client_id].to_numpy().sum())
    every = int(skipped.to_numpy().sum())
    return (
        f"{mine:,} skipped driver answers of this client ({every:,} across the portfolio's responses of the "
        f"window) were imputed {drivers_mod.REPORT_IMPUTATIONS} times by chained equations with the outcome "
        "in the model, the pooled model fitted to each completed portfolio and the results combined by "
        "Rubin's rules; this assumes the answers are missing at random given the outcome and the other drivers."
    )


def baseline_label(baseline: pd.DataFrame) -> str:
    """The months a client's baseline holds, in words (``"2025-11 to 2026-09"``)."""
    if baseline.empty:
        return f"earlier {plural(_cadence(baseline))}"
    return period_span(baseline["period"].min(), baseline["period"].max())


def _baseline_scores(baseline: pd.DataFrame, components: list[str], survey: SurveyDefinition) -> pd.Series:
    """Each component's mean (and NPS) over the client's baseline months."""
    scores = {c: float(baseline[c].astype(float).mean()) if len(baseline) else np.nan for c in components}
    scores["nps"] = float(headline_values(baseline, survey)["nps"].mean()) if len(baseline) else np.nan
    return pd.Series(scores, dtype=float)


def drivers_lean_html(report: ClientReport) -> str:
    """The key drivers' line on partial pooling (escaped): how much the client's figures lean on the
    portfolio, and on how many responses they rest; empty without pooling."""
    if report.pooling is None or not report.drivers.ok:
        return ""
    text = report.pooling.lean_text
    return f"<p class='ci-note'>{esc(text[0].upper() + text[1:])}; hatched in the chart.</p>"


def drivers_findings_html(report: ClientReport) -> str:
    """The key drivers' findings as a list, without the pooled analysis's first sentence on how far the
    figures lean on the portfolio when :func:`drivers_lean_html` already says it above the chart."""
    findings = list(report.drivers.findings)
    if drivers_lean_html(report) and findings and findings[0].startswith("Figures for "):
        findings = findings[1:]
    return findings_html(findings)


def _cadence(frame: pd.DataFrame) -> str:
    """The cadence of a frame's ``period`` column (``"month"`` without one)."""
    return column_cadence(frame.get("period"))


def _client_caveats(
    n,
    nps_trend,
    overall_trend,
    analysis,
    window,
    months,
    previous_period,
    *,
    nps: bool = True,
    imputed: str = "",
) -> list[str]:
    caveats = []
    last = (
        f"the last {months} months"
        if _cadence(window) == "month"
        else f"the last {noun(_cadence(window), months)}"
    )
    if n == 0:
        caveats.append("No responses in this period: the headline figures cannot be computed.")
    elif n < MIN_CELL:
        caveats.append(f"Only {n} response(s) this period: the headline figures are very uncertain.")
    small = int((overall_trend["suppressed"] & (overall_trend["n"] > 0)).sum())
    empty = int((overall_trend["n"] == 0).sum())
    if small:
        caveats.append(
            f"{small} of {last} had fewer than {MIN_CELL} responses "
            "(drawn hollow in the trends, hatched in the heat map)."
        )
    if empty:
        caveats.append(f"{empty} of {last} had no responses at all (gaps in the trends).")
    if previous_period is None:
        caveats.append("No earlier period to compare with.")
    if not analysis.ok:
        caveats.append(f"Key drivers over {last}: insufficient data ({analysis.reason}).")
    elif analysis.se_type == "pooled":
        caveats.append(
            f"Key drivers use the {analysis.n} {'' if imputed else 'complete '}responses of {last} together "
            f"with the other clients' (implied R² = {analysis.r2:.2f})." + (f" {imputed}" if imputed else "")
        )
    elif getattr(analysis, "imputations", 0):
        caveats.append(
            f"Key drivers use all {analysis.n} responses of {last} "
            f"(R² = {analysis.r2:.2f}, {analysis.se_type} standard errors): {analysis.imputation_note} "
            f"{drivers_mod.IMPUTATION_CHECK}"
        )
    else:
        caveats.append(
            f"Key drivers use the {analysis.n} complete responses of {last} "
            f"(R² = {analysis.r2:.2f}, {analysis.se_type} standard errors)."
        )
    caveats.extend(f"Model warning: {w}" for w in analysis.warnings)
    nps_answers = int(window["likelihood_to_recommend"].notna().sum())
    if nps and nps_answers < len(window):
        caveats.append(
            f"{len(window) - nps_answers} of {len(window)} responses in the window skipped the NPS question."
        )
    return caveats


def header_html(report: ClientReport) -> str:
    """The title and the one-line description of the report (escaped)."""
    return render(
        "header.html.j2",
        name=report.client_name,
        kind="Internal client" if report.client_type == "internal" else "Client",
        client_id=report.client_id,
        period=format_period(report.period),
        n=report.n,
        window_n=len(report.responses),
        as_of=f"{report.as_of:%Y-%m-%d}",
        banner=report.banner,
    )


def headline_cards_html(report: ClientReport) -> str:
    """NPS, CSAT and mean overall as cards: value, 95% CI, the change against the client's earlier
    months (red when it is a flagged fall) and the difference from the other clients (for
    information: no test)."""
    h = report.headline
    scale = report.survey.overall_scale
    cards = [
        ("NPS", fmt(h.nps.score, 0, signed=True), h.nps, 0, 0, "", "nps"),
        (f"Mean overall ({scale})", fmt(h.mean_overall.score, 2), h.mean_overall, 2, 2, "", "mean"),
    ]
    if h.csat is not None:  # no CSAT without a top box on the overall scale
        cards.insert(
            1, (f"CSAT (top-{scale.top_box}-box)", fmt(h.csat.score, 0, "%"), h.csat, 0, 1, " pts", "csat")
        )
    if not report.asks_nps:
        cards = [card for card in cards if card[-1] != "nps"]
    shown = []
    for label, value, result, ci_digits, digits, unit, key in cards:
        lines = []
        for comparison in (report.vs_previous[key], report.vs_portfolio[key]):
            css = "ci-down" if comparison.significant else ""
            lines.append({"css": css, "text": comparison.text(digits, unit)})
        ci = f"95% CI {fmt(result.ci_low, ci_digits)} to {fmt(result.ci_high, ci_digits)}"
        shown.append({"label": label, "value": value, "ci": ci, "lines": lines})
    return render("headline_cards.html.j2", cards=shown)


#: How the list of flags names each kind.
KIND_WORDS = {
    "drop": "Significant drop",
    "component_drop": "Component fell",
    "at_risk": "At risk",
    "mover": "Mover",
    "person": "Person",
    "service": "Service levels",
    "theme": "Comment theme rising",
    "closeout": "Close-out",
}


def _flag_mark(flags: pd.DataFrame, kind: str, metric: str) -> str:
    """``"fall (p = ..., q = ...)"`` for a flagged metric, else ``""``."""
    if flags.empty:
        return ""
    hit = flags[(flags["kind"] == kind) & (flags["metric"] == metric)]
    return "" if hit.empty else f"fall ({flag_text(hit['p'].iloc[0], hit['q'].iloc[0])})"


def scorecard_table(report: ClientReport) -> pd.DataFrame:
    """The period's scorecard, one row per component, for people: the month against the client's
    earlier months, with the component's flag (overall satisfaction and NPS: the drop flags)."""
    rows = report.scorecard[report.scorecard["period"] == report.period]
    if not report.asks_nps:
        rows = rows[rows["component"] != "nps"]
    earlier = report.baseline_scores.reindex(rows["component"]).to_numpy(float)
    digits = [0 if component == "nps" else 2 for component in rows["component"]]
    marks = []
    for component in rows["component"]:
        if component == "overall_satisfaction":
            marks.append(_flag_mark(report.flags, "drop", "mean"))
        elif component == "nps":
            marks.append(_flag_mark(report.flags, "drop", "nps"))
        else:
            marks.append(_flag_mark(report.flags, "component_drop", component))
    table = pd.DataFrame(
        {
            "Component": [report.survey.label(c) for c in rows["component"]],
            # fixed decimals, so a column's numbers line up (4.50, not 4.5); NPS in whole points
            "Mean": [fmt(v, d) for v, d in zip(rows["mean"].to_numpy(float), digits)],
            "n": rows["n"].to_numpy(),
            f"Top-{scorecard_top_box(report.survey)}-box %": [
                fmt(v, 0) for v in rows["top2"].to_numpy(float)
            ],
            f"Earlier {plural(_cadence(report.scorecard))}": [fmt(v, d) for v, d in zip(earlier, digits)],
            "Change": [
                fmt(v, d, signed=True) for v, d in zip(rows["mean"].to_numpy(float) - earlier, digits)
            ],
            "Significant fall": marks,
            "Rank among clients": [
                f"{r} of {n}" if pd.notna(r) else "–" for r, n in zip(rows["rank"], rows["rank_of"])
            ],
        }
    )
    return table if report.shows_top_box else table.drop(columns=[table.columns[3]])


def flag_sentence(flag: dict) -> str:
    """One flag in words: its kind, what it says and its p- and q-value (or the rule it follows)."""
    test = flag_text(flag["p"], flag["q"])
    return f"{KIND_WORDS.get(flag['kind'], flag['kind'])}: {flag['detail']} ({test or flag['method']})."


def headline_findings(report: ClientReport) -> list[str]:
    """Every flag of this client in the period, in words, with its p- and q-value."""
    return [flag_sentence(flag) for flag in report.flags.to_dict("records")]


#: Flags that colour the index page's "Flags" cell (rules such as detractors are listed, not coloured).
INDEX_FLAG_KINDS = ("drop", "component_drop", "at_risk", "mover")


def flags_summary(flags: pd.DataFrame) -> dict:
    """The index page's "Flags" cell of one client: the kinds flagged, every flag on hover."""
    if flags.empty:
        return {"label": "Flags", "value": "–"}
    counts = flags["kind"].value_counts()
    kinds = [k for k in KIND_WORDS if k in counts.index]
    value = ", ".join(f"{k.replace('_', ' ')}" + (f" ({counts[k]})" if counts[k] > 1 else "") for k in kinds)
    return {
        "label": "Flags",
        "value": value,
        "detail": " | ".join(flag_sentence(f) for f in flags.to_dict("records")),
        "flag": bool(flags["kind"].isin(INDEX_FLAG_KINDS).any() or (flags["metric"] == "ratings").any()),
    }


# --------------------------------------------------------------------------- sections that display themselves


@dataclass(frozen=True, repr=False)
class HeaderSection(Section):
    """The report's title line (:func:`header_html`)."""

    report: ClientReport

    def html(self) -> str:
        return header_html(self.report)


NO_CHANGE = "No flags for this client this month (how flags are judged: see the caveats)."


@dataclass(frozen=True, repr=False)
class HeadlineSection(Section):
    """The headline cards and the client's flags in words (or ``no_change``)."""

    report: ClientReport
    no_change: str = NO_CHANGE

    def html(self) -> str:
        cadence = cadence_of(self.report.period)
        empty = self.no_change
        if cadence != "month" and empty == NO_CHANGE:
            empty = NO_CHANGE.replace("this month", f"this {noun(cadence)}")
        return headline_cards_html(self.report) + findings_html(headline_findings(self.report), empty=empty)


@dataclass(frozen=True, repr=False)
class ScorecardSection(Section):
    """The period's scorecard table (:func:`scorecard_table`), or a note when there is none."""

    report: ClientReport

    def html(self) -> str:
        table = "" if self.report.scorecard.empty else table_html(scorecard_table(self.report))
        return render("scorecard.html.j2", table=table)


@dataclass(frozen=True, repr=False)
class CommentsSection(Section):
    """Voice of the client: its heading and the recent comments of the report's responses
    (:func:`comments_html`), redacted (e-mails, phones and the contact ``names``) unless ``show_names``;
    nothing at all when the survey collects no comments."""

    report: ClientReport
    names: Sequence[str] = ()
    show_names: bool = False

    def html(self) -> str:
        if not self.report.asks_comments:
            return ""
        return render(
            "comments_heading.html.j2", nps=self.report.asks_nps, show_names=self.show_names
        ) + comments_html(
            self.report.responses,
            self.report.period,
            nps=self.report.asks_nps,
            names=self.names,
            show_names=self.show_names,
        )


@dataclass(frozen=True, repr=False)
class CaveatsSection(Section):
    """A report's caveats as a list (:func:`insights.reporting.html.caveats_html`)."""

    caveats: Sequence[str]

    def html(self) -> str:
        return caveats_html(self.caveats)
