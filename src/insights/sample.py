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
* About 4% of driver answers are blank; about 45% of responses carry a comment.

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

from pathlib import Path

import numpy as np
import pandas as pd

from .atomic import atomic_path

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
DRIVER_BASELINES = {
    "communication": 3.7,
    "responsiveness": 3.6,
    "quality": 3.8,
    "timeliness": 3.4,
    "value": 3.3,
    "expertise": 4.0,
}

EXTERNAL_NAMES = [
    "Northwind Logistics", "Contoso Bank", "Fabrikam Health", "Tailspin Airlines", "Litware & Co",
    "Adventure Works", "Wide World Importers", "Proseware Legal", "Woodgrove Insurance", "Alpine Ski House",
    "Coho Winery", "Lucerne Publishing", "Margie's Travel", "Blue Yonder Retail", "Fourth Coffee",
    "Trey Research", "Müller Bau GmbH", "Humongous Insurance", "Graphic Design Institute", "School of Fine Art",
    "Southridge Video", "City Power & Light", "Relecloud Ltd", "Consolidated Messenger",
]
INTERNAL_NAMES = [
    "Finance (internal)", "HR Shared Services", "IT Operations", "Legal Department", "Marketing Team",
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
    rows: list[dict] = []
    contact_number = 0
    clients = [(f"C{i + 1:02d}", name, "external") for i, name in enumerate(EXTERNAL_NAMES)]
    clients += [(f"I{i + 1:02d}", name, "internal") for i, name in enumerate(INTERNAL_NAMES)]

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
                latent = base + client_level + driver_offsets + uplift + shift + halo + rng.normal(0, 0.7, len(drivers))
                ratings = np.clip(np.rint(latent), 1, 5)
                overall_latent = PLANTED_INTERCEPT + float(ratings @ np.array(list(PLANTED_COEFFICIENTS.values())))
                overall_latent += rng.normal(0, PLANTED_NOISE_SD)
                overall = float(np.clip(np.rint(overall_latent), 1, 5))
                ltr = float(np.clip(np.rint(2.4 * overall_latent - 1.2 + rng.normal(0, 1.0)), 0, 10))
                answered = rng.random(len(drivers)) > 0.04
                day = int(rng.integers(1, period.days_in_month + 1))
                moment = pd.Timestamp(period.year, period.month, day, int(rng.integers(8, 19)), int(rng.integers(0, 60)))
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
                row["comment"] = _comment(rng, ratings, drivers, overall) if rng.random() < 0.45 else ""
                rows.append(row)

    frame = pd.DataFrame(rows).sort_values(["submitted_at", "client_id"], kind="stable").reset_index(drop=True)
    frame.insert(0, "response_id", [f"R{i + 1:06d}" for i in range(len(frame))])
    for column in ["overall_satisfaction", "likelihood_to_recommend", *drivers]:
        frame[column] = frame[column].astype("Int64")
    return frame


def _comment(rng: np.random.Generator, ratings: np.ndarray, drivers: list[str], overall: float) -> str:
    strong = drivers[int(np.argmax(ratings))].replace("_", " ")
    weak = drivers[int(np.argmin(ratings))].replace("_", " ")
    pool = _POSITIVE if overall >= 4 else _NEUTRAL if overall == 3 else _NEGATIVE
    template = pool[int(rng.integers(len(pool)))]
    adjectives = {"communication": "clear", "responsiveness": "quick", "quality": "thorough",
                  "timeliness": "on time", "value": "good value", "expertise": "expert"}
    return template.format(strong=strong, weak=weak, weak_cap=weak.capitalize(),
                           strong_adj=adjectives.get(strong, "great"))


# Contacts and self-assessment (:func:`generate_contacts`, :func:`generate_self_assessment`)

FIRST_NAMES = [
    "Amara", "Bjørn", "Chiara", "Dmitri", "Eleanor", "Farid", "Grace", "Hiroshi", "Ingrid", "Jamal", "Katarzyna",
    "Liam", "Mei", "Nikolai", "Olivia", "Priya", "Quentin", "Rosa", "Sven", "Tamsin", "Umar", "Valentina",
    "Wilhelmina", "Xavier", "Yara", "Zoltan", "Aisling", "Bongani", "Camille", "Dagny", "Esteban", "Fenella",
]
LAST_NAMES = [
    "Abernathy", "Brennan", "Castellanos", "Dubois", "Eriksen", "Fitzgerald", "Guerrero", "Halvorsen", "Ishikawa",
    "Jovanović", "Kowalczyk", "Lindqvist", "Mbeki", "Nakamura", "O'Sullivan", "Petrovski", "Quiroga", "Rasmussen",
    "Szabó", "Thorsen", "Underwood", "Vasquez", "Whitfield", "Xu", "Yilmaz", "Zielinski",
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
    people = (responses.drop_duplicates("respondent_id")[["respondent_id", "client_id", "respondent_role"]]
              .sort_values("respondent_id").rename(columns={"respondent_role": "role"}).reset_index(drop=True))
    for number, client_id in enumerate(NEW_CONTACT_CLIENTS, start=9001):
        people.loc[len(people)] = [f"P{number}", client_id, "Operations manager"]
    pairs = [(first, last) for first in FIRST_NAMES for last in LAST_NAMES]
    chosen = rng.permutation(len(pairs))[: len(people)]
    people["name"] = [f"{pairs[i][0]} {pairs[i][1]}" for i in chosen]
    people["preferred_channel"] = rng.choice(list(CHANNEL_SHARES), size=len(people), p=list(CHANNEL_SHARES.values()))
    brief_share = np.where(people["role"].isin(BRIEF_ROLES), 0.75, 0.30)
    people["detail_level"] = np.where(rng.random(len(people)) < brief_share, "brief", "detailed")
    primary = []
    for client_id, group in people.groupby("client_id", sort=True):
        leads = group[group["role"] == "Project lead"]
        primary.append((leads if len(leads) else group).index[0])
    people["primary"] = np.where(people.index.isin(primary), "true", "false")
    people = people.sort_values(["client_id", "respondent_id"], kind="stable").reset_index(drop=True)
    return people[["respondent_id", "client_id", "name", "role", "preferred_channel", "detail_level", "primary"]]


def generate_self_assessment(responses: pd.DataFrame | None = None, seed: int = 2026,
                             months: int = SELF_ASSESSMENT_MONTHS) -> pd.DataFrame:
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
                score = float(recent[driver].astype(float).mean()) + SELF_OPTIMISM + rng.normal(0, SELF_NOISE_SD)
                score = float(np.clip(np.round(score * 2) / 2, 1, 5))
                if (client_id, driver) in BLIND_SPOTS:
                    score = 5.0
                rows.append({"client_id": client_id, "period": str(period), "component": driver, "score": score})
    return pd.DataFrame(rows)


def write_sample(out_dir: str | Path, seed: int = 2026) -> list[Path]:
    """Write the sample files into ``out_dir`` (created if needed); return the paths written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    responses = generate_sample(seed=seed)
    target = out / "responses.csv"
    with atomic_path(target) as tmp:
        responses.to_csv(tmp, index=False, lineterminator="\n")
    people_files = []
    for name, frame in (("contacts.csv", generate_contacts(responses, seed=seed)),
                        ("self_assessment.csv", generate_self_assessment(responses, seed=seed))):
        path = out / name
        with atomic_path(path) as tmp:
            frame.to_csv(tmp, index=False, lineterminator="\n")
        people_files.append(path)
    return [target, *people_files]
