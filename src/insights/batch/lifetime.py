"""One process tree per run: the processes a run starts die with it, and leave Ctrl-C to it.

A run's helpers (pool workers, the zygote server, zygotes, kernels) are told to die with the
process that started them: on Linux with ``prctl(PR_SET_PDEATHSIG, SIGKILL)``, which the kernel
honours even when the parent was killed with SIGKILL and had no chance to clean up.  Elsewhere
they rely on their lifelines (pipes and sockets that close when the parent goes).

Ctrl-C sends SIGINT to the whole foreground process group, helpers included.  The run decides
what an interruption means (:mod:`insights.batch.interrupt`), so helpers ignore SIGINT; they are
started with SIGINT blocked (:func:`interrupts_held`), so not even their interpreter's start-up
can be interrupted, and unblock it once it is ignored (:func:`ignore_interrupts`).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with_parent(parent_pid: int) -> None:
    """Have this process killed (SIGKILL) when its parent exits; exit now if it already has.

    Parameters
    ----------
    parent_pid
        The pid of the process that started this one.  The death signal fires when the *thread*
        that forked this process exits, so call this only in processes started by a thread that
        lives as long as they are needed (a run's own thread, a single-threaded zygote).
    """
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent went before the death signal was armed
        os._exit(1)


def ignore_interrupts() -> None:
    """Ignore SIGINT in this helper process (the run handles Ctrl-C), then unblock it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@contextmanager
def interrupts_held() -> Iterator[None]:
    """Block SIGINT in this thread while helpers are started, so they start with it blocked.

    A signal mask is inherited across fork and exec, a handler is not: a helper started meanwhile
    cannot be interrupted before it calls :func:`ignore_interrupts`.  A SIGINT that arrives
    meanwhile is held, not lost: it is delivered to the run when the block ends.
    """
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
