"""What the report notebooks show: results assembled per section, and their escaped HTML.

The notebooks stay a thin story: each section is one call here, one figure from
:mod:`insights.plots`, and a few words.  Every piece of untrusted text (client names, comments,
ids) passes through :func:`html.escape` before it reaches a page.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import drivers as drivers_mod
from . import metrics
from .survey import SurveyDefinition

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


def compare_headlines(current: pd.DataFrame, baseline: pd.DataFrame, survey: SurveyDefinition,
                      baseline_name: str) -> dict[str, Comparison]:
    """NPS (z test), CSAT and mean overall (Welch t) of ``current`` against ``baseline``."""
    if baseline.empty or current.empty:
        return {key: Comparison(key, baseline_name, None) for key in ("nps", "csat", "mean")}
    return {
        "nps": Comparison("NPS", baseline_name, metrics.compare_nps(metrics.nps(current), metrics.nps(baseline))),
        "csat": Comparison("CSAT", baseline_name,
                           metrics.compare_means(_top_box_mean(current, survey), _top_box_mean(baseline, survey))),
        "mean": Comparison("Mean overall", baseline_name,
                           metrics.compare_means(metrics.mean_score(current), metrics.mean_score(baseline))),
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


def client_report(df: pd.DataFrame, client_id: str, period: pd.Period | str, *, months: int = 12,
                  survey: SurveyDefinition | None = None, n_boot: int = 200) -> ClientReport:
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
    card = metrics.scorecard(df[df["period"] <= period], [*drivers_present, "overall_satisfaction"],
                             scale_max=scale.max, top_box=scale.top_box)
    ranked = card.groupby(["period", "component"], observed=True)["rank"].count().rename("rank_of")
    card = card[(card["client_id"].astype(str) == client_id) & (card["period"] >= first)]
    card = card.join(ranked, on=["period", "component"])
    trend_kw = dict(min_n=MIN_CELL, months=months, end=period)
    nps_trend = metrics.trend(mine, kind="nps", **trend_kw)
    overall_trend = metrics.trend(mine, "overall_satisfaction", kind="mean", **trend_kw)
    portfolio_trend = metrics.trend(df, "overall_satisfaction", kind="mean", **trend_kw)
    analysis = drivers_mod.key_drivers(window, drivers_present, cluster=None, n_boot=n_boot, labels=survey.drivers)

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
        vs_previous=compare_headlines(current, previous, survey, f"{previous_period}" if previous_period else "previous"),
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
        caveats.append(f"{small} of the last {months} months had fewer than {MIN_CELL} responses "
                       "(drawn hollow in the trends, hatched in the heat map).")
    if empty:
        caveats.append(f"{empty} of the last {months} months had no responses at all (gaps in the trends).")
    if previous_period is None:
        caveats.append("No earlier period to compare with.")
    if not analysis.ok:
        caveats.append(f"Key drivers over the last {months} months: insufficient data ({analysis.reason}).")
    else:
        caveats.append(f"Key drivers use the {analysis.n} complete responses of the last {months} months "
                       f"(R² = {analysis.r2:.2f}, {analysis.se_type} standard errors).")
    caveats.extend(f"Model warning: {w}" for w in analysis.warnings)
    nps_answers = int(window["likelihood_to_recommend"].notna().sum())
    if nps_answers < len(window):
        caveats.append(f"{len(window) - nps_answers} of {len(window)} responses in the window skipped the NPS question.")
    caveats.append("Changes are called significant at the 95% level, one test at a time "
                   "(no correction for the number of comparisons).")
    return caveats


# --- HTML pieces ------------------------------------------------------------------------------------


def esc(value: object) -> str:
    """Escape untrusted text for HTML (quotes included)."""
    return html.escape("" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value),
                       quote=True)


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
        (f"CSAT (top-{report.survey.overall_scale.top_box}-box)", _fmt(h.csat.score, 0, "%"), h.csat.ci_low,
         h.csat.ci_high, 1, " pts", "csat"),
        (f"Mean overall ({report.survey.overall_scale})", _fmt(h.mean_overall.score, 2), h.mean_overall.ci_low,
         h.mean_overall.ci_high, 2, "", "mean"),
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
    table = pd.DataFrame({
        "Component": [report.survey.label(c) for c in rows["component"]],
        "Mean": rows["mean"].round(2).to_numpy(),
        "n": rows["n"].to_numpy(),
        "Top-2-box %": rows["top2"].round(0).to_numpy(),
        "Change": rows["change"].round(2).to_numpy(),
        "p": rows["p_value"].round(3).to_numpy(),
        "Significant": np.where(rows["significant"].fillna(False).astype(bool), "yes", ""),
        "Rank among clients": [f"{r} of {n}" if pd.notna(r) else "–" for r, n in zip(rows["rank"], rows["rank_of"])],
    })
    return table


def table_html(frame: pd.DataFrame, *, caption: str | None = None) -> str:
    """A readable, escaped HTML table (no index, NaN as a dash)."""
    styled = frame.to_html(index=False, escape=True, na_rep="–", border=0, classes="ci-table",
                           float_format=lambda v: f"{v:,.2f}".rstrip("0").rstrip("."))
    cap = f"<p class='ci-note'>{esc(caption)}</p>" if caption else ""
    return cap + styled


def findings_html(findings: Sequence[str], empty: str = "Nothing can be claimed with confidence from these data.") -> str:
    if not findings:
        return f"<p class='ci-note'>{esc(empty)}</p>"
    return "<ul>" + "".join(f"<li>{esc(f)}</li>" for f in findings) + "</ul>"


def headline_findings(report: ClientReport) -> list[str]:
    """Plain sentences about significant changes only (95%)."""
    found = []
    names = {"nps": ("NPS", 0, " points"), "csat": ("CSAT", 0, " points"), "mean": ("Mean overall satisfaction", 2, "")}
    for key, (name, digits, unit) in names.items():
        for comparison in (report.vs_previous[key], report.vs_portfolio[key]):
            if comparison.significant:
                d = comparison.difference
                direction = "higher" if d.estimate > 0 else "lower"
                found.append(f"{name} is {abs(d.estimate):.{digits}f}{unit} {direction} than {comparison.baseline} "
                             f"(95% CI {d.ci_low:+.{digits}f} to {d.ci_high:+.{digits}f}).")
    return found


def comments_html(responses: pd.DataFrame, period: pd.Period, *, min_comments: int = 5, lookback: int = 3,
                  per_group: int = 8) -> str:
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
            {"label": "NPS", "value": _fmt(h.nps.score, 0, signed=True),
             "detail": f"95% CI {_fmt(h.nps.ci_low, 0)} to {_fmt(h.nps.ci_high, 0)}"},
            {"label": "CSAT", "value": _fmt(h.csat.score, 0, "%"),
             "detail": f"95% CI {_fmt(h.csat.ci_low, 0)} to {_fmt(h.csat.ci_high, 0)}"},
            {"label": "Mean overall", "value": _fmt(h.mean_overall.score, 2),
             "detail": f"95% CI {_fmt(h.mean_overall.ci_low, 2)} to {_fmt(h.mean_overall.ci_high, 2)}"},
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
        rows.append({
            "client_id": client_id, "client_name": str(group["client_name"].iloc[0]),
            "client_type": str(group["client_type"].iloc[0]), "n": h.n,
            "nps": h.nps.score, "nps_low": h.nps.ci_low, "nps_high": h.nps.ci_high,
            "csat": h.csat.score, "csat_low": h.csat.ci_low, "csat_high": h.csat.ci_high,
            "mean": h.mean_overall.score, "mean_low": h.mean_overall.ci_low, "mean_high": h.mean_overall.ci_high,
        })
    return pd.DataFrame(rows)


def compare_groups(window: pd.DataFrame, survey: SurveyDefinition, by: str = "client_type") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Scores per group with CIs, and a test of the difference between the first two groups."""
    components = ["overall_satisfaction", *[d for d in survey.driver_names if d in window.columns]]
    levels = [lvl for lvl in ("internal", "external") if (window[by].astype(str) == lvl).any()]
    table, tests = [], []
    for component in [*components, "nps"]:
        results = {}
        for level in levels:
            group = window[window[by].astype(str) == level]
            results[level] = metrics.nps(group) if component == "nps" else metrics.mean_score(group, component)
            r = results[level]
            table.append({"component": survey.label(component), "group": level, "n": r.n, "estimate": r.score,
                          "ci_low": r.ci_low, "ci_high": r.ci_high})
        if len(levels) == 2:
            first, second = results[levels[0]], results[levels[1]]
            diff = metrics.compare_nps(first, second) if component == "nps" else metrics.compare_means(first, second)
            tests.append({"component": survey.label(component), "difference": diff.estimate, "ci_low": diff.ci_low,
                          "ci_high": diff.ci_high, "p": diff.p_value, "test": diff.test,
                          "significant": bool(diff.p_value < ALPHA)})
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
        rows.append({"client_id": client_id, "client_name": str(group["client_name"].iloc[0]),
                     "client_type": str(group["client_type"].iloc[0]), "n_recent": len(group), "n_before": len(earlier),
                     "change": diff.estimate, "ci_low": diff.ci_low, "ci_high": diff.ci_high, "p": diff.p_value,
                     "significant": bool(diff.p_value < ALPHA)})
    frame = pd.DataFrame(rows)
    return frame.sort_values("change", key=lambda s: s.abs(), ascending=False) if len(frame) else frame


def portfolio_report(df: pd.DataFrame, period: pd.Period | str, *, months: int = 12, league_months: int = 3,
                     survey: SurveyDefinition | None = None, n_boot: int = 100) -> PortfolioReport:
    """Compute the portfolio report for ``period``; the league table covers the last ``league_months``."""
    survey = survey or SurveyDefinition.default()
    period = pd.Period(period, "M")
    upto = df[df["period"] <= period]
    league = league_table(_window(upto, period, league_months), survey)
    window = _window(upto, period, months)
    by_type, type_tests = compare_groups(window, survey)
    drivers_present = [d for d in survey.driver_names if d in df.columns]
    analysis = drivers_mod.key_drivers(window, drivers_present, cluster="client_id", n_boot=n_boot,
                                       labels=survey.drivers)
    moved = movers(upto, period, months=league_months)
    portfolio_mean = metrics.mean_score(_window(upto, period, league_months))
    at_risk = _at_risk(league, moved, portfolio_mean.score)
    caveats = [
        f"League table, movers and risks use the last {league_months} months ({period - league_months + 1} to {period}); "
        f"types and drivers use the last {months} months.",
        f"Drivers across clients: {analysis.n} complete responses, cluster-robust standard errors by client"
        + (f" ({analysis.n_clusters} clients)." if analysis.n_clusters else "."),
        *[f"Model warning: {w}" for w in analysis.warnings],
        "Each test is at the 95% level on its own; with many clients a few 'significant' results are expected by chance.",
    ]
    if not analysis.ok:
        caveats.append(f"Drivers across clients: insufficient data ({analysis.reason}).")
    return PortfolioReport(period, months, df["submitted_at"].max(), survey, window, league, by_type, type_tests,
                           analysis, moved, at_risk, caveats)


def _at_risk(league: pd.DataFrame, moved: pd.DataFrame, portfolio_mean: float) -> pd.DataFrame:
    """Clients with a significant drop, a mean CI entirely below the portfolio mean, or an NPS CI below zero."""
    if league.empty:
        return league
    reasons: dict[str, list[str]] = {}
    for row in league.itertuples():
        if pd.notna(row.mean_high) and row.mean_high < portfolio_mean:
            reasons.setdefault(row.client_id, []).append(
                f"mean {row.mean:.2f} (95% CI {row.mean_low:.2f} to {row.mean_high:.2f}) below the portfolio's {portfolio_mean:.2f}")
        if pd.notna(row.nps_high) and row.nps_high < 0:
            reasons.setdefault(row.client_id, []).append(f"NPS {row.nps:+.0f} (95% CI up to {row.nps_high:+.0f})")
    if len(moved):
        for row in moved[moved["significant"] & (moved["change"] < 0)].itertuples():
            reasons.setdefault(row.client_id, []).append(
                f"mean fell {abs(row.change):.2f} (95% CI {row.ci_low:+.2f} to {row.ci_high:+.2f})")
    names = league.set_index("client_id")
    rows = [{"client_id": cid, "client_name": names.at[cid, "client_name"], "client_type": names.at[cid, "client_type"],
             "n": int(names.at[cid, "n"]), "mean": names.at[cid, "mean"], "why": "; ".join(why)}
            for cid, why in reasons.items()]
    frame = pd.DataFrame(rows, columns=["client_id", "client_name", "client_type", "n", "mean", "why"])
    return frame.sort_values("mean").reset_index(drop=True)


def portfolio_summary(report: PortfolioReport) -> dict:
    return {"period": str(report.period), "clients": int(len(report.league)),
            "at_risk": int(len(report.at_risk)), "figures": []}


def _ci_text(low: float, high: float, digits: int, signed: bool = False) -> str:
    return f"{_fmt(low, digits, signed=signed)} to {_fmt(high, digits, signed=signed)}"


def league_display(league: pd.DataFrame) -> pd.DataFrame:
    """The league table for people: sorted by mean overall, CIs as text."""
    data = league.sort_values("mean", ascending=False)
    return pd.DataFrame({
        "Client": data["client_name"], "Type": data["client_type"], "n": data["n"],
        "NPS": [_fmt(v, 0, signed=True) for v in data["nps"]],
        "NPS 95% CI": [_ci_text(lo, hi, 0, True) for lo, hi in zip(data["nps_low"], data["nps_high"])],
        "CSAT %": [_fmt(v, 0) for v in data["csat"]],
        "Mean overall": [_fmt(v, 2) for v in data["mean"]],
        "Mean 95% CI": [_ci_text(lo, hi, 2) for lo, hi in zip(data["mean_low"], data["mean_high"])],
    })


def type_comparison_display(report: PortfolioReport) -> pd.DataFrame:
    by_type = report.by_type
    if by_type.empty:
        return by_type
    wide = by_type.assign(text=[f"{_fmt(e, 2)} ({_ci_text(lo, hi, 2)}), n={n}" for e, lo, hi, n in
                                zip(by_type["estimate"], by_type["ci_low"], by_type["ci_high"], by_type["n"])])
    table = wide.pivot(index="component", columns="group", values="text")
    table = table.reindex(list(dict.fromkeys(by_type["component"])))
    table.columns = [str(c).capitalize() for c in table.columns]
    if not report.type_tests.empty:
        tests = report.type_tests.set_index("component")
        table["Difference (95% CI)"] = [f"{_fmt(d, 2, signed=True)} ({_ci_text(lo, hi, 2, True)})" for d, lo, hi in
                                        zip(tests["difference"], tests["ci_low"], tests["ci_high"])]
        table["p"] = [f"{p:.3g}" for p in tests["p"]]
        table["Significant"] = np.where(tests["significant"], "yes", "")
    return table.reset_index().rename(columns={"component": "Component"})


def risk_display(report: PortfolioReport) -> pd.DataFrame:
    risk = report.at_risk
    return pd.DataFrame({"Client": risk["client_name"], "Type": risk["client_type"], "n": risk["n"],
                         "Mean overall": [_fmt(v, 2) for v in risk["mean"]], "Why": risk["why"]})


def movers_display(report: PortfolioReport, top: int = 10) -> pd.DataFrame:
    moved = report.movers.head(top)
    if moved.empty:
        return pd.DataFrame({"Client": []})
    return pd.DataFrame({
        "Client": moved["client_name"], "Type": moved["client_type"],
        "n (recent / before)": [f"{a} / {b}" for a, b in zip(moved["n_recent"], moved["n_before"])],
        "Change in mean": [_fmt(v, 2, signed=True) for v in moved["change"]],
        "95% CI": [_ci_text(lo, hi, 2, True) for lo, hi in zip(moved["ci_low"], moved["ci_high"])],
        "p": [f"{p:.3g}" for p in moved["p"]],
        "Significant": np.where(moved["significant"], "yes", ""),
    })
