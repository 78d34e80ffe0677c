"""Figures as a notebook saves them (``INLINE_PRINT_KWARGS``): the same pixels as matplotlib's default PNG."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from matplotlib import rc_context
from PIL import Image

from insights.reporting import plots
from insights.reporting.plots.style import INLINE_PRINT_KWARGS


def _pixels(fig, **kwargs) -> tuple[np.ndarray, int]:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi, **kwargs)
    return np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGBA")), len(buffer.getvalue())


def test_the_notebook_png_has_the_default_pngs_pixels():
    trend = pd.DataFrame(
        {
            "period": pd.period_range("2025-11", periods=12, freq="M"),
            "n": [8, 7, 3, 9, 0, 6, 8, 8, 2, 7, 9, 8],
            "estimate": np.linspace(3.1, 4.2, 12),
            "suppressed": [False, False, True, False, False, False, False, False, True, False, False, False],
        }
    ).assign(ci_low=lambda t: t["estimate"] - 0.4, ci_high=lambda t: t["estimate"] + 0.4)
    with rc_context():
        plots.use_style()
        fig = plots.trend_chart(trend, title="Overall satisfaction by month", ylabel="Mean (1-5)")
        default, default_bytes = _pixels(fig, bbox_inches=False)
        ours, our_bytes = _pixels(fig, **INLINE_PRINT_KWARGS)
    assert INLINE_PRINT_KWARGS["bbox_inches"] is False  # as laid out: no second, "tight" pass
    assert ours.shape == default.shape == (int(3.6 * fig.dpi), int(8.5 * fig.dpi), 4)
    assert np.array_equal(ours, default)
    assert default_bytes < our_bytes < 1.1 * default_bytes  # less compressed, not much larger
