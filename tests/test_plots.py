"""Figures: the hand-written heat map against seaborn's, and how figures show in a notebook."""

from __future__ import annotations

import base64
import io

import matplotlib
import nbformat
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from nbclient import NotebookClient
from PIL import Image

from insights.reporting import plots
from insights.reporting.plots.axes import _annotated_heatmap


def _pixels(figure: Figure) -> np.ndarray:
    figure.canvas.draw()
    return np.asarray(figure.canvas.buffer_rgba()).copy()


def _axes(size=(6.0, 3.0)):
    figure = Figure(figsize=size)
    FigureCanvasAgg(figure)
    return figure, figure.subplots()


def test_the_heat_map_draws_what_seaborn_draws():
    values = pd.DataFrame(
        [[1.0, 2.5, np.nan, 5.0], [4.2, np.nan, 3.3, 1.9], [2.0, 4.9, 3.0, 4.4]],
        index=["Quality", "Value", "Speed"],
        columns=["Jan", "Feb", "Mar", "Apr"],
    )
    texts = values.map(lambda v: "" if pd.isna(v) else f"{v:.1f}")
    with matplotlib.rc_context():
        plots.use_style()
        ours, ax = _axes()
        _annotated_heatmap(
            ax,
            values,
            texts,
            cmap="RdYlGn",
            vmin=1,
            vmax=5,
            linewidth=0.6,
            fontsize=8,
            cbar_kws={"label": "Mean"},
        )
        theirs, ax = _axes()
        sns.heatmap(
            values,
            ax=ax,
            cmap="RdYlGn",
            vmin=1,
            vmax=5,
            annot=texts,
            fmt="",
            linewidths=0.6,
            linecolor="white",
            cbar_kws={"label": "Mean"},
            annot_kws={"fontsize": 8},
        )
        ax.set_yticklabels(ax.get_yticklabels(), rotation=0)  # seaborn turns them when they would overlap
        np.testing.assert_array_equal(_pixels(ours), _pixels(theirs))
    # blank cells get no text; dark cells white text, light cells dark text (seaborn's rule)
    colours = {t.get_text(): t.get_color() for t in ours.axes[0].texts}
    assert len(ours.axes[0].texts) == 10
    assert colours["1.0"] == "w" and colours["3.0"] == ".15"


def test_a_chart_shows_once_as_laid_out_and_not_after_a_semicolon():
    """Figures are not held by pyplot: a returned one shows once, a silenced one not at all; and
    the notebook shows it at its own size (no second, "tight" layout pass)."""
    importance = pd.DataFrame(
        {
            "driver": ["quality", "value"],
            "share": [60.0, 40.0],
            "lmg": [0.3, 0.2],
            "quadrant": ["Keep up", "Monitor"],
            "performance": [4.1, 3.4],
        }
    )
    notebook = nbformat.v4.new_notebook()
    setup = (
        "import pandas as pd\nfrom insights.reporting import plots\nplots.use_style()\n"
        f"importance = pd.DataFrame({importance.to_dict(orient='list')!r})"
    )
    notebook.cells = [
        nbformat.v4.new_code_cell(setup),
        nbformat.v4.new_code_cell("figure = plots.quadrant_chart(importance, title='Shown')\nfigure"),
        nbformat.v4.new_code_cell("plots.quadrant_chart(importance, title='Silenced');"),
        nbformat.v4.new_code_cell("plots.quadrant_chart(importance, title='Not returned')\nNone"),
    ]
    NotebookClient(notebook, kernel_name="python3", timeout=120).execute()
    images = [[o for o in cell.outputs if "image/png" in o.get("data", {})] for cell in notebook.cells]
    assert [len(i) for i in images] == [0, 1, 0, 0]
    png = Image.open(io.BytesIO(base64.b64decode(images[1][0]["data"]["image/png"])))
    # 7.5 x 5.2 inches at the style's 96 dpi, uncropped
    assert png.size == (720, 499)
