"""Finished-looking figures from the results of :mod:`insights.stats.metrics` and :mod:`insights.stats.drivers`.

Every function takes a tidy result frame, returns a :class:`matplotlib.figure.Figure`, and shares
one style (:func:`use_style`) and one palette, so reports look consistent without tweaking.
Figures are drawn by Agg and not held by pyplot: a notebook shows one where it is displayed or
returned (once), ``fig.savefig`` writes it, and there is nothing to close.
Names in them (clients, drivers, themes, people) are drawn as typed, never read as math.

Modules, each importing only those above it:

* ``style``: the palette, :func:`use_style`, making a figure and finishing it (names drawn as typed).
* ``axes``: drawing pieces the charts share (labels, the month axis, an annotated heat map).
* ``scores``: survey scores: trends, the scorecard heat map, the league of clients, answer distributions.
* ``drivers``: key drivers: importance and the importance-performance quadrants.
* ``themes``: comment themes: the client-by-theme heat map, each theme's effect and monthly share.
* ``importance_time``: each driver's share of explained variance over rolling six-month windows.
* ``service``: service levels: attainment, cost, breaches by category, hour and weekday, service
  against satisfaction.

Every chart and the palette are importable from here: ``from insights.reporting import plots;
plots.use_style(); plots.trend_chart(...)``.
"""

from __future__ import annotations

from insights.reporting.plots.drivers import importance_chart, quadrant_chart
from insights.reporting.plots.importance_time import importance_time_chart
from insights.reporting.plots.scores import distribution_chart, league_chart, scorecard_heatmap, trend_chart
from insights.reporting.plots.service import (
    attainment_chart,
    breach_category_chart,
    breach_heatmap,
    cost_chart,
    service_satisfaction_chart,
    weekday_chart,
)
from insights.reporting.plots.style import (
    MUTED,
    PALETTE,
    PRIMARY,
    QUADRANT_COLOURS,
    SECONDARY,
    SEVERITY_COLOURS,
    TYPE_COLOURS,
    use_style,
)
from insights.reporting.plots.themes import theme_effect_chart, theme_heatmap, theme_trend_chart
from insights.reporting.plots.value import churn_chart

__all__ = [
    "MUTED",
    "PALETTE",
    "PRIMARY",
    "QUADRANT_COLOURS",
    "SECONDARY",
    "SEVERITY_COLOURS",
    "TYPE_COLOURS",
    "attainment_chart",
    "breach_category_chart",
    "breach_heatmap",
    "churn_chart",
    "cost_chart",
    "distribution_chart",
    "importance_chart",
    "importance_time_chart",
    "league_chart",
    "quadrant_chart",
    "scorecard_heatmap",
    "service_satisfaction_chart",
    "theme_effect_chart",
    "theme_heatmap",
    "theme_trend_chart",
    "trend_chart",
    "use_style",
    "weekday_chart",
]
