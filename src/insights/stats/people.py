"""Clients are people: each contact's ratings over time, by role, and who needs a call.

A satisfied company is a set of satisfied people.  The contact list is read and validated by
:mod:`insights.data.people`; this module holds the pure analysis of people built on it and on
the responses, and :mod:`insights.reporting.report` turns the results into sections.  The team's
self-assessment against the client's ratings is :mod:`insights.stats.perception`; internal
against external clients, clustered by client, :mod:`insights.stats.clustered`.

Privacy
-------
People are shown by role and by a pseudonym, ``"Contact " + 8 hex digits`` of SHA-256 of the
respondent id (:func:`pseudonym`): stable across runs and reports, so an account manager can
follow "Contact 1a2b3c4d" from month to month, but no name or raw respondent id (which may be an
e-mail address) reaches a report.  Names appear only with ``show_names=True``.  Anyone holding
the contact list can recompute a plain hash; set the environment variable
``INSIGHTS_PSEUDONYM_KEY`` to a secret to key it (HMAC-SHA-256) so that only key holders can
link a pseudonym to a person.  Changing the key changes every pseudonym (re-render with
``--force``).

Statistical rules (each documented where it is computed)
--------------------------------------------------------
* A contact's ratings *fell significantly* when the mean of their recent responses (the last
  :data:`RECENT_MONTHS` month(s) up to the period: by default the report month itself) is below
  the mean of their earlier responses in the window by at least :data:`MIN_FALL` points and the
  fall is significant in the family of every person tested (one-sided moderated t, q < 0.05 by
  Benjamini-Hochberg; :func:`insights.stats.people_alerts.fall_tests`).  A response's rating is
  the mean of its answered drivers and overall satisfaction.  See :func:`contact_scores`.
* A contact *became a detractor* when their NPS answer in the report period is 0-6 and their
  previous NPS answer was 7-10.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os

import pandas as pd

from insights.core.periods import as_period
from insights.data.contracts import NOT_STATED
from insights.data.survey import SurveyDefinition
from insights.stats.nps import DETRACTOR_MAX, nps_class
from insights.stats.people_alerts import MIN_FALL, RECENT_MONTHS, fall_tests

__all__ = [
    "MIN_FALL",
    "NOT_STATED",
    "RECENT_MONTHS",
    "contact_scores",
    "flagged_contacts",
    "follow_up_preferences",
    "primary_contact",
    "pseudonym",
    "scores_by_role",
]

UNKNOWN_ROLE = "Role not known"
PSEUDONYM_KEY_ENV = "INSIGHTS_PSEUDONYM_KEY"
PSEUDONYM_PREFIX = "Contact "

_SCORE_COLUMNS = [
    "client_id",
    "respondent_id",
    "pseudonym",
    "name",
    "role",
    "primary",
    "preferred_channel",
    "detail_level",
    "in_contact_list",
    "responses",
    "responses_now",
    "last_answered",
    "latest_overall",
    "latest_ltr",
    "latest_group",
    "previous_ltr",
    "recent_rating",
    "earlier_rating",
    "change",
    "p_value",
    "q_value",
    "fell",
    "detractor_now",
    "new_detractor",
]


# --- pseudonyms -----------------------------------------------------------------------------------


def pseudonym(respondent_id: object, key: str | bytes | None = None) -> str:
    """``"Contact " + the first 8 hex digits`` of SHA-256 of the respondent id (stable, not a name).

    ``key`` (default: the ``INSIGHTS_PSEUDONYM_KEY`` environment variable, if set) keys the hash
    as HMAC-SHA-256, so that only key holders can link a pseudonym to a person.

    >>> pseudonym("P0001")
    'Contact 11c47747'
    """
    text = str(respondent_id).strip().encode("utf-8")
    if key is None:
        key = os.environ.get(PSEUDONYM_KEY_ENV) or None
    if key:
        digest = hmac.new(
            key.encode("utf-8") if isinstance(key, str) else key, text, hashlib.sha256
        ).hexdigest()
    else:
        digest = hashlib.sha256(text).hexdigest()
    return PSEUDONYM_PREFIX + digest[:8]


# --- per-person analysis ----------------------------------------------------------------------------


def contact_scores(
    responses: pd.DataFrame,
    contacts: pd.DataFrame | None = None,
    *,
    period: pd.Period | str,
    months: int = 12,
    recent_months: int = RECENT_MONTHS,
    survey: SurveyDefinition | None = None,
    key: str | None = None,
    falls: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per person (contacts listed, and respondents who answered in the window).

    Columns: ``client_id, respondent_id, pseudonym, name, role, primary, preferred_channel,
    detail_level, in_contact_list, responses`` (in the ``months`` window ending in ``period``),
    ``responses_now`` (in ``period``), ``last_answered``, ``latest_overall``, ``latest_ltr``,
    ``latest_group`` (promoter / passive / detractor of the latest NPS answer), ``previous_ltr``,
    ``recent_rating``, ``earlier_rating``, ``change``, ``p_value``, ``q_value``, ``fell``,
    ``detractor_now``, ``new_detractor``.

    * A response's *rating* is the mean of its answered drivers and overall satisfaction.
    * ``fell``: the mean rating of the last ``recent_months`` months is at least
      :data:`MIN_FALL` below the mean of the earlier months of the window, and significantly so
      in the family of people tested (:func:`insights.stats.people_alerts.fall_tests`).  By default
      the family is the people of ``responses``; the reports pass ``falls``, the portfolio's
      flagged falls (``client_id, pseudonym, p_value, q_value``: the ``person`` flags of
      :func:`insights.stats.alerts.compute_alerts`), and then exactly those people fell and
      ``p_value``/``q_value`` are theirs (NaN for everybody else).
    * ``detractor_now``: the person's NPS answer in ``period`` is 0-6 (the latest, if several).
    * ``new_detractor``: a detractor now whose previous NPS answer (any earlier month) was 7-10.

    Responses without a respondent id cannot be followed per person and are left out.  Roles
    come from the contact list, else from a ``respondent_role`` column of the responses.
    """
    survey = survey or SurveyDefinition.default()
    period = as_period(period)
    first = period - (months - 1)
    data = responses[responses["respondent_id"].notna() & (responses["period"] <= period)].copy()
    data["client_id"] = data["client_id"].astype(str)
    data["respondent_id"] = data["respondent_id"].astype(str)
    data = data.sort_values(["submitted_at", "response_id"], kind="stable")
    tested = fall_tests(responses, period, months=months, recent_months=recent_months, survey=survey)
    tested = tested.set_index(["client_id", "respondent_id"])

    people = _people(contacts, data[data["period"] >= first])
    listed_clients = {client for (client, _), info in people.items() if info["in_contact_list"]}
    by_person = {k: g for k, g in data.groupby(["client_id", "respondent_id"], sort=False)}
    rows = []
    for (client_id, respondent_id), info in people.items():
        history = by_person.get((client_id, respondent_id), data.iloc[0:0])
        rows.append(
            {
                "client_id": client_id,
                "respondent_id": respondent_id,
                "pseudonym": pseudonym(respondent_id, key),
                **info,
                **_person_figures(history, period, first, _fall_of(tested, client_id, respondent_id)),
            }
        )
    frame = pd.DataFrame(rows, columns=_SCORE_COLUMNS)
    if falls is not None:
        frame = _with_portfolio_falls(frame, falls)
    frame.attrs["listed_clients"] = sorted(listed_clients)
    if frame.empty:
        return frame
    order = frame.assign(_p=~frame["primary"], _r=frame["role"].str.casefold())
    return frame.loc[order.sort_values(["client_id", "_p", "_r", "pseudonym"]).index].reset_index(drop=True)


def _people(contacts: pd.DataFrame | None, window: pd.DataFrame) -> dict[tuple[str, str], dict]:
    """(client, respondent) -> what is known of the person: everyone on the contact list, then the
    respondents who answered in the window but are not on it (role from ``respondent_role``)."""
    people: dict[tuple[str, str], dict] = {}
    if contacts is not None:
        for row in contacts.itertuples(index=False):
            people[(str(row.client_id), str(row.respondent_id))] = {
                "name": row.name,
                "role": row.role,
                "primary": bool(row.primary),
                "preferred_channel": row.preferred_channel,
                "detail_level": row.detail_level,
                "in_contact_list": True,
            }
    for (client_id, respondent_id), group in window.groupby(["client_id", "respondent_id"], sort=False):
        if (client_id, respondent_id) in people:
            continue
        role = UNKNOWN_ROLE
        if "respondent_role" in group.columns and group["respondent_role"].notna().any():
            role = str(group["respondent_role"].dropna().iloc[-1])
        people[(client_id, respondent_id)] = {
            "name": "",
            "role": role,
            "primary": False,
            "preferred_channel": NOT_STATED,
            "detail_level": NOT_STATED,
            "in_contact_list": False,
        }
    return people


def _with_portfolio_falls(frame: pd.DataFrame, falls: pd.DataFrame) -> pd.DataFrame:
    """``fell``, ``p_value`` and ``q_value`` from the portfolio's flagged falls (matched by pseudonym)."""
    keyed = falls.assign(client_id=falls["client_id"].astype(str)).set_index(["client_id", "pseudonym"])
    at = pd.MultiIndex.from_arrays([frame["client_id"], frame["pseudonym"]])
    return frame.assign(
        p_value=keyed["p_value"].reindex(at).to_numpy(float),
        q_value=keyed["q_value"].reindex(at).to_numpy(float),
        fell=at.isin(keyed.index),
    )


def _fall_of(tested: pd.DataFrame, client_id: str, respondent_id: str) -> dict:
    """The person's row of the fall tests (NaN figures when they have none)."""
    key = (client_id, respondent_id)
    if key in tested.index:
        row = tested.loc[key]
        return {
            "recent_rating": float(row["recent_rating"]),
            "earlier_rating": float(row["earlier_rating"]),
            "change": float(row["change"]),
            "p_value": float(row["p_value"]),
            "q_value": float(row["q_value"]),
            "fell": bool(row["fell"]),
        }
    return {
        "recent_rating": math.nan,
        "earlier_rating": math.nan,
        "change": math.nan,
        "p_value": math.nan,
        "q_value": math.nan,
        "fell": False,
    }


def _person_figures(history: pd.DataFrame, period: pd.Period, first: pd.Period, fall: dict) -> dict:
    """One person's responses, latest answers, fall in ratings (``fall``, from the family's tests)
    and detractor status (see :func:`contact_scores`) from their responses up to ``period`` in time
    order."""
    in_window = history[history["period"] >= first]
    now = history[history["period"] == period]
    ltr_now = now["likelihood_to_recommend"].dropna()
    ltr_all = history["likelihood_to_recommend"].dropna()
    ltr_before = history[history["period"] < period]["likelihood_to_recommend"].dropna()
    latest_ltr = (
        float(ltr_all.iloc[-1])
        if len(ltr_all) and history.loc[ltr_all.index[-1], "period"] >= first
        else math.nan
    )
    previous_ltr = float(ltr_before.iloc[-1]) if len(ltr_before) else math.nan
    detractor_now = bool(len(ltr_now)) and float(ltr_now.iloc[-1]) <= DETRACTOR_MAX
    overall = in_window["overall_satisfaction"].dropna()
    return {
        "responses": int(len(in_window)),
        "responses_now": int(len(now)),
        "last_answered": in_window["submitted_at"].max() if len(in_window) else pd.NaT,
        "latest_overall": float(overall.iloc[-1]) if len(overall) else math.nan,
        "latest_ltr": latest_ltr,
        "latest_group": nps_class(latest_ltr),
        "previous_ltr": previous_ltr,
        **fall,
        "detractor_now": detractor_now,
        "new_detractor": bool(
            detractor_now and not math.isnan(previous_ltr) and previous_ltr > DETRACTOR_MAX
        ),
    }


def scores_by_role(
    responses: pd.DataFrame,
    scores: pd.DataFrame,
    *,
    period: pd.Period | str,
    months: int = 12,
    survey: SurveyDefinition | None = None,
) -> pd.DataFrame:
    """Per role: people, people who answered, responses in the window, mean overall (95% t CI),
    NPS over the window, the mean of each person's latest overall score, and detractors now.

    ``scores`` is :func:`contact_scores` of the same responses (it gives every person a role).
    """
    from insights.stats import metrics

    period = as_period(period)
    window = responses[
        (responses["period"] > period - months)
        & (responses["period"] <= period)
        & responses["respondent_id"].notna()
    ]
    roles = scores.set_index(["client_id", "respondent_id"])["role"]
    keys = pd.MultiIndex.from_arrays([window["client_id"].astype(str), window["respondent_id"].astype(str)])
    window = window.assign(_role=roles.reindex(keys).to_numpy())
    rows = []
    for role, people in scores.groupby("role", sort=True):
        answers = window[window["_role"] == role]
        mean = metrics.mean_score(answers) if len(answers) else None
        net = metrics.nps(answers) if len(answers) else None
        rows.append(
            {
                "role": role,
                "people": int(len(people)),
                "answered": int((people["responses"] > 0).sum()),
                "responses": int(len(answers)),
                "mean_overall": mean.score if mean else math.nan,
                "ci_low": mean.ci_low if mean else math.nan,
                "ci_high": mean.ci_high if mean else math.nan,
                "nps": net.score if net else math.nan,
                "latest_overall": float(people["latest_overall"].mean())
                if people["latest_overall"].notna().any()
                else math.nan,
                "detractors_now": int(people["detractor_now"].sum()),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "role",
            "people",
            "answered",
            "responses",
            "mean_overall",
            "ci_low",
            "ci_high",
            "nps",
            "latest_overall",
            "detractors_now",
        ],
    )


def flagged_contacts(scores: pd.DataFrame) -> pd.DataFrame:
    """People whose ratings fell significantly, or who became detractors, worst first."""
    flagged = scores[scores["fell"] | scores["new_detractor"]]
    return flagged.sort_values(["new_detractor", "change"], ascending=[False, True], na_position="last")


def follow_up_preferences(contacts: pd.DataFrame) -> pd.DataFrame:
    """How many people prefer each channel and level of detail (per client)."""
    if contacts is None or contacts.empty:
        return pd.DataFrame(columns=["client_id", "preferred_channel", "detail_level", "people"])
    counts = contacts.groupby(["client_id", "preferred_channel", "detail_level"]).size().rename("people")
    return (
        counts.reset_index()
        .sort_values(["client_id", "people"], ascending=[True, False])
        .reset_index(drop=True)
    )


def primary_contact(contacts: pd.DataFrame | None, client_id: str) -> dict | None:
    """The client's primary contact as a dict (``respondent_id, name, role, preferred_channel,
    detail_level``), or None when the list names none."""
    if contacts is None or contacts.empty:
        return None
    rows = contacts[(contacts["client_id"].astype(str) == str(client_id)) & contacts["primary"]]
    if rows.empty:
        return None
    return {
        k: rows.iloc[0][k] for k in ("respondent_id", "name", "role", "preferred_channel", "detail_level")
    }
