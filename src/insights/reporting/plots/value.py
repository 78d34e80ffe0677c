"""Charts of satisfaction and the business: the churn model's clients and fitted curve."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from insights.reporting.plots.style import MUTED, PALETTE, PRIMARY, _figure, _finish

__all__ = ["churn_chart"]


def churn_chart(
    table: pd.DataFrame,
    *,
    intercept: float,
    slope: float,
    title: str,
    xlabel: str,
    seed: int = 0,
) -> Figure:
    """Each client as a dot at its mean overall satisfaction, kept (0) or lost (1), with the fitted curve.

    Parameters
    ----------
    table : DataFrame
        :func:`insights.stats.churn.churn_table`: ``mean_overall`` and ``lost`` per client.
    intercept, slope : float
        The churn model's coefficients (log-odds); NaN draws no curve (a model that cannot be estimated).
    title, xlabel : str
        The chart's title (top left) and the x axis label.
    seed : int
        Seed of the small vertical jitter that keeps clients with the same value apart.

    Returns
    -------
    Figure
        Dots in two rows (kept, lost) and the fitted probability of being lost.
    """
    data = table[table["mean_overall"].notna()]
    fig, ax = _figure((8, 3.2))
    jitter = np.random.default_rng(seed).uniform(-0.04, 0.04, len(data))
    lost = data["lost"].to_numpy(dtype=bool)
    y = data["lost"].to_numpy(dtype=float) + jitter
    ax.scatter(data["mean_overall"][~lost], y[~lost], color=PRIMARY, s=24, alpha=0.8, zorder=3)
    ax.scatter(data["mean_overall"][lost], y[lost], color=PALETTE[3], s=24, alpha=0.8, zorder=3)
    if np.isfinite(intercept) and np.isfinite(slope) and len(data):
        grid = np.linspace(data["mean_overall"].min() - 0.1, data["mean_overall"].max() + 0.1, 200)
        ax.plot(grid, 1 / (1 + np.exp(-(intercept + slope * grid))), color=MUTED, linewidth=1.5)
    ax.set_ylim(-0.12, 1.12)
    ax.set_yticks([0, 0.5, 1])
    ax.set_yticklabels(["kept", "50%", "lost"])
    ax.set_xlabel(xlabel)
    ax.set_ylabel("Chance of being lost")
    ax.set_title(title, loc="left")
    handles = [
        Line2D([0], [0], marker="o", linestyle="", color=PRIMARY, label="Kept"),
        Line2D([0], [0], marker="o", linestyle="", color=PALETTE[3], label="Lost"),
        Line2D([0], [0], color=MUTED, label="Fitted chance"),
    ]
    ax.legend(handles=handles, loc="center right", frameon=False, fontsize=8)
    return _finish(fig)
