"""The client report: its statistics computed once, and the header, headline, scorecard, comments and
caveats sections as escaped HTML.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from insights.data.survey import SurveyDefinition
from insights.reporting.html import Section, caveats_html, findings_html, fmt, render, table_html
from insights.stats import drivers as drivers_mod
from insights.stats import metrics
from insights.stats.client import Comparison, compare_headlines
from insights.stats.nps import NPS_GROUPS

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

    @property
    def n(self) -> int:
        return int(self.headline.n)


def client_report(
    df: pd.DataFrame,
    client_id: str,
    period: pd.Period | str,
    *,
    months: int = 12,
    survey: SurveyDefinition | None = None,
    n_boot: int = 200,
) -> ClientReport:
    """Compute every section of one client's report for ``period`` (trends over ``months``)."""
    survey = survey or SurveyDefinition.default()
    period = pd.Period(period, "M")
    first = period - (months - 1)
    ids = df["client_id"].astype(str)
    mine = df[ids == client_id]
    window = mine[(mine["period"] >= first) & (mine["period"] <= period)]
    current = window[window["period"] == period]
    earlier = mine[mine["period"] < period]
    previous_period = earlier["period"].max() if len(earlier) else None
    previous = earlier[earlier["period"] == previous_period] if previous_period is not None else earlier
    rest = df[(ids != client_id) & (df["period"] == period)]
    drivers_present = [d for d in survey.driver_names if d in df.columns]
    scale = survey.overall_scale

    headline = metrics.summary(current, scale_max=scale.max, top_box=scale.top_box)
    card = metrics.scorecard(
        df[df["period"] <= period],
        [*drivers_present, "overall_satisfaction"],
        scale_max=scale.max,
        top_box=scale.top_box,
    )
    ranked = card.groupby(["period", "component"], observed=True)["rank"].count().rename("rank_of")
    card = card[(card["client_id"].astype(str) == client_id) & (card["period"] >= first)]
    card = card.join(ranked, on=["period", "component"])
    trend_kw = dict(min_n=MIN_CELL, months=months, end=period)
    nps_trend = metrics.trend(mine, kind="nps", **trend_kw)
    overall_trend = metrics.trend(mine, "overall_satisfaction", kind="mean", **trend_kw)
    portfolio_trend = metrics.trend(df, "overall_satisfaction", kind="mean", **trend_kw)
    analysis = drivers_mod.key_drivers(
        window, drivers_present, cluster=None, n_boot=n_boot, labels=survey.drivers
    )

    caveats = _client_caveats(headline.n, nps_trend, overall_trend, analysis, window, months, previous_period)
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
        vs_previous=compare_headlines(
            current, previous, survey, f"{previous_period}" if previous_period else "previous"
        ),
        vs_portfolio=compare_headlines(current, rest, survey, "other clients"),
        scorecard=card,
        nps_trend=nps_trend,
        overall_trend=overall_trend,
        portfolio_overall_trend=portfolio_trend,
        drivers=analysis,
        caveats=caveats,
    )


def _client_caveats(n, nps_trend, overall_trend, analysis, window, months, previous_period) -> list[str]:
    caveats = []
    if n == 0:
        caveats.append("No responses in this period: the headline figures cannot be computed.")
    elif n < MIN_CELL:
        caveats.append(f"Only {n} response(s) this period: the headline figures are very uncertain.")
    small = int((overall_trend["suppressed"] & (overall_trend["n"] > 0)).sum())
    empty = int((overall_trend["n"] == 0).sum())
    if small:
        caveats.append(
            f"{small} of the last {months} months had fewer than {MIN_CELL} responses "
            "(drawn hollow in the trends, hatched in the heat map)."
        )
    if empty:
        caveats.append(f"{empty} of the last {months} months had no responses at all (gaps in the trends).")
    if previous_period is None:
        caveats.append("No earlier period to compare with.")
    if not analysis.ok:
        caveats.append(f"Key drivers over the last {months} months: insufficient data ({analysis.reason}).")
    else:
        caveats.append(
            f"Key drivers use the {analysis.n} complete responses of the last {months} months "
            f"(R² = {analysis.r2:.2f}, {analysis.se_type} standard errors)."
        )
    caveats.extend(f"Model warning: {w}" for w in analysis.warnings)
    nps_answers = int(window["likelihood_to_recommend"].notna().sum())
    if nps_answers < len(window):
        caveats.append(
            f"{len(window) - nps_answers} of {len(window)} responses in the window skipped the NPS question."
        )
    caveats.append(
        "Changes are called significant at the 95% level, one test at a time "
        "(no correction for the number of comparisons)."
    )
    return caveats


def header_html(report: ClientReport) -> str:
    """The title and the one-line description of the report (escaped)."""
    return render(
        "header.html.j2",
        name=report.client_name,
        kind="Internal client" if report.client_type == "internal" else "Client",
        client_id=report.client_id,
        period=report.period,
        n=report.n,
        window_n=len(report.responses),
        as_of=f"{report.as_of:%Y-%m-%d}",
    )


def headline_cards_html(report: ClientReport) -> str:
    """NPS, CSAT and mean overall as cards: value, 95% CI, and the change against the previous
    period and the other clients (green or red when significant)."""
    h = report.headline
    scale = report.survey.overall_scale
    cards = [
        ("NPS", fmt(h.nps.score, 0, signed=True), h.nps, 0, 0, "", "nps"),
        (f"CSAT (top-{scale.top_box}-box)", fmt(h.csat.score, 0, "%"), h.csat, 0, 1, " pts", "csat"),
        (f"Mean overall ({scale})", fmt(h.mean_overall.score, 2), h.mean_overall, 2, 2, "", "mean"),
    ]
    shown = []
    for label, value, result, ci_digits, digits, unit, key in cards:
        lines = []
        for comparison in (report.vs_previous[key], report.vs_portfolio[key]):
            css = ""
            if comparison.significant:
                css = "ci-up" if comparison.difference.estimate > 0 else "ci-down"
            lines.append({"css": css, "text": comparison.text(digits, unit)})
        ci = f"95% CI {fmt(result.ci_low, ci_digits)} to {fmt(result.ci_high, ci_digits)}"
        shown.append({"label": label, "value": value, "ci": ci, "lines": lines})
    return render("headline_cards.html.j2", cards=shown)


def scorecard_table(report: ClientReport) -> pd.DataFrame:
    """The period's scorecard, one row per component, for people."""
    rows = report.scorecard[report.scorecard["period"] == report.period]
    table = pd.DataFrame(
        {
            "Component": [report.survey.label(c) for c in rows["component"]],
            "Mean": rows["mean"].round(2).to_numpy(),
            "n": rows["n"].to_numpy(),
            "Top-2-box %": rows["top2"].round(0).to_numpy(),
            "Change": rows["change"].round(2).to_numpy(),
            "p": rows["p_value"].round(3).to_numpy(),
            "Significant": np.where(rows["significant"].fillna(False).astype(bool), "yes", ""),
            "Rank among clients": [
                f"{r} of {n}" if pd.notna(r) else "–" for r, n in zip(rows["rank"], rows["rank_of"])
            ],
        }
    )
    return table


def headline_findings(report: ClientReport) -> list[str]:
    """Plain sentences about significant changes only (95%)."""
    found = []
    names = {
        "nps": ("NPS", 0, " points"),
        "csat": ("CSAT", 0, " points"),
        "mean": ("Mean overall satisfaction", 2, ""),
    }
    for key, (name, digits, unit) in names.items():
        for comparison in (report.vs_previous[key], report.vs_portfolio[key]):
            if comparison.significant:
                d = comparison.difference
                direction = "higher" if d.estimate > 0 else "lower"
                found.append(
                    f"{name} is {abs(d.estimate):.{digits}f}{unit} {direction} than {comparison.baseline} "
                    f"(95% CI {d.ci_low:+.{digits}f} to {d.ci_high:+.{digits}f})."
                )
    return found


def comments_html(
    responses: pd.DataFrame,
    period: pd.Period,
    *,
    min_comments: int = 5,
    lookback: int = 3,
    per_group: int = 8,
) -> str:
    """Recent comments grouped by promoter, passive and detractor; no respondent identities."""
    with_text = responses[responses["comment"].fillna("").str.strip() != ""]
    recent = with_text[with_text["period"] == period]
    span = f"in {period}"
    if len(recent) < min_comments:
        recent = with_text[with_text["period"] > period - lookback]
        span = f"in the last {lookback} months"
    recent = recent.sort_values("submitted_at", ascending=False)
    score = recent["likelihood_to_recommend"]
    groups = [(label, recent[(score >= low) & (score <= high)]) for label, low, high in NPS_GROUPS]
    groups.append(("Did not answer the NPS question", recent[score.isna()]))
    shown = [
        {
            "label": label,
            "count": len(group),
            "comments": [
                {"text": text, "date": f"{when:%Y-%m-%d}"}
                for text, when in zip(group["comment"].head(per_group), group["submitted_at"].head(per_group))
            ],
            "more": max(len(group) - per_group, 0),
        }
        for label, group in groups
        if not group.empty
    ]
    return render("comments.html.j2", total=len(recent), span=span, groups=shown)


def index_summary(report: ClientReport) -> dict:
    """Pre-formatted headline figures for the index page (the runner shows them as given)."""
    h = report.headline
    nps_change = report.vs_previous["nps"]
    mean_change = report.vs_previous["mean"]
    dropped = any(c.significant and c.difference.estimate < 0 for c in (nps_change, mean_change))
    return {
        "client_id": report.client_id,
        "period": str(report.period),
        "figures": [
            {"label": "Responses", "value": str(report.n)},
            {
                "label": "NPS",
                "value": fmt(h.nps.score, 0, signed=True),
                "detail": f"95% CI {fmt(h.nps.ci_low, 0)} to {fmt(h.nps.ci_high, 0)}",
            },
            {
                "label": "CSAT",
                "value": fmt(h.csat.score, 0, "%"),
                "detail": f"95% CI {fmt(h.csat.ci_low, 0)} to {fmt(h.csat.ci_high, 0)}",
            },
            {
                "label": "Mean overall",
                "value": fmt(h.mean_overall.score, 2),
                "detail": f"95% CI {fmt(h.mean_overall.ci_low, 2)} to {fmt(h.mean_overall.ci_high, 2)}",
            },
            {"label": "vs previous", "value": "significant drop" if dropped else "–", "flag": dropped},
        ],
    }


# --------------------------------------------------------------------------- sections that display themselves


@dataclass(frozen=True, repr=False)
class HeaderSection(Section):
    """The report's title line (:func:`header_html`)."""

    report: ClientReport

    def html(self) -> str:
        return header_html(self.report)


NO_CHANGE = "No significant change against the previous period or the other clients (95% level)."


@dataclass(frozen=True, repr=False)
class HeadlineSection(Section):
    """The headline cards and the significant changes in words (or ``no_change``)."""

    report: ClientReport
    no_change: str = NO_CHANGE

    def html(self) -> str:
        return headline_cards_html(self.report) + findings_html(
            headline_findings(self.report), empty=self.no_change
        )


@dataclass(frozen=True, repr=False)
class ScorecardSection(Section):
    """The period's scorecard table (:func:`scorecard_table`), or a note when there is none."""

    report: ClientReport

    def html(self) -> str:
        table = "" if self.report.scorecard.empty else table_html(scorecard_table(self.report))
        return render("scorecard.html.j2", table=table)


@dataclass(frozen=True, repr=False)
class CommentsSection(Section):
    """Voice of the client: the recent comments of the report's responses (:func:`comments_html`)."""

    report: ClientReport

    def html(self) -> str:
        return comments_html(self.report.responses, self.report.period)


@dataclass(frozen=True, repr=False)
class CaveatsSection(Section):
    """A report's caveats as a list (:func:`insights.reporting.html.caveats_html`)."""

    caveats: Sequence[str]

    def html(self) -> str:
        return caveats_html(self.caveats)
