"""Figures and tables that look finished: nothing drawn past a figure's edge (one column, one row, long
labels, 10-point scales), text columns left-aligned and numbers right-aligned, the same page margins.

A figure is checked as the notebooks show it: drawn at its own size (the inline backend's
``bbox_inches=False``), so the PNG is exactly the canvas; every artist's extent (matplotlib's tight
bounding box of the figure, and each visible text's window extent) must lie on that canvas.
"""

from __future__ import annotations

import io
import struct
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text

from insights.reporting import plots, report
from insights.reporting.html import numeric_columns, table_html

DRIVERS = ["communication", "responsiveness", "quality", "timeliness", "value", "expertise"]
#: Driver labels of 60 characters, as a real survey's question texts are.
LONG = {
    d: f"{d.capitalize()}: clarity and timeliness of the written status reports"[:60].ljust(60, ".")
    for d in DRIVERS
}
MONTHS = [str(p) for p in pd.period_range("2025-11", "2026-10", freq="M")]
SLACK = 0.02  # inches (two pixels at 96 dpi)


def scorecard(periods, components, scale=(1, 5), seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        [
            {
                "component": c,
                "period": pd.Period(p, "M"),
                "mean": rng.uniform(*scale),
                "n": int(rng.integers(1, 9)),
            }
            for c in components
            for p in periods
        ]
    )


def importance(names) -> pd.DataFrame:
    k = len(names)
    share = np.linspace(5, 30, k)
    share = share / share.sum() * 100
    quadrants = list(plots.QUADRANT_COLOURS)
    return pd.DataFrame(
        {
            "driver": names,
            "lmg": share / 100,
            "share": share,
            "performance": np.linspace(2.5, 4.5, k),
            "quadrant": [quadrants[i % 4] for i in range(k)],
            "lmg_ci_low": share / 200,
            "lmg_ci_high": share / 100 * 1.5,
        }
    )


def trend(months: int) -> pd.DataFrame:
    periods = pd.period_range(end="2026-10", periods=months, freq="M")
    estimate = np.linspace(3, 4, months)
    return pd.DataFrame(
        {
            "period": periods,
            "n": 8,
            "estimate": estimate,
            "suppressed": False,
            "ci_low": estimate - 0.3,
            "ci_high": estimate + 0.3,
        }
    )


def league(names) -> pd.DataFrame:
    mean = np.linspace(3, 4.5, len(names))
    types = ["external", "internal"] * len(names)
    return pd.DataFrame(
        {
            "client_name": names,
            "client_type": types[: len(names)],
            "mean": mean,
            "mean_low": mean - 0.4,
            "mean_high": mean + 0.4,
        }
    )


TITLE = "Mean score by month"
#: The checked-in list of cases: each a figure the reports draw, at an edge of its data.
CASES = {
    "heat map, one month": lambda: plots.scorecard_heatmap(
        scorecard(MONTHS[-1:], [*DRIVERS, "overall_satisfaction"]), title=TITLE
    ),
    "heat map, one row": lambda: plots.scorecard_heatmap(
        scorecard(MONTHS, ["overall_satisfaction"]), title=TITLE
    ),
    "heat map, one cell": lambda: plots.scorecard_heatmap(
        scorecard(MONTHS[-1:], ["overall_satisfaction"]), title=TITLE
    ),
    "heat map, 60-character labels, 10-point scale": lambda: plots.scorecard_heatmap(
        scorecard(MONTHS, DRIVERS, (1, 10)), labels=LONG, title=TITLE, scale=(1, 10)
    ),
    "heat map, 60-character labels, one month": lambda: plots.scorecard_heatmap(
        scorecard(MONTHS[-1:], DRIVERS, (1, 10)), labels=LONG, title=TITLE, scale=(1, 10)
    ),
    "importance, 60-character labels": lambda: plots.importance_chart(
        importance(DRIVERS), labels=LONG, title="What drives overall satisfaction"
    ),
    "importance, one driver": lambda: plots.importance_chart(
        importance(["quality"]), title="What drives overall satisfaction"
    ),
    "quadrants, 60-character labels": lambda: plots.quadrant_chart(
        importance(DRIVERS), labels=LONG, title="Importance against performance"
    ),
    "trend, one month, 10-point scale": lambda: plots.trend_chart(
        trend(1), title="Overall satisfaction by month", ylabel="Mean (1-10)", ylim=(1, 10)
    ),
    "trend, twelve months": lambda: plots.trend_chart(
        trend(12),
        title="Overall satisfaction by month",
        ylabel="Mean (1-5)",
        ylim=(1, 5),
        reference=trend(12),
    ),
    "league, one client with a 60-character name": lambda: plots.league_chart(
        league([LONG["value"]]),
        label="client_name",
        estimate="mean",
        ci_low="mean_low",
        ci_high="mean_high",
        title="Mean overall satisfaction by client",
        xlabel="Mean (1-10)",
    ),
    "distribution, 10-point scale": lambda: plots.distribution_chart(
        pd.DataFrame(
            {"overall_satisfaction": np.arange(100) % 10 + 1, "client_type": ["internal", "external"] * 50}
        ),
        "overall_satisfaction",
        title="Overall satisfaction answers",
        scale=(1, 10),
    ),
}


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.fixture(scope="module", autouse=True)
def _style():
    import matplotlib as mpl

    with mpl.rc_context():
        plots.use_style()
        yield


@pytest.mark.parametrize("case", list(CASES))
def test_nothing_is_drawn_past_the_figure_edge(case):
    fig = CASES[case]()
    width, height = fig.get_size_inches()
    dpi = plt_rc_dpi()
    shown, tight = io.BytesIO(), io.BytesIO()
    fig.savefig(shown, format="png", bbox_inches=False)  # as a notebook shows it: the canvas as laid out
    fig.savefig(tight, format="png", bbox_inches="tight", pad_inches=0)  # cropped to what is drawn
    canvas = png_size(shown.getvalue())
    assert abs(canvas[0] - width * dpi) <= 1 and abs(canvas[1] - height * dpi) <= 1  # the PNG is the canvas
    content = png_size(tight.getvalue())
    assert content[0] <= canvas[0] + 1 and content[1] <= canvas[1] + 1, (case, content, canvas)
    fig.canvas.draw()  # at the figure's own dpi again (saving drew it at savefig.dpi)
    renderer = fig.canvas.get_renderer()
    box = fig.get_tightbbox(renderer)  # inches: every drawn artist
    assert box.x0 >= -SLACK and box.y0 >= -SLACK, (case, box.extents)
    assert box.x1 <= width + SLACK and box.y1 <= height + SLACK, (case, box.extents, (width, height))
    # and the content fills it (tight_layout's margins, no blank band)
    assert width - box.width <= max(0.5, 0.15 * width) and height - box.height <= max(0.5, 0.15 * height), (
        case
    )
    # each text drawn, by its own window extent in pixels (tick labels only of ticks inside the view:
    # matplotlib does not draw the others)
    ticks = {id(t.label1) for ax in fig.axes for axis in (ax.xaxis, ax.yaxis) for t in axis.get_major_ticks()}
    texts = [t for t in fig.findobj(Text) if id(t) not in ticks]
    texts += [t for ax in fig.axes for axis in (ax.xaxis, ax.yaxis) for t in _drawn_ticklabels(axis)]
    for text in texts:
        if not text.get_visible() or not text.get_text().strip():
            continue
        extent = text.get_window_extent(renderer)
        assert extent.x0 >= -2 and extent.y0 >= -2, (case, text.get_text())
        assert extent.x1 <= fig.bbox.width + 2 and extent.y1 <= fig.bbox.height + 2, (case, text.get_text())


def plt_rc_dpi() -> float:
    """The dpi a figure is saved at (the report style's ``savefig.dpi``)."""
    import matplotlib as mpl

    dpi = mpl.rcParams["savefig.dpi"]
    return float(dpi) if dpi != "figure" else float(mpl.rcParams["figure.dpi"])


def _drawn_ticklabels(axis) -> list[Text]:
    """The tick labels a draw shows: those of ticks inside the axis' view."""
    low, high = sorted(axis.get_view_interval())
    return [t.label1 for t in axis.get_major_ticks() if low - 1e-9 <= t.get_loc() <= high + 1e-9]


@pytest.mark.parametrize("case", [c for c in CASES if "60-character" in c])
def test_long_names_are_wrapped_and_do_not_overlap(case):
    fig = CASES[case]()
    renderer = fig.canvas.get_renderer()
    fig.canvas.draw()
    for ax in fig.axes:
        labels = [t for t in _drawn_ticklabels(ax.yaxis) if t.get_text()]
        names = [t for t in labels if "clarity" in t.get_text()]
        assert all("\n" in t.get_text() for t in names)  # two lines, not one 60-character line
        boxes = [t.get_window_extent(renderer) for t in labels]
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                assert not (a.y0 < b.y1 - 1 and b.y0 < a.y1 - 1 and a.x0 < b.x1 and b.x0 < a.x1), case


def test_a_figure_that_fits_is_left_as_it_was():
    fig = CASES["trend, twelve months"]()
    assert (
        tuple(fig.get_size_inches()) == (8.5, 3.6)
        and fig.axes[0].get_title("left") == "Overall satisfaction by month"
    )


# --------------------------------------------------------------------------- tables


class _Cells(HTMLParser):
    """Each row's cells as (tag, class, style, text)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[tuple[str, str, str, str]]] = []
        self.cell = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td"):
            a = dict(attrs)
            self.cell = [tag, a.get("class", ""), a.get("style", ""), ""]

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[3] += data

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self.cell is not None:
            self.rows[-1].append(tuple(self.cell))
            self.cell = None


def alignment(html: str) -> dict[str, str]:
    """Column header -> "left" or "right", checked to be the same for the header and every cell."""
    parser = _Cells()
    parser.feed(html)
    header, *body = parser.rows
    found = {}
    for k, (_, css, style, text) in enumerate(header):
        side = "right" if "text-align: right" in style else "left" if "text-align: left" in style else "?"
        assert css == ("ci-num" if side == "right" else "ci-text"), (text, css)
        for row in body:
            assert row[k][1] == css and row[k][2] == style, (text, row[k])
        found[text] = side
    return found


def test_text_columns_go_left_and_numbers_right():
    frame = pd.DataFrame(
        {
            "Client": ["Contoso <Ltd>", "12 Monkeys"],  # a name that starts with a number is still text
            "n": [12, 3],
            "Mean": [3.25, np.nan],
            "NPS 95% CI": ["-12 to +30", "– to –"],
            "Rank": ["3 of 30", "–"],
            "Why": ["fall (p = 0.01, q = 0.04)", ""],
            "Change": ["+0.25", "-1.10"],
            "Significant": ["yes", ""],
            "Internal": ["3.62 (3.40 to 3.84), n=120 from 6 clients", "45% (40 to 50), n=12 from 1 client"],
        }
    )
    got = alignment(table_html(frame))
    assert got == {
        "Client": "left",
        "n": "right",
        "Mean": "right",
        "NPS 95% CI": "right",
        "Rank": "right",
        "Why": "left",
        "Change": "right",
        "Significant": "left",
        "Internal": "right",
    }
    assert "Contoso &lt;Ltd&gt;" in table_html(frame)  # still escaped
    assert numeric_columns(pd.DataFrame({"x": pd.Series([], dtype=object)})) == [False]


def test_report_tables_align_their_columns(sample_df):
    period = pd.Period("2026-10", "M")
    r = report.client_report(sample_df, "C03", period, n_boot=20)
    score = alignment(table_html(report.scorecard_table(r)))
    assert score["Component"] == score["Significant fall"] == "left"
    assert score["Mean"] == score["n"] == score["Change"] == score["Rank among clients"] == "right"
    p = report.portfolio_report(sample_df, period, n_boot=20)
    league_cols = alignment(table_html(report.league_display(p.league)))
    assert league_cols["Client"] == league_cols["Type"] == "left"
    assert league_cols["NPS"] == league_cols["Mean 95% CI"] == league_cols["n"] == "right"
    flags = alignment(table_html(report.flags_display(p)))
    assert flags["Client"] == flags["What"] == flags["Family"] == "left"
    movers = alignment(table_html(report.movers_display(p)))
    assert movers["Client"] == "left" and movers["Change in mean"] == movers["n (recent / before)"] == "right"


def test_client_and_portfolio_pages_share_one_page_style():
    """Both pages are exported through one template: the same centred body, the same margins."""
    template = Path(report.__file__).parent / "templates" / "report" / "index.html.j2"
    css = template.read_text("utf-8")
    assert "body.jp-Notebook { max-width: 1100px; margin: 0 auto; padding: 24px 32px; }" in css
    assert ".ci-table td.ci-text" in css and ".ci-table td.ci-num" in css


def test_index_columns_of_words_go_left_and_figures_right(tmp_path):
    from types import SimpleNamespace

    from insights.batch.index import write_index

    def task(client_id):
        page = tmp_path / "clients" / f"{client_id}.html"
        return SimpleNamespace(
            kind="client",
            title=client_id,
            client_id=client_id,
            client_type="external",
            html_path=str(page),
            ipynb_path=str(tmp_path / "clients" / f"{client_id}.ipynb"),
        )

    def result(nps, change):
        figures = [{"label": "Responses", "value": "5"}, {"label": "NPS", "value": nps}]
        figures.append({"label": "vs previous", "value": change})
        return SimpleNamespace(status="ok", error=None, summary={"figures": figures})

    page = write_index(
        tmp_path,
        [task("A"), task("B")],
        [result("+12", "–"), result("–", "significant drop")],
        period="2026-10",
        title="Reports",
    ).read_text("utf-8")
    parser = _Cells()
    parser.feed(page)
    header, *rows = parser.rows
    kinds = {text: css for _, css, _, text in header}
    assert kinds["NPS"] == kinds["Responses"] == "num" and kinds["vs previous"] == "text"
    for row in rows:
        cells = dict(zip([text for *_, text in header], row))
        assert cells["vs previous"][1] == "text" and cells["NPS"][1] == "num"
