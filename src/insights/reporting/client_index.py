"""The index page's row of one client report: its headline figures, pre-formatted (the runner shows them
as given), and the figures a survey does not ask left out (no NPS without the likelihood-to-recommend
question, no CSAT without a top box on the overall scale)."""

from __future__ import annotations

from insights.reporting.client import ClientReport, flags_summary
from insights.reporting.html import fmt

__all__ = ["index_summary"]


def index_summary(report: ClientReport) -> dict:
    """Pre-formatted headline figures for the index page (the runner shows them as given).

    Without a likelihood-to-recommend question there is no NPS figure (so no NPS column), without a
    top box on the overall scale no CSAT figure (``survey.reports_csat``); a client
    whose figures are of an earlier wave gets a ``note`` (its :attr:`ClientReport.banner`), which
    the index shows in its row.
    """
    h = report.headline
    dropped = bool(len(report.flags)) and bool((report.flags["kind"] == "drop").any())
    nps_figure = {
        "label": "NPS",
        "value": fmt(h.nps.score, 0, signed=True),
        "detail": f"95% CI {fmt(h.nps.ci_low, 0)} to {fmt(h.nps.ci_high, 0)}",
    }
    csat = h.csat  # None: the overall scale has no top box
    csat_figure = csat and {
        "label": "CSAT",
        "value": fmt(csat.score, 0, "%"),
        "detail": f"95% CI {fmt(csat.ci_low, 0)} to {fmt(csat.ci_high, 0)}",
    }
    summary = {
        "client_id": report.client_id,
        "period": str(report.period),
        "figures": [
            {"label": "Responses", "value": str(report.n)},
            *([nps_figure] if report.asks_nps else []),
            *([csat_figure] if csat_figure else []),
            {
                "label": "Mean overall",
                "value": fmt(h.mean_overall.score, 2),
                "detail": f"95% CI {fmt(h.mean_overall.ci_low, 2)} to {fmt(h.mean_overall.ci_high, 2)}",
            },
            {"label": "vs previous", "value": "significant drop" if dropped else "–", "flag": dropped},
            flags_summary(report.flags),
        ],
    }
    if report.banner:
        summary["note"] = report.banner
    return summary
