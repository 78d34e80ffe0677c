"""Escaped HTML building blocks shared by every report section: text, numbers, tables, lists.

Every piece of untrusted text (client names, comments, ids) passes through :func:`esc`
(:func:`html.escape`, quotes included) before it reaches a page.  Section markup lives in Jinja
templates (package data in ``templates/sections/``) rendered by :func:`render` with autoescape on,
escaping with :func:`esc` as well, so a template and the code before it give the same bytes.
"""

from __future__ import annotations

import functools
import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

__all__ = [
    "Section",
    "caveats_html",
    "ci_text",
    "esc",
    "findings_html",
    "fmt",
    "numeric_columns",
    "numeric_text",
    "render",
    "table_html",
]


def esc(value: object) -> str:
    """Escape untrusted text for HTML (quotes included)."""
    return html.escape(
        "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value), quote=True
    )


def fmt(value: float, digits: int, unit: str = "", signed: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:+.{digits}f}{unit}" if signed else f"{value:.{digits}f}{unit}"


def ci_text(low: float, high: float, digits: int, signed: bool = False) -> str:
    return f"{fmt(low, digits, signed=signed)} to {fmt(high, digits, signed=signed)}"


#: A number as the tables show it: ``12``, ``-0.25``, ``+3.1``, ``1,204``, ``45%``, ``1.3e-07``, or a dash.
_NUMBER = r"(?:[+\-−]?\d[\d,]*(?:\.\d+)?(?:e[+\-]?\d+)?(?:%| pts)?|–|-)"
#: Cell text that reads as a number: a number, an interval, a number with its interval (and its
#: counts: ``"3.62 (3.40 to 3.84), n=120 from 6 clients"``), a count of a total ("3 of 30"), or two
#: counts ("12 / 9").
_NUMERIC_TEXT = re.compile(
    rf"{_NUMBER}(?: to {_NUMBER}| \({_NUMBER} to {_NUMBER}\)(?:, n=\d+ from \d+ clients?)?| of {_NUMBER}"
    rf"| / {_NUMBER})?",
    re.IGNORECASE,
)
#: How a table's cells are aligned: numbers right (with figures of equal width), text left.
ALIGN = {"num": "text-align: right; font-variant-numeric: tabular-nums;", "text": "text-align: left;"}


def numeric_text(value: object) -> bool:
    """Whether a cell's text reads as a number (or an interval, a count of a total...: :data:`_NUMERIC_TEXT`)."""
    return bool(_NUMERIC_TEXT.fullmatch(str(value).strip()))


def numeric_columns(frame: pd.DataFrame) -> list[bool]:
    """Whether each column of ``frame`` holds numbers (right-aligned in a table) rather than text.

    A column is numeric when its dtype is (booleans are not), or when every non-empty cell reads as a
    number, an interval (``"1.2 to 3.4"``), a number with its interval, ``"3 of 30"`` or ``"12 / 9"``.
    An empty column counts as text.
    """
    kinds = []
    for _, column in frame.items():
        if pd.api.types.is_bool_dtype(column):
            kinds.append(False)
        elif pd.api.types.is_numeric_dtype(column):
            kinds.append(True)
        else:
            cells = [str(v).strip() for v in column if not _blank(v) and str(v).strip()]
            kinds.append(bool(cells) and all(numeric_text(c) for c in cells))
    return kinds


def _blank(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _align(table: str, numeric: list[bool]) -> str:
    """Give the k-th header and data cell of every row its column's class and alignment."""

    def row(match: re.Match) -> str:
        position = iter(range(len(numeric)))

        def cell(m: re.Match) -> str:
            kind = "num" if numeric[min(next(position), len(numeric) - 1)] else "text"
            return f'<{m.group(1)} class="ci-{kind}" style="{ALIGN[kind]}">'

        return re.sub(r"<(t[hd])>", cell, match.group(0))

    return re.sub(r"<tr[^>]*>.*?</tr>", row, table, flags=re.DOTALL)


def table_html(frame: pd.DataFrame, *, caption: str | None = None) -> str:
    """A readable, escaped HTML table (no index, NaN as a dash): text columns left-aligned, numbers
    right-aligned (:func:`numeric_columns`; each cell's ``class`` is ``ci-text`` or ``ci-num``)."""
    styled = frame.to_html(
        index=False,
        escape=True,
        na_rep="–",
        border=0,
        classes="ci-table",
        float_format=lambda v: f"{v:,.2f}".rstrip("0").rstrip("."),
    )
    cap = f"<p class='ci-note'>{esc(caption)}</p>" if caption else ""
    return cap + (_align(styled, numeric_columns(frame)) if len(frame.columns) else styled)


def findings_html(
    findings: Sequence[str], empty: str = "Nothing can be claimed with confidence from these data."
) -> str:
    """Plain sentences as a list, or ``empty`` as a note when there are none (escaped)."""
    return render("findings.html.j2", findings=list(findings), empty=empty)


def caveats_html(caveats: Sequence[str]) -> str:
    """The caveats as a list in the note style (escaped)."""
    return render("caveats.html.j2", caveats=list(caveats))


class Section:
    """A report section a notebook cell can show as it is: ``display(section)`` shows :meth:`html`."""

    def html(self) -> str:
        """The section's escaped HTML."""
        raise NotImplementedError

    def _repr_html_(self) -> str:
        return self.html()

    def __repr__(self) -> str:
        # Short on purpose: a notebook keeps this text beside the HTML, and sections may hold names.
        return f"<{type(self).__name__}>"


@dataclass(frozen=True, repr=False)
class SectionHeading(Section):
    """A heading (h2, or h3 for a subsection) and its introduction: for a section a notebook shows only
    when its data is there (a markdown cell would show the heading over nothing), or whose words follow
    the survey (:mod:`insights.reporting.intros`). Text in backticks is shown as code, as markdown does."""

    title: str
    intro: str
    level: int = 2

    def html(self) -> str:
        return render(
            "heading.html.j2",
            title=self.title,
            intro=self.intro,
            anchor=self.title.replace(" ", "-"),
            level=self.level,
        )


# --------------------------------------------------------------------------- templates


def render(template: str, **context: object) -> str:
    """Render a section template of ``templates/sections/`` with ``context``.

    Every value a template prints is escaped with :func:`esc` (None and NaN print as nothing)
    unless it is marked safe (``{{ table | safe }}``: HTML built by these helpers).  Line breaks
    and the indentation after them are dropped from the template source, so templates can be laid
    out for people while a section stays one line of HTML.
    """
    return _environment().get_template(template).render(**context)


def compile_templates() -> int:
    """Compile every section template now and keep it; return how many.

    A run's warm zygote (:mod:`insights.batch.warm`) calls it, so the report kernels forked from it
    find the templates compiled instead of compiling a dozen each.
    """
    environment = _environment()
    names = environment.list_templates(extensions=["j2"])
    for name in names:
        environment.get_template(name)
    return len(names)


@functools.cache
def _environment():
    # jinja2 is imported on first use: a report kernel pays for it once, the CLI never.
    import jinja2
    from jinja2.ext import Extension
    from markupsafe import Markup

    class JoinLines(Extension):
        def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
            return re.sub(r"\n[ \t]*", "", source)

    def escaped(value: object) -> object:
        # esc, not markupsafe's escape: the same entities (&#x27; for a quote) as the f-strings had.
        return value if hasattr(value, "__html__") else Markup(esc(value))

    def code_spans(value: object) -> Markup:
        # `insights alerts` in an introduction reads as code, as in the markdown cells it replaces.
        return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escaped(value))))

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("insights.reporting", "templates/sections"),
        autoescape=True,
        finalize=escaped,
        extensions=[JoinLines],
        undefined=jinja2.StrictUndefined,
    )
    environment.filters["code_spans"] = code_spans
    return environment
