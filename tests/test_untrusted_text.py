"""Client, driver, theme and person names in figures are drawn as typed, never read as math.

With matplotlib's mathtext, "Cost $5 to $10 Ltd" would be drawn as the formula "Cost 5to10 Ltd" and
"Evil $\\undefinedcmd{x}$ Co" would fail the figure (and with it every report drawing it).  Each
public chart in :mod:`insights.reporting.plots` that draws a label is fed both, with the report style
and without it, and must draw, showing the literal text.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from insights.reporting import plots

PRICE = "Cost $5 to $10 Ltd"
COMMAND = r"Evil $\undefinedcmd{x}$ Co"
MONTHS = pd.period_range("2026-01", periods=6, freq="M")
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _trend(name: str) -> Figure:
    trend = pd.DataFrame(
        {
            "period": MONTHS,
            "n": [12, 3, 0, 15, 9, 20],
            "estimate": [4.1, 3.2, np.nan, 4.4, 3.9, 4.0],
            "suppressed": [False, True, False, False, False, False],
            "ci_low": [3.8, 2.5, np.nan, 4.1, 3.5, 3.7],
            "ci_high": [4.4, 3.9, np.nan, 4.7, 4.3, 4.3],
        }
    )
    reference = trend.assign(estimate=[3.9, 3.8, 3.9, 4.0, 4.0, 4.1])
    return plots.trend_chart(
        trend, title=name, ylabel=f"Mean ({name})", ylim=(1, 5), reference=reference, reference_label=name
    )


def _scorecard(name: str) -> Figure:
    components = ["quality", "value", "nps"]
    rows = [
        {"component": c, "period": p, "mean": 2.0 + (i + j) % 3, "n": 3 + 2 * i + j}
        for i, c in enumerate(components)
        for j, p in enumerate(MONTHS)
    ]
    return plots.scorecard_heatmap(pd.DataFrame(rows), labels={"quality": name}, title=name)


def _importance() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "driver": ["quality", "value", "expertise"],
            "share": [50.0, 30.0, 20.0],
            "lmg": [0.25, 0.15, 0.10],
            "lmg_ci_low": [0.20, 0.10, 0.05],
            "lmg_ci_high": [0.30, 0.20, 0.15],
            "quadrant": ["Keep up", "Fix first", "Monitor"],
            "performance": [4.2, 3.1, 3.8],
        }
    )


def _importance_chart(name: str) -> Figure:
    return plots.importance_chart(_importance(), labels={"quality": name, "value": name}, title=name)


def _quadrant(name: str) -> Figure:
    return plots.quadrant_chart(_importance(), labels={"quality": name, "value": name}, title=name)


def _league(name: str) -> Figure:
    table = pd.DataFrame(
        {
            "client_name": [name, "Acme Ltd", f"{name} (2)"],
            "nps": [10.0, 35.0, -5.0],
            "nps_low": [0.0, 20.0, -20.0],
            "nps_high": [20.0, 50.0, 10.0],
            "client_type": ["external", "internal", "external"],
        }
    )
    return plots.league_chart(
        table,
        label="client_name",
        estimate="nps",
        ci_low="nps_low",
        ci_high="nps_high",
        title=name,
        xlabel=name,
        reference=12.0,
    )


def _distribution(name: str) -> Figure:
    answers = pd.DataFrame(
        {
            "overall_satisfaction": [1, 2, 3, 4, 5, 5, 4, 3, 4, 5],
            "segment": [name, "internal"] * 5,
        }
    )
    return plots.distribution_chart(answers, "overall_satisfaction", by="segment", title=name, xlabel=name)


def _service_trend() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": MONTHS,
            "events": [20, 18, 0, 25, 22, 30],
            "attainment": [0.95, 0.89, np.nan, 0.96, 0.91, 0.97],
            "ci_low": [0.76, 0.67, np.nan, 0.80, 0.72, 0.83],
            "ci_high": [0.99, 0.97, np.nan, 0.99, 0.98, 0.99],
            "breached": [1, 2, 0, 1, 2, 1],
            "penalties": [100.0, 250.0, 0.0, 80.0, 120.0, 60.0],
            "idle_cost": [40.0, 90.0, 0.0, 30.0, 70.0, 20.0],
        }
    )


def _attainment(name: str) -> Figure:
    return plots.attainment_chart(_service_trend(), target=0.95, title=name)


def _cost(name: str) -> Figure:
    return plots.cost_chart(_service_trend(), title=name, currency=name)


def _breach_heatmap(name: str) -> Figure:
    counts = pd.DataFrame(
        np.arange(7 * 24).reshape(7, 24) % 4, index=[name] + WEEKDAYS[1:], columns=list(range(24))
    )
    return plots.breach_heatmap(counts, title=name, xlabel=name)


def _breach_categories(name: str) -> Figure:
    table = pd.DataFrame(
        {
            "category": [name, name, "Billing", "Billing"],
            "severity": ["high", "low", "high", "critical"],
            "breached": [3, 1, 2, 1],
            "events": [10, 5, 8, 4],
        }
    )
    return plots.breach_category_chart(table, title=name)


def _service_satisfaction(name: str) -> Figure:
    clients = pd.DataFrame(
        {
            "client_id": [name, "C02", "C03"],
            "attainment": [0.91, 0.97, 0.88],
            "satisfaction": [3.9, 4.3, 3.1],
            "client_type": [name, "external", "internal"],
        }
    )
    return plots.service_satisfaction_chart(clients, title=name, ylabel=name, target=0.95)


def _weekday(name: str) -> Figure:
    table = pd.DataFrame(
        {
            "weekday": [name] + WEEKDAYS[1:5],
            "events": [20, 22, 18, 25, 19],
            "breached": [2, 5, 1, 2, 3],
            "breach_rate": [0.10, 0.23, 0.06, 0.08, 0.16],
            "ci_low": [0.03, 0.10, 0.01, 0.02, 0.06],
            "ci_high": [0.30, 0.43, 0.26, 0.25, 0.37],
            "hot": [False, True, False, False, False],
        }
    )
    return plots.weekday_chart(table, title=name)


def _theme_heatmap(name: str) -> Figure:
    shares = pd.DataFrame({"billing": [0.2, 0.1], "speed": [0.0, 0.3]}, index=["C01", "C02"])
    counts = pd.Series({"C01": 10, "C02": 3})
    return plots.theme_heatmap(shares, counts, labels={"billing": name}, row_labels={"C01": name}, title=name)


def _theme_effects(name: str) -> Figure:
    table = pd.DataFrame(
        {
            "label": [name, "Speed"],
            "share": [0.2, 0.1],
            "effect": [-0.5, 0.1],
            "ci_low": [-0.7, -0.1],
            "ci_high": [-0.3, 0.3],
            "significant": [True, False],
        }
    )
    return plots.theme_effect_chart(table, title=name)


def _theme_trend(name: str) -> Figure:
    trend = pd.DataFrame(
        {
            "period": pd.PeriodIndex(["2026-01", "2026-02", "2026-01", "2026-02"], freq="M"),
            "theme": ["billing", "billing", "speed", "speed"],
            "comments": [10, 12, 10, 12],
            "mentions": [2, 3, 1, 0],
            "share": [0.2, 0.25, 0.1, 0.0],
        }
    )
    return plots.theme_trend_chart(trend, labels={"billing": name}, title=name)


def _importance_time(name: str) -> Figure:
    over_time = pd.DataFrame(
        {
            "window_end": pd.PeriodIndex(["2026-06", "2026-06", "2026-07", "2026-07"], freq="M"),
            "driver": ["billing", "speed", "billing", "speed"],
            "share": [60.0, 40.0, 45.0, 55.0],
            "n": [120, 120, 130, 130],
        }
    )
    shifts = pd.DataFrame({"driver": ["billing", "speed"], "change": [-15.0, 15.0], "shift": [True, False]})
    return plots.importance_time_chart(over_time, shifts=shifts, labels={"billing": name}, title=name)


def _churn(name: str) -> Figure:
    table = pd.DataFrame({"mean_overall": [2.5, 3.5, 4.2, 3.0], "lost": [1, 0, 0, 1]})
    return plots.churn_chart(table, intercept=4.0, slope=-1.5, title=name, xlabel=name)


CHARTS: dict[str, Callable[[str], Figure]] = {
    "trend_chart": _trend,
    "scorecard_heatmap": _scorecard,
    "importance_chart": _importance_chart,
    "quadrant_chart": _quadrant,
    "league_chart": _league,
    "distribution_chart": _distribution,
    "attainment_chart": _attainment,
    "breach_heatmap": _breach_heatmap,
    "breach_category_chart": _breach_categories,
    "cost_chart": _cost,
    "service_satisfaction_chart": _service_satisfaction,
    "weekday_chart": _weekday,
    "theme_heatmap": _theme_heatmap,
    "theme_effect_chart": _theme_effects,
    "theme_trend_chart": _theme_trend,
    "importance_time_chart": _importance_time,
    "churn_chart": _churn,
}


def _texts(figure: Figure) -> list[Text]:
    return [t for t in figure.findobj(Text) if t.get_text()]


def test_every_public_chart_is_covered():
    public = {
        name
        for name, value in vars(plots).items()
        if callable(value) and name.endswith(("_chart", "_heatmap")) and not name.startswith("_")
    }
    assert public == set(CHARTS)


@pytest.mark.parametrize("styled", [False, True], ids=["default rcParams", "report style"])
@pytest.mark.parametrize("name", [PRICE, COMMAND], ids=["dollar amounts", "undefined command"])
@pytest.mark.parametrize("chart", list(CHARTS))
def test_names_are_drawn_as_typed(chart, name, styled):
    with matplotlib.rc_context():
        if styled:
            plots.use_style()
        figure = CHARTS[chart](name)
        figure.savefig(io.BytesIO(), format="png")  # mathtext would fail on \undefinedcmd here
        texts = _texts(figure)
    literal = name.split(" ", 1)[1]  # survives .capitalize() and the figure's own wording around it
    drawn = [t for t in texts if literal.casefold() in t.get_text().casefold()]
    assert drawn, f"{chart} did not draw {name!r}: {[t.get_text() for t in texts]}"
    for text in (t for t in texts if "$" in t.get_text()):
        # what matplotlib consults before drawing: neither mathtext nor TeX reads the text
        assert not text.get_parse_math() and not text.get_usetex(), text.get_text()


def test_the_report_style_turns_mathtext_and_tex_off():
    with matplotlib.rc_context({"text.parse_math": True, "text.usetex": True}):
        plots.use_style()
        assert matplotlib.rcParams["text.parse_math"] is False
        assert matplotlib.rcParams["text.usetex"] is False
