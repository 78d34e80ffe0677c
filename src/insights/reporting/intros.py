"""The report sections' headings and introductions, worded in the survey's cadence.

A markdown cell cannot say "this quarter" for a quarterly survey and "this month" for a monthly one,
so the report notebooks show the introductions whose words depend on the survey from here:
``display(report.client_intro("headline", r))``.  Each text is a template; its fields are filled by
:func:`cadence_words` from the report's period (its cadence) and the survey's windows
(:mod:`insights.stats.changes`, :mod:`insights.stats.risks`, the trend window).  A monthly survey reads
exactly as the markdown did.

Examples
--------
>>> import pandas as pd
>>> cadence_words(pd.Period("2026-Q3", "Q-DEC"), window=8)["league"]
'the last quarter'
>>> cadence_words(pd.Period("2026-10", "M"), window=12)["by_wave"]
'month by month'
"""

from __future__ import annotations

import pandas as pd

from insights.core.periods import cadence_of, count_words, last_words, noun, plural, waves
from insights.reporting.html import SectionHeading
from insights.stats.changes import mover_length
from insights.stats.drivers.change import half_months
from insights.stats.risks import league_length

__all__ = ["cadence_words", "client_intro", "portfolio_intro"]

_CLIENT = {
    "headline": (
        "Headline",
        "The headline figures this period, each with its 95% confidence interval, compared with the client's own "
        "earlier {waves} (red: a significant fall) and, for information, with the other clients in the same "
        "period. Below the cards, every flag this client has this {wave}, each with its p-value and its q-value "
        "(the false discovery rate of its family of tests across the whole portfolio).",
    ),
    "scorecard": (
        "Scorecard",
        "Every component this period: mean score, answers, {top_box}the client's earlier {waves} (the rest of "
        "the year) and the change against them, whether the fall is significant (flagged, with p and q) and "
        "rank among all clients.",
    ),
    "trends": (
        "Trends",
        "The headline figures {by_wave} with 95% confidence bands. Hollow points are {waves} with fewer than "
        "five answers; the dashed line is the whole portfolio.",
    ),
    "priorities": (
        "Did priorities change?",
        "Each driver's share of the explained variance in {halves}. A client's {half_years} hold few responses, "
        "so its change is pooled toward the portfolio's; a shift is claimed only when the 95% interval excludes "
        "zero and q (across every client and driver) is below 5%.",
    ),
    "themes": (
        "Comment themes",
        "What this client's comments are about, over the trend window, against the other clients' comments of "
        "the same {waves}: each theme's mentions and share, the difference (Fisher's exact test, "
        "Benjamini-Hochberg across the themes), the mean sentiment (VADER, English), and the shortest clear "
        "quotes per theme. Themes come from the survey definition's codeframe (README, Comment themes).",
    ),
}

_PORTFOLIO = {
    "league": (
        "League table",
        "The headline figures per client over {league}, with 95% confidence intervals.",
    ),
    "drivers": (
        "Drivers across all clients",
        "One model over every response of {window}, with standard errors clustered by client.",
    ),
    "priorities": (
        "Did priorities change?",
        "Each driver's share of the explained variance in {half_windows}, and {halves}: the change with its 95% "
        "interval (resampling whole clients), p and q (Benjamini-Hochberg across the drivers); a shift is "
        "claimed only when the interval excludes zero and q is below 5%. Below, the clients whose own "
        "priorities shifted, each client's change pooled toward the portfolio's.",
    ),
    "themes": (
        "Voice of the client",
        "What the comments of {window} are about and what each theme goes with: the share of each client's "
        "comments on each theme (heat map), and the costliest themes, each mention's effect on overall "
        "satisfaction adjusted for the drivers and compared within clients (95% CI, standard errors clustered "
        "by client) and on the odds of a detractor, in words only where significant after Benjamini-Hochberg "
        "across the themes, and the costliest themes' share {by_wave}. Quotes show e-mail addresses, phone "
        "numbers and contacts' names as [email], [phone] and [name] unless the report is run with --show-names.",
    ),
    "at_risk": (
        "Clients at risk",
        "Every client that meets a risk rule over {league} or whose mean overall satisfaction fell "
        "significantly, each reason with its p- and q-value; the rules are under the table.",
    ),
    "movers": (
        "Movers",
        "The largest changes in mean overall satisfaction: {movers}, with p and the q-value across all "
        'clients; "Significant" marks the movers flagged (q below 5%).',
    ),
    "flags": (
        "Flags this {wave}",
        "Every flag of the period, the same list as the index page, the client reports and `insights alerts`: "
        "drops, component falls, clients at risk, movers, people (by pseudonym) and, with service events, "
        "service levels. Tests show their p-value and q-value; rules (such as detractors) name the rule.",
    ),
}

#: Sections shown under another section's heading (h3).
_SUBSECTIONS = {("client", "priorities"), ("client", "themes")}


def cadence_words(period: pd.Period, *, window: int | None = None, top_box: int = 2) -> dict[str, str]:
    """The words the introductions are filled with, for a report of ``period`` over ``window`` waves.

    Parameters
    ----------
    period : Period
        The report's period (its cadence decides the words).
    window : int, optional
        The trend window in waves (``months`` of the report notebooks); None: "the trend window".
    top_box : int
        The driver scale's top box (0: none, so the scorecard has no top-box share).
    """
    cadence = cadence_of(period)
    half = waves(half_months(cadence), cadence)
    movers = mover_length(period)
    one = noun(cadence)
    return {
        "wave": one,
        "waves": plural(cadence),
        "by_wave": f"{one} by {one}",
        "league": last_words(league_length(period), cadence),
        "window": last_words(window, cadence) if window else "the trend window",
        "halves": f"{last_words(half, cadence)} against the {_same(half, cadence)} before",
        "half_windows": f"{count_words(half, cadence).split()[0]}-month windows"
        if cadence == "month"
        else f"rolling windows of {count_words(half, cadence)}",
        "half_years": "half-years" if half_months(cadence) == 6 else "years",
        "movers": f"{last_words(movers, cadence)} against the {_same(movers, cadence)} before",
        "top_box": f"top-{top_box}-box share, " if top_box > 0 else "",
    }


def _same(n: int, cadence: str) -> str:
    """``"six"`` (the last six months against the six before), ``"one"`` (the last quarter against the one
    before)."""
    return "one" if n == 1 else count_words(n, cadence).split(" ")[0]


def client_intro(key: str, report) -> SectionHeading:
    """The heading and introduction of a client report's section ``key`` (see ``_CLIENT``), in its cadence.

    ``report`` is a :class:`~insights.reporting.client.ClientReport`.
    """
    words = cadence_words(report.period, top_box=report.survey.driver_scale.top_box)
    title, text = _CLIENT[key]
    level = 3 if ("client", key) in _SUBSECTIONS else 2
    return SectionHeading(title.format(**words), text.format(**words), level=level)


def portfolio_intro(key: str, report) -> SectionHeading:
    """The heading and introduction of the portfolio report's section ``key`` (see ``_PORTFOLIO``).

    ``report`` is a :class:`~insights.reporting.portfolio.PortfolioReport`.
    """
    words = cadence_words(
        report.period, window=report.window_months, top_box=report.survey.driver_scale.top_box
    )
    title, text = _PORTFOLIO[key]
    return SectionHeading(title.format(**words), text.format(**words))
