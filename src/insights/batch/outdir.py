"""The output folder of a run: claimed (locked) first, swept of stale temp files, its errors told plainly."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from insights.batch.errors import RunError
from insights.batch.layout import LOCK_FILE

#: The temp files :func:`insights.core.atomic.atomic_path` writes beside a target: ``.<stem>.<random>.tmp<suffix>``.
TEMP_FILE = re.compile(r"\.(?P<stem>.+)\.[a-z0-9_]{8}\.tmp(?P<suffix>\.[A-Za-z0-9]+)?")
#: The folders a run writes into (relative to its output folder).
RUN_FOLDERS = (".", "clients", "data")


@contextmanager
def claimed_folder(out_dir: Path) -> Iterator[Path]:
    """Create and lock ``out_dir`` for one run, before anything else is done.

    Inside, stale temp files that an earlier run left (it was killed mid-write) are gone.  When the
    run fails before writing anything, a folder this call created is removed again.

    Parameters
    ----------
    out_dir
        The run's output folder.

    Raises
    ------
    RunError
        When another run holds the folder, or it cannot be created or written (one line: the path
        and the reason).
    """
    from filelock import FileLock, Timeout

    with output_errors():
        created = _make_folders(out_dir)
        lock = FileLock(str(out_dir / LOCK_FILE))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            raise RunError(
                f"{out_dir}: another insights run is writing here (lock {out_dir / LOCK_FILE})"
            ) from None
    try:
        with output_errors():
            remove_temp_files(out_dir)
        yield out_dir
    except BaseException:
        lock.release()
        _remove_if_unused(out_dir, created)
        raise
    else:
        lock.release()


def remove_temp_files(out_dir: Path) -> list[Path]:
    """Delete the temp files of interrupted atomic writes in the folders a run writes into.

    Only safe while the folder is locked: then no other run is writing.

    Returns
    -------
    list of Path
        The files removed.
    """
    removed = []
    for folder in RUN_FOLDERS:
        try:
            entries = list(os.scandir(out_dir / folder))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            if TEMP_FILE.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                Path(entry.path).unlink(missing_ok=True)
                removed.append(Path(entry.path))
    return removed


@contextmanager
def output_errors() -> Iterator[None]:
    """Turn an OS error (full disk, read-only or missing folder, no permission) into a :class:`RunError`
    of one line, ``<path>: <reason>``, which the command line prints as ``error: <path>: <reason>``."""
    try:
        yield
    except OSError as exc:
        raise RunError(describe_os_error(exc)) from exc


def describe_os_error(exc: OSError) -> str:
    """``<path>: <reason>`` for an OS error (``No space left on device``, ``Read-only file system``)."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    if exc.filename is None:
        return reason
    path = Path(os.fsdecode(exc.filename))
    temp = TEMP_FILE.fullmatch(path.name)
    if temp:  # an atomic write failed: name the file it was writing, not its temp file
        path = path.with_name(temp["stem"] + (temp["suffix"] or ""))
    return f"{path}: {reason}"


def _make_folders(out_dir: Path) -> list[Path]:
    """``mkdir -p``; return the folders it created, outermost first."""
    missing = []
    folder = out_dir
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    out_dir.mkdir(parents=True, exist_ok=True)
    return missing[::-1]


def _remove_if_unused(out_dir: Path, created: list[Path]) -> None:
    # A refused or failed start leaves the file system as it found it: only the lock was written.
    try:
        if not created or any(entry.name != LOCK_FILE for entry in os.scandir(out_dir)):
            return
        (out_dir / LOCK_FILE).unlink(missing_ok=True)
        for folder in reversed(created):
            folder.rmdir()  # fails, and so stops, at a folder that holds anything else
    except OSError:
        pass
