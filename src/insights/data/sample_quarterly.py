"""The seeded quarterly sample: a relationship survey in quarterly waves, with no NPS question.

Many client-satisfaction programmes are quarterly relationship surveys that do not ask the
likelihood-to-recommend question, and many clients answer only some waves.  This sample is one:

* 12 clients (10 external, 2 internal), 8 quarterly waves ending :data:`END_WAVE` (2026-Q3);
* each wave is fielded in the quarter's middle month (for example 10-28 August for 2026-Q3);
* every client skips some waves: a client takes part in a wave with its own probability
  (:data:`PARTICIPATION`), and ``Q05`` answered none of the last two waves (a client absent from
  the report period);
* five drivers on a 1-5 scale, overall satisfaction on 1-5, no ``likelihood_to_recommend`` column;
* planted effects: ``Q02`` falls by about one point on every driver in the last two waves, ``Q07``
  rises by about 0.8; overall satisfaction follows the drivers (:data:`COEFFICIENTS`).

``insights sample --cadence quarter --out data/sample/quarterly`` writes ``responses.csv`` and the
survey definition ``survey.toml`` (``[survey] cadence = "quarter"``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from insights.core.atomic import atomic_path
from insights.core.periods import parse_period

END_WAVE = "2026-Q3"
WAVES = 8
DRIVERS = {
    "relationship": "Relationship management",
    "delivery": "Delivery",
    "quality": "Quality of work",
    "reporting": "Reporting",
    "value": "Value for money",
}
COEFFICIENTS = {"relationship": 0.25, "delivery": 0.25, "quality": 0.25, "reporting": 0.05, "value": 0.2}
CLIENTS = [
    ("Q01", "Harbour Logistics", "external", 0.95),
    ("Q02", "Northwind Energy", "external", 0.9),
    ("Q03", "Alpine Insurance", "external", 0.6),
    ("Q04", "Cobalt Retail", "external", 0.75),
    ("Q05", "Delta Foods", "external", 0.7),
    ("Q06", "Evergreen Housing", "external", 0.5),
    ("Q07", "Fjord Shipping", "external", 0.9),
    ("Q08", "Granite Bank", "external", 0.8),
    ("Q09", "Helix Pharma", "external", 0.65),
    ("Q10", "Iris Telecom", "external", 0.85),
    ("Q11", "Group Finance", "internal", 0.9),
    ("Q12", "Group IT", "internal", 0.7),
]
#: Chance that a client takes part in a wave (the fourth field of :data:`CLIENTS`).
PARTICIPATION = {client_id: p for client_id, _, _, p in CLIENTS}
DECLINING = ("Q02",)
IMPROVING = ("Q07",)
ABSENT_LAST = {"Q05": 2}  # client -> number of final waves it skipped
SURVEY_TOML = f"""# The quarterly sample's survey definition: quarterly waves, no likelihood-to-recommend question.

[survey]
name = "Quarterly relationship survey"
cadence = "quarter"

[scales.overall]
min = 1
max = 5
top_box = 2

[scales.drivers]
min = 1
max = 5
top_box = 2

[drivers]
{chr(10).join(f'{column} = "{label}"' for column, label in DRIVERS.items())}
"""


def generate_quarterly_sample(seed: int = 2026, waves: int = WAVES, end: str = END_WAVE) -> pd.DataFrame:
    """Generate the quarterly sample (raw contract columns, one row per response, no NPS column).

    Examples
    --------
    >>> df = generate_quarterly_sample()
    >>> df["client_id"].nunique(), "likelihood_to_recommend" in df.columns
    (12, False)
    """
    rng = np.random.default_rng(seed)
    quarters = pd.period_range(end=parse_period(end, "quarter"), periods=waves, freq="Q-DEC")
    drivers = list(DRIVERS)
    weights = np.array([COEFFICIENTS[d] for d in drivers])
    rows: list[dict] = []
    person = 0
    for client_id, client_name, client_type, participation in CLIENTS:
        contacts = [f"QP{person + i + 1:03d}" for i in range(int(rng.integers(4, 9)))]
        person += len(contacts)
        level = rng.normal(3.6 + (0.3 if client_type == "internal" else 0.0), 0.35)
        offsets = rng.normal(0, 0.2, len(drivers))
        for index, quarter in enumerate(quarters):
            from_end = waves - 1 - index
            if rng.random() > participation or from_end < ABSENT_LAST.get(client_id, 0):
                continue
            shift = 0.0
            if from_end < 2 and client_id in DECLINING:
                shift = -0.5 * (2 - from_end)
            elif from_end < 2 and client_id in IMPROVING:
                shift = 0.4 * (2 - from_end)
            month = quarter.asfreq("M", "start") + 1  # fielded in the quarter's middle month
            for respondent in contacts:
                if rng.random() > 0.7:
                    continue
                latent = level + offsets + shift + rng.normal(0, 0.5) + rng.normal(0, 0.6, len(drivers))
                ratings = np.clip(np.rint(latent), 1, 5)
                overall = float(np.clip(np.rint(ratings @ weights + rng.normal(0, 0.45)), 1, 5))
                moment = pd.Timestamp(
                    month.year,
                    month.month,
                    int(rng.integers(10, 29)),
                    int(rng.integers(8, 19)),
                    int(rng.integers(60)),
                )
                row = {
                    "client_id": client_id,
                    "client_name": client_name,
                    "client_type": client_type,
                    "respondent_id": respondent,
                    "submitted_at": moment.isoformat(timespec="minutes"),
                    "overall_satisfaction": overall,
                }
                answered = rng.random(len(drivers)) > 0.05
                row.update({d: float(v) if a else np.nan for d, v, a in zip(drivers, ratings, answered)})
                rows.append(row)
    frame = (
        pd.DataFrame(rows).sort_values(["submitted_at", "client_id"], kind="stable").reset_index(drop=True)
    )
    frame.insert(0, "response_id", [f"QR{i + 1:05d}" for i in range(len(frame))])
    for column in ["overall_satisfaction", *drivers]:
        frame[column] = frame[column].astype("Int64")
    return frame


def write_quarterly_sample(out_dir: str | Path, seed: int = 2026) -> list[Path]:
    """Write ``responses.csv`` and ``survey.toml`` into ``out_dir`` (created if needed); return the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    responses = out / "responses.csv"
    with atomic_path(responses) as tmp:
        generate_quarterly_sample(seed=seed).to_csv(tmp, index=False, lineterminator="\n")
    survey = out / "survey.toml"
    with atomic_path(survey) as tmp:
        Path(tmp).write_text(SURVEY_TOML, encoding="utf-8")
    return [responses, survey]
