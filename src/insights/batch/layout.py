"""Names a run shares between its processes: the files in its output folder, its kernel, its templates."""

from __future__ import annotations

from pathlib import Path

#: What each report last rendered from (its fingerprint) and said (its summary), for skipping.
STATE_FILE = ".insights-state.json"
#: Held for the whole run, so two runs never write into one folder.
LOCK_FILE = ".insights-run.lock"
RUN_LOG = "run.log"
INDEX_PAGE = "index.html"
#: The period's flags, computed once per run and read by every report (:mod:`insights.batch.alerts`).
ALERTS_FILE = "alerts.json"
#: The index page's template and the report's nbconvert template live with the reporting layer.
TEMPLATES = Path(__file__).resolve().parents[1] / "reporting" / "templates"
#: The kernel spec every report notebook runs in (written per run by :func:`insights.batch.worker.write_kernel_spec`).
KERNEL_NAME = "client-insights-run"
