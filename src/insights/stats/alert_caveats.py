"""The flags' caveats: what each family of flags compares against what, with its test and correction.

Worded in the survey's cadence (the windows of :mod:`insights.stats.changes` and
:mod:`insights.stats.risks` in its waves) and without the figures a survey does not have (NPS without
the likelihood-to-recommend question, CSAT without a top box).  Reports put them under "Caveats";
:func:`insights.stats.alerts.alert_caveats` is this module's function.
"""

from __future__ import annotations

import pandas as pd

from insights.core.periods import cadence_of, format_period, last_words, plural, span, waves
from insights.stats import changes, people_alerts, risks
from insights.stats.multiplicity import FDR_LEVEL, METHOD_NAMES

__all__ = ["alert_caveats"]

_BH = METHOD_NAMES["bh"]


def alert_caveats(period: pd.Period, *, nps: bool = True, csat: bool = True) -> list[str]:
    """What compares against what, for a report's caveats: each family, its test and its correction.

    ``nps=False`` (a survey without the likelihood-to-recommend question) words them without it: the
    drops then test overall satisfaction alone (a response's satisfaction score is its scaled overall
    rating); ``csat=False`` (a survey whose overall scale has no top box) without CSAT.
    """
    first = period - changes.baseline_length(period)
    recent, before = changes.mover_windows(period)
    own, cell, within, last = _wave_words(period)
    score = (
        "each response's satisfaction score (overall satisfaction and likelihood to recommend, each scaled by "
        f"its spread within a {cell})"
        if nps
        else f"each response's overall satisfaction scaled by its spread within a {cell}"
    )
    levels = ", or NPS below zero, one-sided (Simes over the two)" if nps else ", one-sided"
    detractors = " Detractors are a rule (an answer of 0-6), not a test." if nps else ""
    return [
        f"Flags are judged on q-values: each family of tests is held to a false discovery rate of "
        f"{100 * FDR_LEVEL:g}% (at most {100 * FDR_LEVEL:g}% of a family's flags expected to be false), "
        "across the whole portfolio, not one test at a time.",
        f"Drops: {format_period(period)} against the client's own {own} {span(first, period - 1)}, one-sided, "
        f"on {score}; the spread is the client's {within} spread moderated across the portfolio; {_BH} across "
        f"the clients. {_fell(nps=nps, csat=csat)}",
        f"Component falls: each driver in {format_period(period)} against the same {own}, one-sided; {_BH} across "
        "clients x components.",
        f"Movers: mean overall satisfaction in {recent} against {before}, two-sided; {_BH} across the clients. "
        f"At risk: {last} mean overall below the portfolio's{levels}; {_BH} across the clients; and the falling "
        "movers.",
        f"People: a person's ratings in {format_period(period)} against their own earlier answers, one-sided, a "
        f"fall of at least {people_alerts.MIN_FALL:g} points; {_BH} across every person of the portfolio."
        + detractors,
        _theme_caveat(period),
    ]


def _wave_words(period: pd.Period) -> tuple[str, str, str, str]:
    """How the caveats name the survey's waves: (its periods, a client's cell, the spread within one,
    the risk window's possessive), in months for a monthly survey."""
    cadence = cadence_of(period)
    league = last_words(risks.league_length(period), cadence)
    possessive = f"{league}'" if league.endswith("s") else f"{league}'s"
    if cadence == "month":
        return "months", "client-month", "within-month", possessive
    return plural(cadence), "client and wave", "within-wave", possessive


def _fell(*, nps: bool, csat: bool) -> str:
    """The caveat's sentence on the headline figures a drop is told in."""
    figures = [*(["NPS"] if nps else []), *(["CSAT"] if csat else []), "mean overall"]
    if len(figures) == 1:
        return "A flagged client's mean overall, when it is lower, is the figure that fell."
    return f"A flagged client's {', '.join(figures[:-1])} and {figures[-1]} that are lower are the figures that fell."


def _theme_caveat(period: pd.Period) -> str:
    """The comment themes' rise test, for the caveats."""
    from insights.stats.theme_alerts import RECENT_MONTHS  # its module loads the comment coder

    recent = waves(RECENT_MONTHS, cadence_of(period))
    first = period - changes.baseline_length(period)
    return (
        f"Comment themes (with a codeframe in the survey definition): a theme's share of a client's comments "
        f"in {span(period - recent + 1, period)} against {span(first, period - recent)}, one-sided "
        f"Fisher's exact test; {_BH} across clients x themes."
    )
