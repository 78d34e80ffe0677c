"""Voice of the client: a client's recent comments, grouped by how likely the person is to recommend us,
with no respondent identities and, unless the report is run with ``--show-names``, personal data in the
text redacted (:mod:`insights.data.redaction`)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from insights.core.periods import column_cadence, format_period, noun
from insights.data.redaction import redact_series
from insights.reporting.html import render
from insights.stats.nps import NPS_GROUPS

__all__ = ["comments_html"]


def comments_html(
    responses: pd.DataFrame,
    period: pd.Period,
    *,
    min_comments: int = 5,
    lookback: int = 3,
    per_group: int = 8,
    nps: bool = True,
    names: Sequence[str] = (),
    show_names: bool = False,
) -> str:
    """Recent comments grouped by promoter, passive and detractor (one group without an NPS question:
    ``nps=False``); no respondent identities.

    Unless ``show_names``, the comments are shown redacted: e-mail addresses, phone numbers and the
    contact ``names`` as ``[email]``, ``[phone]`` and ``[name]`` (:mod:`insights.data.redaction`).
    """
    with_text = responses[responses["comment"].fillna("").str.strip() != ""]
    recent = with_text[with_text["period"] == period]
    span = f"in {format_period(period)}"
    if len(recent) < min_comments:
        recent = with_text[with_text["period"] > period - lookback]
        span = (
            f"in the last {lookback} months"
            if column_cadence(with_text.get("period")) == "month"
            else (f"in the last {noun(column_cadence(with_text.get('period')), lookback)}")
        )
    recent = recent.sort_values("submitted_at", ascending=False)
    score = recent["likelihood_to_recommend"]
    groups = [(label, recent[(score >= low) & (score <= high)]) for label, low, high in NPS_GROUPS]
    groups.append(("Did not answer the NPS question", recent[score.isna()]))
    if not nps:
        groups = [("Comments", recent)]
    shown = [
        {
            "label": label,
            "count": len(group),
            "comments": [
                {"text": text, "date": f"{when:%Y-%m-%d}"}
                for text, when in zip(
                    _shown_text(group["comment"].head(per_group), names, show_names),
                    group["submitted_at"].head(per_group),
                )
            ],
            "more": max(len(group) - per_group, 0),
        }
        for label, group in groups
        if not group.empty
    ]
    return render("comments.html.j2", total=len(recent), span=span, groups=shown)


def _shown_text(texts: pd.Series, names: Sequence[str], show_names: bool) -> pd.Series:
    """Comments as a report shows them: redacted unless ``show_names``."""
    return texts if show_names else redact_series(texts, names)
