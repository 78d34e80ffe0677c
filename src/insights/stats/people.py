"""Clients are people: contacts, self-assessments, perception gaps, internal clients, follow-up.

A satisfied company is a set of satisfied people.  This module reads two optional inputs and
holds the pure analysis built on them; :mod:`insights.reporting.report` turns the results into sections.

The contacts contract (one row per person; any source :func:`insights.data.read.read_raw` reads)
------------------------------------------------------------------------------------------
=================  =====================================================================
column             rule
=================  =====================================================================
respondent_id      required, unique: the id the person answers the survey under
client_id          required: the client the person belongs to
name               required: shown only with ``show_names`` (``--show-names``)
role               required: e.g. "Executive sponsor", "Project lead"
preferred_channel  ``email``, ``phone``, ``in person`` or ``chat`` (case, ``-`` and ``_``
                   ignored: "In-Person" is "in person", "e-mail" is "email"); blank = not stated
detail_level       ``brief`` or ``detailed``; blank = not stated
primary            true/false (also yes/no, y/n, 1/0); blank = false; at most one primary
                   contact per client (a client without one is warned about)
=================  =====================================================================

The self-assessment contract (the team rates itself, one row per client, month and component)
-----------------------------------------------------------------------------------------------
=========  =========================================================================
column     rule
=========  =========================================================================
client_id  required
period     required, ``YYYY-MM`` (a date cell from Excel is read as its month)
component  required: a driver of the survey definition, by column name or label
           (case ignored): ``quality`` or ``Quality of work``
score      required, on the driver scale (default 1-5); half points are fine
=========  =========================================================================

Column names are matched ignoring case, surrounding spaces, and spaces or dashes for
underscores ("Preferred Channel" is ``preferred_channel``).  From a DuckDB file or a database
URL the tables ``contacts`` and ``self_assessment`` are read unless a table or query is given.
Every problem is reported at once, naming the file, the column, the rows and their values
(:class:`PeopleDataError`), like the survey loader.

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
  the mean of their earlier responses in the window by at least :data:`MIN_FALL` points and a t
  test says p < 0.05.  A response's rating is the mean of its answered drivers and overall
  satisfaction.  One test per person: with many people a few flags are expected by chance (the
  People section says how many).  See :func:`contact_scores`.
* A contact *became a detractor* when their NPS answer in the report period is 0-6 and their
  previous NPS answer was 7-10.
* The perception gap is ``self - client mean``; the client mean has a Student t interval, the
  self-score is a constant, so the gap's interval is ``self - (client upper, lower bound)``.
  A *blind spot* is a gap of at least :data:`BLIND_SPOT_GAP` (one point).
* Internal against external clients: responses of one client are not independent, so CIs and
  tests cluster by client (:func:`clustered_mean`, :func:`clustered_difference`).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from insights.core.errors import DataError, Problem, SurveyDataError
from insights.data.read import is_url, read_raw
from insights.data.survey import SurveyDefinition, resolve_survey
from insights.stats.metrics import DETRACTOR_MAX, PROMOTER_MIN, Difference

__all__ = [
    "BLIND_SPOT_GAP",
    "CHANNELS",
    "DETAIL_LEVELS",
    "ClusteredMean",
    "PeopleDataError",
    "clustered_difference",
    "clustered_mean",
    "contact_scores",
    "flagged_contacts",
    "follow_up_preferences",
    "gap_summary",
    "load_service_events",
    "perception_gaps",
    "primary_contact",
    "pseudonym",
    "read_contacts",
    "read_self_assessment",
    "scores_by_role",
]

CHANNELS = ("email", "phone", "in person", "chat")
DETAIL_LEVELS = ("brief", "detailed")
CONTACT_COLUMNS = (
    "respondent_id",
    "client_id",
    "name",
    "role",
    "preferred_channel",
    "detail_level",
    "primary",
)
SELF_ASSESSMENT_COLUMNS = ("client_id", "period", "component", "score")
NOT_STATED = "not stated"
UNKNOWN_ROLE = "Role not known"
PSEUDONYM_KEY_ENV = "INSIGHTS_PSEUDONYM_KEY"
PSEUDONYM_PREFIX = "Contact "
#: Months at the end of the window whose responses count as "recent" for a fall in ratings
#: (1: the report month against the earlier months).
RECENT_MONTHS = 1
#: The smallest fall (scale points) worth calling: a significant fall smaller than this is noise
#: in practice (and a contact who always answered the same gives a zero spread).
MIN_FALL = 0.5
#: A self-rating this many points above the client's mean is a blind spot.
BLIND_SPOT_GAP = 1.0
#: Months of client ratings, ending in the self-assessment's month, that a self-rating is set against.
GAP_MONTHS = 3
ALPHA = 0.05
MAX_ROWS = 5

_TRUE = {"true", "t", "yes", "y", "1", "1.0", "x"}
_FALSE = {"false", "f", "no", "n", "0", "0.0", ""}
_CHANNEL_ALIASES = {
    "e mail": "email",
    "mail": "email",
    "telephone": "phone",
    "call": "phone",
    "in person": "in person",
    "inperson": "in person",
    "face to face": "in person",
    "meeting": "in person",
    "teams": "chat",
    "slack": "chat",
}
_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class PeopleDataError(DataError):
    """A contacts or self-assessment file that cannot be used; ``problems`` lists every problem."""

    default_source = "<people>"


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


# --- reading and validation ------------------------------------------------------------------------


def _read(source, what: str, default_table: str, sheet, table, query):
    """Read with :func:`insights.data.read.read_raw`; a database gets ``default_table`` unless told otherwise."""
    if table is None and query is None and (is_url(source) or str(source).lower().endswith(".duckdb")):
        table = default_table
    try:
        raw = read_raw(source, sheet=sheet, table=table, query=query)
    except SurveyDataError as exc:
        problems = [
            p
            if not p.message.startswith("no responses")
            else Problem(
                p.source, p.message.replace("no responses", f"no {what}", 1), p.column, p.rows, p.values
            )
            for p in exc.problems
        ]
        raise PeopleDataError(problems) from None
    frame = raw.frame.copy()
    frame.columns = [_normalise_column(c) for c in frame.columns]
    return raw, frame


def _normalise_column(name: object) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


class _Checker:
    """Collects every problem of one file, with rows numbered as a user counts them."""

    def __init__(self, raw, frame: pd.DataFrame):
        self.raw = raw
        self.frame = frame
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def problem(self, message: str, column: str | None = None, mask=None, values=None) -> None:
        self.problems.extend(
            self.raw.origins.problems(self.raw.name, message, column, mask, values, limit=MAX_ROWS)
        )

    def warn(self, message: str, column: str | None = None) -> None:
        self.warnings.append(Problem(self.raw.name, message, column))

    def columns(self, required: tuple[str, ...]) -> bool:
        duplicated = sorted(set(self.frame.columns[self.frame.columns.duplicated()]))
        if duplicated:
            self.problem(f"column(s) appear more than once: {', '.join(duplicated)}")
        missing = [c for c in required if c not in self.frame.columns]
        if missing:
            self.problem(f"missing required column(s): {', '.join(missing)} (expected {', '.join(required)})")
        return not (duplicated or missing)

    def text(self, column: str) -> pd.Series:
        original = self.frame[column]
        if pd.api.types.is_float_dtype(original):
            finite = original.dropna()
            if len(finite) and (finite.abs() < 2**53).all() and (finite == np.round(finite)).all():
                original = original.astype("Int64")
        text = original.astype("string").str.strip()
        return text.mask(text == "")

    def required_text(self, column: str) -> pd.Series:
        text = self.text(column)
        blank = text.isna()
        if blank.any():
            self.problem("missing values", column, blank)
        return text

    def raise_if_any(self) -> None:
        if self.problems:
            raise PeopleDataError(self.problems)


def read_contacts(
    source: str | Path | pd.DataFrame,
    *,
    sheet: str | None = None,
    table: str | None = None,
    query: str | None = None,
) -> pd.DataFrame:
    """Read and validate a contact list (see the module docstring for the contract).

    Returns one row per person: ``respondent_id, client_id, name, role`` as text,
    ``preferred_channel`` and ``detail_level`` (``"not stated"`` when blank) and ``primary``
    (bool).  ``df.attrs["warnings"]`` lists what did not stop it (a client without a primary).

    Raises
    ------
    PeopleDataError
        Listing every problem (file, column, rows, values): missing columns, blank ids, names
        or roles, duplicate respondent ids, unknown channels or detail levels, primary values
        that are not true/false, more than one primary contact for a client.
    """
    raw, frame = _read(source, "contacts", "contacts", sheet, table, query)
    check = _Checker(raw, frame)
    if not check.columns(CONTACT_COLUMNS):
        check.raise_if_any()
    tidy = pd.DataFrame(index=frame.index)
    for column in ("respondent_id", "client_id", "name", "role"):
        tidy[column] = check.required_text(column)
    ids = tidy["respondent_id"]
    duplicated = ids.duplicated(keep=False) & ids.notna()
    if duplicated.any():
        check.problem("duplicate respondent ids (one row per person)", "respondent_id", duplicated, ids)

    channel = check.text("preferred_channel").str.lower().str.replace(r"[\s_\-]+", " ", regex=True)
    channel = channel.map(lambda v: _CHANNEL_ALIASES.get(v, v) if isinstance(v, str) else v)
    bad = channel.notna() & ~channel.isin(CHANNELS)
    if bad.any():
        check.problem(
            f"values other than {', '.join(CHANNELS)}", "preferred_channel", bad, frame["preferred_channel"]
        )
    tidy["preferred_channel"] = channel.fillna(NOT_STATED)

    detail = check.text("detail_level").str.lower()
    bad = detail.notna() & ~detail.isin(DETAIL_LEVELS)
    if bad.any():
        check.problem(
            f"values other than {', '.join(DETAIL_LEVELS)}", "detail_level", bad, frame["detail_level"]
        )
    tidy["detail_level"] = detail.fillna(NOT_STATED)

    tidy["primary"] = _booleans(check, frame["primary"])
    if not check.problems:
        primaries = tidy[tidy["primary"]].groupby("client_id")["respondent_id"].size()
        several = tidy["client_id"].isin(primaries[primaries > 1].index) & tidy["primary"]
        if several.any():
            check.problem(
                "more than one primary contact for a client (mark one per client)",
                "primary",
                several,
                tidy["client_id"] + ": " + tidy["respondent_id"],
            )
        without = sorted(set(tidy["client_id"]) - set(primaries.index))
        if without:
            more = f" and {len(without) - MAX_ROWS} more" if len(without) > MAX_ROWS else ""
            check.warn(
                f"{len(without)} client(s) without a primary contact: {', '.join(without[:MAX_ROWS])}{more}",
                "primary",
            )
    check.raise_if_any()
    tidy = tidy.astype(
        {c: str for c in ("respondent_id", "client_id", "name", "role", "preferred_channel", "detail_level")}
    )
    tidy.attrs["source"] = raw.name
    tidy.attrs["warnings"] = [str(w) for w in check.warnings]
    return tidy.reset_index(drop=True)


def _booleans(check: _Checker, original: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(original):
        return original.fillna(False).astype(bool)
    text = original.astype("string").str.strip().str.lower().fillna("")
    known = text.isin(_TRUE | _FALSE)
    if (~known).any():
        check.problem("values other than true/false (or yes/no, 1/0)", "primary", ~known, original)
    return text.isin(_TRUE).astype(bool)


def read_self_assessment(
    source: str | Path | pd.DataFrame,
    survey: SurveyDefinition | str | Path | None = None,
    *,
    sheet: str | None = None,
    table: str | None = None,
    query: str | None = None,
) -> pd.DataFrame:
    """Read and validate the team's self-assessment (see the module docstring for the contract).

    Returns ``client_id`` (text), ``period`` (monthly Period), ``component`` (the driver's column
    name) and ``score`` (float).

    Raises
    ------
    PeopleDataError
        Listing every problem: missing columns or values, periods not YYYY-MM, components the
        survey does not rate, non-numeric scores or scores off the driver scale, the same
        client, period and component twice.
    """
    definition = resolve_survey(survey)
    raw, frame = _read(source, "self-assessment rows", "self_assessment", sheet, table, query)
    check = _Checker(raw, frame)
    if not check.columns(SELF_ASSESSMENT_COLUMNS):
        check.raise_if_any()
    tidy = pd.DataFrame(index=frame.index)
    tidy["client_id"] = check.required_text("client_id")
    tidy["period"] = _periods(check, frame["period"])

    names = {d.lower(): d for d in definition.driver_names}
    names.update({label.strip().lower(): d for d, label in definition.drivers.items()})
    component_text = check.required_text("component")
    component = component_text.str.lower().map(names)
    unknown = component.isna() & component_text.notna()
    if unknown.any():
        check.problem(
            f"not a driver of the survey ({', '.join(definition.driver_names)})",
            "component",
            unknown,
            frame["component"],
        )
    tidy["component"] = component

    original = frame["score"]
    if pd.api.types.is_numeric_dtype(original) and not pd.api.types.is_bool_dtype(original):
        score = original.astype("float64")
        blank = score.isna()
    else:
        text = check.text("score")
        score = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce").astype("float64")
        blank = text.isna()
        bad = score.isna() & ~blank
        if bad.any():
            check.problem("non-numeric values", "score", bad, original)
    if blank.any():
        check.problem("missing values", "score", blank)
    scale = definition.driver_scale
    outside = (score < scale.min) | (score > scale.max) | np.isinf(score)
    if outside.any():
        check.problem(f"values outside the driver scale {scale}", "score", outside, original)
    tidy["score"] = score

    if not check.problems:
        key = tidy[["client_id", "period", "component"]].astype(str)
        repeated = key.duplicated(keep=False)
        if repeated.any():
            check.problem(
                "the same client, period and component more than once",
                None,
                repeated,
                key["client_id"] + " " + key["period"] + " " + key["component"],
            )
    check.raise_if_any()
    tidy["client_id"] = tidy["client_id"].astype(str)
    tidy["component"] = tidy["component"].astype(str)
    tidy.attrs["source"] = raw.name
    return tidy.reset_index(drop=True)


def _periods(check: _Checker, original: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(original):
        blank = original.isna()
        if blank.any():
            check.problem("missing values", "period", blank)
        return original.dt.to_period("M")
    text = check.text("period")
    blank = text.isna()
    if blank.any():
        check.problem("missing values", "period", blank)
    # A month a spreadsheet turned into a date (2026-10-01, 2026-10-01 00:00:00) is that month.
    month = text.str.extract(r"^(\d{4}-\d{2})(?:-01(?:[ T]00:00(?::00)?)?)?$")[0]
    bad = ~blank & ~month.fillna("").str.match(_PERIOD)
    if bad.any():
        check.problem("not a month of the form YYYY-MM", "period", bad, original)
    return pd.Series(
        [pd.Period(m, "M") if isinstance(m, str) and _PERIOD.match(m) else pd.NaT for m in month],
        index=original.index,
        dtype="period[M]",
    )


# --- per-person analysis ----------------------------------------------------------------------------


def _rating(responses: pd.DataFrame, survey: SurveyDefinition) -> pd.Series:
    """A response's rating: the mean of its answered drivers and overall satisfaction."""
    columns = [c for c in (*survey.driver_names, "overall_satisfaction") if c in responses.columns]
    return responses[columns].astype(float).mean(axis=1, skipna=True)


def _nps_group(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if value >= PROMOTER_MIN:
        return "promoter"
    return "detractor" if value <= DETRACTOR_MAX else "passive"


def _fall_test(recent: np.ndarray, earlier: np.ndarray) -> tuple[float, float]:
    """Change (recent mean - earlier mean) and its two-sided p-value.

    The spread comes from the earlier responses alone: ``t = change / (s_earlier * sqrt(1/m + 1/n))``
    on ``n - 1`` degrees of freedom, exact under normality whatever ``m`` is, so a single recent
    response can be tested (it is the prediction-interval test of a new observation).  Needs at
    least two earlier responses; a zero spread gives p = 0 for any fall (the size rule
    :data:`MIN_FALL` then decides).
    """
    m, n = len(recent), len(earlier)
    if m < 1 or n < 2:
        return (float(np.mean(recent) - np.mean(earlier)) if m and n else math.nan), math.nan
    change = float(np.mean(recent) - np.mean(earlier))
    se = float(np.std(earlier, ddof=1)) * math.sqrt(1 / m + 1 / n)
    if se == 0:
        return change, (0.0 if change != 0 else 1.0)
    return change, float(2 * stats.t.sf(abs(change / se), n - 1))


def contact_scores(
    responses: pd.DataFrame,
    contacts: pd.DataFrame | None = None,
    *,
    period: pd.Period | str,
    months: int = 12,
    recent_months: int = RECENT_MONTHS,
    survey: SurveyDefinition | None = None,
    key: str | None = None,
) -> pd.DataFrame:
    """One row per person (contacts listed, and respondents who answered in the window).

    Columns: ``client_id, respondent_id, pseudonym, name, role, primary, preferred_channel,
    detail_level, in_contact_list, responses`` (in the ``months`` window ending in ``period``),
    ``responses_now`` (in ``period``), ``last_answered``, ``latest_overall``, ``latest_ltr``,
    ``latest_group`` (promoter / passive / detractor of the latest NPS answer), ``previous_ltr``,
    ``recent_rating``, ``earlier_rating``, ``change``, ``p_value``, ``fell``, ``detractor_now``,
    ``new_detractor``.

    * A response's *rating* is the mean of its answered drivers and overall satisfaction.
    * ``fell``: the mean rating of the last ``recent_months`` months is at least
      :data:`MIN_FALL` below the mean of the earlier months of the window, with p < 0.05 in the
      t test of :func:`_fall_test` (at least one recent and two earlier responses).
    * ``detractor_now``: the person's NPS answer in ``period`` is 0-6 (the latest, if several).
    * ``new_detractor``: a detractor now whose previous NPS answer (any earlier month) was 7-10.

    Responses without a respondent id cannot be followed per person and are left out.  Roles
    come from the contact list, else from a ``respondent_role`` column of the responses.
    """
    survey = survey or SurveyDefinition.default()
    period = pd.Period(period, "M")
    first = period - (months - 1)
    recent_start = period - (recent_months - 1)
    data = responses[responses["respondent_id"].notna() & (responses["period"] <= period)].copy()
    data["client_id"] = data["client_id"].astype(str)
    data["respondent_id"] = data["respondent_id"].astype(str)
    data["_rating"] = _rating(data, survey)
    data = data.sort_values(["submitted_at", "response_id"], kind="stable")
    window = data[data["period"] >= first]

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
    listed_clients = {c for c, _ in people}
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

    by_person = {k: g for k, g in data.groupby(["client_id", "respondent_id"], sort=False)}
    rows = []
    for (client_id, respondent_id), info in people.items():
        history = by_person.get((client_id, respondent_id), data.iloc[0:0])
        in_window = history[history["period"] >= first]
        now = history[history["period"] == period]
        recent = in_window[in_window["period"] >= recent_start]["_rating"].dropna().to_numpy()
        earlier = in_window[in_window["period"] < recent_start]["_rating"].dropna().to_numpy()
        change, p_value = _fall_test(recent, earlier)
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
        rows.append(
            {
                "client_id": client_id,
                "respondent_id": respondent_id,
                "pseudonym": pseudonym(respondent_id, key),
                **info,
                "responses": int(len(in_window)),
                "responses_now": int(len(now)),
                "last_answered": in_window["submitted_at"].max() if len(in_window) else pd.NaT,
                "latest_overall": float(overall.iloc[-1]) if len(overall) else math.nan,
                "latest_ltr": latest_ltr,
                "latest_group": _nps_group(latest_ltr),
                "previous_ltr": previous_ltr,
                "recent_rating": float(recent.mean()) if len(recent) else math.nan,
                "earlier_rating": float(earlier.mean()) if len(earlier) else math.nan,
                "change": change,
                "p_value": p_value,
                "fell": bool(not math.isnan(p_value) and p_value < ALPHA and change <= -MIN_FALL),
                "detractor_now": detractor_now,
                "new_detractor": bool(
                    detractor_now and not math.isnan(previous_ltr) and previous_ltr > DETRACTOR_MAX
                ),
            }
        )
    columns = [
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
        "fell",
        "detractor_now",
        "new_detractor",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    frame.attrs["listed_clients"] = sorted(listed_clients)
    if frame.empty:
        return frame
    order = frame.assign(_p=~frame["primary"], _r=frame["role"].str.casefold())
    return frame.loc[order.sort_values(["client_id", "_p", "_r", "pseudonym"]).index].reset_index(drop=True)


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

    period = pd.Period(period, "M")
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


# --- perception gaps ----------------------------------------------------------------------------------


def perception_gaps(
    responses: pd.DataFrame,
    self_assessment: pd.DataFrame,
    *,
    client: str | None = None,
    period: pd.Period | str | None = None,
    months: int = GAP_MONTHS,
    survey: SurveyDefinition | None = None,
) -> pd.DataFrame:
    """The team's self-rating against the client's ratings, per client, month and component.

    For each self-assessment row, the client's mean rating of the component over the ``months``
    months ending in the self-assessment's period (default three, so a monthly cell of five
    answers does not decide alone) with its Student t 95% interval (weighted when the responses
    carry a ``weight`` column).  ``gap = self - client``; the self-score is a constant, so the
    gap's interval is ``self - client_ci_high`` to ``self - client_ci_low``.  ``blind_spot``: the
    gap is at least :data:`BLIND_SPOT_GAP`; ``significant``: the gap's interval excludes zero.

    Columns: ``client_id, period, component, label, self, client, n, client_ci_low,
    client_ci_high, gap, ci_low, ci_high, blind_spot, significant``.  With no ratings to compare
    (``n`` < 1) the client figures and the gap are NaN and nothing is flagged; with one rating
    the interval is NaN.
    """
    from insights.stats import metrics

    survey = survey or SurveyDefinition.default()
    chosen = self_assessment
    if client is not None:
        chosen = chosen[chosen["client_id"].astype(str) == str(client)]
    if period is not None:
        chosen = chosen[chosen["period"] == pd.Period(period, "M")]
    ids = responses["client_id"].astype(str)
    weight = "weight" if "weight" in responses.columns else None
    rows = []
    for row in chosen.sort_values(["client_id", "period"], kind="stable").itertuples(index=False):
        mine = responses[
            (ids == row.client_id)
            & (responses["period"] > row.period - months)
            & (responses["period"] <= row.period)
        ]
        result = (
            metrics.mean_score(mine, row.component, weight=weight) if row.component in mine.columns else None
        )
        client_mean = result.score if result else math.nan
        low, high = (result.ci_low, result.ci_high) if result else (math.nan, math.nan)
        gap = row.score - client_mean
        rows.append(
            {
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
        )
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


def gap_summary(gaps: pd.DataFrame) -> pd.DataFrame:
    """Per component across clients: clients, mean self and client scores, the mean gap with a t
    95% interval over clients (each client once, its latest self-assessment), and blind spots."""
    if gaps.empty:
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
    latest = gaps.dropna(subset=["gap"]).sort_values("period").groupby(["client_id", "component"]).tail(1)
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


# --- internal and external clients: clustered by client ------------------------------------------------


@dataclass(frozen=True)
class ClusteredMean:
    """A mean over responses whose interval allows for responses of one client going together."""

    score: float
    se: float
    ci_low: float
    ci_high: float
    n: int
    clusters: int


def clustered_mean(
    values: pd.Series | np.ndarray, clusters: pd.Series | np.ndarray, confidence: float = 0.95
) -> ClusteredMean:
    """Mean of ``values`` (NaN = not answered) with a cluster-robust (CR1) standard error.

    ``se**2 = G / (G - 1) * sum_g (sum_{i in g} (y_i - mean))**2 / N**2`` over the ``G``
    clusters (clients) and ``N`` answers; the interval is Student t on ``G - 1`` degrees of
    freedom.  With equal cluster sizes this is exactly the t interval of the mean of the
    cluster means; one cluster gives NaN intervals.
    """
    y = np.asarray(values, dtype=float)
    g = np.asarray(clusters).astype(str)
    keep = ~np.isnan(y)
    y, g = y[keep], g[keep]
    n = len(y)
    if n == 0:
        return ClusteredMean(math.nan, math.nan, math.nan, math.nan, 0, 0)
    mean = float(y.mean())
    sums = pd.Series(y - mean).groupby(g).sum().to_numpy()
    k = len(sums)
    if k < 2:
        return ClusteredMean(mean, math.nan, math.nan, math.nan, n, k)
    se = math.sqrt(k / (k - 1) * float((sums**2).sum())) / n
    half = float(stats.t.ppf(0.5 + confidence / 2, k - 1)) * se
    return ClusteredMean(mean, se, mean - half, mean + half, n, k)


def clustered_difference(first: ClusteredMean, second: ClusteredMean, confidence: float = 0.95) -> Difference:
    """``first - second`` for two groups of distinct clients (independent clusters).

    ``se = sqrt(se1**2 + se2**2)`` from the cluster-robust standard errors, t on Welch-
    Satterthwaite degrees of freedom with ``G - 1`` per group; with equal cluster sizes this is
    Welch's test on the client means.  ``test`` is ``"cluster_welch_t"``.
    """
    estimate = first.score - second.score
    v1, v2 = first.se**2, second.se**2
    se = math.sqrt(v1 + v2) if not (math.isnan(v1) or math.isnan(v2)) else math.nan
    if math.isnan(se) or se == 0:
        return Difference(
            estimate, se, math.nan, math.nan, math.nan, math.nan, math.nan, "cluster_welch_t", confidence
        )
    dof = (v1 + v2) ** 2 / (v1**2 / (first.clusters - 1) + v2**2 / (second.clusters - 1))
    statistic = estimate / se
    half = float(stats.t.ppf(0.5 + confidence / 2, dof)) * se
    return Difference(
        float(estimate),
        float(se),
        float(estimate - half),
        float(estimate + half),
        float(statistic),
        float(dof),
        float(2 * stats.t.sf(abs(statistic), dof)),
        "cluster_welch_t",
        confidence,
    )


# --- service events (hook) -----------------------------------------------------------------------------


def load_service_events(source: str | Path | pd.DataFrame | None) -> pd.DataFrame | None:
    """Service events for the follow-up list, read by :mod:`insights.stats.service` when it is installed.

    The hook: ``source`` (a file, or a DataFrame of raw rows) goes through
    ``insights.data.events.load_events`` (validated and typed, as the "Service levels" section reads
    it).  Without that module a DataFrame is taken as it is and a path gives None.
    :func:`insights.reporting.report.follow_up_list` then uses ``insights.stats.service.classify`` for what is
    open or overdue; without it, it needs ``client_id``, a due date (``due_at``, ``due``,
    ``due_date`` or ``resolve_by``) and ``resolved_at``/``closed_at`` (blank while open) or a
    ``status`` of ``open``.  Returns None when ``source`` is blank.
    """
    if source is None or (isinstance(source, str) and not source.strip()):
        return None
    try:
        from insights.data.events import load_events
    except ImportError:
        return source if isinstance(source, pd.DataFrame) else None
    return load_events(source, warn=False)
