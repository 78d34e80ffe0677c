"""What a run says while it works: ``run.log`` in the output folder, plain lines or a progress bar."""

from __future__ import annotations

import logging
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

from insights.batch.layout import RUN_LOG
from insights.batch.results import ReportResult
from insights.batch.tasks import ReportTask

log = logging.getLogger(__name__)
LOG_FORMAT = "%(asctime)s %(levelname)s %(message)s"
#: Unicode categories escaped in log lines: controls, format characters (bidi overrides), line and
#: paragraph separators.
CONTROLS = frozenset({"Cc", "Cf", "Zl", "Zp"})


class OneLineFormatter(logging.Formatter):
    """A formatter whose messages stay on one line: control characters in them (a newline in a
    client id, a terminal escape in an error) are written as escapes such as ``\\n`` and ``\\x1b``,
    so no text from the data can forge or garble a log line."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = escape_controls(record.message)
        return super().formatMessage(record)


def escape_controls(text: str) -> str:
    """``text`` with its control and format characters (and Unicode line separators) escaped.

    Parameters
    ----------
    text
        Any text; printable characters, non-ASCII letters among them, are kept as they are.

    Returns
    -------
    str
        The text, with each such character as its Python escape (``\\n``, ``\\x1b``, ``\\u2028``).
    """
    if text.isprintable():
        return text
    return "".join(ascii(ch)[1:-1] if unicodedata.category(ch) in CONTROLS else ch for ch in text)


def attach_logs(out_dir: Path, plain_lines: bool) -> list[logging.Handler]:
    """Send the package's log to ``run.log`` in the output folder, and to stderr as plain lines.

    Parameters
    ----------
    out_dir
        The run's output folder.
    plain_lines
        Also log to stderr (when there is no progress bar).

    Returns
    -------
    list of logging.Handler
        The handlers added to the ``insights`` logger, for :func:`detach_logs`.
    """
    file_handler = logging.FileHandler(out_dir / RUN_LOG, encoding="utf-8")
    file_handler.setFormatter(OneLineFormatter(LOG_FORMAT))
    handlers: list[logging.Handler] = [file_handler]
    if plain_lines:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(OneLineFormatter(LOG_FORMAT))
        handlers.append(stream)
    logger = logging.getLogger("insights")
    for handler in handlers:
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return handlers


def detach_logs(handlers: list[logging.Handler]) -> None:
    """Remove and close the handlers :func:`attach_logs` added."""
    for handler in handlers:
        logging.getLogger("insights").removeHandler(handler)
        handler.close()


def report_progress(
    finished: Iterable[tuple[ReportTask, ReportResult]], total: int, show_bar: bool
) -> Iterator[tuple[ReportTask, ReportResult]]:
    """Log each finished report and drive the progress bar; yield (task, result) as they come.

    Parameters
    ----------
    finished
        (task, result) pairs, as an executor yields them.
    total
        How many reports are expected.
    show_bar
        Draw a progress bar on stderr.
    """
    from tqdm import tqdm

    done = failed = 0
    with tqdm(total=total, unit="report", disable=not show_bar, dynamic_ncols=True) as bar:
        for task, result in finished:
            done += 1
            failed += result.status == "failed"
            label = task.client_id or "portfolio"
            if result.status == "failed":
                log.error(
                    "[%d/%d] %s failed after %.1fs: %s", done, total, label, result.seconds, result.error
                )
            else:
                log.info("[%d/%d] %s rendered in %.1fs", done, total, label, result.seconds)
            bar.set_postfix(done=done - failed, failed=failed, refresh=False)
            bar.update(1)
            yield task, result
