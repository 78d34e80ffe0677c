"""The portfolio's statistics: the league table, internal against external clients, movers and risks.

Pure functions on the response frame; :mod:`insights.reporting.portfolio` turns their results into
the portfolio report.  Movers and clients at risk are families of flags whose tests and
corrections live in :mod:`insights.stats.changes` and :mod:`insights.stats.risks` (see
:mod:`insights.stats.alerts`).
"""

from __future__ import annotations

import pandas as pd

from insights.core.periods import as_period
from insights.data.survey import SurveyDefinition
from insights.stats import metrics
from insights.stats.changes import mover_tests
from insights.stats.client import top_box_mean
from insights.stats.clustered import clustered_difference, clustered_mean
from insights.stats.comparisons import ALPHA
from insights.stats.nps import nps_points
from insights.stats.optional import asks_nps, reports_csat

__all__ = [
    "GROUP_COMPONENT_LABELS",
    "at_risk",
    "compare_groups",
    "league_table",
    "months_window",
    "movers",
    "per_response",
]

#: Labels of the two figures :func:`compare_groups` adds to the rated components.
GROUP_COMPONENT_LABELS = {"csat": "CSAT (top-box %)", "nps": "NPS"}


def months_window(df: pd.DataFrame, end: pd.Period, months: int) -> pd.DataFrame:
    """The responses of the ``months`` periods up to and including ``end``."""
    return df[(df["period"] > end - months) & (df["period"] <= end)]


def league_table(window: pd.DataFrame, survey: SurveyDefinition) -> pd.DataFrame:
    """Per client: responses, NPS, CSAT and mean overall with their 95% CIs.

    Parameters
    ----------
    window : DataFrame
        The responses to summarise (normally the last few months).
    survey : SurveyDefinition
        For the overall scale (top box of CSAT).

    Returns
    -------
    DataFrame
        One row per client (sorted by id): ``client_id, client_name, client_type, n, nps,
        nps_low, nps_high, csat, csat_low, csat_high, mean, mean_low, mean_high``; see
        :func:`insights.stats.metrics.summary`.  Without the ``csat`` columns when the survey
        reports no CSAT (``survey.reports_csat``: its overall scale has no top box).
    """
    rows = []
    scale = survey.overall_scale
    for client_id, group in window.groupby(window["client_id"].astype(str), sort=True):
        h = metrics.summary(group, scale_max=scale.max, top_box=scale.top_box)
        csat = h.csat
        rows.append(
            {
                "client_id": client_id,
                "client_name": str(group["client_name"].iloc[0]),
                "client_type": str(group["client_type"].iloc[0]),
                "n": h.n,
                "nps": h.nps.score,
                "nps_low": h.nps.ci_low,
                "nps_high": h.nps.ci_high,
                **(
                    {}
                    if csat is None
                    else {"csat": csat.score, "csat_low": csat.ci_low, "csat_high": csat.ci_high}
                ),
                "mean": h.mean_overall.score,
                "mean_low": h.mean_overall.ci_low,
                "mean_high": h.mean_overall.ci_high,
            }
        )
    return pd.DataFrame(rows)


def per_response(group: pd.DataFrame, component: str, survey: SurveyDefinition) -> pd.Series:
    """One value per response whose mean is the component's figure: ratings as they are; CSAT as
    0/100 (top box or not); NPS as +100 (promoter), 0 (passive), -100 (detractor)."""
    if component == "nps":
        return nps_points(group["likelihood_to_recommend"])
    if component == "csat":
        overall = group["overall_satisfaction"]
        return (
            (overall >= survey.overall_scale.top_box_threshold).astype(float).mul(100).where(overall.notna())
        )
    return group[component].astype(float)


def compare_groups(
    window: pd.DataFrame, survey: SurveyDefinition | None = None, by: str = "client_type"
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
    ``component, difference, ci_low, ci_high, p, test, significant, p_responses``.  NPS is left out
    when no response of ``window`` answers the likelihood-to-recommend question
    (:func:`insights.stats.optional.asks_nps`), CSAT when the survey reports none
    (:func:`insights.stats.optional.reports_csat`).

    This is the comparison to use for any two groups of clients (``insights.compare_groups``):
    :func:`insights.stats.metrics.compare_means` on the pooled responses is Welch's test on
    responses, which is right for two independent samples of answers but not for two groups of
    clients.

    Examples
    --------
    >>> import insights
    >>> from insights.data.sample import sample_dir
    >>> table, tests = insights.compare_groups(insights.load(sample_dir() / "responses.csv", warn=False))
    >>> row = tests.set_index("component").loc["Overall satisfaction"]
    >>> bool(row["p"] > 0.05), bool(row["p_responses"] < 0.001)
    (True, True)
    """
    survey = survey or SurveyDefinition.default()

    components = ["overall_satisfaction", *[d for d in survey.driver_names if d in window.columns]]
    levels = [lvl for lvl in ("internal", "external") if (window[by].astype(str) == lvl).any()]
    table, tests = [], []
    for component in [
        *components,
        *(["csat"] if reports_csat(survey) else []),
        *(["nps"] if asks_nps(window) else []),
    ]:
        label = GROUP_COMPONENT_LABELS.get(component) or survey.label(component)
        results, naive = {}, {}
        for level in levels:
            group = window[window[by].astype(str) == level]
            results[level] = clustered_mean(per_response(group, component, survey), group["client_id"])
            naive[level] = (
                metrics.nps(group)
                if component == "nps"
                else top_box_mean(group, survey)
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
            diff = clustered_difference(results[first], results[second])
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


def movers(df: pd.DataFrame, end: pd.Period, *, months: int | None = None) -> pd.DataFrame:
    """Change in mean overall satisfaction: the last ``months`` against the ``months`` before.

    Parameters
    ----------
    df : DataFrame
        Responses up to ``end``.
    end : Period
        The last month of the recent window.
    months : int, optional
        Length of each window in periods; default three months, or one wave of a quarterly or longer
        survey (:func:`insights.stats.changes.mover_length`).

    Returns
    -------
    DataFrame
        Per client with at least two responses in both windows: ``client_id, client_name,
        client_type, n_recent, n_before, recent, before, change, ci_low, ci_high, p, q,
        significant``: a two-sided moderated t test whose spread is pooled within the client's
        months and moderated across the clients, judged on its Benjamini-Hochberg q-value across
        the clients (:func:`insights.stats.changes.mover_tests`); largest absolute change first.
    """
    return mover_tests(df, as_period(end), months=months)


def at_risk(league: pd.DataFrame, flags: pd.DataFrame) -> pd.DataFrame:
    """The clients at risk: those with an ``at_risk`` flag, with every reason in words.

    Parameters
    ----------
    league : DataFrame
        From :func:`league_table` (the clients' names, types, responses and means).
    flags : DataFrame
        The period's flags (:func:`insights.stats.alerts.compute_alerts`); the ``at_risk`` rows are
        used: a mean below the portfolio's or an NPS below zero over the league table's months,
        or a falling mover.

    Returns
    -------
    DataFrame
        ``client_id, client_name, client_type, n, mean, why`` (each reason with its p- and
        q-value), lowest mean first.
    """
    from insights.stats.client import flag_text

    columns = ["client_id", "client_name", "client_type", "n", "mean", "why"]
    risky = flags[flags["kind"] == "at_risk"] if len(flags) else flags
    if league.empty or risky.empty:
        return pd.DataFrame(columns=columns)
    names = league.set_index("client_id")
    rows = []
    for client_id, reasons in risky.groupby("client_id", sort=False):
        if client_id not in names.index:
            continue
        rows.append(
            {
                "client_id": client_id,
                "client_name": names.at[client_id, "client_name"],
                "client_type": names.at[client_id, "client_type"],
                "n": int(names.at[client_id, "n"]),
                "mean": names.at[client_id, "mean"],
                "why": "; ".join(f"{r.detail} ({flag_text(r.p, r.q)})" for r in reasons.itertuples()),
            }
        )
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values("mean", kind="stable").reset_index(drop=True)
