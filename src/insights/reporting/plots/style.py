"""The look and life of every figure: the palette, the report style, making a figure and finishing it.

A figure is made by :func:`_figure` (drawn by Agg, not held by pyplot, shown by IPython where it is
displayed or returned) and handed back through :func:`_finish`, which lays it out with every text in
it drawn as typed.  Colours live here, in one place, so that the charts of every report agree.
"""

from __future__ import annotations

import sys
import textwrap

import matplotlib as mpl
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FixedLocator, FuncFormatter

PALETTE = sns.color_palette("colorblind")
PRIMARY, SECONDARY, MUTED = PALETTE[0], PALETTE[1], "#9a9a9a"
TYPE_COLOURS = {"external": PALETTE[0], "internal": PALETTE[2]}
QUADRANT_COLOURS = {
    "Fix first": PALETTE[3],
    "Keep up": PALETTE[2],
    "Monitor": PALETTE[7],
    "Possible overkill": PALETTE[4],
}
SEVERITY_COLOURS = {
    "low": PALETTE[2],
    "medium": PALETTE[8],
    "high": PALETTE[1],
    "critical": PALETTE[3],
    "unspecified": MUTED,
}


def use_style() -> None:
    """Apply the report style: white grid, readable sizes, the colourblind-safe palette.

    Sets seaborn's theme and matplotlib's rcParams for the rest of the session (wrap the call in
    :func:`matplotlib.rc_context` to keep it local), turns mathtext and TeX off for names, and in a
    notebook has figures shown as laid out.

    Returns
    -------
    None
    """
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


#: How a notebook's figures are saved (the inline backend's ``print_figure`` keywords): as laid out, and
#: compressed by zlib at level 3, not 6 (the same pixels; encoding a report's figure measured 36 -> 23 ms,
#: 2.7% more bytes).
INLINE_PRINT_KWARGS = {"bbox_inches": False, "pil_kwargs": {"compress_level": 3}}


def _inline_without_tight_bbox() -> None:
    """In a notebook, render figures as laid out (every chart here calls tight_layout).

    The inline backend's default ``bbox_inches="tight"`` lays each figure out and measures it once
    more before drawing it; rendering is most of a report's run time.  ``False``, not ``None``:
    matplotlib reads ``None`` as "use :rc:`savefig.bbox`", which this style sets to "tight" for
    figures saved by hand.  The PNG is compressed at zlib level 3 (:data:`INLINE_PRINT_KWARGS`).
    """
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:
        return
    if get_ipython() is not None:
        set_matplotlib_formats("png", **INLINE_PRINT_KWARGS)


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
    _wrap_names(fig)
    fig.tight_layout(rect=rect)
    _fit_to_canvas(fig, rect)
    return fig


#: Names longer than this (driver labels, client names, annotations) are wrapped onto more lines.
WRAP_AT = 34
#: How far past the canvas an artist may reach (inches, a pixel and a half) before the figure is refitted.
_SLACK = 0.015


def _wrap(text: str, width: int = WRAP_AT) -> str:
    return "\n".join(textwrap.wrap(text, width)) if len(text) > width and " " in text else text


def _wrap_names(fig: Figure) -> None:
    """Wrap long category names: fixed tick labels (drivers, clients) and text annotations (the
    quadrant chart's driver names), so a 60-character label takes two lines instead of the plot."""
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if isinstance(axis.get_major_locator(), FixedLocator):  # names at fixed ticks, not numbers
                named = axis.get_major_formatter()
                axis.set_major_formatter(FuncFormatter(lambda x, pos, named=named: _wrap(str(named(x, pos)))))
        for text in ax.texts:
            text.set_text(_wrap(text.get_text(), 24))


def _fit_to_canvas(fig: Figure, rect: tuple[float, float, float, float] | None) -> None:
    """Keep every artist on the canvas: a title or x label wider than the figure is wrapped, and
    whatever still reaches past an edge widens or heightens the figure by as much (the layout done
    again each time).  Figures that fit are left as they are."""
    renderer = fig.canvas.get_renderer()
    if _inside(fig, renderer):
        return
    width = fig.bbox.width
    for ax in fig.axes:
        titles = {ax.get_title(loc) for loc in ("left", "center", "right")} - {""}
        texts = [t for t in ax.findobj(Text) if t.get_text() in titles] + [ax.xaxis.label]
        for text in texts:
            extent, words = text.get_window_extent(renderer), text.get_text()
            if not words or (extent.x0 >= 0 and extent.x1 <= width):
                continue
            room = width - 16 if text is ax.xaxis.label else width - max(extent.x0, 0) - 8
            if room > 0:
                text.set_text("\n".join(textwrap.wrap(words, max(12, int(len(words) * room / extent.width)))))
    fig.tight_layout(rect=rect)
    for _ in range(3):
        box = fig.get_tightbbox(renderer)
        w, h = fig.get_size_inches()
        grow_w = max(0.0, -box.x0) + max(0.0, box.x1 - w)
        grow_h = max(0.0, -box.y0) + max(0.0, box.y1 - h)
        if grow_w <= _SLACK and grow_h <= _SLACK:
            return
        fig.set_size_inches(w + grow_w + 0.1 * (grow_w > 0), h + grow_h + 0.1 * (grow_h > 0))
        fig.tight_layout(rect=rect)


def _inside(fig: Figure, renderer) -> bool:
    """Whether everything drawn lies on the canvas (the figure's tight bounding box within its size)."""
    box = fig.get_tightbbox(renderer)
    w, h = fig.get_size_inches()
    return box.x0 >= -_SLACK and box.y0 >= -_SLACK and box.x1 <= w + _SLACK and box.y1 <= h + _SLACK
