"""Charts of survey scores (:mod:`insights.stats.metrics`, :mod:`insights.stats.portfolio`).

A metric by month (:func:`trend_chart`), a client's month-by-component scores (:func:`scorecard_heatmap`),
clients side by side (:func:`league_chart`) and the answers of groups compared (:func:`distribution_chart`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from insights.core.periods import format_period
from insights.reporting.plots.axes import _annotated_heatmap, _label, _month_axis, _monthly
from insights.reporting.plots.style import MUTED, PRIMARY, TYPE_COLOURS, _figure, _finish


def trend_chart(
    trend: pd.DataFrame,
    *,
    title: str,
    ylabel: str,
    ylim: tuple[float, float] | None = None,
    reference: pd.DataFrame | None = None,
    reference_label: str = "Portfolio",
) -> Figure:
    """A monthly estimate with its 95% CI band; small (suppressed) cells drawn hollow, empty months as gaps.

    Parameters
    ----------
    trend : DataFrame
        From :func:`insights.stats.metrics.trend`: one row per month with ``period, n, estimate,
        suppressed, ci_low, ci_high``.  Months without answers (``n == 0``) are gaps; suppressed
        months are drawn as hollow dots, without a band.
    title, ylabel : str
        The chart's title (top left) and the y axis label.
    ylim : tuple of float, optional
        Limits of the y axis (matplotlib's own by default).
    reference : DataFrame, optional
        A second trend (for example the portfolio's) with ``period, estimate``, drawn over ``trend``'s
        months as a thin grey dashed line.
    reference_label : str, default "Portfolio"
        The legend's name for ``reference``.

    Returns
    -------
    Figure
        The laid-out chart, legend at the right.
    """
    fig, ax = _figure((8.5, 3.6))
    periods = pd.Series(trend["period"].tolist())
    x = _month_axis(ax, periods, trend["n"])
    estimate = trend["estimate"].to_numpy(dtype=float)
    shown = trend["n"].to_numpy() > 0
    suppressed = trend["suppressed"].to_numpy(dtype=bool)
    reliable = shown & ~suppressed
    ax.fill_between(
        x,
        trend["ci_low"].where(reliable),
        trend["ci_high"].where(reliable),
        color=PRIMARY,
        alpha=0.18,
        linewidth=0,
        label="95% CI",
    )
    ax.plot(x, np.where(shown, estimate, np.nan), color=PRIMARY, linewidth=2, label="Estimate")
    ax.scatter(x[reliable], estimate[reliable], color=PRIMARY, zorder=3, s=28)
    if (shown & suppressed).any():
        ax.scatter(
            x[shown & suppressed],
            estimate[shown & suppressed],
            facecolor="white",
            edgecolor=PRIMARY,
            zorder=3,
            s=34,
            linewidth=1.5,
            label="Few responses (not reliable)",
        )
    if reference is not None and len(reference):
        ref = reference.set_index("period")["estimate"].reindex(trend["period"]).to_numpy(dtype=float)
        ax.plot(x, ref, color=MUTED, linewidth=1.3, linestyle="--", label=reference_label)
    if ylim:
        ax.set_ylim(*ylim)
    ax.set_title(title, loc="left")
    ax.set_ylabel(ylabel)
    ax.set_xlabel("")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
    return _finish(fig)


def scorecard_heatmap(
    scorecard: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    title: str,
    scale: tuple[float, float] = (1, 5),
    min_n: int = 5,
) -> Figure:
    """Month-by-component heat map of mean scores for one client (cells with few answers greyed).

    Parameters
    ----------
    scorecard : DataFrame
        One client's rows of :func:`insights.stats.metrics.scorecard`: ``component, period, mean, n``.
        The ``nps`` component (not on the rating scale) is left out; components keep their order.
    labels : mapping of str to str, optional
        Display names of the components; others are written out from their column names.
    title : str
        The chart's title; a note on the hatched cells is added to it.
    scale : tuple of float, default (1, 5)
        The rating scale: the ends of the red-to-green colour scale.
    min_n : int, default 5
        Cells with fewer answers than this are hatched over (their means are not reliable).

    Returns
    -------
    Figure
        The laid-out heat map with its colour bar, each cell showing its mean to one decimal.
    """
    rows = scorecard[scorecard["component"] != "nps"]
    components = list(dict.fromkeys(rows["component"]))
    means = rows.pivot(index="component", columns="period", values="mean").reindex(components)
    counts = rows.pivot(index="component", columns="period", values="n").reindex(components)
    fig, ax = _figure((max(6.0, 0.62 * means.shape[1] + 2.8), 0.45 * len(components) + 1.4))
    annotations = means.map(lambda v: "" if pd.isna(v) else f"{v:.1f}")
    _annotated_heatmap(
        ax,
        means.astype(float),
        annotations,
        cmap="RdYlGn",
        vmin=scale[0],
        vmax=scale[1],
        linewidth=0.6,
        fontsize=8,
        cbar_kws={"label": f"Mean score ({scale[0]:g}-{scale[1]:g})"},
    )
    few = (counts < min_n).to_numpy()
    # one collection for every small cell: drawing is the costly part of a report
    ax.add_collection(
        PatchCollection(
            [Rectangle((j, i), 1, 1) for i, j in zip(*np.nonzero(few))],
            facecolor="white",
            alpha=0.55,
            hatch="//",
            edgecolor="#bbbbbb",
            linewidth=0,
            match_original=False,
        )
    )
    ax.set_yticklabels([_label(labels, c) for c in components], rotation=0)
    ax.set_xticklabels(
        [p.strftime("%b %y") if _monthly(p) else format_period(p) for p in means.columns],
        rotation=0,
        fontsize=8,
    )
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(title + f"  (hatched: fewer than {min_n} answers)", loc="left")
    return _finish(fig)


def league_chart(
    table: pd.DataFrame,
    *,
    label: str,
    estimate: str,
    ci_low: str,
    ci_high: str,
    title: str,
    xlabel: str,
    by: str | None = "client_type",
    reference: float | None = None,
) -> Figure:
    """One dot with its 95% CI per row (client), sorted, coloured by client type.

    Parameters
    ----------
    table : DataFrame
        One row per client, for example :func:`insights.stats.portfolio.league_table`.
    label, estimate, ci_low, ci_high : str
        Columns of ``table``: the row's name on the y axis, the estimate, and its interval.
    title, xlabel : str
        The chart's title (top left) and the x axis label.
    by : str or None, default "client_type"
        Column colouring the rows (``external`` / ``internal``, with a legend); None for one colour.
    reference : float, optional
        Drawn as a grey dashed vertical line (for example the portfolio's value).

    Returns
    -------
    Figure
        The laid-out chart, the highest estimate at the top.
    """
    data = table.sort_values(estimate, ascending=True).reset_index(drop=True)
    fig, ax = _figure((8, 0.26 * len(data) + 1.4))
    y = np.arange(len(data))
    colours = [TYPE_COLOURS.get(str(t), PRIMARY) for t in (data[by] if by else [None] * len(data))]
    ax.hlines(y, data[ci_low], data[ci_high], color=colours, linewidth=1.6, alpha=0.7)
    ax.scatter(data[estimate], y, color=colours, zorder=3, s=26)
    if reference is not None:
        ax.axvline(reference, color=MUTED, linestyle="--", linewidth=1)
    ax.set_yticks(y)
    ax.set_yticklabels(data[label].astype(str), fontsize=8)
    ax.set_xlabel(xlabel)
    ax.set_title(title, loc="left")
    if by:
        handles = [
            Line2D([0], [0], marker="o", linestyle="", color=c, label=t.capitalize())
            for t, c in TYPE_COLOURS.items()
            if t in set(data[by].astype(str))
        ]
        ax.legend(handles=handles, loc="lower right", frameon=False, fontsize=8)
    return _finish(fig)


def distribution_chart(
    df: pd.DataFrame,
    column: str,
    *,
    by: str = "client_type",
    title: str,
    scale: tuple[int, int] = (1, 5),
    xlabel: str | None = None,
) -> Figure:
    """Share of answers at each scale point, one bar group per ``by`` value.

    Parameters
    ----------
    df : DataFrame
        Responses, one per row; rows missing ``column`` or ``by`` are left out.
    column : str
        The rating column.
    by : str, default "client_type"
        The grouping column; each group's bars add up to 100%.  Groups are named capitalised and
        coloured by client type where they are one.
    title : str
        The chart's title (top left).
    scale : tuple of int, default (1, 5)
        The first and last scale points, every point between shown even when nobody chose it.
    xlabel : str, optional
        The x axis label; ``column`` written out by default.

    Returns
    -------
    Figure
        The laid-out bar chart.
    """
    data = df[[column, by]].dropna()
    data = data.assign(**{by: data[by].astype(str).str.capitalize()})
    shares = data.groupby(by)[column].value_counts(normalize=True).mul(100).rename("share").reset_index()
    shares[column] = shares[column].astype(int)
    fig, ax = _figure((7.5, 3.4))
    order = list(range(int(scale[0]), int(scale[1]) + 1))
    sns.barplot(
        shares,
        x=column,
        y="share",
        hue=by,
        order=order,
        ax=ax,
        palette=[TYPE_COLOURS.get(h.lower(), PRIMARY) for h in sorted(shares[by].unique())],
    )
    ax.set_xlabel(xlabel or column.replace("_", " ").capitalize())
    ax.set_ylabel("Share of responses (%)")
    ax.set_title(title, loc="left")
    ax.legend(title="", frameon=False)
    return _finish(fig)
