"""How a report notebook hands its headline figures to the runner.

The notebook displays one JSON output in a cell tagged :data:`SUMMARY_TAG`; the runner reads it
from the executed notebook to build the index page.  The runner only shows the strings it is
given, so it needs to know nothing about how they were computed.
"""

from __future__ import annotations

SUMMARY_TAG = "report-summary"
SUMMARY_MIME = "application/vnd.client-insights.reporting.summary+json"
# Cells with this tag are dropped from the HTML report (they remain in the executed notebook).
REMOVE_TAG = "remove-cell"


def publish_summary(summary: dict) -> None:
    """Display ``summary`` (JSON-able) as the report's machine-readable summary."""
    from IPython.display import display

    display({SUMMARY_MIME: summary, "text/plain": "report summary for the index page"}, raw=True)


def read_summary(notebook) -> dict | None:
    """The summary a notebook published, or None if it never got that far."""
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code" or SUMMARY_TAG not in cell.get("metadata", {}).get("tags", []):
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if SUMMARY_MIME in data:
                value = data[SUMMARY_MIME]
                return value if isinstance(value, dict) else None
    return None
