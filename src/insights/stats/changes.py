"""What fell this month: the tests behind a client's "significant drop", component falls and movers.

What compares against what (each family of flags is judged on its q-values,
:mod:`insights.stats.multiplicity`):

* **Drops** (one test per client): the report month against the client's own previous
  :data:`BASELINE_MONTHS` months (the rest of a year: three quarters of a quarterly survey, the
  previous half-year or year of a half-yearly or yearly one), one-sided for a fall.  The test is on each
  response's *satisfaction score*, the mean of its answers to overall satisfaction and likelihood to
  recommend, each divided by that question's spread within a client and month across the portfolio
  (so the two count alike).  Both questions carry the fall of a client whose satisfaction drops;
  testing them together finds more such falls than testing NPS, CSAT and mean overall one by one
  at the same false discovery rate (NPS alone, a three-level coding of one question, finds fewer
  than half as many).  A flagged client's NPS, CSAT and mean overall that are lower than in the
  baseline months are the figures that fell.  Benjamini-Hochberg across the clients (independent).
* **Component falls**: each driver rating of each client, the report month against the same
  baseline months, one-sided for a fall; Benjamini-Hochberg across clients x components (positively
  dependent one-sided tests, PRDS).  Overall satisfaction and NPS are the drops' business.
* **Movers**: mean overall satisfaction of the last :data:`MOVER_MONTHS` months (a quarter; one wave
  of a half-yearly or yearly survey) against the same span before, two-sided; Benjamini-Hochberg
  across the clients (independent).

Every test is :func:`insights.stats.moderated.change_tests`: a t test whose spread is pooled within
the client's months and moderated across the portfolio, sized right from three answers a month.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from insights.core.periods import cadence_of, format_period, span, waves
from insights.data.survey import SurveyDefinition
from insights.stats.moderated import change_tests, within_cells
from insights.stats.multiplicity import FDR_LEVEL, q_values
from insights.stats.nps import nps_points

__all__ = [
    "BASELINE_MONTHS",
    "HEADLINE_METRICS",
    "MOVER_MONTHS",
    "baseline_length",
    "component_falls",
    "drop_tests",
    "headline_values",
    "mover_length",
    "mover_tests",
    "mover_windows",
    "satisfaction_score",
]

#: The baseline of drops and component falls, in months of time: the rest of a year before the report
#: period (11 months, 3 quarters, 1 half-year or 1 year: :func:`insights.core.periods.waves`).
BASELINE_MONTHS = 11
#: Length of each of the two windows the movers compare, in months of time (a quarter; one wave of a
#: half-yearly or yearly survey).
MOVER_MONTHS = 3
#: The headline figures a drop is told in: key -> label.
HEADLINE_METRICS = {"nps": "NPS", "csat": "CSAT", "mean": "Mean overall"}
#: What a drop screen is carried out on (the `metric` of its test row).
SCORE_METRIC = "satisfaction"


def headline_values(responses: pd.DataFrame, survey: SurveyDefinition) -> pd.DataFrame:
    """Each response coded so that the mean over responses is the headline figure.

    Columns ``nps`` (+100 promoter, 0 passive, -100 detractor), ``csat`` (100 top box, else 0) and
    ``mean`` (the overall rating); NaN where unanswered.  No ``csat`` column when the survey reports
    no CSAT (its overall scale has no top box): a drop is then told in NPS and mean overall only.
    """
    overall = responses["overall_satisfaction"].astype(float)
    coded = {"nps": nps_points(responses["likelihood_to_recommend"].astype(float))}
    if survey.reports_csat:
        threshold = survey.overall_scale.top_box_threshold
        coded["csat"] = (overall >= threshold).astype(float).mul(100).where(overall.notna())
    coded["mean"] = overall
    return pd.DataFrame(coded, index=responses.index)


def satisfaction_score(responses: pd.DataFrame) -> pd.Series:
    """Each response's satisfaction score: the mean of its answers to overall satisfaction and likelihood
    to recommend, each divided by that question's spread within a client and month (pooled across
    the clients of ``responses``); NaN when neither was answered.

    Dividing by the spread makes a one-point move on the 1-5 scale count as much as a move of the
    same size relative to the spread on the 0-10 scale (about 2.3 points there).
    """
    units = responses["client_id"].astype(str).to_numpy()
    cells = responses["period"].astype(str).to_numpy()
    scaled = []
    for column in ("overall_satisfaction", "likelihood_to_recommend"):
        values = responses[column].astype(float)
        spread = within_cells(values.to_numpy(), units, cells)
        total_dof = float(spread["dof"].sum()) if len(spread) else 0.0
        sd = float(np.sqrt(spread["ss"].sum() / total_dof)) if total_dof > 0 else np.nan
        scaled.append(values / sd if sd and np.isfinite(sd) and sd > 0 else values * np.nan)
    return pd.concat(scaled, axis=1).mean(axis=1, skipna=True)


def baseline_length(period: pd.Period) -> int:
    """The drops' baseline in ``period``'s waves: the rest of a year (11 months, 3 quarters, 1 half-year)."""
    return waves(BASELINE_MONTHS, cadence_of(period))


def mover_length(period: pd.Period) -> int:
    """Each movers window in ``period``'s waves: three months, or one quarter, half-year or year."""
    return waves(MOVER_MONTHS, cadence_of(period))


def mover_windows(period: pd.Period) -> tuple[str, str]:
    """The movers' two windows in words: ``("2026-08 to 2026-10", "2026-05 to 2026-07")``."""
    months = mover_length(period)
    return span(period - months + 1, period), span(period - 2 * months + 1, period - months)


def _months_label(first: pd.Period, last: pd.Period) -> str:
    return f"{format_period(first)}" if first == last else f"{format_period(first)} to {format_period(last)}"


def _names(df: pd.DataFrame) -> pd.Series:
    return df.groupby(df["client_id"].astype(str), observed=True)["client_name"].first().astype(str)


def drop_tests(
    df: pd.DataFrame,
    period: pd.Period,
    survey: SurveyDefinition,
    *,
    baseline_waves: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The drop screen of every client, and the headline figures it is told in.

    Parameters
    ----------
    df : DataFrame
        Validated responses of the whole portfolio (at least up to ``period``).
    period : Period
        The report month.
    survey : SurveyDefinition
        For CSAT's top box.
    baseline_waves : int, optional
        Periods before ``period`` that form each client's baseline; by default the rest of a year
        (:data:`BASELINE_MONTHS` in the period's cadence: 11 months, 3 quarters, one half-year or year).

    Returns
    -------
    (tests, figures)
        ``tests``: one row per client with answers in ``period`` and at least two in its baseline:
        ``client_id, client_name, n, n_previous, estimate, previous, change, p`` (one-sided, for a
        fall), ``q`` (Benjamini-Hochberg across the clients), ``flag`` (``q <`` :data:`FDR_LEVEL`),
        ``baseline`` (the months, in words).  ``figures``: per client and headline metric, the
        month's value, the baseline's and their difference (``client_id, metric, estimate,
        previous, change, n, n_previous``).
    """
    first = period - (baseline_waves or baseline_length(period))
    window = df[(df["period"] >= first) & (df["period"] <= period)]
    clients = window["client_id"].astype(str).to_numpy()
    months = window["period"].astype(str).to_numpy()
    now = (window["period"] == period).to_numpy()
    before = ~now
    result = change_tests(satisfaction_score(window).to_numpy(), clients, months, now, before)
    earlier = window[before]
    spans = earlier.groupby(earlier["client_id"].astype(str), observed=True)["period"].agg(["min", "max"])
    names = _names(window)
    tests = pd.DataFrame(
        {
            "client_id": result.index.astype(str),
            "client_name": names.reindex(result.index).to_numpy(),
            "n": result["n_now"].to_numpy(),
            "n_previous": result["n_before"].to_numpy(),
            "estimate": result["now"].to_numpy(),
            "previous": result["before"].to_numpy(),
            "change": result["change"].to_numpy(),
            "p": result["p_lower"].to_numpy(),
        }
    )
    tests = tests[tests["p"].notna()].reset_index(drop=True)
    tests["q"] = q_values(tests["p"], "bh")
    tests["flag"] = tests["q"] < FDR_LEVEL
    tests["baseline"] = [
        _months_label(spans.at[c, "min"], spans.at[c, "max"]) if c in spans.index else ""
        for c in tests["client_id"]
    ]
    return tests, _headline_figures(window, now, survey)


def _headline_figures(window: pd.DataFrame, now: np.ndarray, survey: SurveyDefinition) -> pd.DataFrame:
    coded = headline_values(window, survey)
    grouped = coded.groupby([window["client_id"].astype(str).to_numpy(), now], sort=True)
    means, counts = grouped.mean(), grouped.count()
    parts = []
    for metric in [m for m in HEADLINE_METRICS if m in coded.columns]:
        mean, count = means[metric].unstack(), counts[metric].unstack()
        part = pd.DataFrame(index=mean.index)
        part["metric"] = metric
        part["estimate"] = mean.get(True, np.nan)
        part["previous"] = mean.get(False, np.nan)
        part["n"] = count.get(True, 0)
        part["n_previous"] = count.get(False, 0)
        parts.append(part)
    figures = pd.concat(parts).rename_axis("client_id").reset_index()
    figures[["n", "n_previous"]] = figures[["n", "n_previous"]].fillna(0).astype(int)
    figures["change"] = figures["estimate"] - figures["previous"]
    return figures


def component_falls(
    df: pd.DataFrame,
    period: pd.Period,
    survey: SurveyDefinition,
    *,
    baseline_waves: int | None = None,
) -> pd.DataFrame:
    """Each driver of each client: the report month against the client's baseline months, one-sided
    for a fall; Benjamini-Hochberg across clients x components.

    Returns
    -------
    DataFrame
        ``client_id, client_name, component, n, n_previous, estimate, previous, change, p, q, flag,
        baseline``, one row per client and driver answered in both (at least two answers before).
    """
    first = period - (baseline_waves or baseline_length(period))
    window = df[(df["period"] >= first) & (df["period"] <= period)]
    clients = window["client_id"].astype(str).to_numpy()
    months = window["period"].astype(str).to_numpy()
    now = (window["period"] == period).to_numpy()
    names = _names(window)
    parts = []
    for component in [d for d in survey.driver_names if d in window.columns]:
        result = change_tests(window[component].astype(float).to_numpy(), clients, months, now, ~now)
        result = result[result["p_lower"].notna()]
        parts.append(
            pd.DataFrame(
                {
                    "client_id": result.index.astype(str),
                    "client_name": names.reindex(result.index).to_numpy(),
                    "component": component,
                    "n": result["n_now"].to_numpy(),
                    "n_previous": result["n_before"].to_numpy(),
                    "estimate": result["now"].to_numpy(),
                    "previous": result["before"].to_numpy(),
                    "change": result["change"].to_numpy(),
                    "p": result["p_lower"].to_numpy(),
                }
            )
        )
    columns = [
        "client_id",
        "client_name",
        "component",
        "n",
        "n_previous",
        "estimate",
        "previous",
        "change",
        "p",
    ]
    tests = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    tests["q"] = q_values(tests["p"].astype(float), "bh")
    tests["flag"] = tests["q"] < FDR_LEVEL
    tests["baseline"] = _months_label(first, period - 1)
    return tests.sort_values(["client_id", "component"], kind="stable").reset_index(drop=True)


def mover_tests(df: pd.DataFrame, period: pd.Period, *, months: int | None = None) -> pd.DataFrame:
    """Mean overall satisfaction of the last ``months`` periods against the ``months`` before, per client.

    ``months`` counts the survey's periods; by default :data:`MOVER_MONTHS` of time in the period's
    cadence (three months, one quarter, one half-year or year: :func:`mover_length`).

    Two-sided moderated t test (:func:`insights.stats.moderated.change_tests`, the spread pooled
    within months), Benjamini-Hochberg across the clients.

    Returns
    -------
    DataFrame
        ``client_id, client_name, client_type, n_recent, n_before, recent, before, change, ci_low,
        ci_high, p, q, significant``: clients with at least two answers in each window, largest
        absolute change first.
    """
    months = months or mover_length(period)
    window = df[(df["period"] > period - 2 * months) & (df["period"] <= period)]
    recent = (window["period"] > period - months).to_numpy()
    values = window["overall_satisfaction"].astype(float).to_numpy()
    clients = window["client_id"].astype(str).to_numpy()
    result = change_tests(
        values, clients, window["period"].astype(str).to_numpy(), recent, ~recent, min_now=2, min_before=2
    )
    result = result[result["p_two"].notna()]
    firsts = window.groupby(window["client_id"].astype(str), observed=True)[
        ["client_name", "client_type"]
    ].first()
    frame = pd.DataFrame(
        {
            "client_id": result.index.astype(str),
            "client_name": firsts["client_name"].reindex(result.index).astype(str).to_numpy(),
            "client_type": firsts["client_type"].reindex(result.index).astype(str).to_numpy(),
            "n_recent": result["n_now"].to_numpy(),
            "n_before": result["n_before"].to_numpy(),
            "recent": result["now"].to_numpy(),
            "before": result["before"].to_numpy(),
            "change": result["change"].to_numpy(),
            "ci_low": result["ci_low"].to_numpy(),
            "ci_high": result["ci_high"].to_numpy(),
            "p": result["p_two"].to_numpy(),
        }
    )
    frame["q"] = q_values(frame["p"], "bh")
    frame["significant"] = frame["q"] < FDR_LEVEL
    if frame.empty:
        return frame
    return frame.sort_values("change", key=lambda s: s.abs(), ascending=False, kind="stable").reset_index(
        drop=True
    )
