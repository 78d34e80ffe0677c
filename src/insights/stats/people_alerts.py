"""People who need attention, across the whole portfolio: falls in a person's ratings and detractors.

* **Ratings fell**: a person's mean rating in the last ``recent_months`` month(s) up to the report
  month (by default the report month itself) against their earlier answers in the window.  A
  response's rating is the mean of its answered drivers and overall satisfaction.  The spread is
  the person's own (their recent and earlier answers, each around its own mean) moderated across
  every person of the portfolio (:func:`insights.stats.moderated.change_tests`), so one new answer
  can be tested and a person who always answered the same does not get a zero spread.  One-sided
  for a fall; the family is every person tested in the portfolio, Benjamini-Hochberg (people of one
  client move together, positively dependent).  A person is flagged when ``q < 0.05`` and the fall
  is at least :data:`MIN_FALL` points.
* **Detractors** (rules, not tests): the person's latest NPS answer in the report month is 0-6;
  a *new* detractor's previous NPS answer (any earlier month) was 7-10.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from insights.core.periods import as_period
from insights.data.survey import SurveyDefinition
from insights.stats.moderated import change_tests
from insights.stats.multiplicity import FDR_LEVEL, q_values
from insights.stats.nps import DETRACTOR_MAX

__all__ = ["MIN_FALL", "RECENT_MONTHS", "detractors", "fall_tests", "person_rating"]

#: Months at the end of the window whose responses count as "recent" for a fall in ratings
#: (1: the report month against the earlier months).
RECENT_MONTHS = 1
#: The smallest fall (scale points) worth calling: a significant fall smaller than this is noise
#: in practice.
MIN_FALL = 0.5
_SEP = "\x1f"  # joins client and respondent ids into one unit key; it never appears in an id


def person_rating(responses: pd.DataFrame, survey: SurveyDefinition) -> pd.Series:
    """A response's rating: the mean of its answered drivers and overall satisfaction."""
    columns = [c for c in (*survey.driver_names, "overall_satisfaction") if c in responses.columns]
    return responses[columns].astype(float).mean(axis=1, skipna=True)


def _people_frame(responses: pd.DataFrame, period: pd.Period, months: int) -> pd.DataFrame:
    data = responses[
        responses["respondent_id"].notna()
        & (responses["period"] <= period)
        & (responses["period"] > period - months)
    ]
    return data.assign(
        client_id=data["client_id"].astype(str), respondent_id=data["respondent_id"].astype(str)
    )


def fall_tests(
    responses: pd.DataFrame,
    period: pd.Period | str,
    *,
    months: int = 12,
    recent_months: int = RECENT_MONTHS,
    survey: SurveyDefinition | None = None,
) -> pd.DataFrame:
    """Each person's recent ratings against their earlier ones, tested as one family.

    Parameters
    ----------
    responses : DataFrame
        Validated responses (the whole portfolio, for the portfolio's family); those without a
        respondent id are left out.
    period : Period or str
        The report month.
    months : int
        The window of answers, ending in ``period``.
    recent_months : int
        Months at the end of the window that count as recent.
    survey : SurveyDefinition, optional
        For the drivers in a response's rating.

    Returns
    -------
    DataFrame
        One row per person with an answer in the window: ``client_id, respondent_id, n_recent,
        n_earlier, recent_rating, earlier_rating, change, p_value`` (one-sided, for a fall; NaN
        without a recent answer and two earlier ones), ``q_value`` (Benjamini-Hochberg over the
        people tested) and ``fell`` (``q < 0.05`` and a fall of at least :data:`MIN_FALL`).
    """
    survey = survey or SurveyDefinition.default()
    period = as_period(period)
    data = _people_frame(responses, period, months)
    columns = [
        "client_id",
        "respondent_id",
        "n_recent",
        "n_earlier",
        "recent_rating",
        "earlier_rating",
        "change",
        "p_value",
        "q_value",
        "fell",
    ]
    if data.empty:
        return pd.DataFrame(columns=columns)
    units = (data["client_id"] + _SEP + data["respondent_id"]).to_numpy()
    recent = (data["period"] > period - recent_months).to_numpy()
    result = change_tests(
        person_rating(data, survey).to_numpy(), units, np.where(recent, "recent", "earlier"), recent, ~recent
    )
    ids = result.index.to_series().str.split(_SEP, n=1, expand=True)
    frame = pd.DataFrame(
        {
            "client_id": ids[0].to_numpy(),
            "respondent_id": ids[1].to_numpy(),
            "n_recent": result["n_now"].to_numpy(),
            "n_earlier": result["n_before"].to_numpy(),
            "recent_rating": result["now"].to_numpy(),
            "earlier_rating": result["before"].to_numpy(),
            "change": result["change"].to_numpy(),
            "p_value": result["p_lower"].to_numpy(),
        }
    )
    frame["q_value"] = q_values(frame["p_value"], "bh")
    frame["fell"] = (frame["q_value"] < FDR_LEVEL) & (frame["change"] <= -MIN_FALL)
    return frame[columns]


def detractors(responses: pd.DataFrame, period: pd.Period | str) -> pd.DataFrame:
    """People whose latest NPS answer in ``period`` is 0-6 (the latest, if several).

    Returns
    -------
    DataFrame
        ``client_id, respondent_id, latest_ltr, previous_ltr`` (their previous NPS answer in any
        earlier month, NaN if none) and ``new_detractor`` (that answer was 7-10).
    """
    period = as_period(period)
    data = responses[
        responses["respondent_id"].notna()
        & responses["likelihood_to_recommend"].notna()
        & (responses["period"] <= period)
    ]
    data = data.assign(
        client_id=data["client_id"].astype(str), respondent_id=data["respondent_id"].astype(str)
    ).sort_values(["submitted_at", "response_id"], kind="stable")
    keys = ["client_id", "respondent_id"]
    latest = data[data["period"] == period].groupby(keys, sort=True)["likelihood_to_recommend"].last()
    earlier = data[data["period"] < period].groupby(keys, sort=True)["likelihood_to_recommend"].last()
    frame = pd.DataFrame({"latest_ltr": latest, "previous_ltr": earlier.reindex(latest.index)})
    frame = frame[frame["latest_ltr"] <= DETRACTOR_MAX].reset_index()
    frame["new_detractor"] = frame["previous_ltr"] > DETRACTOR_MAX
    return frame[["client_id", "respondent_id", "latest_ltr", "previous_ltr", "new_detractor"]]
