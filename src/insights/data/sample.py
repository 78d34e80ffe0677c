"""A seeded, realistic sample survey with planted effects that the statistics must recover.

The generating model (documented here so tests can check that the analysis recovers it):

* 30 clients: 24 external (``C01``-``C24``) and 6 internal teams (``I01``-``I06``); each has
  2 to 10 contacts with roles, and each contact answers in a month with probability 0.75.
  ``C23`` and ``C24`` have only two contacts, so their monthly cells are small.
* 12 monthly waves ending in ``END_PERIOD`` (2026-10).
* Driver ratings (1-5): a client level ``N(0, 0.45)``, a per-response halo shared by all
  drivers (so drivers correlate, as they do in real surveys), driver noise, rounded and clipped.
  Internal teams rate every driver ``INTERNAL_UPLIFT`` (0.35) points higher on the latent scale.
* Movers: ``DECLINING_CLIENTS`` lose 0.35 points a month on quality, responsiveness and
  communication over the last three months; ``IMPROVING_CLIENTS`` gain 0.3 a month.
* Overall satisfaction (1-5) = round(0.40 + sum(PLANTED_COEFFICIENTS[d] * driver_d) + N(0, 0.45)),
  clipped to 1-5, computed from the *observed* driver ratings.  Expertise has no effect (0.0).
* Likelihood to recommend (0-10) = round(2.4 * latent overall - 1.2 + N(0, 1)), clipped; 8% blank.
* About 4% of driver answers are blank.
* About 45% of responses carry a comment (:mod:`insights.data.sample_comments`, on their own random
  stream): themes of the sample codeframe in several phrasings each, per-client theme mixes, a few with personal data,
  and planted theme effects on overall satisfaction (billing -0.5, responsiveness -0.4, quality
  -0.3, praise +0.3): whether a response has a comment and its themes are drawn given the
  response's own noise draw, so they explain part of it, and every rating, overall satisfaction
  and likelihood to recommend stay as they were.
  The sample's ``survey.toml`` is the default survey with that codeframe.

Service events (:func:`generate_events`, written as ``events.csv``) and their planted effects:

* The same 30 clients, from the month before the survey's first month to ``END_PERIOD``; each
  client opens ``Poisson(rate)`` events a month, its rate drawn from ``Gamma(4, 1.75)`` (mean 7).
  Categories: deliverable, availability, turnaround, hardware, software, service; severities
  low/medium/high/critical with windows of 72/24/8/4 hours (deliverables: 2 to 10 days).
* Work comes in mostly on weekdays in office hours (UTC), fewest events at weekends.
* **Mondays are hot**: the log-odds of a breach are ``BREACH_LOGIT`` (-2.0, about 12%) plus a
  client offset ``N(0, 0.5)``, plus ``MONDAY_BREACH_LOGIT`` (1.0) for events opened on a Monday
  (about 27%), plus ``NIGHT_BREACH_LOGIT`` (0.5) for events opened 20:00-06:59.
* Breached events resolve after their due time (lognormal lateness); some met ones exactly on
  time.  Events not resolved by ``SAMPLE_AS_OF`` (2026-11-01 00:00 UTC) have a blank
  ``resolved_at``.  Breaches carry penalties by severity (medium 250, high 1,000, critical
  5,000); outages affect people (more for higher severities).  Client ``C17`` (Müller Bau GmbH)
  records its times in Europe/Berlin with their offsets, every other client in UTC (``Z``).
* **Breaches lower satisfaction**: with ``b(c, t)`` the client's breaches due in month ``t`` as of
  ``SAMPLE_AS_OF`` and ``b̄`` their mean over the survey's client-months, each response's latent
  overall satisfaction gains ``BREACH_EFFECT * (b(c, t) - b̄) + LAG_BREACH_EFFECT * (b(c, t-1) - b̄)``
  (-0.12 per breach this month, -0.06 per breach last month) before rounding, so likelihood to
  recommend falls with it.  Centring on ``b̄`` keeps the intercept above unbiased; the driver
  ratings are untouched.  A within-client regression of monthly mean satisfaction on the breach
  counts (:func:`insights.stats.service_impact.satisfaction_impact`) recovers the two effects.  The events use
  their own random stream, so the driver ratings and every other draw are as before.

Contacts and the team's self-assessment (:func:`generate_contacts`, :func:`generate_self_assessment`,
written as ``contacts.csv`` and ``self_assessment.csv``; seeded on their own streams, so the
responses do not change):

* Every respondent is a contact with a made-up name, the role they answer under, a preferred
  channel and level of detail, and exactly one primary contact per client; ``C01`` and ``I01``
  also list a new contact who has not answered yet.
* **Teams rate themselves higher**: the team's score for a client, month (the last three) and
  driver is the client's mean rating over the three months to then plus ``SELF_OPTIMISM`` (0.4)
  plus ``N(0, 0.15)``, rounded to half points.
* **Planted blind spots** (``BLIND_SPOTS``): the teams serving the declining clients C03 and C11
  rate their quality and responsiveness 5 every month, one to three points above those clients.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from insights.core.atomic import atomic_path
from insights.data.sample_comments import CommentDrafter, add_personal_data, codeframe_toml

END_PERIOD = "2026-10"
PLANTED_INTERCEPT = 0.40
PLANTED_COEFFICIENTS = {
    "communication": 0.15,
    "responsiveness": 0.25,
    "quality": 0.30,
    "timeliness": 0.10,
    "value": 0.10,
    "expertise": 0.00,
}
PLANTED_NOISE_SD = 0.45
INTERNAL_UPLIFT = 0.35
DECLINING_CLIENTS = ("C03", "C11", "I02")
IMPROVING_CLIENTS = ("C07", "C16")
BREACH_EFFECT = -0.12
LAG_BREACH_EFFECT = -0.06
BREACH_LOGIT = -2.0
MONDAY_BREACH_LOGIT = 1.0
NIGHT_BREACH_LOGIT = 0.5
SAMPLE_AS_OF = pd.Timestamp("2026-11-01T00:00:00Z")
EVENT_CATEGORIES = {
    "deliverable": 0.22,
    "availability": 0.16,
    "turnaround": 0.20,
    "hardware": 0.12,
    "software": 0.15,
    "service": 0.15,
}
EVENT_SEVERITIES = {"low": 0.40, "medium": 0.33, "high": 0.19, "critical": 0.08}
SEVERITY_WINDOW_HOURS = {"low": 72, "medium": 24, "high": 8, "critical": 4}
SEVERITY_PENALTY = {"low": 0, "medium": 250, "high": 1000, "critical": 5000}
SEVERITY_PEOPLE = {"low": 2, "medium": 6, "high": 20, "critical": 60}
WEEKDAY_LOAD = (1.3, 1.0, 1.0, 1.0, 0.9, 0.25, 0.15)  # Monday first
LOCAL_TIME_CLIENTS = {"C17": "Europe/Berlin"}
DRIVER_BASELINES = {
    "communication": 3.7,
    "responsiveness": 3.6,
    "quality": 3.8,
    "timeliness": 3.4,
    "value": 3.3,
    "expertise": 4.0,
}

EXTERNAL_NAMES = [
    "Northwind Logistics",
    "Contoso Bank",
    "Fabrikam Health",
    "Tailspin Airlines",
    "Litware & Co",
    "Adventure Works",
    "Wide World Importers",
    "Proseware Legal",
    "Woodgrove Insurance",
    "Alpine Ski House",
    "Coho Winery",
    "Lucerne Publishing",
    "Margie's Travel",
    "Blue Yonder Retail",
    "Fourth Coffee",
    "Trey Research",
    "Müller Bau GmbH",
    "Humongous Insurance",
    "Graphic Design Institute",
    "School of Fine Art",
    "Southridge Video",
    "City Power & Light",
    "Relecloud Ltd",
    "Consolidated Messenger",
]
INTERNAL_NAMES = [
    "Finance (internal)",
    "HR Shared Services",
    "IT Operations",
    "Legal Department",
    "Marketing Team",
    "Procurement Office",
]
ROLES = ["Executive sponsor", "Project lead", "Procurement", "End user", "Finance lead", "Operations manager"]

_POSITIVE = [
    "Great work this month, the team was {strong_adj}.",
    "Very happy with the {strong}. Keep it up!",
    "Excellent {strong}; we've recommended you internally.",
    'The new lead is "a real asset", thank you.',
]
_NEUTRAL = [
    "Good overall, but {weak} could be better.",
    "Solid month. Would like more proactive updates on {weak}.",
    "Fine, no major issues.",
]
_NEGATIVE = [
    "Disappointed with {weak} again.\nWe raised this last month, too.",
    "{weak_cap} is not where it needs to be, and deadlines slipped.",
    "Too slow to respond; escalations took days.",
    "We are reviewing the contract because of {weak}.",
]


def generate_sample(seed: int = 2026, months: int = 12, end: str = END_PERIOD) -> pd.DataFrame:
    """Generate the sample survey (raw contract columns, one row per response).

    Examples
    --------
    >>> df = generate_sample()
    >>> df["client_id"].nunique()
    30
    """
    rng = np.random.default_rng(seed)
    periods = pd.period_range(end=pd.Period(end, "M"), periods=months, freq="M")
    drivers = list(PLANTED_COEFFICIENTS)
    breaches = _breach_counts(generate_events(seed=seed, months=months, end=end))
    mean_breaches = float(breaches.reindex(columns=periods, fill_value=0).to_numpy().mean())
    rows: list[dict] = []
    contact_number = 0
    clients = [(f"C{i + 1:02d}", name, "external") for i, name in enumerate(EXTERNAL_NAMES)]
    clients += [(f"I{i + 1:02d}", name, "internal") for i, name in enumerate(INTERNAL_NAMES)]
    drafter = CommentDrafter(seed, [c[0] for c in clients], PLANTED_NOISE_SD)  # its own stream

    for client_id, client_name, client_type in clients:
        n_contacts = 2 if client_id in ("C23", "C24") else int(rng.integers(4, 11))
        contacts = []
        for _ in range(n_contacts):
            contact_number += 1
            contacts.append((f"P{contact_number:04d}", ROLES[int(rng.integers(len(ROLES)))]))
        client_level = rng.normal(0, 0.45)
        driver_offsets = rng.normal(0, 0.2, size=len(drivers))
        uplift = INTERNAL_UPLIFT if client_type == "internal" else 0.0

        for month_index, period in enumerate(periods):
            shift = np.zeros(len(drivers))
            months_from_end = months - 1 - month_index
            if months_from_end < 3:
                step = 3 - months_from_end
                moving = [drivers.index(d) for d in ("quality", "responsiveness", "communication")]
                if client_id in DECLINING_CLIENTS:
                    shift[moving] = -0.35 * step
                elif client_id in IMPROVING_CLIENTS:
                    shift[moving] = 0.30 * step
            for respondent_id, role in contacts:
                if rng.random() > 0.75:
                    continue
                halo = rng.normal(0, 0.6)
                base = np.array([DRIVER_BASELINES[d] for d in drivers])
                latent = (
                    base
                    + client_level
                    + driver_offsets
                    + uplift
                    + shift
                    + halo
                    + rng.normal(0, 0.7, len(drivers))
                )
                ratings = np.clip(np.rint(latent), 1, 5)
                overall_latent = PLANTED_INTERCEPT + float(
                    ratings @ np.array(list(PLANTED_COEFFICIENTS.values()))
                )
                noise = rng.normal(0, PLANTED_NOISE_SD)
                overall_latent += noise
                overall_latent += _service_shift(breaches, client_id, period, mean_breaches)
                overall = float(np.clip(np.rint(overall_latent), 1, 5))
                ltr = float(np.clip(np.rint(2.4 * overall_latent - 1.2 + rng.normal(0, 1.0)), 0, 10))
                answered = rng.random(len(drivers)) > 0.04
                day = int(rng.integers(1, period.days_in_month + 1))
                moment = pd.Timestamp(
                    period.year, period.month, day, int(rng.integers(8, 19)), int(rng.integers(0, 60))
                )
                row = {
                    "client_id": client_id,
                    "client_name": client_name,
                    "client_type": client_type,
                    "respondent_id": respondent_id,
                    "respondent_role": role,
                    "submitted_at": moment.isoformat(timespec="minutes"),
                    "overall_satisfaction": overall,
                    "likelihood_to_recommend": ltr if rng.random() > 0.08 else np.nan,
                }
                for name, value, given in zip(drivers, ratings, answered):
                    row[name] = float(value) if given else np.nan
                if rng.random() < 0.45:  # the old comment's draws: every later draw stays as it was
                    _comment(rng, ratings, drivers, overall)
                row["comment"] = drafter.draw(client_id, months_from_end, noise)[1]
                rows.append(row)

    frame = (
        pd.DataFrame(rows).sort_values(["submitted_at", "client_id"], kind="stable").reset_index(drop=True)
    )
    frame.insert(0, "response_id", [f"R{i + 1:06d}" for i in range(len(frame))])
    frame = add_personal_data(frame, generate_contacts(frame, seed=seed), seed)
    for column in ["overall_satisfaction", "likelihood_to_recommend", *drivers]:
        frame[column] = frame[column].astype("Int64")
    return frame


def _service_shift(breaches: pd.DataFrame, client_id: str, period: pd.Period, mean_breaches: float) -> float:
    """The planted effect of this month's and last month's breaches on latent overall satisfaction."""
    if client_id not in breaches.index:
        return 0.0
    row = breaches.loc[client_id]
    now = float(row.get(period, 0))
    before = float(row.get(period - 1, 0))
    return BREACH_EFFECT * (now - mean_breaches) + LAG_BREACH_EFFECT * (before - mean_breaches)


def _breach_counts(events: pd.DataFrame) -> pd.DataFrame:
    """Breaches per client (rows) and UTC due month (columns) as of ``SAMPLE_AS_OF``, by the service rules."""
    due = pd.to_datetime(events["due_at"], format="ISO8601", utc=True)
    resolved = pd.to_datetime(events["resolved_at"].replace("", None), format="ISO8601", utc=True)
    known = resolved.notna() & (resolved <= SAMPLE_AS_OF)
    breached = (known & (resolved > due)) | (~known & (due < SAMPLE_AS_OF))
    month = due.dt.tz_localize(None).dt.to_period("M")
    counts = pd.crosstab(events["client_id"], month, values=breached.astype(int), aggfunc="sum")
    return counts.fillna(0).astype(int)


def generate_events(seed: int = 2026, months: int = 12, end: str = END_PERIOD) -> pd.DataFrame:
    """Generate the sample service events (raw contract columns, one row per event).

    The events start one month before the survey's first month, so every survey month has a
    "last month".  See the module docstring for the planted effects.

    Examples
    --------
    >>> events = generate_events()
    >>> sorted(events["category"].unique())[:3]
    ['availability', 'deliverable', 'hardware']
    """
    rng = np.random.default_rng([seed, 6])
    periods = pd.period_range(end=pd.Period(end, "M"), periods=months + 1, freq="M")
    clients = [f"C{i + 1:02d}" for i in range(len(EXTERNAL_NAMES))] + [
        f"I{i + 1:02d}" for i in range(len(INTERNAL_NAMES))
    ]
    categories, category_p = list(EVENT_CATEGORIES), np.array(list(EVENT_CATEGORIES.values()))
    severities, severity_p = list(EVENT_SEVERITIES), np.array(list(EVENT_SEVERITIES.values()))
    rows: list[dict] = []
    for client_id in clients:
        rate = rng.gamma(4.0, 1.75)
        client_logit = rng.normal(0, 0.5)
        zone = LOCAL_TIME_CLIENTS.get(client_id)
        for period in periods:
            days = pd.date_range(period.start_time, periods=period.days_in_month, freq="D")
            load = np.array([WEEKDAY_LOAD[d.weekday()] for d in days])
            for _ in range(int(rng.poisson(rate))):
                day = days[int(rng.choice(len(days), p=load / load.sum()))]
                hour = int(rng.integers(8, 19)) if rng.random() < 0.85 else int(rng.integers(0, 24))
                opened = (day + pd.Timedelta(hours=hour, minutes=int(rng.integers(0, 60)))).tz_localize("UTC")
                category = categories[int(rng.choice(len(categories), p=category_p))]
                severity = severities[int(rng.choice(len(severities), p=severity_p))]
                window = (
                    float(rng.integers(48, 241))
                    if category == "deliverable"
                    else float(SEVERITY_WINDOW_HOURS[severity])
                )
                due = opened + pd.Timedelta(hours=window)
                logit = (
                    BREACH_LOGIT
                    + client_logit
                    + MONDAY_BREACH_LOGIT * (opened.weekday() == 0)
                    + NIGHT_BREACH_LOGIT * (hour >= 20 or hour < 7)
                )
                breach = rng.random() < 1 / (1 + np.exp(-logit))
                if breach:
                    late = float(rng.lognormal(np.log(0.3 * window + 1), 0.8))
                    resolved = due + pd.Timedelta(hours=max(late, 0.05))
                elif rng.random() < 0.03:
                    resolved = due  # exactly on time: met
                else:
                    resolved = opened + pd.Timedelta(hours=float(rng.uniform(0.15, 1.0)) * window)
                resolved = resolved.floor("min")
                outage = category in ("availability", "hardware", "software")
                people = int(rng.poisson(SEVERITY_PEOPLE[severity] if outage else 1))
                penalty = SEVERITY_PENALTY[severity] if (breach or resolved > due) else 0
                rows.append(
                    {
                        "client_id": client_id,
                        "category": category,
                        "opened": opened,
                        "due": due,
                        "resolved": resolved if resolved <= SAMPLE_AS_OF else None,
                        "severity": severity,
                        "penalty": penalty,
                        "people": people,
                        "outage": outage,
                        "zone": zone,
                    }
                )
    frame = pd.DataFrame(rows).sort_values(["opened", "client_id"], kind="stable").reset_index(drop=True)

    def stamp(moment, zone):
        if moment is None or pd.isna(moment):
            return ""
        if isinstance(zone, str):
            return moment.tz_convert(zone).isoformat(timespec="minutes")
        return moment.strftime("%Y-%m-%dT%H:%MZ")

    return pd.DataFrame(
        {
            "event_id": [f"E{i + 1:06d}" for i in range(len(frame))],
            "client_id": frame["client_id"],
            "category": frame["category"],
            "opened_at": [stamp(m, z) for m, z in zip(frame["opened"], frame["zone"])],
            "due_at": [stamp(m, z) for m, z in zip(frame["due"], frame["zone"])],
            "resolved_at": [stamp(m, z) for m, z in zip(frame["resolved"], frame["zone"])],
            "severity": frame["severity"],
            "penalty": ["" if p == 0 else str(int(p)) for p in frame["penalty"]],
            "people_affected": [str(n) if (o or n) else "" for n, o in zip(frame["people"], frame["outage"])],
        }
    )


def _comment(rng: np.random.Generator, ratings: np.ndarray, drivers: list[str], overall: float) -> str:
    strong = drivers[int(np.argmax(ratings))].replace("_", " ")
    weak = drivers[int(np.argmin(ratings))].replace("_", " ")
    pool = _POSITIVE if overall >= 4 else _NEUTRAL if overall == 3 else _NEGATIVE
    template = pool[int(rng.integers(len(pool)))]
    adjectives = {
        "communication": "clear",
        "responsiveness": "quick",
        "quality": "thorough",
        "timeliness": "on time",
        "value": "good value",
        "expertise": "expert",
    }
    return template.format(
        strong=strong, weak=weak, weak_cap=weak.capitalize(), strong_adj=adjectives.get(strong, "great")
    )


# Contacts and self-assessment (:func:`generate_contacts`, :func:`generate_self_assessment`)

FIRST_NAMES = [
    "Amara",
    "Bjørn",
    "Chiara",
    "Dmitri",
    "Eleanor",
    "Farid",
    "Grace",
    "Hiroshi",
    "Ingrid",
    "Jamal",
    "Katarzyna",
    "Liam",
    "Mei",
    "Nikolai",
    "Olivia",
    "Priya",
    "Quentin",
    "Rosa",
    "Sven",
    "Tamsin",
    "Umar",
    "Valentina",
    "Wilhelmina",
    "Xavier",
    "Yara",
    "Zoltan",
    "Aisling",
    "Bongani",
    "Camille",
    "Dagny",
    "Esteban",
    "Fenella",
]
LAST_NAMES = [
    "Abernathy",
    "Brennan",
    "Castellanos",
    "Dubois",
    "Eriksen",
    "Fitzgerald",
    "Guerrero",
    "Halvorsen",
    "Ishikawa",
    "Jovanović",
    "Kowalczyk",
    "Lindqvist",
    "Mbeki",
    "Nakamura",
    "O'Sullivan",
    "Petrovski",
    "Quiroga",
    "Rasmussen",
    "Szabó",
    "Thorsen",
    "Underwood",
    "Vasquez",
    "Whitfield",
    "Xu",
    "Yilmaz",
    "Zielinski",
]
CHANNEL_SHARES = {"email": 0.45, "phone": 0.25, "in person": 0.15, "chat": 0.15}
#: Roles that mostly want brief updates (the rest mostly want detail).
BRIEF_ROLES = ("Executive sponsor", "Finance lead", "Procurement")
#: Clients with a listed contact who has not answered the survey yet (a new contact).
NEW_CONTACT_CLIENTS = ("C01", "I01")
#: How much higher the team rates itself than its clients rate it, on average (driver scale points).
SELF_OPTIMISM = 0.4
SELF_NOISE_SD = 0.15
SELF_ASSESSMENT_MONTHS = 3
#: Planted blind spots: the team keeps rating itself 5 here while the client's ratings fall.
BLIND_SPOTS = (("C03", "quality"), ("C11", "responsiveness"))


def generate_contacts(responses: pd.DataFrame | None = None, seed: int = 2026) -> pd.DataFrame:
    """The sample's contact list: every respondent of :func:`generate_sample` with a made-up name,
    the role they answer under, a preferred channel (email 45%, phone 25%, in person 15%, chat
    15%) and level of detail (brief for 75% of executive sponsors, finance leads and procurement,
    30% of the others), and exactly one primary contact per client (its first project lead, else
    its first contact).  ``NEW_CONTACT_CLIENTS`` also list a new contact who has not answered yet.
    Seeded on its own stream: the responses are not touched.
    """
    responses = generate_sample(seed=seed) if responses is None else responses
    rng = np.random.default_rng([seed, 7])
    people = (
        responses.drop_duplicates("respondent_id")[["respondent_id", "client_id", "respondent_role"]]
        .sort_values("respondent_id")
        .rename(columns={"respondent_role": "role"})
        .reset_index(drop=True)
    )
    for number, client_id in enumerate(NEW_CONTACT_CLIENTS, start=9001):
        people.loc[len(people)] = [f"P{number}", client_id, "Operations manager"]
    pairs = [(first, last) for first in FIRST_NAMES for last in LAST_NAMES]
    chosen = rng.permutation(len(pairs))[: len(people)]
    people["name"] = [f"{pairs[i][0]} {pairs[i][1]}" for i in chosen]
    people["preferred_channel"] = rng.choice(
        list(CHANNEL_SHARES), size=len(people), p=list(CHANNEL_SHARES.values())
    )
    brief_share = np.where(people["role"].isin(BRIEF_ROLES), 0.75, 0.30)
    people["detail_level"] = np.where(rng.random(len(people)) < brief_share, "brief", "detailed")
    primary = []
    for _client_id, group in people.groupby("client_id", sort=True):
        leads = group[group["role"] == "Project lead"]
        primary.append((leads if len(leads) else group).index[0])
    people["primary"] = np.where(people.index.isin(primary), "true", "false")
    people = people.sort_values(["client_id", "respondent_id"], kind="stable").reset_index(drop=True)
    return people[
        ["respondent_id", "client_id", "name", "role", "preferred_channel", "detail_level", "primary"]
    ]


def generate_self_assessment(
    responses: pd.DataFrame | None = None, seed: int = 2026, months: int = SELF_ASSESSMENT_MONTHS
) -> pd.DataFrame:
    """The team's self-assessment for the sample's last ``months`` months: per client, month and
    driver, the client's mean rating over the three months to that month plus ``SELF_OPTIMISM``
    (0.4: teams rate themselves higher than their clients do) plus ``N(0, SELF_NOISE_SD)``,
    rounded to half points and clipped to 1-5.  Planted ``BLIND_SPOTS``: the team serving C03
    rates its quality 5, and the one serving C11 its responsiveness 5, every month, while those
    clients' ratings fall (both are declining clients), so the gaps are well over a point.
    Seeded on its own stream: the responses are not touched.
    """
    responses = generate_sample(seed=seed) if responses is None else responses
    rng = np.random.default_rng([seed, 11])
    drivers = list(PLANTED_COEFFICIENTS)
    month = pd.to_datetime(responses["submitted_at"]).dt.to_period("M")
    end = month.max()
    rows = []
    for client_id in sorted(responses["client_id"].unique()):
        mine = responses[responses["client_id"] == client_id]
        for period in pd.period_range(end=end, periods=months, freq="M"):
            recent = mine[(month[mine.index] > period - 3) & (month[mine.index] <= period)]
            for driver in drivers:
                score = (
                    float(recent[driver].astype(float).mean()) + SELF_OPTIMISM + rng.normal(0, SELF_NOISE_SD)
                )
                score = float(np.clip(np.round(score * 2) / 2, 1, 5))
                if (client_id, driver) in BLIND_SPOTS:
                    score = 5.0
                rows.append(
                    {"client_id": client_id, "period": str(period), "component": driver, "score": score}
                )
    return pd.DataFrame(rows)


def write_sample(out_dir: str | Path, seed: int = 2026) -> list[Path]:
    """Write the sample files into ``out_dir`` (created if needed): ``responses.csv``, ``events.csv``,
    ``contacts.csv``, ``self_assessment.csv``, ``survey.toml`` (the default survey with the sample's
    codeframe) and ``accounts.csv`` (:mod:`insights.data.sample_accounts`); return the paths written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    responses = generate_sample(seed=seed)
    target = out / "responses.csv"
    with atomic_path(target) as tmp:
        responses.to_csv(tmp, index=False, lineterminator="\n")
    people_files = []
    for name, frame in (
        ("contacts.csv", generate_contacts(responses, seed=seed)),
        ("self_assessment.csv", generate_self_assessment(responses, seed=seed)),
    ):
        path = out / name
        with atomic_path(path) as tmp:
            frame.to_csv(tmp, index=False, lineterminator="\n")
        people_files.append(path)
    events = out / "events.csv"
    with atomic_path(events) as tmp:
        generate_events(seed=seed).to_csv(tmp, index=False, lineterminator="\n")
    survey = out / "survey.toml"
    with atomic_path(survey) as tmp:
        Path(tmp).write_text(sample_survey_toml(), encoding="utf-8")
    from insights.data.sample_accounts import generate_accounts

    accounts = out / "accounts.csv"
    with atomic_path(accounts) as tmp:
        generate_accounts(responses, seed=seed).to_csv(tmp, index=False, lineterminator="\n")
    return [target, events, *people_files, survey, accounts]


def sample_survey_toml() -> str:
    """The sample's survey definition: the shipped default survey and the sample codeframe."""
    from importlib import resources

    default = resources.files("insights.data").joinpath("default_survey.toml").read_text("utf-8")
    return default.rstrip("\n") + "\n\n" + codeframe_toml()


def sample_dir() -> Path:
    """The folder holding the bundled sample: ``data/sample`` in a project checkout; elsewhere (an
    installed wheel) the same files written once into a per-user cache folder.

    The notebooks fall back on it when they are opened with empty parameters.
    """
    checkout = Path(__file__).resolve().parents[3] / "data" / "sample"
    if (checkout / "responses.csv").is_file() and (checkout.parents[1] / "pyproject.toml").is_file():
        return checkout
    from insights import __version__

    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "client-insights"
    target = cache / f"sample-{__version__}"
    if not (target / "survey.toml").is_file():  # written last: a cache without it is incomplete
        write_sample(target)
    return target
