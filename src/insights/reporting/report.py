"""What the report notebooks show: results assembled per section, and their escaped HTML.

The notebooks stay a thin story: each section is one call here, one figure from
:mod:`insights.reporting.plots`, and a few words.  Every piece of untrusted text (client names, comments,
ids) passes through :func:`html.escape` before it reaches a page.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from insights.data.survey import SurveyDefinition
from insights.stats import drivers as drivers_mod
from insights.stats import metrics

MIN_CELL = 5  # cells with fewer responses are flagged, not trusted
NPS_GROUPS = (("Promoters (9-10)", 9, 10), ("Passives (7-8)", 7, 8), ("Detractors (0-6)", 0, 6))
ALPHA = 0.05


# --- comparisons ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """One headline figure against a baseline (the previous period, or the rest of the portfolio)."""

    label: str
    baseline: str
    difference: metrics.Difference | None

    @property
    def significant(self) -> bool:
        d = self.difference
        return d is not None and not math.isnan(d.p_value) and d.p_value < ALPHA

    def text(self, digits: int, unit: str = "") -> str:
        d = self.difference
        if d is None or math.isnan(d.estimate):
            return f"no {self.baseline} figure to compare"
        mark = " (significant)" if self.significant else " (not significant)"
        return f"{d.estimate:+.{digits}f}{unit} vs {self.baseline}{mark}"


def _top_box_mean(df: pd.DataFrame, survey: SurveyDefinition) -> metrics.MeanResult:
    # CSAT as the mean of a 0/100 indicator, so the Welch comparison of means applies to it.
    column = df["overall_satisfaction"]
    indicator = (column >= survey.overall_scale.top_box_threshold).astype(float) * 100
    return metrics.mean_score(pd.DataFrame({"top": indicator.where(column.notna())}), "top")


def compare_headlines(
    current: pd.DataFrame, baseline: pd.DataFrame, survey: SurveyDefinition, baseline_name: str
) -> dict[str, Comparison]:
    """NPS (z test), CSAT and mean overall (Welch t) of ``current`` against ``baseline``."""
    if baseline.empty or current.empty:
        return {key: Comparison(key, baseline_name, None) for key in ("nps", "csat", "mean")}
    return {
        "nps": Comparison(
            "NPS", baseline_name, metrics.compare_nps(metrics.nps(current), metrics.nps(baseline))
        ),
        "csat": Comparison(
            "CSAT",
            baseline_name,
            metrics.compare_means(_top_box_mean(current, survey), _top_box_mean(baseline, survey)),
        ),
        "mean": Comparison(
            "Mean overall",
            baseline_name,
            metrics.compare_means(metrics.mean_score(current), metrics.mean_score(baseline)),
        ),
    }


# --- the client report ----------------------------------------------------------------------------


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


# --- HTML pieces ------------------------------------------------------------------------------------


def esc(value: object) -> str:
    """Escape untrusted text for HTML (quotes included)."""
    return html.escape(
        "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value), quote=True
    )


def _fmt(value: float, digits: int, unit: str = "", signed: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:+.{digits}f}{unit}" if signed else f"{value:.{digits}f}{unit}"


def header_html(report: ClientReport) -> str:
    kind = "Internal client" if report.client_type == "internal" else "Client"
    return (
        f"<h1>{esc(report.client_name)}</h1>"
        f"<p class='ci-note'>{kind} <code>{esc(report.client_id)}</code> · period <strong>{report.period}</strong> · "
        f"{report.n} response(s) this period, {len(report.responses)} over the trend window · "
        f"data as of {report.as_of:%Y-%m-%d}</p>"
    )


def headline_cards_html(report: ClientReport) -> str:
    h = report.headline
    cards = [
        ("NPS", _fmt(h.nps.score, 0, signed=True), h.nps.ci_low, h.nps.ci_high, 0, "", "nps"),
        (
            f"CSAT (top-{report.survey.overall_scale.top_box}-box)",
            _fmt(h.csat.score, 0, "%"),
            h.csat.ci_low,
            h.csat.ci_high,
            1,
            " pts",
            "csat",
        ),
        (
            f"Mean overall ({report.survey.overall_scale})",
            _fmt(h.mean_overall.score, 2),
            h.mean_overall.ci_low,
            h.mean_overall.ci_high,
            2,
            "",
            "mean",
        ),
    ]
    parts = []
    for label, value, low, high, digits, unit, key in cards:
        ci_digits = 2 if key == "mean" else 0
        ci = f"95% CI {_fmt(low, ci_digits)} to {_fmt(high, ci_digits)}"
        lines = []
        for comparison in (report.vs_previous[key], report.vs_portfolio[key]):
            css = ""
            if comparison.significant:
                css = "ci-up" if comparison.difference.estimate > 0 else "ci-down"
            lines.append(f"<div class='ci-note {css}'>{esc(comparison.text(digits, unit))}</div>")
        parts.append(
            f"<div class='ci-card'><div class='ci-label'>{esc(label)}</div><div class='ci-value'>{value}</div>"
            f"<div class='ci-note'>{ci}</div>{''.join(lines)}</div>"
        )
    return f"<div class='ci-card-row'>{''.join(parts)}</div>"


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


def table_html(frame: pd.DataFrame, *, caption: str | None = None) -> str:
    """A readable, escaped HTML table (no index, NaN as a dash)."""
    styled = frame.to_html(
        index=False,
        escape=True,
        na_rep="–",
        border=0,
        classes="ci-table",
        float_format=lambda v: f"{v:,.2f}".rstrip("0").rstrip("."),
    )
    cap = f"<p class='ci-note'>{esc(caption)}</p>" if caption else ""
    return cap + styled


def findings_html(
    findings: Sequence[str], empty: str = "Nothing can be claimed with confidence from these data."
) -> str:
    if not findings:
        return f"<p class='ci-note'>{esc(empty)}</p>"
    return "<ul>" + "".join(f"<li>{esc(f)}</li>" for f in findings) + "</ul>"


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
    if recent.empty:
        return f"<p class='ci-note'>No comments {span}.</p>"
    parts = [f"<p class='ci-note'>{len(recent)} comment(s) {span}, newest first.</p>"]
    recent = recent.sort_values("submitted_at", ascending=False)
    score = recent["likelihood_to_recommend"]
    groups = [(label, recent[(score >= low) & (score <= high)]) for label, low, high in NPS_GROUPS]
    groups.append(("Did not answer the NPS question", recent[score.isna()]))
    for label, group in groups:
        if group.empty:
            continue
        items = "".join(
            f"<div class='ci-comment'>{esc(text)}<div class='ci-note'>{when:%Y-%m-%d}</div></div>"
            for text, when in zip(group["comment"].head(per_group), group["submitted_at"].head(per_group))
        )
        more = f"<p class='ci-note'>and {len(group) - per_group} more</p>" if len(group) > per_group else ""
        parts.append(f"<h3>{esc(label)} ({len(group)})</h3>{items}{more}")
    return "".join(parts)


def caveats_html(caveats: Sequence[str]) -> str:
    return "<ul class='ci-note'>" + "".join(f"<li>{esc(c)}</li>" for c in caveats) + "</ul>"


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
                "value": _fmt(h.nps.score, 0, signed=True),
                "detail": f"95% CI {_fmt(h.nps.ci_low, 0)} to {_fmt(h.nps.ci_high, 0)}",
            },
            {
                "label": "CSAT",
                "value": _fmt(h.csat.score, 0, "%"),
                "detail": f"95% CI {_fmt(h.csat.ci_low, 0)} to {_fmt(h.csat.ci_high, 0)}",
            },
            {
                "label": "Mean overall",
                "value": _fmt(h.mean_overall.score, 2),
                "detail": f"95% CI {_fmt(h.mean_overall.ci_low, 2)} to {_fmt(h.mean_overall.ci_high, 2)}",
            },
            {"label": "vs previous", "value": "significant drop" if dropped else "–", "flag": dropped},
        ],
    }


# --- the portfolio report -------------------------------------------------------------------------


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


def _window(df: pd.DataFrame, end: pd.Period, months: int) -> pd.DataFrame:
    return df[(df["period"] > end - months) & (df["period"] <= end)]


def league_table(window: pd.DataFrame, survey: SurveyDefinition) -> pd.DataFrame:
    """Per client: responses, NPS, CSAT and mean overall with 95% CIs."""
    rows = []
    scale = survey.overall_scale
    for client_id, group in window.groupby(window["client_id"].astype(str), sort=True):
        h = metrics.summary(group, scale_max=scale.max, top_box=scale.top_box)
        rows.append(
            {
                "client_id": client_id,
                "client_name": str(group["client_name"].iloc[0]),
                "client_type": str(group["client_type"].iloc[0]),
                "n": h.n,
                "nps": h.nps.score,
                "nps_low": h.nps.ci_low,
                "nps_high": h.nps.ci_high,
                "csat": h.csat.score,
                "csat_low": h.csat.ci_low,
                "csat_high": h.csat.ci_high,
                "mean": h.mean_overall.score,
                "mean_low": h.mean_overall.ci_low,
                "mean_high": h.mean_overall.ci_high,
            }
        )
    return pd.DataFrame(rows)


GROUP_COMPONENT_LABELS = {"csat": "CSAT (top-box %)", "nps": "NPS"}


def _per_response(group: pd.DataFrame, component: str, survey: SurveyDefinition) -> pd.Series:
    """One value per response whose mean is the component's figure: ratings as they are; CSAT as
    0/100 (top box or not); NPS as +100 (promoter), 0 (passive), -100 (detractor)."""
    if component == "nps":
        ltr = group["likelihood_to_recommend"]
        return pd.Series(
            np.select([ltr >= metrics.PROMOTER_MIN, ltr <= metrics.DETRACTOR_MAX], [100.0, -100.0], 0.0),
            index=group.index,
        ).where(ltr.notna())
    if component == "csat":
        overall = group["overall_satisfaction"]
        return (
            (overall >= survey.overall_scale.top_box_threshold).astype(float).mul(100).where(overall.notna())
        )
    return group[component].astype(float)


def compare_groups(
    window: pd.DataFrame, survey: SurveyDefinition, by: str = "client_type"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Internal against external clients: each component, CSAT and NPS per group with 95% CIs, and a
    test of the difference (internal minus external).

    The responses of one client are not independent (the same people, the same account team), so
    the intervals and the test of record are clustered by client
    (:func:`insights.stats.clustered.clustered_mean`, :func:`insights.stats.clustered.clustered_difference`: CR1
    standard errors, t on Welch-Satterthwaite degrees of freedom over the clients); with six
    internal clients they are much wider than a test that treats every response as independent,
    whose p-value is kept as ``p_responses`` for comparison only.

    ``table``: ``component, group, n, clients, estimate, ci_low, ci_high``; ``tests``:
    ``component, difference, ci_low, ci_high, p, test, significant, p_responses``.
    """
    from insights.stats import clustered

    components = ["overall_satisfaction", *[d for d in survey.driver_names if d in window.columns]]
    levels = [lvl for lvl in ("internal", "external") if (window[by].astype(str) == lvl).any()]
    table, tests = [], []
    for component in [*components, "csat", "nps"]:
        label = GROUP_COMPONENT_LABELS.get(component) or survey.label(component)
        results, naive = {}, {}
        for level in levels:
            group = window[window[by].astype(str) == level]
            results[level] = clustered.clustered_mean(
                _per_response(group, component, survey), group["client_id"]
            )
            naive[level] = (
                metrics.nps(group)
                if component == "nps"
                else _top_box_mean(group, survey)
                if component == "csat"
                else metrics.mean_score(group, component)
            )
            r = results[level]
            table.append(
                {
                    "component": label,
                    "group": level,
                    "n": r.n,
                    "clients": r.clusters,
                    "estimate": r.score,
                    "ci_low": r.ci_low,
                    "ci_high": r.ci_high,
                }
            )
        if len(levels) == 2:
            first, second = levels
            diff = clustered.clustered_difference(results[first], results[second])
            plain = (metrics.compare_nps if component == "nps" else metrics.compare_means)(
                naive[first], naive[second]
            )
            tests.append(
                {
                    "component": label,
                    "difference": diff.estimate,
                    "ci_low": diff.ci_low,
                    "ci_high": diff.ci_high,
                    "p": diff.p_value,
                    "test": diff.test,
                    "significant": bool(diff.p_value < ALPHA),
                    "p_responses": plain.p_value,
                }
            )
    return pd.DataFrame(table), pd.DataFrame(tests)


def movers(df: pd.DataFrame, end: pd.Period, *, months: int = 3) -> pd.DataFrame:
    """Change in mean overall satisfaction: the last ``months`` against the ``months`` before (Welch t)."""
    recent = _window(df, end, months)
    before = _window(df, end - months, months)
    rows = []
    for client_id, group in recent.groupby(recent["client_id"].astype(str), sort=True):
        earlier = before[before["client_id"].astype(str) == client_id]
        if len(group) < 2 or len(earlier) < 2:
            continue
        diff = metrics.compare_means(metrics.mean_score(group), metrics.mean_score(earlier))
        rows.append(
            {
                "client_id": client_id,
                "client_name": str(group["client_name"].iloc[0]),
                "client_type": str(group["client_type"].iloc[0]),
                "n_recent": len(group),
                "n_before": len(earlier),
                "change": diff.estimate,
                "ci_low": diff.ci_low,
                "ci_high": diff.ci_high,
                "p": diff.p_value,
                "significant": bool(diff.p_value < ALPHA),
            }
        )
    frame = pd.DataFrame(rows)
    return frame.sort_values("change", key=lambda s: s.abs(), ascending=False) if len(frame) else frame


def portfolio_report(
    df: pd.DataFrame,
    period: pd.Period | str,
    *,
    months: int = 12,
    league_months: int = 3,
    survey: SurveyDefinition | None = None,
    n_boot: int = 100,
) -> PortfolioReport:
    """Compute the portfolio report for ``period``; the league table covers the last ``league_months``."""
    survey = survey or SurveyDefinition.default()
    period = pd.Period(period, "M")
    upto = df[df["period"] <= period]
    league = league_table(_window(upto, period, league_months), survey)
    window = _window(upto, period, months)
    by_type, type_tests = compare_groups(window, survey)
    drivers_present = [d for d in survey.driver_names if d in df.columns]
    analysis = drivers_mod.key_drivers(
        window, drivers_present, cluster="client_id", n_boot=n_boot, labels=survey.drivers
    )
    moved = movers(upto, period, months=league_months)
    portfolio_mean = metrics.mean_score(_window(upto, period, league_months))
    at_risk = _at_risk(league, moved, portfolio_mean.score)
    caveats = [
        f"League table, movers and risks use the last {league_months} months "
        f"({period - league_months + 1} to {period}); "
        f"types and drivers use the last {months} months.",
        f"Drivers across clients: {analysis.n} complete responses, cluster-robust standard errors by client"
        + (f" ({analysis.n_clusters} clients)." if analysis.n_clusters else "."),
        *[f"Model warning: {w}" for w in analysis.warnings],
        "Each test is at the 95% level on its own; "
        "with many clients a few 'significant' results are expected by chance.",
    ]
    if not analysis.ok:
        caveats.append(f"Drivers across clients: insufficient data ({analysis.reason}).")
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
        at_risk,
        caveats,
    )


def _at_risk(league: pd.DataFrame, moved: pd.DataFrame, portfolio_mean: float) -> pd.DataFrame:
    """Clients with a significant drop, a mean CI entirely below the portfolio mean, or an NPS CI below zero."""
    if league.empty:
        return league
    reasons: dict[str, list[str]] = {}
    for row in league.itertuples():
        if pd.notna(row.mean_high) and row.mean_high < portfolio_mean:
            reasons.setdefault(row.client_id, []).append(
                f"mean {row.mean:.2f} (95% CI {row.mean_low:.2f} to {row.mean_high:.2f}) "
                f"below the portfolio's {portfolio_mean:.2f}"
            )
        if pd.notna(row.nps_high) and row.nps_high < 0:
            reasons.setdefault(row.client_id, []).append(
                f"NPS {row.nps:+.0f} (95% CI up to {row.nps_high:+.0f})"
            )
    if len(moved):
        for row in moved[moved["significant"] & (moved["change"] < 0)].itertuples():
            reasons.setdefault(row.client_id, []).append(
                f"mean fell {abs(row.change):.2f} (95% CI {row.ci_low:+.2f} to {row.ci_high:+.2f})"
            )
    names = league.set_index("client_id")
    rows = [
        {
            "client_id": cid,
            "client_name": names.at[cid, "client_name"],
            "client_type": names.at[cid, "client_type"],
            "n": int(names.at[cid, "n"]),
            "mean": names.at[cid, "mean"],
            "why": "; ".join(why),
        }
        for cid, why in reasons.items()
    ]
    frame = pd.DataFrame(rows, columns=["client_id", "client_name", "client_type", "n", "mean", "why"])
    return frame.sort_values("mean").reset_index(drop=True)


def portfolio_summary(report: PortfolioReport) -> dict:
    return {
        "period": str(report.period),
        "clients": int(len(report.league)),
        "at_risk": int(len(report.at_risk)),
        "figures": [],
    }


def _ci_text(low: float, high: float, digits: int, signed: bool = False) -> str:
    return f"{_fmt(low, digits, signed=signed)} to {_fmt(high, digits, signed=signed)}"


def league_display(league: pd.DataFrame) -> pd.DataFrame:
    """The league table for people: sorted by mean overall, CIs as text."""
    data = league.sort_values("mean", ascending=False)
    return pd.DataFrame(
        {
            "Client": data["client_name"],
            "Type": data["client_type"],
            "n": data["n"],
            "NPS": [_fmt(v, 0, signed=True) for v in data["nps"]],
            "NPS 95% CI": [_ci_text(lo, hi, 0, True) for lo, hi in zip(data["nps_low"], data["nps_high"])],
            "CSAT %": [_fmt(v, 0) for v in data["csat"]],
            "Mean overall": [_fmt(v, 2) for v in data["mean"]],
            "Mean 95% CI": [_ci_text(lo, hi, 2) for lo, hi in zip(data["mean_low"], data["mean_high"])],
        }
    )


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
            f"{_fmt(e, d)} ({_ci_text(lo, hi, d)}), n={n} from {k} clients"
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
            f"{_fmt(d, k, signed=True)} ({_ci_text(lo, hi, k, True)})"
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
            "Mean overall": [_fmt(v, 2) for v in risk["mean"]],
            "Why": risk["why"],
        }
    )


def movers_display(report: PortfolioReport, top: int = 10) -> pd.DataFrame:
    moved = report.movers.head(top)
    if moved.empty:
        return pd.DataFrame({"Client": []})
    return pd.DataFrame(
        {
            "Client": moved["client_name"],
            "Type": moved["client_type"],
            "n (recent / before)": [f"{a} / {b}" for a, b in zip(moved["n_recent"], moved["n_before"])],
            "Change in mean": [_fmt(v, 2, signed=True) for v in moved["change"]],
            "95% CI": [_ci_text(lo, hi, 2, True) for lo, hi in zip(moved["ci_low"], moved["ci_high"])],
            "p": [f"{p:.3g}" for p in moved["p"]],
            "Significant": np.where(moved["significant"], "yes", ""),
        }
    )


# --- people, perception gaps and the follow-up list ------------------------------------------------

#: Business days (Monday to Friday; public holidays are not known) to call a detractor back.
CALL_BACK_DAYS = 2
#: Business days to check in with a contact whose ratings fell (and who is not a detractor).
CHECK_IN_DAYS = 5
CONTACTS_MISSING = (
    "No contact list was given (insights run --contacts FILE): people by role and contact, their "
    "preferred channels and the primary contact are not shown. Detractors to call back are still in "
    "the follow-up list, by pseudonym."
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


@dataclass(frozen=True)
class PeopleSection:
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

    def who(self, row) -> str:
        return who(row["name"], row["pseudonym"], self.show_names)


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
) -> PeopleSection:
    """Compute the People section of a client report (works without a contact list too: then the
    people are the respondents of the responses, for the follow-up list)."""
    from insights.stats import people

    survey = survey or SurveyDefinition.default()
    period = pd.Period(period, "M")
    mine = df[df["client_id"].astype(str) == str(client_id)]
    listed = None
    notes = []
    if contacts is not None:
        listed = contacts[contacts["client_id"].astype(str) == str(client_id)]
        if listed.empty:
            notes.append("The contact list has nobody for this client.")
    scores = people.contact_scores(mine, listed, period=period, months=months, survey=survey, key=key)
    by_role = people.scores_by_role(mine, scores, period=period, months=months, survey=survey)
    if contacts is not None and len(scores):
        unlisted = scores[~scores["in_contact_list"]]
        silent = scores[scores["in_contact_list"] & (scores["responses"] == 0)]
        if len(unlisted):
            notes.append(
                f"{len(unlisted)} respondent(s) of the last {months} months are not in the contact list "
                "(shown with the role they answered under, if any)."
            )
        if len(silent):
            notes.append(f"{len(silent)} listed contact(s) did not answer in the last {months} months.")
    tested = int(scores["p_value"].notna().sum()) if len(scores) else 0
    if tested:
        notes.append(
            f"'Ratings fell' compares each person's answers in {period} with their own earlier answers "
            f"(t test at the 5% level, a fall of at least {people.MIN_FALL:g} points); {tested} people could "
            f"be tested, so about {tested * 0.025:.1f} would be flagged by chance alone."
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
    )


def _preference(channel: str, detail: str) -> str:
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
        flags.append(f"no answers in {row.get('_months', 12)} months")
    return "; ".join(flags)


def flagged_sentences(section: PeopleSection) -> list[str]:
    """Who needs attention, in words: new detractors and significant falls."""
    found = []
    for _, row in section.flagged.iterrows():
        person = f"{section.who(row)} ({row['role']})"
        if row["new_detractor"]:
            found.append(
                f"{person} became a detractor: {row['latest_ltr']:.0f} out of 10 in {section.period}, after "
                f"{row['previous_ltr']:.0f} before."
            )
        if row["fell"]:
            found.append(
                f"{person}: ratings fell {abs(row['change']):.2f} points in {section.period} "
                f"({row['recent_rating']:.2f} against {row['earlier_rating']:.2f} before, p = {row['p_value']:.3f})."
            )
    scores = section.scores
    for _, row in (
        scores[scores["detractor_now"] & ~scores["new_detractor"]].iterrows() if len(scores) else []
    ):
        before = "" if math.isnan(row["previous_ltr"]) else f" ({row['previous_ltr']:.0f} before)"
        found.append(
            f"{section.who(row)} ({row['role']}) is a detractor: {row['latest_ltr']:.0f} out of 10 in "
            f"{section.period}{before}."
        )
    return found


def people_html(section: PeopleSection) -> str:
    """The People section: primary contact, who needs attention, by role, by contact (escaped;
    names only with ``show_names``, otherwise roles and pseudonyms)."""
    if not section.contacts_given:
        return f"<p class='ci-note'>{esc(CONTACTS_MISSING)}</p>"
    parts = []
    primary = section.primary
    if primary is not None:
        from insights.stats.people import pseudonym

        row = section.scores[section.scores["respondent_id"] == str(primary["respondent_id"])]
        alias = row["pseudonym"].iloc[0] if len(row) else pseudonym(primary["respondent_id"])
        parts.append(
            f"<p><strong>Primary contact:</strong> {esc(who(primary['name'], alias, section.show_names))} "
            f"({esc(primary['role'])}), {esc(_preference(primary['preferred_channel'], primary['detail_level']))}.</p>"
        )
    else:
        parts.append("<p><strong>Primary contact:</strong> the contact list names none for this client.</p>")
    if section.scores.empty:
        parts.append("<p class='ci-note'>Nobody to show for this client.</p>")
        return "".join(parts)
    parts.append("<h3>Needs attention</h3>")
    parts.append(
        findings_html(
            flagged_sentences(section),
            empty=f"Nobody became a detractor in {section.period} and nobody's ratings fell significantly.",
        )
    )
    roles = section.by_role
    parts.append("<h3>By role</h3>")
    parts.append(
        table_html(
            pd.DataFrame(
                {
                    "Role": roles["role"],
                    "People": roles["people"],
                    "Answered": roles["answered"],
                    f"Responses ({section.months} months)": roles["responses"],
                    "Mean overall (95% CI)": [
                        f"{_fmt(m, 2)} ({_ci_text(lo, hi, 2)})"
                        for m, lo, hi in zip(roles["mean_overall"], roles["ci_low"], roles["ci_high"])
                    ],
                    "NPS": [_fmt(v, 0, signed=True) for v in roles["nps"]],
                    "Latest overall (mean of people)": [_fmt(v, 2) for v in roles["latest_overall"]],
                    f"Detractors in {section.period}": roles["detractors_now"],
                }
            )
        )
    )
    scores = section.scores
    parts.append("<h3>By contact</h3>")
    parts.append(
        table_html(
            pd.DataFrame(
                {
                    "Contact": [section.who(r) for _, r in scores.iterrows()],
                    "Role": scores["role"],
                    "Primary": np.where(scores["primary"], "yes", ""),
                    "Channel": scores["preferred_channel"],
                    "Detail": scores["detail_level"],
                    "Responses": scores["responses"],
                    "Last answered": [
                        f"{t:%Y-%m-%d}" if pd.notna(t) else "–" for t in scores["last_answered"]
                    ],
                    "Latest overall": [_fmt(v, 0) for v in scores["latest_overall"]],
                    "Latest NPS answer": [
                        f"{_ltr_text(v)} ({g})" if g else "–"
                        for v, g in zip(scores["latest_ltr"], scores["latest_group"])
                    ],
                    "Status": [_status({**r, "_months": section.months}) for _, r in scores.iterrows()],
                }
            ),
            caption=f"Responses, last answer and latest scores over the last {section.months} months; the primary "
            "contact first. Overall satisfaction on the overall scale, NPS answers 0-10.",
        )
    )
    counts = scores[scores["in_contact_list"]].groupby(["preferred_channel", "detail_level"]).size()
    if len(counts):
        text = "; ".join(
            f"{n} {_preference(c, d)}" for (c, d), n in counts.sort_values(ascending=False).items()
        )
        parts.append(f"<p class='ci-note'>How they want to hear from us: {esc(text)}.</p>")
    if section.notes:
        parts.append(caveats_html(section.notes))
    return "".join(parts)


@dataclass(frozen=True)
class GapSection:
    """The team's self-assessment against the client's ratings, for one client."""

    client_id: str
    period: pd.Period  # the report period
    assessed: pd.Period | None  # the self-assessment month used
    months: int
    given: bool
    gaps: pd.DataFrame
    note: str | None = None


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
    period = pd.Period(period, "M")
    months = months or perception.GAP_MONTHS
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
            f"The self-assessment has no ratings for this client up to {period}.",
        )
    assessed = mine["period"].max()
    gaps = perception.perception_gaps(
        df, mine, client=str(client_id), period=assessed, months=months, survey=survey
    )
    note = None if assessed == period else f"The latest self-assessment for this client is of {assessed}."
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
        return f"<p class='ci-note'>{esc(section.note)}</p>"
    gaps = section.gaps
    first = section.assessed - (section.months - 1)
    span = f"{section.assessed}" if section.months == 1 else f"{first} to {section.assessed}"
    table = pd.DataFrame(
        {
            "Component": gaps["label"],
            "Team (self)": [_fmt(v, 1) for v in gaps["self"]],
            "Client mean (95% CI)": [
                f"{_fmt(c, 2)} ({_ci_text(lo, hi, 2)})"
                for c, lo, hi in zip(gaps["client"], gaps["client_ci_low"], gaps["client_ci_high"])
            ],
            "n": gaps["n"],
            "Gap (95% CI)": [
                f"{_fmt(g, 2, signed=True)} ({_ci_text(lo, hi, 2, True)})"
                for g, lo, hi in zip(gaps["gap"], gaps["ci_low"], gaps["ci_high"])
            ],
            "Blind spot": np.where(gaps["blind_spot"], "BLIND SPOT", ""),
        }
    )
    caption = (
        f"The team's self-assessment of {section.assessed} against the client's ratings from {span}. "
        "Gap = self minus the client's mean; its interval is the self-score minus the client mean's t interval "
        "(the self-score is a fixed number). A blind spot: the team rates itself at least one point above the "
        "client."
    )
    parts = [table_html(table, caption=caption), findings_html(gap_findings(section))]
    if section.note:
        parts.append(f"<p class='ci-note'>{esc(section.note)}</p>")
    return "".join(parts)


def reference_date(period: pd.Period | str, now: pd.Timestamp | None = None) -> pd.Timestamp:
    """The day follow-up dates count from: the end of the report period (the first day of the next
    month), or today if the month is not over -- the moment the "Service levels" section judges
    events at, so a past month's list is the same whenever it is rendered."""
    from insights.stats.as_of import period_as_of

    return period_as_of(period, now).tz_localize(None).normalize()


def _business_days(start: pd.Timestamp, days: int) -> pd.Timestamp:
    return pd.Timestamp(np.busday_offset(start.date(), days, roll="forward" if days == 0 else "backward"))


def _end_of_next_month(period: pd.Period) -> pd.Timestamp:
    last = (period + 1).end_time.normalize()
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
      discussed in the team, by the last business day of the next month.

    Columns: ``due`` (date), ``action``, ``who``, ``how``, ``why``, ``kind``; sorted by date.
    """
    moment = reference_date(report.period, now)
    items: list[dict] = []
    primary_text, primary_how = "the client's primary contact", ""
    if people_section is not None and people_section.primary is not None:
        from insights.stats.people import pseudonym

        p = people_section.primary
        match = people_section.scores[people_section.scores["respondent_id"] == str(p["respondent_id"])]
        alias = match["pseudonym"].iloc[0] if len(match) else pseudonym(p["respondent_id"])
        primary_text = f"{who(p['name'], alias, people_section.show_names)} ({p['role']}, primary contact)"
        primary_how = _preference(p["preferred_channel"], p["detail_level"])

    if people_section is not None and len(people_section.scores):
        scores = people_section.scores
        for _, row in scores[scores["detractor_now"]].iterrows():
            items.append(
                {
                    "kind": "detractor",
                    "due": _business_days(moment, CALL_BACK_DAYS),
                    "action": "Call back: listen, agree what will change, and say when"
                    + (" (new detractor)" if row["new_detractor"] else ""),
                    "who": f"{people_section.who(row)} ({row['role']})",
                    "how": _preference(row["preferred_channel"], row["detail_level"]),
                    "why": f"answered {row['latest_ltr']:.0f} of 10 on recommending us in {report.period}"
                    + (
                        f" (previously {row['previous_ltr']:.0f})"
                        if not math.isnan(row["previous_ltr"])
                        else ""
                    ),
                }
            )
        for _, row in scores[scores["fell"] & ~scores["detractor_now"]].iterrows():
            items.append(
                {
                    "kind": "falling contact",
                    "due": _business_days(moment, CHECK_IN_DAYS),
                    "action": "Check in: ask what changed",
                    "who": f"{people_section.who(row)} ({row['role']})",
                    "how": _preference(row["preferred_channel"], row["detail_level"]),
                    "why": f"ratings fell {abs(row['change']):.2f} points (p = {row['p_value']:.3f})",
                }
            )

    plan_due = _end_of_next_month(report.period)
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
                    f"performance {row.performance:.2f} "
                    "(below this client's average)",
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
    if events is not None and len(events):
        items.extend(_events_follow_up(events, report.client_id, moment))
    order = {
        "overdue event": 0,
        "detractor": 1,
        "falling contact": 2,
        "open event": 3,
        "fix first": 4,
        "blind spot": 5,
    }
    frame = pd.DataFrame(items, columns=["due", "action", "who", "how", "why", "kind"])
    if len(frame):
        frame = (
            frame.assign(_o=frame["kind"].map(order))
            .sort_values(["due", "_o"], kind="stable")
            .drop(columns="_o")
        )
    frame.attrs["reference"] = moment
    frame.attrs["drivers_ok"] = report.drivers.ok
    return frame.reset_index(drop=True)


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
    parts = []
    if items.empty:
        parts.append(
            "<p>Nothing to follow up: no Fix-first components, detractors or open service events.</p>"
        )
    else:
        parts.append(
            table_html(
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
        )
    if not items.attrs.get("drivers_ok", True):
        parts.append(
            "<p class='ci-note'>Key drivers could not be estimated for this client, so no Fix-first "
            "components are listed.</p>"
        )
    if rule:
        parts.append(f"<p class='ci-note'>{esc(rule)}</p>")
    return "".join(parts)


# --- the portfolio: perception gaps across clients --------------------------------------------------


def portfolio_gaps_html(
    df: pd.DataFrame,
    self_assessment: pd.DataFrame | None,
    period: pd.Period | str,
    *,
    survey: SurveyDefinition | None = None,
) -> str:
    """Across clients: per component the mean gap (each client's latest self-assessment up to
    ``period``) with a t interval over clients, and every blind spot."""
    from insights.stats import perception

    if self_assessment is None:
        return f"<p class='ci-note'>{esc(SELF_ASSESSMENT_MISSING)}</p>"
    period = pd.Period(period, "M")
    chosen = self_assessment[self_assessment["period"] <= period]
    if chosen.empty:
        return f"<p class='ci-note'>The self-assessment has no ratings up to {period}.</p>"
    latest = chosen.groupby("client_id")["period"].transform("max")
    gaps = perception.perception_gaps(df, chosen[chosen["period"] == latest], survey=survey)
    summary = perception.gap_summary(gaps)
    if summary.empty:
        return "<p class='ci-note'>No client ratings to set the self-assessment against.</p>"
    parts = [
        table_html(
            pd.DataFrame(
                {
                    "Component": summary["label"],
                    "Clients": summary["clients"],
                    "Team (self), mean": [_fmt(v, 2) for v in summary["self"]],
                    "Clients, mean": [_fmt(v, 2) for v in summary["client"]],
                    "Mean gap (95% CI over clients)": [
                        f"{_fmt(g, 2, signed=True)} ({_ci_text(lo, hi, 2, True)})"
                        for g, lo, hi in zip(summary["gap"], summary["ci_low"], summary["ci_high"])
                    ],
                    "Blind spots": summary["blind_spots"],
                }
            ),
            caption="Each client's latest self-assessment against its ratings over the three months to then; "
            "gap = self minus client.",
        )
    ]
    names = df.drop_duplicates("client_id").set_index(
        df.drop_duplicates("client_id")["client_id"].astype(str)
    )["client_name"]
    spots = gaps[gaps["blind_spot"]].sort_values("gap", ascending=False)
    if len(spots):
        parts.append("<h3>Blind spots</h3>")
        parts.append(
            table_html(
                pd.DataFrame(
                    {
                        "Client": [names.get(c, c) for c in spots["client_id"]],
                        "Month": spots["period"].astype(str),
                        "Component": spots["label"],
                        "Team (self)": [_fmt(v, 1) for v in spots["self"]],
                        "Client mean": [_fmt(v, 2) for v in spots["client"]],
                        "Gap (95% CI)": [
                            f"{_fmt(g, 2, signed=True)} ({_ci_text(lo, hi, 2, True)})"
                            for g, lo, hi in zip(spots["gap"], spots["ci_low"], spots["ci_high"])
                        ],
                    }
                )
            )
        )
    else:
        parts.append(
            "<p>No blind spots: the team's self-rating is never a point or more above a client's.</p>"
        )
    return "".join(parts)
