"""What the two "Service levels" sections share: the section type, number formats, the introduction,
the card row, and what breached and when.

:mod:`insights.reporting.service_client` builds a client's section and
:mod:`insights.reporting.service_portfolio` the portfolio's; :mod:`insights.reporting.service_report`
is the facade the notebooks import.  A section is a list of parts, HTML and matplotlib figures in
order: a notebook shows each part as its own output, so the HTML comes in fragments, the macros of
``templates/sections/service_*.html.j2`` (escaped like every section template).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from insights.core.periods import format_period
from insights.data.events import load_events
from insights.reporting.html import Section, render, table_html
from insights.stats import service_levels, service_timing
from insights.stats.as_of import period_as_of

#: the fragments both sections use (heading, note, intro, card row, breach pattern)
SHARED = "service_levels.html.j2"


@dataclass(frozen=True, eq=False, repr=False)
class ServiceSection(Section):
    """A "Service levels" section: HTML strings and matplotlib figures in order, plus the figures it
    adds to the index page.  ``display(section)`` shows every part as its own output."""

    title: str
    parts: list = field(default_factory=list)
    index_figures: list[dict] = field(default_factory=list)

    def html(self) -> str:
        """The HTML parts joined (figures left out): for tests and plain-text use."""
        return "".join(p for p in self.parts if isinstance(p, str))

    @property
    def figures(self) -> list:
        """The matplotlib figures of the section, in order."""
        return [p for p in self.parts if not isinstance(p, str)]

    def show(self) -> None:
        """Display every part in a notebook: an HTML output or a figure each."""
        from IPython.display import HTML, display

        for part in self.parts:
            display(HTML(part) if isinstance(part, str) else part)

    def _ipython_display_(self) -> None:
        # Figures sit between the HTML parts, so the section is several outputs, not one HTML.
        self.show()


def fragment(template: str, name: str, **context: object) -> str:
    """The macro ``name`` of the section template ``template`` rendered with ``context`` (escaped,
    see :func:`insights.reporting.html.render`)."""
    return render("fragment.html.j2", source=template, macro=name, args=context)


def report_as_of(period: pd.Period | str, now: pd.Timestamp | None = None) -> pd.Timestamp:
    """The moment a report for ``period`` judges events at: the end of that month (00:00 UTC on the
    first day of the next), or now if the month is not over yet (see
    :func:`insights.stats.as_of.period_as_of`).  A past month's report is therefore the same
    whenever it is rendered."""
    return period_as_of(period, now)


def load(events: str | Path | pd.DataFrame) -> pd.DataFrame:
    """Validated events (see :func:`insights.data.events.load_events`), warnings kept in ``attrs``."""
    return load_events(events, warn=False)


def available(value: object) -> bool:
    """Whether an ``events`` notebook parameter names events (``""`` or ``None`` = no events)."""
    return value is not None and not (isinstance(value, str) and not value.strip())


def add_index_figures(summary: dict, section: ServiceSection | None) -> dict:
    """The report summary with the section's figures for the index page appended (unchanged without a section)."""
    if section is None or not section.index_figures:
        return summary
    return {**summary, "figures": [*summary.get("figures", []), *section.index_figures]}


# --- numbers as the sections show them --------------------------------------------------------------


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def pct(value: float, digits: int = 0) -> str:
    """A fraction as a percentage (``0.953`` -> ``95%``), a dash when missing."""
    return "–" if _missing(value) else f"{100 * value:.{digits}f}%"


def money(value: float) -> str:
    """An amount without decimals and with thousands separators, a dash when missing."""
    return "–" if _missing(value) else f"{value:,.0f}"


def hours(value: float) -> str:
    """A duration in hours, in days from 48 hours on, a dash when missing."""
    if _missing(value):
        return "–"
    return f"{value:.1f} h" if value < 48 else f"{value / 24:.1f} days"


# --- parts both sections show -----------------------------------------------------------------------


def card(label: str, value: str, *notes: str, css: str = "") -> dict:
    """One card of a card row: ``css`` (e.g. ``ci-down``) colours the first note; empty notes are left out."""
    lines = [{"css": css if i == 0 else "", "text": note} for i, note in enumerate(notes) if note]
    return {"label": label, "value": value, "lines": lines}


def card_row(cards: list[dict]) -> str:
    """The cards of :func:`card` side by side."""
    return fragment(SHARED, "card_row", cards=cards)


def intro_html(what: str, as_of: pd.Timestamp, target: float, hourly_cost: float, tz: str) -> str:
    """The section's first note: ``what`` it covers, then how status, attainment and cost are defined."""
    return fragment(
        SHARED,
        "intro",
        what=what,
        as_of=f"{as_of:%Y-%m-%d %H:%M}",
        target=f"{target * 100:g}",
        hourly_cost=f"{hourly_cost:,.0f}",
        tz=tz,
    )


def breach_pattern(
    window: pd.DataFrame, first: pd.Period, period: pd.Period, tz: str, hourly_cost: float
) -> tuple[list, bool]:
    """What breached and when: the category chart, the breakdown tables and the weekday x hour heat map
    (:func:`insights.stats.service_timing.breach_heatmap_counts`).

    Returns the section parts and whether there was any breach to map.
    """
    from insights.reporting import plots

    none = fragment(SHARED, "no_breaches", first=format_period(first), period=format_period(period))
    parts: list = [fragment(SHARED, "subheading", title="Breaches by category and severity")]
    if window["status"].eq("breached").any():
        parts.append(
            plots.breach_category_chart(
                service_levels.breaches_by(window, hourly_cost=hourly_cost),
                title=f"Breaches by category, {format_period(first)} to {format_period(period)}",
            )
        )
    else:
        parts.append(none)
    parts.extend(_breakdown_tables(window, hourly_cost))
    parts.append(fragment(SHARED, "subheading", title="When breaches happen"))
    heat = service_timing.breach_heatmap_counts(window, tz=tz)
    any_breach = bool(heat.to_numpy().sum())
    parts.append(
        plots.breach_heatmap(heat, title="Breaches by weekday and hour opened", xlabel=f"Hour opened ({tz})")
        if any_breach
        else none
    )
    return parts, any_breach


def _breakdown_tables(window: pd.DataFrame, hourly_cost: float) -> list[str]:
    """Per category, then per severity: due, breached, attainment, time late, penalties and cost."""
    by_category = service_levels.breaches_by(window, by=("category",), hourly_cost=hourly_cost)
    by_severity = service_levels.breaches_by(window, by=("severity",), hourly_cost=hourly_cost)
    by_severity = by_severity.sort_values("severity").reset_index(drop=True)
    return [
        table_html(_breakdown_display(by_category), caption="By category, most breaches first."),
        table_html(_breakdown_display(by_severity), caption="By severity."),
    ]


def _breakdown_display(table: pd.DataFrame) -> pd.DataFrame:
    key = "category" if "category" in table.columns else "severity"
    return pd.DataFrame(
        {
            key.capitalize(): table[key].astype(str).str.capitalize(),
            "Due": table["events"],
            "Breached": table["breached"],
            "Attainment": [pct(v) for v in table["attainment"]],
            "Median time late": [hours(v) for v in table["median_hours_late"]],
            "Penalties": [money(v) for v in table["penalties"]],
            "Idle cost": [money(v) for v in table["idle_cost"]],
            "Cost": [money(v) for v in table["cost"]],
        }
    )
