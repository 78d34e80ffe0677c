"""Charts of service levels (:mod:`insights.stats.service_levels`, :mod:`insights.stats.service_timing`).

Attainment against the target by month (:func:`attainment_chart`), what non-delivery cost
(:func:`cost_chart`), where breaches fall (:func:`breach_category_chart`, :func:`breach_heatmap`,
:func:`weekday_chart`) and how service goes with satisfaction (:func:`service_satisfaction_chart`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from insights.core.periods import column_cadence
from insights.core.periods import title as period_title
from insights.reporting.plots.axes import _annotated_heatmap, _month_axis
from insights.reporting.plots.style import (
    MUTED,
    PALETTE,
    PRIMARY,
    SEVERITY_COLOURS,
    TYPE_COLOURS,
    _figure,
    _finish,
)


def attainment_chart(trend: pd.DataFrame, *, target: float = 0.95, title: str) -> Figure:
    """Monthly service-level attainment (%) with its 95% Wilson band against the target; breaches as bars.

    Parameters
    ----------
    trend : DataFrame
        From :func:`insights.stats.service_levels.attainment_trend`: one row per due month with ``period,
        events, attainment, ci_low, ci_high, breached`` (fractions; the interval is Wilson's, computed
        there).  Months with nothing due are gaps.
    target : float, default 0.95
        The service-level target as a fraction: a red dashed line, months below it in red.
    title : str
        The chart's title (top left).

    Returns
    -------
    Figure
        The laid-out chart: attainment on the left axis, breaches per month as faint bars on the
        right one, one legend for both.
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
    ax.set_xlabel(f"{period_title(column_cadence(trend['period']))} due")
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
    """Weekday x hour heat map of breach counts.

    Parameters
    ----------
    counts : DataFrame
        From :func:`insights.stats.service_timing.breach_heatmap_counts`: weekdays as rows (the first three
        letters shown), hours 0-23 as columns.
    title : str
        The chart's title; a note on the row totals is added to it.
    xlabel : str, default "Hour opened (UTC)"
        The x axis label (say which time zone the hours are in).

    Returns
    -------
    Figure
        The laid-out heat map: counts in their cells (empty ones blank), each row's total at its right.
    """
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
    """Breaches per category, stacked by severity.

    Parameters
    ----------
    table : DataFrame
        From :func:`insights.stats.service_levels.breaches_by`: ``category, severity, breached, events``,
        one row per category and severity.  Severities without a breach are left out.
    title : str
        The chart's title (top left).

    Returns
    -------
    Figure
        The laid-out bar chart, most breaches at the top, each bar labelled "breaches of events due".
    """
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

    Parameters
    ----------
    trend : DataFrame
        From :func:`insights.stats.service_levels.attainment_trend`: ``period, penalties, idle_cost``, one
        row per due month.
    title : str
        The chart's title (top left).
    currency : str, default ""
        Named in the y axis label when given.

    Returns
    -------
    Figure
        The laid-out bar chart, legend at the right.
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
    ax.set_xlabel(f"{period_title(column_cadence(trend['period']))} due")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_title(title, loc="left")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
    return _finish(fig)


def service_satisfaction_chart(
    clients: pd.DataFrame, *, title: str, ylabel: str, target: float | None = None
) -> Figure:
    """Clients placed by attainment (x, %) and mean satisfaction (y), coloured by client type, labelled by id.

    Parameters
    ----------
    clients : DataFrame
        One row per client: ``client_id, attainment`` (a fraction), ``satisfaction`` and optionally
        ``client_type``.
    title, ylabel : str
        The chart's title (top left) and the y axis label (what ``satisfaction`` measures).
    target : float, optional
        The service-level target as a fraction, drawn as a red dashed vertical line.

    Returns
    -------
    Figure
        The laid-out scatter chart.
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

    Parameters
    ----------
    table : DataFrame
        ``WeekdayTest.table`` from :func:`insights.stats.service_timing.weekday_test`: ``weekday, events,
        breached, breach_rate, ci_low, ci_high, hot`` (rates as fractions; a day is hot when its
        adjusted residual passes the test's Bonferroni bound).
    title : str
        The chart's title (top left).

    Returns
    -------
    Figure
        The laid-out bar chart with the rate over all days as a grey dashed line.
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
