"""The perception gap: how the team rates itself against how the client rates it.

For each self-assessment row (a client, a month, a component), the client's mean rating of the
component over the :data:`GAP_MONTHS` months ending in that month (the latest wave of a quarterly or
longer survey), with its Student t 95%
interval.  The gap is ``self - client mean``; the self-score is a constant, so the gap's
interval is ``self - (client upper, lower bound)``.  A *blind spot* is a gap of at least
:data:`BLIND_SPOT_GAP` (one point): the team thinks it does much better than the client says.

The self-assessment is read and validated by :func:`insights.data.people.read_self_assessment`.
"""

from __future__ import annotations

import math

import pandas as pd
from scipy import stats

from insights.core.periods import as_period, cadence_of, waves
from insights.data.survey import SurveyDefinition

__all__ = ["BLIND_SPOT_GAP", "GAP_MONTHS", "gap_length", "gap_summary", "perception_gaps"]

#: A self-rating this many points above the client's mean is a blind spot.
BLIND_SPOT_GAP = 1.0
#: Months of client ratings, ending in the self-assessment's period, that a self-rating is set against.
GAP_MONTHS = 3


def gap_length(period: pd.Period) -> int:
    """The ratings' window in ``period``'s waves: three months, or the one quarter, half-year or year."""
    return waves(GAP_MONTHS, cadence_of(period))


def perception_gaps(
    responses: pd.DataFrame,
    self_assessment: pd.DataFrame,
    *,
    client: str | None = None,
    period: pd.Period | str | None = None,
    months: int | None = None,
    survey: SurveyDefinition | None = None,
) -> pd.DataFrame:
    """The team's self-rating against the client's ratings, per client, month and component.

    For each self-assessment row, the client's mean rating of the component over the ``months``
    periods ending in the self-assessment's period (default :func:`gap_length`: three months, so a
    monthly cell of five answers does not decide alone; one wave of a quarterly or longer survey)
    with its Student t 95% interval (weighted when the responses carry a ``weight`` column).
    ``gap = self - client``; the self-score is a constant, so the
    gap's interval is ``self - client_ci_high`` to ``self - client_ci_low``.  ``blind_spot``: the
    gap is at least :data:`BLIND_SPOT_GAP`; ``significant``: the gap's interval excludes zero.

    Columns: ``client_id, period, component, label, self, client, n, client_ci_low,
    client_ci_high, gap, ci_low, ci_high, blind_spot, significant``.  With no ratings to compare
    (``n`` < 1) the client figures and the gap are NaN and nothing is flagged; with one rating
    the interval is NaN.
    """
    survey = survey or SurveyDefinition.default()
    chosen = self_assessment
    if client is not None:
        chosen = chosen[chosen["client_id"].astype(str) == str(client)]
    if period is not None:
        chosen = chosen[chosen["period"] == as_period(period)]
    ids = responses["client_id"].astype(str)
    rows = []
    for row in chosen.sort_values(["client_id", "period"], kind="stable").itertuples(index=False):
        ratings = responses[
            (ids == row.client_id)
            & (responses["period"] > row.period - (months or gap_length(row.period)))
            & (responses["period"] <= row.period)
        ]
        rows.append(_gap(row, ratings, survey))
    order = {d: i for i, d in enumerate(survey.driver_names)}
    frame = pd.DataFrame(
        rows,
        columns=[
            "client_id",
            "period",
            "component",
            "label",
            "self",
            "client",
            "n",
            "client_ci_low",
            "client_ci_high",
            "gap",
            "ci_low",
            "ci_high",
            "blind_spot",
            "significant",
        ],
    )
    if len(frame):
        frame = (
            frame.assign(_o=frame["component"].map(order))
            .sort_values(["client_id", "period", "_o"], kind="stable")
            .drop(columns="_o")
        )
    return frame.reset_index(drop=True)


def _gap(row, ratings: pd.DataFrame, survey: SurveyDefinition) -> dict:
    """One self-assessment row against the client's ``ratings`` of its component (see
    :func:`perception_gaps`)."""
    from insights.stats import metrics

    weight = "weight" if "weight" in ratings.columns else None
    result = (
        metrics.mean_score(ratings, row.component, weight=weight)
        if row.component in ratings.columns
        else None
    )
    client_mean = result.score if result else math.nan
    low, high = (result.ci_low, result.ci_high) if result else (math.nan, math.nan)
    gap = row.score - client_mean
    return {
        "client_id": row.client_id,
        "period": row.period,
        "component": row.component,
        "label": survey.label(row.component),
        "self": float(row.score),
        "client": client_mean,
        "n": int(result.n) if result else 0,
        "client_ci_low": low,
        "client_ci_high": high,
        "gap": gap,
        "ci_low": row.score - high,
        "ci_high": row.score - low,
        "blind_spot": bool(not math.isnan(gap) and gap >= BLIND_SPOT_GAP - 1e-9),
        "significant": bool(not math.isnan(low) and (row.score - high > 0 or row.score - low < 0)),
    }


def gap_summary(gaps: pd.DataFrame) -> pd.DataFrame:
    """Per component across clients: clients, mean self and client scores, the mean gap with a t
    95% interval over clients (each client once, its latest self-assessment), and blind spots."""
    latest = gaps.dropna(subset=["gap"]).sort_values("period").groupby(["client_id", "component"]).tail(1)
    if latest.empty:  # no self-assessment, or none with client ratings to compare
        return pd.DataFrame(
            columns=[
                "component",
                "label",
                "clients",
                "self",
                "client",
                "gap",
                "ci_low",
                "ci_high",
                "blind_spots",
            ]
        )
    rows = []
    for (component, label), group in latest.groupby(["component", "label"], sort=False):
        n = len(group)
        mean = float(group["gap"].mean())
        half = (
            float(stats.t.ppf(0.975, n - 1) * group["gap"].std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
        )
        rows.append(
            {
                "component": component,
                "label": label,
                "clients": n,
                "self": float(group["self"].mean()),
                "client": float(group["client"].mean()),
                "gap": mean,
                "ci_low": mean - half,
                "ci_high": mean + half,
                "blind_spots": int(group["blind_spot"].sum()),
            }
        )
    order = {c: i for i, c in enumerate(gaps["component"].drop_duplicates())}
    return pd.DataFrame(rows).sort_values("component", key=lambda s: s.map(order)).reset_index(drop=True)
