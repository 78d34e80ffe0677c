"""Speed of the comment themes: 100,000 comments coded, scored and summarised (the target: under 10 s on
two cores).

Generates 100,000 responses of 200 clients over 12 months, each with a comment of one to three
sentences drawn from a bank of 72 (billing, speed, staff, praise, neutral; with a ticket number in one
comment in five, so most comments are distinct texts), then times
:func:`insights.stats.themes.analyse_themes` with a six-theme codeframe: coding (one regular expression
per theme), VADER sentiment of every distinct text (two processes), and the summary with the OLS
(cluster-robust by client) and logit effects.  Also times :func:`insights.stats.theme_alerts.rise_tests`.

Run from the repository root::

    PYTHONPATH=src python benchmarks/bench_themes.py [--comments 100000]
"""

from __future__ import annotations

import argparse
import os
import resource
import time

import numpy as np
import pandas as pd

from insights.data.survey import SurveyDefinition
from insights.stats.sentiment import score_comments
from insights.stats.theme_alerts import rise_tests
from insights.stats.themes import analyse_themes, code_comments

CODEFRAME = """
[drivers]
communication = "Communication"
responsiveness = "Responsiveness"
value = "Value for money"

[themes.billing]
label = "Billing and invoices"
keywords = ["invoice", "billing", "billed", "overcharged", "charge"]
exclude = ["invoice portal"]
[themes.speed]
label = "Speed of response"
keywords = ["slow", "took days", "waiting", "delay", "late"]
[themes.staff]
label = "Staff turnover"
keywords = ["new lead", "turnover", "handover", "keeps changing"]
[themes.communication]
label = "Communication"
keywords = ["communicat", "updates", "informed"]
[themes.quality]
label = "Quality of work"
keywords = ["quality", "errors", "mistakes", "rework"]
[themes.praise]
label = "Praise"
keywords = ["great", "excellent", "thank you", "thanks"]
"""
SUBJECTS = {
    "billing": ["the invoice", "billing", "our last invoice", "the monthly charge"],
    "speed": ["replies", "the escalation", "the fix", "support"],
    "staff": ["the new lead", "the handover", "staff turnover", "the account team"],
    "communication": ["communication", "the weekly updates", "keeping us informed", "status reports"],
    "quality": ["the quality", "the deliverable", "the report", "the rework"],
    "praise": ["the team", "the consultants", "your staff", "the project lead"],
}
VERBS = {
    "billing": ["was wrong again", "had errors", "was overcharged", "was late"],
    "speed": ["was slow", "took days", "kept us waiting", "came late"],
    "staff": ["was confusing", "cost us time", "keeps changing", "was rushed"],
    "communication": ["could be better", "were missing", "was patchy", "were excellent"],
    "quality": ["had mistakes", "needed rework", "was excellent", "had errors"],
    "praise": ["did great work", "were excellent", "deserve thanks", "were a real asset"],
}


def sentences() -> list[str]:
    bank = [f"{s.capitalize()} {v}." for t in SUBJECTS for s in SUBJECTS[t] for v in VERBS[t][:3]]
    return bank


def comments(n: int, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    bank = np.array(sentences())
    count = rng.integers(1, 4, n)
    picks = rng.integers(0, len(bank), (n, 3))
    texts = [" ".join(bank[picks[i, : count[i]]]) for i in range(n)]
    ticket = rng.random(n) < 0.2
    return [f"{t} Ticket {rng.integers(10000, 99999)}." if k else t for t, k in zip(texts, ticket)]


def responses(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    drivers = {
        d: np.clip(np.round(rng.normal(3.7, 0.9, n)), 1, 5)
        for d in ("communication", "responsiveness", "value")
    }
    overall = np.clip(np.round(0.5 + 0.25 * sum(drivers.values()) + rng.normal(0, 0.6, n)), 1, 5)
    return pd.DataFrame(
        {
            "client_id": [f"C{i:03d}" for i in rng.integers(0, 200, n)],
            "period": pd.period_range("2025-11", periods=12, freq="M")[rng.integers(0, 12, n)],
            "overall_satisfaction": overall,
            "likelihood_to_recommend": np.clip(np.round(2 * overall - 1 + rng.normal(0, 1.5, n)), 0, 10),
            **drivers,
            "comment": comments(n, seed),
        }
    )


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the sentiment workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=100_000)
    args = parser.parse_args()
    survey = SurveyDefinition.from_toml(CODEFRAME, source="<bench>")
    df = responses(args.comments)
    distinct = df["comment"].nunique()

    started = time.perf_counter()
    coded = code_comments(df["comment"], survey.themes)
    coding = time.perf_counter() - started
    started = time.perf_counter()
    scores = score_comments(df["comment"])
    scoring = time.perf_counter() - started
    started = time.perf_counter()
    analysis = analyse_themes(df, survey, sentiment=scores)
    summary = time.perf_counter() - started
    started, cpu = time.perf_counter(), _cpu()
    analyse_themes(df, survey)
    total, total_cpu = time.perf_counter() - started, _cpu() - cpu
    started = time.perf_counter()
    rise_tests(df, df["period"].max(), survey)
    rises = time.perf_counter() - started

    print(f"{len(df):,} comments ({distinct:,} distinct texts), {len(survey.themes)} themes, 200 clients")
    print(f"  coding (one regex per theme)      {coding:6.2f} s  ({int(coded.to_numpy().sum()):,} mentions)")
    print(f"  sentiment (VADER, distinct texts)  {scoring:6.2f} s")
    print(f"  summary (OLS + logit, shares)      {summary:6.2f} s")
    print(
        f"  analyse_themes end to end          {total:6.2f} s  (target: under 10 s; {total_cpu:.2f} s of CPU)"
    )
    print(f"  theme alerts (rise tests)          {rises:6.2f} s")
    print(f"  load average while measured        {os.getloadavg()[0]:6.2f} (on {os.cpu_count()} cores)")
    print(analysis.table[["theme", "mentions", "share", "sentiment", "effect", "q"]].to_string(index=False))


if __name__ == "__main__":
    main()
