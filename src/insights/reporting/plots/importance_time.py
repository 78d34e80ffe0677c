"""How each driver's importance moved: its share of the explained variance in rolling six-month windows.

The shares come from :func:`insights.stats.drivers.importance_over_time`; the drivers whose change
between the two half-years is a claimed shift (:func:`insights.stats.drivers.importance_change`) are
drawn bold and labelled with the change.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from insights.core.periods import count_words, to_periods, waves
from insights.reporting.plots.axes import _label, _month_axis
from insights.reporting.plots.style import MUTED, PALETTE, _figure, _finish
from insights.stats.drivers.change import half_months


def importance_time_chart(
    over_time: pd.DataFrame,
    *,
    shifts: pd.DataFrame | None = None,
    labels: Mapping[str, str] | None = None,
    title: str,
    cadence: str = "month",
) -> Figure:
    """Each driver's share of explained variance (LMG, %) in the window ending in each month.

    Parameters
    ----------
    over_time : DataFrame
        From :func:`insights.stats.drivers.importance_over_time`: ``window_end, driver, share, n``
        (one row per window and driver).
    shifts : DataFrame, optional
        ``ImportanceChange.table``: ``driver, change, shift``; drivers with ``shift`` are drawn bold
        and their label says the change in points, the others thin.
    labels : mapping of str to str, optional
        Display names of the drivers; others are written out from their column names.
    title : str
        The chart's title (top left).
    cadence : str
        The survey's cadence: a quarterly survey's windows are named by their last quarter (``2026-Q3``)
        and their length in quarters.

    Returns
    -------
    Figure
        The laid-out line chart, one line per driver labelled at its right end, each tick naming the
        window's last month and its responses; the first and the last window are the two half-years
        the change compares, marked by dotted lines.
    """
    fig, ax = _figure((8.5, 4.4))
    ends = pd.Series(sorted(over_time["window_end"].unique()))
    counts = over_time.drop_duplicates("window_end").set_index("window_end")["n"].reindex(ends)
    named = (
        ends if cadence == "month" else to_periods(ends.dt.start_time, cadence)
    )  # the wave each window ends in
    x = _month_axis(ax, named, counts.to_numpy())
    claimed = {}
    if shifts is not None and len(shifts):
        claimed = {row.driver: row.change for row in shifts.itertuples() if row.shift}
    last_values = []
    for i, (driver, rows) in enumerate(over_time.groupby("driver", sort=False)):
        share = rows.set_index("window_end")["share"].reindex(ends).to_numpy(float)
        colour = PALETTE[i % len(PALETTE)]
        bold = driver in claimed
        ax.plot(
            x, share, color=colour, linewidth=2.6 if bold else 1.4, alpha=1.0 if bold or not claimed else 0.75
        )
        ax.scatter(x, share, color=colour, s=22 if bold else 12, zorder=3)
        text = _label(labels, driver)
        if bold:
            text += f" ({claimed[driver]:+.0f} pts)"
        finite = np.flatnonzero(np.isfinite(share))
        if len(finite):
            last_values.append([share[finite[-1]], x[finite[-1]], text, colour, bold])
    _label_ends(ax, last_values)
    half = "year" if cadence == "year" else "half-year"
    # the two windows the change compares: the last, and the one ending a half before it
    earlier = np.flatnonzero((ends == ends.iloc[-1] - half_months(cadence)).to_numpy())
    marks = [(x[-1], f"last {half}  ", "right")]
    if len(earlier):
        marks.insert(0, (x[earlier[0]], f"  earlier {half}", "left"))
    for edge, name, align in marks:
        ax.axvline(edge, color=MUTED, linestyle=":", linewidth=1)
        ax.annotate(
            name, (edge, 1.0), xycoords=("data", "axes fraction"), ha=align, va="top", fontsize=7, color=MUTED
        )
    ax.set_xlim(x[0] - 0.3, x[-1] + 2.0)
    ax.set_ylim(0, max(5.0, np.nanmax(over_time["share"]) * 1.12))
    ax.set_ylabel("Share of explained variance (%)")
    length = waves(half_months(cadence), cadence)
    window = "Six-month window" if cadence == "month" else f"Window of {count_words(length, cadence)}"
    ax.set_xlabel(f"{window} ending in (responses in the window)")
    ax.set_title(title, loc="left")
    return _finish(fig)


def _label_ends(ax, ends: list) -> None:
    """Write each line's label at its right end, nudged apart so labels never overlap."""
    if not ends:
        return
    ends.sort(key=lambda item: item[0])
    low, high = ax.get_ylim()
    gap = max(1.0, 0.055 * (max(e[0] for e in ends) * 1.12))
    placed = []
    for value, _, *_ in ends:
        placed.append(max(value, placed[-1] + gap) if placed else value)
    for (value, x_end, text, colour, bold), y in zip(ends, placed):
        ax.annotate(
            text,
            (x_end, value),
            xytext=(x_end + 0.25, y),
            textcoords="data",
            va="center",
            fontsize=8,
            color=colour,
            fontweight="bold" if bold else "normal",
        )
