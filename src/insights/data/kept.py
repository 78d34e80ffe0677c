"""Responses a run's warm zygote loaded, found again by the report kernels forked from it.

Every report kernel of a run loads the same snapshot of the responses (``insights.load`` in the
notebook's first cell: read, map, validate, about 50 ms).  The zygote (:mod:`insights.batch.warm`)
loads it once and keeps it here; :func:`insights.data.load.load` then hands each kernel a copy, as long
as the file is the very same (path, inode, size and modification time) and so is the survey definition.
Nothing is kept unless :func:`keep` is called, so any other use of ``load`` reads the file as before.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pandas as pd

#: (file identity, survey definition, validated responses) of each frame kept: a run keeps one.
_KEPT: list[tuple[tuple, object, pd.DataFrame]] = []


def file_identity(source: object) -> tuple | None:
    """The identity of a regular file ``source`` (real path, inode, size, modification time in ns);
    None for anything else (a folder, a URL, a DataFrame, a file that is not there)."""
    if not isinstance(source, (str, Path)):
        return None
    try:
        status = os.stat(source)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(status.st_mode):
        return None
    return (os.path.realpath(source), status.st_ino, status.st_size, status.st_mtime_ns)


def keep(source: str | Path, survey: object, frame: pd.DataFrame) -> bool:
    """Keep ``frame``, the responses :func:`~insights.data.load.load` made of ``source`` with ``survey``
    (the same arguments later calls will pass); whether it was kept (only a regular file is)."""
    identity = file_identity(source)
    if identity is None:
        return False
    _KEPT[:] = [(identity, survey, frame.copy())]  # whatever the caller does with ``frame`` next
    return True


def kept(source: object, survey: object) -> pd.DataFrame | None:
    """A copy of the frame kept for this very file and survey definition, or None."""
    if not _KEPT:
        return None
    identity = file_identity(source)
    for known, definition, frame in _KEPT:
        if identity is not None and known == identity and definition == survey:
            return frame.copy()
    return None


def forget() -> None:
    """Drop every kept frame."""
    _KEPT.clear()
