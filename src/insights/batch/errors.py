"""The errors of a run, and the one-line form of any exception that reports carry."""

from __future__ import annotations

import traceback

from insights.core.errors import InsightsError


class RunError(InsightsError):
    """A run that cannot start: bad parameters, a locked output folder."""


def describe_exception(exc: BaseException) -> str:
    """The last line of an exception's own text (``Type: message``), for a report's error.

    Parameters
    ----------
    exc
        Any exception, including ones re-raised from another process.

    Returns
    -------
    str
        ``"ValueError: bad"``, or the type's name when the exception says nothing.
    """
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return text.splitlines()[-1] if text else type(exc).__name__
