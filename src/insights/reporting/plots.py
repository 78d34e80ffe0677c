"""Finished-looking figures from the results of :mod:`insights.stats.metrics` and :mod:`insights.stats.drivers`.

Every function takes a tidy result frame, returns a :class:`matplotlib.figure.Figure`, and shares
one style (:func:`use_style`) and one palette, so reports look consistent without tweaking.
Figures are drawn by Agg and not held by pyplot: a notebook shows one where it is displayed or
returned (once), ``fig.savefig`` writes it, and there is nothing to close.
Names in them (clients, drivers, themes, people) are drawn as typed, never read as math.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping

import matplotlib as mpl
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter

PALETTE = sns.color_palette("colorblind")
PRIMARY, SECONDARY, MUTED = PALETTE[0], PALETTE[1], "#9a9a9a"
TYPE_COLOURS = {"external": PALETTE[0], "internal": PALETTE[2]}
QUADRANT_COLOURS = {
    "Fix first": PALETTE[3],
    "Keep up": PALETTE[2],
    "Monitor": PALETTE[7],
    "Possible overkill": PALETTE[4],
}


def use_style() -> None:
    """The report style: white grid, readable sizes, the colourblind-safe palette."""
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE, font_scale=0.95)
    mpl.rcParams.update(
        {
            "figure.dpi": 96,
            "savefig.dpi": 110,
            "savefig.bbox": "tight",
            "axes.titleweight": "bold",
            "axes.titlesize": 13,
            "axes.spines.top": False,
            "axes.spines.right": False,
            # Titles sit just above the axes.  Left to place themselves, they measure the whole x axis on
            # every layout and draw, to dodge decorations on top that no chart here has (a third of a
            # trend chart's drawing time; the figures are pixel for pixel the same).
            "axes.titley": 1.0,
            # Client, driver, theme and person names are data: "$5 to $10" is text, not a formula.
            "text.parse_math": False,
            "text.usetex": False,
        }
    )
    _inline_without_tight_bbox()


def _inline_without_tight_bbox() -> None:
    """In a notebook, render figures as laid out (every chart here calls tight_layout).

    The inline backend's default ``bbox_inches="tight"`` lays each figure out and measures it once
    more before drawing it; rendering is most of a report's run time.  ``False``, not ``None``:
    matplotlib reads ``None`` as "use :rc:`savefig.bbox`", which this style sets to "tight" for
    figures saved by hand.
    """
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:
        return
    if get_ipython() is not None:
        set_matplotlib_formats("png", bbox_inches=False)


def _figure(size: tuple[float, float]) -> tuple[Figure, Axes]:
    """A figure of ``size`` inches with one Axes, drawn by Agg and not held by pyplot.

    Not held by pyplot, a figure shows once (where it is displayed or returned in a notebook) and
    is freed with its last reference; there is nothing to close.
    """
    _displayable_in_notebooks()
    fig = Figure(figsize=size)
    FigureCanvasAgg(fig)
    return fig, fig.subplots()


def _displayable_in_notebooks() -> None:
    """Have IPython show figures that pyplot does not hold, as it shows pyplot's own.

    IPython learns to show figures when pyplot first loads the inline backend, which figures made
    here never make it do; importing the backend in a kernel does the same (once, honouring the
    user's ``InlineBackend`` settings).  Checked per call, not cached: warm kernels are forked from
    a process that drew figures outside IPython.
    """
    if "IPython" not in sys.modules:
        return
    from IPython import get_ipython

    if get_ipython() is not None:
        import matplotlib_inline.backend_inline  # noqa: F401


def _finish(fig: Figure, rect: tuple[float, float, float, float] | None = None) -> Figure:
    """Lay ``fig`` out (``tight_layout``) with every text in it drawn as typed, and return it.

    Titles, tick labels, annotations and legends carry client, driver, theme and person names, which
    are data: read as mathtext, "Cost $5 to $10 Ltd" would be drawn as "Cost 5to10 Ltd" and
    ``Evil $\\undefinedcmd{x}$ Co`` would fail the figure (and the report drawing it).  Set on each
    text, not only in :func:`use_style`, so it holds whatever the caller's rcParams; and before the
    layout, which measures the texts as they will be drawn.  Texts without a ``$`` draw as before.
    """
    for text in fig.findobj(Text):
        text.set_parse_math(False)
        text.set_usetex(False)
    fig.tight_layout(rect=rect)
    return fig


def _label(labels: Mapping[str, str] | None, name: str) -> str:
    return (labels or {}).get(name, name.replace("_", " ").capitalize())


def _month_axis(ax, periods: pd.Series, counts: pd.Series | None = None) -> np.ndarray:
    positions = np.arange(len(periods))
    labels = [
        p.strftime("%b %Y") if i == 0 or p.month == 1 else p.strftime("%b") for i, p in enumerate(periods)
    ]
    if counts is not None:
        labels = [f"{label}\nn={int(n)}" for label, n in zip(labels, counts)]
    ax.set_xticks(positions)
    ax.set_xticklabels(labels, fontsize=8)
    return positions


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

    ``trend`` is a frame from :func:`insights.stats.metrics.trend`; ``reference`` an optional second one
    (for example the portfolio) drawn as a thin grey line.
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


def _annotated_heatmap(
    ax,
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
    from seaborn.utils import relative_luminance

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


def scorecard_heatmap(
    scorecard: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    title: str,
    scale: tuple[float, float] = (1, 5),
    min_n: int = 5,
) -> Figure:
    """Month-by-component heat map of mean scores for one client (cells with few answers greyed)."""
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
    ax.set_xticklabels([p.strftime("%b %y") for p in means.columns], rotation=0, fontsize=8)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(title + f"  (hatched: fewer than {min_n} answers)", loc="left")
    return _finish(fig)


def importance_chart(
    importance: pd.DataFrame, *, labels: Mapping[str, str] | None = None, title: str
) -> Figure:
    """Each driver's share of the explained variance (LMG), with bootstrap 95% CIs when available."""
    data = importance.sort_values("share", ascending=True)
    fig, ax = _figure((7.5, 0.48 * len(data) + 1.3))
    y = np.arange(len(data))
    colours = [QUADRANT_COLOURS.get(q, PRIMARY) for q in data["quadrant"]]
    ax.barh(y, data["share"], color=colours, height=0.62)
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
    for yi, share in zip(y, data["share"]):
        ax.annotate(
            f"{share:.0f}%", (share, yi), xytext=(4, 0), textcoords="offset points", va="center", fontsize=8
        )
    ax.set_yticks(y)
    ax.set_yticklabels([_label(labels, d) for d in data["driver"]])
    ax.set_xlabel("Share of explained variance in overall satisfaction (%)")
    ax.set_title(title, loc="left")
    handles = [
        Line2D([0], [0], marker="s", linestyle="", color=c, label=q)
        for q, c in QUADRANT_COLOURS.items()
        if q in set(data["quadrant"])
    ]
    fig.legend(handles=handles, loc="upper right", frameon=False, fontsize=8, ncols=len(handles))
    return _finish(fig, rect=(0, 0, 1, 0.93))


def quadrant_chart(
    importance: pd.DataFrame, *, labels: Mapping[str, str] | None = None, title: str
) -> Figure:
    """Importance (share of R²) against performance (mean score), split at the means into four quadrants."""
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
    """One dot with its 95% CI per row (client), sorted, coloured by client type."""
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
    """Share of answers at each scale point, one bar group per ``by`` value."""
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


# --- service levels (insights.stats.service_levels) ---------------------------------------------------------------

SEVERITY_COLOURS = {
    "low": PALETTE[2],
    "medium": PALETTE[8],
    "high": PALETTE[1],
    "critical": PALETTE[3],
    "unspecified": MUTED,
}


def attainment_chart(trend: pd.DataFrame, *, target: float = 0.95, title: str) -> Figure:
    """Monthly service-level attainment (%) with its 95% Wilson band against the target; breaches as bars.

    ``trend`` is a frame from :func:`insights.stats.service_levels.attainment_trend`; months with nothing due
    are gaps.
    """
    fig, ax = _figure((8.5, 3.6))
    periods = pd.Series(trend["period"].tolist())
    x = _month_axis(ax, periods, trend["events"])
    shown = trend["events"].to_numpy() > 0
    rate = np.where(shown, trend["attainment"].to_numpy(dtype=float) * 100, np.nan)
    ax.fill_between(
        x,
        trend["ci_low"].astype(float) * 100,
        trend["ci_high"].astype(float) * 100,
        color=PRIMARY,
        alpha=0.16,
        linewidth=0,
        label="95% CI",
    )
    ax.plot(x, rate, color=PRIMARY, linewidth=2, label="Attainment")
    below = shown & (rate < target * 100)
    ax.scatter(x[shown & ~below], rate[shown & ~below], color=PRIMARY, zorder=3, s=28)
    if below.any():
        ax.scatter(x[below], rate[below], color=PALETTE[3], zorder=3, s=34, label="Below target")
    ax.axhline(
        target * 100, color=PALETTE[3], linestyle="--", linewidth=1.2, label=f"Target {target * 100:g}%"
    )
    low = np.nanmin(np.concatenate([trend["ci_low"].astype(float).to_numpy() * 100, [target * 100]]))
    ax.set_ylim(max(0.0, min(low, 100.0) - 5), 101)
    bars = ax.twinx()
    bars.bar(x, trend["breached"], color=PALETTE[3], alpha=0.22, width=0.6, label="Breaches")
    bars.set_ylim(0, max(1, trend["breached"].max()) * 3)
    bars.set_ylabel("Breaches", color="#777")
    bars.grid(False)
    bars.spines["right"].set_visible(True)
    ax.set_zorder(bars.get_zorder() + 1)
    ax.patch.set_visible(False)
    ax.set_title(title, loc="left")
    ax.set_ylabel("Events met on time (%)")
    ax.set_xlabel("Month due")
    handles, labels = ax.get_legend_handles_labels()
    handles2, labels2 = bars.get_legend_handles_labels()
    ax.legend(
        handles + handles2,
        labels + labels2,
        loc="upper left",
        bbox_to_anchor=(1.08, 1.0),
        frameon=False,
        fontsize=8,
    )
    return _finish(fig)


def breach_heatmap(counts: pd.DataFrame, *, title: str, xlabel: str = "Hour opened (UTC)") -> Figure:
    """Weekday x hour heat map of breach counts (from :func:`insights.stats.service_timing.breach_heatmap_counts`)."""
    from matplotlib.ticker import MaxNLocator

    fig, ax = _figure((10, 3.4))
    data = counts.astype(float)
    annotations = counts.map(lambda v: f"{int(v)}" if v else "")
    _annotated_heatmap(
        ax,
        data,
        annotations,
        cmap="Reds",
        vmin=0,
        vmax=max(1.0, float(data.to_numpy().max())),
        linewidth=0.5,
        fontsize=7,
        cbar_kws={"label": "Breaches", "ticks": MaxNLocator(integer=True)},
    )
    ax.set_xticks(np.arange(counts.shape[1]) + 0.5)
    ax.set_xticklabels([f"{int(h):02d}" for h in counts.columns], rotation=0, fontsize=8)
    ax.set_yticklabels([str(d)[:3] for d in counts.index], rotation=0)
    totals = counts.sum(axis=1)
    for i, total in enumerate(totals):
        ax.annotate(
            f"{int(total)}",
            (counts.shape[1], i + 0.5),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
            color="#555",
            annotation_clip=False,
        )
    ax.set_xlabel(xlabel)
    ax.set_ylabel("")
    ax.set_title(title + "  (row totals at the right)", loc="left")
    return _finish(fig)


def breach_category_chart(table: pd.DataFrame, *, title: str) -> Figure:
    """Breaches per category, stacked by severity (from :func:`insights.stats.service_levels.breaches_by`)."""
    wide = table.pivot_table(
        index="category", columns="severity", values="breached", aggfunc="sum", fill_value=0, observed=False
    )
    wide = wide.loc[:, [c for c in SEVERITY_COLOURS if c in wide.columns and wide[c].sum() > 0]]
    events = table.groupby("category", observed=True)["events"].sum()
    order = wide.sum(axis=1).sort_values().index
    wide, events = wide.reindex(order), events.reindex(order)
    fig, ax = _figure((7.5, 0.5 * len(wide) + 1.5))
    y = np.arange(len(wide))
    left = np.zeros(len(wide))
    for severity in wide.columns:
        ax.barh(
            y,
            wide[severity],
            left=left,
            color=SEVERITY_COLOURS[str(severity)],
            height=0.62,
            label=str(severity).capitalize(),
        )
        left += wide[severity].to_numpy()
    for yi, total, n in zip(y, left, events):
        ax.annotate(
            f"{int(total)} of {int(n)}",
            (total, yi),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    ax.set_yticks(y)
    ax.set_yticklabels([str(c).capitalize() for c in wide.index])
    ax.set_xlabel("Breaches (of events due)")
    ax.set_xlim(0, max(1.0, left.max()) * 1.2)
    ax.set_title(title, loc="left")
    ax.legend(title="Severity", loc="lower right", frameon=False, fontsize=8)
    return _finish(fig)


def cost_chart(trend: pd.DataFrame, *, title: str, currency: str = "") -> Figure:
    """Monthly cost of non-delivery: penalties and idle time, stacked.

    From :func:`insights.stats.service_levels.attainment_trend`.
    """
    fig, ax = _figure((8.5, 3.2))
    x = _month_axis(ax, pd.Series(trend["period"].tolist()))
    ax.bar(x, trend["penalties"], color=PALETTE[1], width=0.62, label="Penalties")
    ax.bar(
        x,
        trend["idle_cost"],
        bottom=trend["penalties"],
        color=PALETTE[0],
        width=0.62,
        label="Idle people (people x hours late x hourly cost)",
    )
    ax.set_ylabel(f"Cost{f' ({currency})' if currency else ''}")
    ax.set_xlabel("Month due")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_title(title, loc="left")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
    return _finish(fig)


def service_satisfaction_chart(
    clients: pd.DataFrame, *, title: str, ylabel: str, target: float | None = None
) -> Figure:
    """Clients placed by attainment (x, %) and mean satisfaction (y), coloured by client type, labelled by id.

    ``clients`` has ``client_id, attainment, satisfaction`` and optionally ``client_type``.
    """
    fig, ax = _figure((7.5, 5.0))
    types = (
        clients["client_type"].astype(str)
        if "client_type" in clients.columns
        else pd.Series("", index=clients.index)
    )
    for kind, group in clients.groupby(types):
        ax.scatter(
            group["attainment"] * 100,
            group["satisfaction"],
            s=50,
            color=TYPE_COLOURS.get(kind, PRIMARY),
            edgecolor="white",
            zorder=3,
            label=kind.capitalize() or None,
        )
    for row in clients.itertuples():
        ax.annotate(
            str(row.client_id),
            (row.attainment * 100, row.satisfaction),
            xytext=(4, 3),
            textcoords="offset points",
            fontsize=7,
            color="#444",
        )
    if target is not None:
        ax.axvline(
            target * 100, color=PALETTE[3], linestyle="--", linewidth=1, label=f"Target {target * 100:g}%"
        )
    ax.set_xlabel("Events met on time (%)")
    ax.set_ylabel(ylabel)
    ax.set_title(title, loc="left")
    ax.legend(loc="lower right", frameon=False, fontsize=8)
    return _finish(fig)


def weekday_chart(table: pd.DataFrame, *, title: str) -> Figure:
    """Breach rate per weekday with 95% Wilson CIs; hot days in red.

    From :func:`insights.stats.service_timing.weekday_test`.
    """
    fig, ax = _figure((7.5, 3.2))
    x = np.arange(len(table))
    colours = [PALETTE[3] if hot else PRIMARY for hot in table["hot"]]
    rate = table["breach_rate"].to_numpy(dtype=float) * 100
    ax.bar(x, rate, color=colours, width=0.6)
    ax.errorbar(
        x,
        rate,
        yerr=[
            rate - table["ci_low"].to_numpy(dtype=float) * 100,
            table["ci_high"].to_numpy(dtype=float) * 100 - rate,
        ],
        fmt="none",
        ecolor="#333",
        elinewidth=1.1,
        capsize=3,
    )
    overall = table["breached"].sum() / max(1, table["events"].sum()) * 100
    ax.axhline(overall, color=MUTED, linestyle="--", linewidth=1, label=f"All days {overall:.0f}%")
    ax.set_xticks(x)
    ax.set_xticklabels(
        [f"{str(d)[:3]}\nn={int(n)}" for d, n in zip(table["weekday"], table["events"])], fontsize=8
    )
    ax.set_ylabel("Events breached (%)")
    ax.set_xlabel("Weekday opened")
    ax.set_title(title, loc="left")
    ax.legend(loc="upper right", frameon=False, fontsize=8)
    return _finish(fig)
