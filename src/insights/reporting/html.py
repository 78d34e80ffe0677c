"""Escaped HTML building blocks shared by every report section: text, numbers, tables, lists.

Every piece of untrusted text (client names, comments, ids) passes through :func:`esc`
(:func:`html.escape`, quotes included) before it reaches a page.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import pandas as pd

__all__ = ["caveats_html", "ci_text", "esc", "findings_html", "fmt", "table_html"]


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


def table_html(frame: pd.DataFrame, *, caption: str | None = None) -> str:
    """A readable, escaped HTML table (no index, NaN as a dash)."""
    styled = frame.to_html(
        index=False,
        escape=True,
        na_rep="–",
        border=0,
        classes="ci-table",
        float_format=lambda v: f"{v:,.2f}".rstrip("0").rstrip("."),
    )
    cap = f"<p class='ci-note'>{esc(caption)}</p>" if caption else ""
    return cap + styled


def findings_html(
    findings: Sequence[str], empty: str = "Nothing can be claimed with confidence from these data."
) -> str:
    if not findings:
        return f"<p class='ci-note'>{esc(empty)}</p>"
    return "<ul>" + "".join(f"<li>{esc(f)}</li>" for f in findings) + "</ul>"


def caveats_html(caveats: Sequence[str]) -> str:
    return "<ul class='ci-note'>" + "".join(f"<li>{esc(c)}</li>" for c in caveats) + "</ul>"
