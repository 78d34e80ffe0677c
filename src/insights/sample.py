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


def write_sample(out_dir: str | Path, seed: int = 2026) -> list[Path]:
    """Write the sample files into ``out_dir`` (created if needed); return the paths written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    target = out / "responses.csv"
    with atomic_path(target) as tmp:
        generate_sample(seed=seed).to_csv(tmp, index=False, lineterminator="\n")
    return [target]
