"""Executing one report: papermill runs the notebook into place, nbconvert exports code-free HTML.

Runs in a worker process.  Each report gets its own kernel, so nothing from one client's report
is visible in another's; a failure is recorded in the result (and in the notebook, where the
report would have been), never raised.
"""

from __future__ import annotations

import copy
import logging
import time

from insights.batch.errors import describe_exception
from insights.batch.layout import KERNEL_NAME, TEMPLATES
from insights.batch.results import ReportResult
from insights.batch.tasks import ReportTask
from insights.core.atomic import atomic_path, write_text_atomic
from insights.reporting.summary import REMOVE_TAG, read_summary

log = logging.getLogger(__name__)

# A kernel that dies before it answers its first message has run none of the notebook: that is a
# failure to start (seen under heavy load), so the report is tried once more before it counts.
START_FAILURE = "Kernel died before replying to kernel_info"

_exporter = None


def html_exporter():
    """The process's HTML exporter, built on first use and reused for every report.

    Building one costs more than using it.  It drops code, prompts and cells tagged
    :data:`~insights.reporting.summary.REMOVE_TAG`, and embeds images, so a page stands alone.

    Returns
    -------
    nbconvert.HTMLExporter
        Configured with the ``report`` template.
    """
    global _exporter
    if _exporter is None:
        from nbconvert import HTMLExporter
        from traitlets.config import Config

        config = Config()
        config.TagRemovePreprocessor.enabled = True
        config.TagRemovePreprocessor.remove_cell_tags = {REMOVE_TAG}
        config.TagRemovePreprocessor.remove_all_outputs_tags = {"remove-output"}
        # The notebook is checked against its schema once, after the last preprocessor, not after
        # each of the dozen (most of them disabled): the same page, a third of the export's time.
        config.HTMLExporter.optimistic_validation = True
        _exporter = HTMLExporter(
            config=config, extra_template_basedirs=[str(TEMPLATES)], template_name="report"
        )
        _exporter.exclude_input = True
        _exporter.exclude_input_prompt = True
        _exporter.exclude_output_prompt = True
        _exporter.embed_images = True
    return _exporter


def export_html(notebook, title: str) -> str:
    """An executed notebook as a self-contained, code-free HTML page.

    Parameters
    ----------
    notebook
        An executed notebook node.
    title
        The page title (escaped by the template).

    Returns
    -------
    str
        The page.
    """
    notebook.metadata["title"] = title
    body, _ = html_exporter().from_notebook_node(_without_empty_optional_cells(notebook))
    return body


#: Cells of optional sections that leave no trace on the page when they show nothing (the accounts'
#: sections without an accounts file), so a report without that input is the same as before it existed.
OPTIONAL_CELL_TAGS = frozenset({"value"})


def _without_empty_optional_cells(notebook):
    """The notebook without its code cells tagged :data:`OPTIONAL_CELL_TAGS` that have no outputs (a copy
    when any is dropped; the executed notebook itself is kept as it ran)."""
    cells = notebook.cells
    keep = [
        cell
        for cell in cells
        if not (
            cell.get("cell_type") == "code"
            and OPTIONAL_CELL_TAGS & set(cell.get("metadata", {}).get("tags", []))
            and not cell.get("outputs")
        )
    ]
    if len(keep) == len(cells):
        return notebook
    trimmed = copy.copy(notebook)
    trimmed["cells"] = keep
    return trimmed


def execute_task(task: ReportTask, timeout: int = 600) -> ReportResult:
    """Execute one notebook into place and export its HTML; never raises.

    Parameters
    ----------
    task
        The report: its notebook, parameters and where its notebook and page go.
    timeout
        Seconds any one cell may run.

    Returns
    -------
    ReportResult
        ``ok`` with the report's summary, or ``failed`` with the error's last line.  A kernel that
        did not start is tried once more before the report counts as failed.
    """
    result = _execute_once(task, timeout)
    if result.status == "failed" and START_FAILURE in (result.error or ""):
        log.warning("%s: the kernel did not start; trying once more", task.key)
        result = _execute_once(task, timeout)
    return result


def _execute_once(task: ReportTask, timeout: int) -> ReportResult:
    import nbformat

    started = time.perf_counter()
    error: str | None = None
    notebook = None
    try:
        with atomic_path(task.ipynb_path) as tmp:
            notebook, error = _papermill(task, tmp, timeout)
            if notebook is None and tmp.exists() and tmp.stat().st_size:
                notebook = nbformat.read(tmp, as_version=4)
            if notebook is None:
                notebook = _write_failed_notebook(task, tmp, error)
            if error is None:
                try:
                    page = export_html(notebook, task.title)
                except Exception as exc:
                    error = describe_exception(exc)
                else:
                    # The page goes in place just before its notebook (at the block's end), so a run
                    # stopped during the export leaves neither, not a notebook without its page.
                    write_text_atomic(task.html_path, page)
    except Exception as exc:
        error = error or describe_exception(exc)
    summary = read_summary(notebook) if notebook is not None else None
    return ReportResult(
        task.key,
        "failed" if error else "ok",
        time.perf_counter() - started,
        error,
        summary,
        None if error else task.fingerprint,
    )


def _papermill(task: ReportTask, tmp, timeout: int):
    """Execute the notebook into ``tmp``; return the executed notebook (None if papermill could not
    save one) and the error's last line (None on success)."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from insights.batch.kernel import ReportKernelManager

    try:
        notebook = papermill.execute_notebook(
            _escape_braces(task.notebook),
            _escape_braces(str(tmp)),
            parameters=task.parameters,
            kernel_name=KERNEL_NAME,
            progress_bar=False,
            log_output=False,
            execution_timeout=timeout,
            request_save_on_cell_execute=False,
            # one-shot kernels: no idle waits at start-up, killed once the last cell answered
            kernel_manager_class=ReportKernelManager,
            shutdown_kernel="immediate",
        )
    except PapermillExecutionError as exc:
        return None, f"{exc.ename}: {exc.evalue}".strip().splitlines()[-1] if exc.evalue else exc.ename
    except Exception as exc:  # kernel died, timeout...: keep what was written
        return None, describe_exception(exc)
    return notebook, None


def _write_failed_notebook(task: ReportTask, tmp, error: str | None):
    """The kernel died before papermill could save: keep the parameterised notebook with the
    error, so the failure is visible where the report would have been."""
    import nbformat
    import papermill

    notebook = papermill.execute_notebook(
        _escape_braces(task.notebook),
        None,
        parameters=task.parameters,
        kernel_name=KERNEL_NAME,
        prepare_only=True,
        progress_bar=False,
    )
    notebook.cells.append(nbformat.v4.new_markdown_cell(f"**This report failed:** {error}"))
    nbformat.write(notebook, tmp)
    return notebook


def _escape_braces(path: str) -> str:
    # papermill formats paths with the parameters (str.format); a literal brace must survive it.
    return path.replace("{", "{{").replace("}", "}}")
