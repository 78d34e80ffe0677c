"""Stopping a run on SIGINT or SIGTERM: finish cleanly instead of dying mid-write.

While :class:`StopOnSignal` is active, the first SIGINT or SIGTERM is recorded: the executors see
it (``stop()``) within a fraction of a second, hand out no more reports and kill the ones under
way; the run then records what finished and raises :class:`RunInterrupted`.  Before any report is
under way (loading the data), there is nothing to finish, so the signal raises at once.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class RunInterrupted(BaseException):
    """A run stopped by a signal.  Not an :class:`Exception`, so no ``except Exception`` swallows it.

    Parameters
    ----------
    signum
        The signal that stopped the run.
    counts
        Reports by what became of them: ``ok``, ``skipped``, ``failed`` and ``not_started``.
    """

    def __init__(self, signum: int, counts: dict[str, int] | None = None):
        super().__init__(signum, counts)
        self.signum = signum
        self.counts = dict(counts or {})

    @property
    def exit_code(self) -> int:
        """The shell's code for a process ended by the signal: 130 for SIGINT, 143 for SIGTERM."""
        return 128 + self.signum

    def describe(self) -> str:
        """``interrupted: 8 rendered, 23 not started; run again to finish`` (unchanged and failed
        reports are named when there are some)."""
        counts = self.counts
        if not counts:  # stopped while the data was read: no report was planned yet
            return "interrupted before any report started; run again to finish"
        parts = [f"{counts.get('ok', 0)} rendered"]
        if counts.get("skipped"):
            parts.append(f"{counts['skipped']} unchanged")
        if counts.get("failed"):
            parts.append(f"{counts['failed']} failed")
        parts.append(f"{counts.get('not_started', 0)} not started")
        return f"interrupted: {', '.join(parts)}; run again to finish"


class StopOnSignal:
    """A context manager that turns SIGINT and SIGTERM into a request to stop the run.

    Handlers can only be installed in the main thread; elsewhere (a run started from a thread)
    signals keep their handlers and :meth:`stop` stays False.  The previous handlers are restored
    on exit.
    """

    def __init__(self) -> None:
        self.signum: int | None = None
        self._raise_at_once = True
        self._previous: dict[int, object] = {}

    def __enter__(self) -> StopOnSignal:
        if threading.current_thread() is threading.main_thread():
            for signum in SIGNALS:
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *_: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()

    def stop(self) -> bool:
        """Whether a signal asked the run to stop."""
        return self.signum is not None

    def defer(self) -> None:
        """From now on only record a signal: the work under way polls :meth:`stop` and winds down."""
        self._raise_at_once = False

    def check(self, counts: dict[str, int] | None = None) -> None:
        """Raise :class:`RunInterrupted` (with ``counts``) if a signal asked the run to stop."""
        if self.signum is not None:
            raise RunInterrupted(self.signum, counts)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.signum is None:
            self.signum = signum
        # Only a flag is set while reports are under way: a handler runs between any two bytecodes,
        # and an exception there could leave a worker pool or a log handler half-updated.
        if self._raise_at_once:
            raise RunInterrupted(self.signum)
