"""Drawing pieces the charts share: a name's label, a month axis, and an annotated heat map."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from seaborn.utils import relative_luminance

from insights.core.periods import cadence_of, format_period


def _label(labels: Mapping[str, str] | None, name: str) -> str:
    """The display label of ``name``: from ``labels`` if given there, else ``name`` in words."""
    return (labels or {}).get(name, name.replace("_", " ").capitalize())


def _monthly(period: object) -> bool:
    """Whether ``period`` is a month (quarters, half-years and years are labelled as written: 2026-Q3)."""
    return not isinstance(period, pd.Period) or cadence_of(period) == "month"


def _tick(period: pd.Period, first: bool) -> str:
    """A month as ``Jan 2026`` (first and January) or ``Feb``; other periods as written (``2026-Q3``)."""
    if not _monthly(period):
        return format_period(period)
    return period.strftime("%b %Y") if first or period.month == 1 else period.strftime("%b")


def _month_axis(ax: Axes, periods: pd.Series, counts: pd.Series | None = None) -> np.ndarray:
    """Label ``ax``'s x axis with one tick per month and return the tick positions.

    The year is written on the first month and on each January only, so a long axis stays readable;
    with ``counts``, each tick also says how many answers (or events) its month has.
    """
    positions = np.arange(len(periods))
    labels = [_tick(p, first=i == 0) for i, p in enumerate(periods)]
    if counts is not None:
        labels = [f"{label}\nn={int(n)}" for label, n in zip(labels, counts)]
    ax.set_xticks(positions)
    ax.set_xticklabels(labels, fontsize=8)
    return positions


def _annotated_heatmap(
    ax: Axes,
    values: pd.DataFrame,
    annotations: pd.DataFrame,
    *,
    cmap: str,
    vmin: float,
    vmax: float,
    linewidth: float,
    fontsize: float,
    cbar_kws: dict,
) -> None:
    """A heat map with a text in each cell, drawn as :func:`seaborn.heatmap` draws one.

    Written out because ``seaborn.heatmap`` draws the whole figure once more while it builds it
    (to see whether tick labels overlap), and drawing is most of a report's run time.  Empty (NaN)
    cells are left blank; texts are dark on light cells and white on dark ones, as in seaborn.
    """
    data = np.ma.masked_invalid(values.to_numpy(dtype=float))
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    mesh = ax.pcolormesh(data, cmap=cmap, vmin=vmin, vmax=vmax, linewidths=linewidth, edgecolor="white")
    ax.set(xlim=(0, data.shape[1]), ylim=(0, data.shape[0]))
    ax.invert_yaxis()
    colorbar = ax.figure.colorbar(mesh, ax=ax, **cbar_kws)
    colorbar.outline.set_linewidth(0)
    ax.set_xticks(np.arange(data.shape[1]) + 0.5)
    ax.set_yticks(np.arange(data.shape[0]) + 0.5)
    ax.set_xticklabels([str(c) for c in values.columns])
    ax.set_yticklabels([str(i) for i in values.index], va="center")
    mesh.update_scalarmappable()
    colours = mesh.get_facecolors()
    blank = np.ma.getmaskarray(data)
    for (row, column), text in np.ndenumerate(annotations.to_numpy(dtype=object)):
        if blank[row, column]:
            continue
        colour = colours[row * data.shape[1] + column]
        ax.text(
            column + 0.5,
            row + 0.5,
            text,
            ha="center",
            va="center",
            fontsize=fontsize,
            color=".15" if relative_luminance(colour) > 0.408 else "w",
            in_layout=False,
        )  # inside its cell: measuring it could not move a margin
