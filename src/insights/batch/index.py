"""The index page: every client with its headline figures, status and links (all text escaped)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from insights.batch.layout import INDEX_PAGE, TEMPLATES
from insights.batch.results import count_statuses
from insights.core.atomic import write_text_atomic

STATUS_TEXT = {"ok": "rendered", "skipped": "unchanged", "failed": "failed"}


def write_index(out_dir: Path, tasks, results, *, period: str, title: str) -> Path:
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

    Returns
    -------
    Path
        The page written.
    """
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html", "j2"]))
    rows, columns, portfolio = [], [], None
    for task, result in zip(tasks, results):
        html = _relative(out_dir, task.html_path) if result.status != "failed" else None
        ipynb = _relative(out_dir, task.ipynb_path) if Path(task.ipynb_path).exists() else None
        if task.kind == "portfolio":
            portfolio = {"html": html, "ipynb": ipynb, "status": result.status, "error": result.error}
            continue
        figures = {}
        for item in (result.summary or {}).get("figures", []):
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
                "status": result.status,
                "status_text": STATUS_TEXT[result.status],
                "error": result.error,
                "html": html,
                "ipynb": ipynb,
            }
        )
    rows.sort(key=lambda r: (r["status"] != "failed", r["name"].casefold()))
    page = env.get_template("index.html.j2").render(
        title=title,
        period=period,
        rendered_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        rows=rows,
        columns=columns,
        portfolio=portfolio,
        counts=count_statuses(results),
    )
    return write_text_atomic(out_dir / INDEX_PAGE, page)


def _relative(out_dir: Path, path: str) -> str:
    return quote(Path(path).relative_to(out_dir).as_posix())
