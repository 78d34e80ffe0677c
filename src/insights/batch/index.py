"""The index page: every client with its headline figures, flags, status and links (all text escaped)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from insights.batch.layout import ALERTS_FILE, INDEX_PAGE, TEMPLATES
from insights.batch.results import count_statuses
from insights.core.atomic import write_text_atomic

STATUS_TEXT = {"ok": "rendered", "skipped": "unchanged", "failed": "failed"}


def write_index(out_dir: Path, tasks, results, *, period: str, title: str, alerts=None) -> Path:
    """Render ``index.html`` into ``out_dir``, atomically.

    Parameters
    ----------
    out_dir
        The run's output folder (links are relative to it).
    tasks, results
        Reports and their results, in the same order.  Failed clients come first, then by name.
    period
        The report period, shown under the title.
    title
        The page title.
    alerts
        The run's flags (:class:`insights.stats.alerts.Alerts`): each client's "vs previous" and
        "Flags" cells come from them (so a failed report's client still shows its flags), and the
        page counts them by kind with a link to ``alerts.json``.

    Returns
    -------
    Path
        The page written.
    """
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from insights.reporting.html import numeric_text

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html", "j2"]))
    rows, columns, portfolio = [], [], None
    for task, result in zip(tasks, results):
        html = _relative(out_dir, task.html_path) if result.status != "failed" else None
        ipynb = _relative(out_dir, task.ipynb_path) if Path(task.ipynb_path).exists() else None
        if task.kind == "portfolio":
            portfolio = {"html": html, "ipynb": ipynb, "status": result.status, "error": result.error}
            continue
        figures = {}
        for item in [*(result.summary or {}).get("figures", []), *_flag_cells(alerts, task.client_id)]:
            label = str(item.get("label", ""))
            figures[label] = item
            if label not in columns:
                columns.append(label)
        rows.append(
            {
                "name": task.title,
                "client_id": task.client_id,
                "client_type": task.client_type or "",
                "figures": figures,
                "note": str((result.summary or {}).get("note") or ""),
                "status": result.status,
                "status_text": STATUS_TEXT[result.status],
                "error": result.error,
                "html": html,
                "ipynb": ipynb,
            }
        )
    rows.sort(key=lambda r: (r["status"] != "failed", r["name"].casefold()))
    # a column of words ("significant drop", the kinds of flags) is left-aligned, one of figures right
    text_columns = [
        label
        for label in columns
        if any(not numeric_text(r["figures"][label].get("value", "")) for r in rows if label in r["figures"])
    ]
    page = env.get_template("index.html.j2").render(
        title=title,
        period=period,
        rendered_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        rows=rows,
        columns=columns,
        text_columns=text_columns,
        portfolio=portfolio,
        counts=count_statuses(results),
        flags=_flag_counts(alerts, out_dir),
        revenue_at_risk=_revenue_at_risk(alerts),
    )
    return write_text_atomic(out_dir / INDEX_PAGE, page)


def _flag_cells(alerts, client_id: str | None) -> list[dict]:
    """A client's "vs previous" and "Flags" cells from the run's flags (none without them)."""
    if alerts is None or client_id is None:
        return []
    from insights.reporting.client import flags_summary

    mine = alerts.for_client(client_id)
    dropped = bool((mine["kind"] == "drop").any())
    return [
        {"label": "vs previous", "value": "significant drop" if dropped else "–", "flag": dropped},
        flags_summary(mine),
    ]


def _flag_counts(alerts, out_dir: Path) -> dict | None:
    """The run's flags counted by kind, and the link to ``alerts.json`` (None without flags computed)."""
    if alerts is None:
        return None
    from insights.reporting.client import KIND_WORDS

    counts = alerts.flags["kind"].value_counts()
    return {
        "total": int(len(alerts.flags)),
        "kinds": [f"{KIND_WORDS[k].lower()}: {int(counts[k])}" for k in KIND_WORDS if k in counts.index],
        "file": ALERTS_FILE if (Path(out_dir) / ALERTS_FILE).exists() else None,
    }


def _revenue_at_risk(alerts) -> dict | None:
    """The run's revenue at risk for the header (None without an accounts file)."""
    from insights.batch.alerts import REVENUE_AT_RISK

    risk = alerts.tests.get(REVENUE_AT_RISK) if alerts is not None else None
    if risk is None:
        return None
    return {
        "revenue": f"{risk.revenue:,.0f}",
        "clients": len(risk.clients),
        "first": risk.first,
        "last": risk.last,
    }


def _relative(out_dir: Path, path: str) -> str:
    return quote(Path(path).relative_to(out_dir).as_posix())
