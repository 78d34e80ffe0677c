"""The "Service levels" sections of the client and portfolio reports: the one import of the notebooks.

The notebooks stay thin: one cell calls :func:`client_section` or :func:`portfolio_section` and
displays the result, and only when an events file was given (``events`` parameter / ``insights run
--events``); without one the cell shows nothing and the report has no such section.  The
section's heading is part of the section itself, so it cannot appear empty.

A facade: the client's section is built in :mod:`insights.reporting.service_client`, the portfolio's
in :mod:`insights.reporting.service_portfolio`, and what they share (the section type, loading the
events, the moment a report judges them at) lives in :mod:`insights.reporting.service_common`.
"""

from __future__ import annotations

from insights.reporting.service_client import CLIENT_TITLE, MAX_OPEN_ROWS, client_section, open_events
from insights.reporting.service_common import (
    ServiceSection,
    add_index_figures,
    available,
    load,
    report_as_of,
)
from insights.reporting.service_portfolio import PORTFOLIO_TITLE, portfolio_section

#: the section type's name before the split (a :class:`insights.reporting.html.Section` now)
Section = ServiceSection

__all__ = [
    "CLIENT_TITLE",
    "MAX_OPEN_ROWS",
    "PORTFOLIO_TITLE",
    "Section",
    "ServiceSection",
    "add_index_figures",
    "available",
    "client_section",
    "load",
    "open_events",
    "portfolio_section",
    "report_as_of",
]
