"""Charts of a key-driver analysis (:class:`insights.stats.drivers.DriverAnalysis`).

How much each driver matters (:func:`importance_chart`) and where it sits against how well it is
delivered (:func:`quadrant_chart`), coloured by the quadrant that says what to do.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from insights.reporting.plots.axes import _label
from insights.reporting.plots.style import MUTED, PRIMARY, QUADRANT_COLOURS, _figure, _finish


def importance_chart(
    importance: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    title: str,
    lean: float | None = None,
) -> Figure:
    """Each driver's share of the explained variance (LMG), with bootstrap 95% CIs when available.

    The shares are the LMG decomposition of R² (Lindeman, Merenda & Gold 1980; Grömping 2006)
    computed by :mod:`insights.stats.drivers`; the intervals, of each driver's LMG part, are drawn
    as shares of the point estimates' total.

    Parameters
    ----------
    importance : DataFrame
        ``DriverAnalysis.importance``: ``driver, lmg, share, quadrant`` and, with a bootstrap,
        ``lmg_ci_low, lmg_ci_high``.
    labels : mapping of str to str, optional
        Display names of the drivers; others are written out from their column names.
    title : str
        The chart's title (top left).
    lean : float, optional
        For partially pooled figures (:func:`insights.stats.drivers.pooled_analysis`): how much
        they lean on the portfolio (0 to 1). Marked by a note under the axis and bars whose
        hatching covers that fraction of their length; a table with ``portfolio_share`` adds the
        portfolio's shares as hollow diamonds.

    Returns
    -------
    Figure
        The laid-out bar chart, largest share at the top, bars coloured by quadrant with a legend
        of the quadrants above.
    """
    data = importance.sort_values("share", ascending=True)
    fig, ax = _figure((7.5, 0.48 * len(data) + 1.3))
    y = np.arange(len(data))
    colours = [QUADRANT_COLOURS.get(q, PRIMARY) for q in data["quadrant"]]
    ax.barh(y, data["share"], color=colours, height=0.62)
    if lean is not None:
        _mark_lean(ax, data, y, lean)
    if {"lmg_ci_low", "lmg_ci_high"} <= set(data.columns) and data["lmg_ci_low"].notna().any():
        total = data["lmg"].sum()
        low = data["lmg_ci_low"] / total * 100
        high = data["lmg_ci_high"] / total * 100
        ax.errorbar(
            data["share"],
            y,
            xerr=[np.clip(data["share"] - low, 0, None), np.clip(high - data["share"], 0, None)],
            fmt="none",
            ecolor="#333",
            elinewidth=1.2,
            capsize=3,
            label="95% CI",
        )
        ax.legend(loc="lower right", frameon=False, fontsize=8)
    at = data["share"]
    if lean is not None and "portfolio_share" in data.columns:  # the labels clear the diamonds
        at = np.fmax(at, data["portfolio_share"])
    for yi, share, x in zip(y, data["share"], at):
        ax.annotate(
            f"{share:.0f}%",
            (x, yi),
            xytext=(4 if lean is None else 6, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    ax.set_yticks(y)
    ax.set_yticklabels([_label(labels, d) for d in data["driver"]])
    ax.set_xlabel("Share of explained variance in overall satisfaction (%)")
    if lean is not None:
        ax.set_xlabel(
            "Share of explained variance in overall satisfaction (%)\n"
            f"Figures lean {float(np.clip(lean, 0, 1)):.0%} on the portfolio (hatched part of each bar)"
        )
    ax.set_title(title, loc="left")
    handles = [
        Line2D([0], [0], marker="s", linestyle="", color=c, label=q)
        for q, c in QUADRANT_COLOURS.items()
        if q in set(data["quadrant"])
    ]
    fig.legend(handles=handles, loc="upper right", frameon=False, fontsize=8, ncols=len(handles))
    return _finish(fig, rect=(0, 0, 1, 0.93))


def _mark_lean(ax, data: pd.DataFrame, y: np.ndarray, lean: float) -> None:
    """The partial-pooling marks: the leaning part of each bar hatched, the portfolio's shares as
    hollow diamonds, and a note saying how much the figures lean on the portfolio."""
    lean = float(np.clip(lean, 0, 1))
    ax.barh(y, data["share"] * lean, height=0.62, color="none", edgecolor="white", hatch="///", linewidth=0)
    if "portfolio_share" in data.columns:
        ax.scatter(
            data["portfolio_share"],
            y,
            marker="D",
            s=36,
            facecolor="white",
            edgecolor="#333",
            linewidth=1.2,
            zorder=4,
            label="Portfolio",
        )
    if "lmg_ci_low" not in data.columns:  # otherwise the intervals' legend lists the diamonds too
        ax.legend(loc="lower right", frameon=False, fontsize=8)


def quadrant_chart(
    importance: pd.DataFrame, *, labels: Mapping[str, str] | None = None, title: str
) -> Figure:
    """Importance (share of R²) against performance (mean score), split at the means into four quadrants.

    The importance-performance matrix of :func:`insights.stats.drivers.importance_performance`:
    dashed lines at the mean performance and mean share, each corner named after its quadrant.

    Parameters
    ----------
    importance : DataFrame
        ``DriverAnalysis.importance``: ``driver, share, performance, quadrant``.
    labels : mapping of str to str, optional
        Display names of the drivers; others are written out from their column names.
    title : str
        The chart's title (top left).

    Returns
    -------
    Figure
        The laid-out scatter chart, one labelled dot per driver coloured by its quadrant.
    """
    fig, ax = _figure((7.5, 5.2))
    x, y = importance["performance"].astype(float), importance["share"].astype(float)
    x_mid, y_mid = x.mean(), y.mean()
    for quadrant, group in importance.groupby("quadrant"):
        ax.scatter(
            group["performance"],
            group["share"],
            s=90,
            color=QUADRANT_COLOURS.get(quadrant, PRIMARY),
            edgecolor="white",
            zorder=3,
            label=quadrant,
        )
    for _, row in importance.iterrows():
        ax.annotate(
            _label(labels, row["driver"]),
            (row["performance"], row["share"]),
            xytext=(6, 4),
            textcoords="offset points",
            fontsize=9,
        )
    ax.axvline(x_mid, color=MUTED, linestyle="--", linewidth=1)
    ax.axhline(y_mid, color=MUTED, linestyle="--", linewidth=1)
    pad_x = max((x.max() - x.min()) * 0.25, 0.15)
    pad_y = max((y.max() - y.min()) * 0.2, 2.0)
    ax.set_xlim(x.min() - pad_x, x.max() + pad_x)
    ax.set_ylim(max(0, y.min() - pad_y), y.max() + pad_y)
    corners = {
        "Fix first": (0.02, 0.97, "left"),
        "Keep up": (0.98, 0.97, "right"),
        "Monitor": (0.02, 0.03, "left"),
        "Possible overkill": (0.98, 0.03, "right"),
    }
    for name, (cx, cy, align) in corners.items():
        ax.text(
            cx,
            cy,
            name,
            transform=ax.transAxes,
            ha=align,
            va="top" if cy > 0.5 else "bottom",
            fontsize=10,
            color=QUADRANT_COLOURS[name],
            fontweight="bold",
        )
    ax.set_xlabel("Performance: mean score")
    ax.set_ylabel("Importance: share of explained variance (%)")
    ax.set_title(title, loc="left")
    return _finish(fig)
