"""Charts of comment themes (:mod:`insights.stats.themes`): which clients mention what
(:func:`theme_heatmap`) and what each theme goes with in overall satisfaction (:func:`theme_effect_chart`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from insights.reporting.plots.axes import _annotated_heatmap, _label
from insights.reporting.plots.style import MUTED, PRIMARY, SECONDARY, _figure, _finish


def theme_heatmap(
    shares: pd.DataFrame,
    counts: pd.Series,
    *,
    labels: Mapping[str, str] | None = None,
    row_labels: Mapping[str, str] | None = None,
    title: str,
    min_n: int = 5,
) -> Figure:
    """Client-by-theme heat map of the share of each client's comments that mention each theme.

    Parameters
    ----------
    shares : DataFrame
        Rows: clients, columns: themes, values: shares in [0, 1] (:func:`insights.stats.themes.theme_shares`).
    counts : Series
        Each client's number of comments (same index as ``shares``).
    labels, row_labels : mapping of str to str, optional
        Display names of the themes and of the clients (e.g. client names).
    title : str
        The chart's title (cells and hatching are explained under the chart).
    min_n : int
        Clients with fewer comments are hatched over (their shares are not reliable).

    Returns
    -------
    Figure
        The laid-out heat map, white (no mentions) to dark blue, each cell showing its share in percent.
    """
    rows = list(shares.index)
    fig, ax = _figure((max(7.5, 1.05 * shares.shape[1] + 3.6), 0.32 * len(rows) + 2.0))
    annotations = shares.map(lambda v: "" if pd.isna(v) else f"{100 * v:.0f}")
    top = float(np.nanmax(shares.to_numpy())) if shares.size else 1.0
    _annotated_heatmap(
        ax,
        shares.astype(float),
        annotations,
        cmap="Blues",
        vmin=0.0,
        vmax=max(top, 0.05),
        linewidth=0.6,
        fontsize=8,
        cbar_kws={"label": "Share of the client's comments"},
    )
    few = np.flatnonzero(counts.reindex(rows).fillna(0).to_numpy() < min_n)
    ax.add_collection(
        PatchCollection(
            [Rectangle((0, i), shares.shape[1], 1) for i in few],
            facecolor="white",
            alpha=0.55,
            hatch="//",
            edgecolor="#bbbbbb",
            linewidth=0,
            match_original=False,
        )
    )
    ax.set_xticklabels([_label(labels, c) for c in shares.columns], rotation=30, ha="right", fontsize=8)
    ax.set_yticklabels(
        [f"{_label(row_labels, r)} ({int(counts.get(r, 0))})" for r in rows], rotation=0, fontsize=8
    )
    ax.set_xlabel(
        f"Cells: % of the client's comments (in brackets: comments); hatched: fewer than {min_n}", fontsize=8
    )
    ax.set_ylabel("")
    ax.set_title(title, loc="left")
    return _finish(fig)


def theme_effect_chart(
    table: pd.DataFrame, *, title: str, xlabel: str = "Points of overall satisfaction"
) -> Figure:
    """Each theme's effect on overall satisfaction with its 95% CI, costliest at the top.

    Parameters
    ----------
    table : DataFrame
        :attr:`insights.stats.themes.ThemeAnalysis.table` (``label``, ``effect``, ``ci_low``, ``ci_high``,
        ``significant``, ``share``), in its order (costliest first); themes without an effect are left out.
    title : str
        The chart's title.

    Returns
    -------
    Figure
        Dots with 95% CIs; significant effects (Benjamini-Hochberg q < 0.05) in colour, others grey.
    """
    data = table[table["effect"].notna()].iloc[::-1]
    fig, ax = _figure((7.5, 0.45 * max(len(data), 1) + 1.4))
    y = np.arange(len(data))
    colours = [
        (SECONDARY if e < 0 else PRIMARY) if s else MUTED for e, s in zip(data["effect"], data["significant"])
    ]
    ax.errorbar(
        data["effect"],
        y,
        xerr=[data["effect"] - data["ci_low"], data["ci_high"] - data["effect"]],
        fmt="none",
        ecolor="#555",
        elinewidth=1.2,
        capsize=3,
    )
    ax.scatter(data["effect"], y, color=colours, zorder=3, s=40)
    ax.axvline(0, color="#888", linewidth=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels(
        [f"{label} ({100 * share:.0f}%)" for label, share in zip(data["label"], data["share"])]
    )
    ax.set_xlabel(xlabel + " per mention (95% CI)")
    ax.set_title(title, loc="left")
    return _finish(fig)


def theme_trend_chart(
    trend: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    themes: list[str] | None = None,
    title: str,
) -> Figure:
    """Each theme's share of the month's comments, month by month (one line per theme).

    Parameters
    ----------
    trend : DataFrame
        :meth:`insights.stats.themes.ThemeAnalysis.trend`: ``period``, ``theme``, ``comments``, ``mentions``,
        ``share``.
    labels : mapping of str to str, optional
        Display names of the themes.
    themes : list of str, optional
        The themes drawn, in legend order (default: all).
    title : str
        The chart's title.

    Returns
    -------
    Figure
        Lines of monthly shares in percent, the months with their numbers of comments under the axis.
    """
    themes = themes if themes is not None else list(dict.fromkeys(trend["theme"]))
    fig, ax = _figure((8.0, 3.6))
    periods = sorted(trend["period"].unique())
    x = np.arange(len(periods))
    position = {p: i for i, p in enumerate(periods)}
    for theme in themes:
        rows = trend[trend["theme"] == theme].sort_values("period")
        ax.plot(
            [position[p] for p in rows["period"]],
            100 * rows["share"],
            marker="o",
            markersize=3.5,
            linewidth=1.6,
            label=_label(labels, theme),
        )
    comments = trend.drop_duplicates("period").set_index("period")["comments"]
    ax.set_xticks(x)
    ax.set_xticklabels([f"{p.strftime('%b %y')}\n({int(comments.get(p, 0))})" for p in periods], fontsize=7)
    ax.set_ylabel("% of the month's comments")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
    ax.set_title(title, loc="left")
    return _finish(fig)
