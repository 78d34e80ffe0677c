"""A small cache for portfolio-wide fits that every client report of a run repeats.

A client report pools its drivers with every other client's (:mod:`insights.stats.drivers.pooled_imputed`)
and shrinks its change in priorities toward the portfolio's (:mod:`insights.stats.drivers.change_pooled`):
both fit the whole portfolio, the same for each of a run's reports.  They keep their results here, keyed
by the content of the data they were given (a hash of its values and index) and their arguments, so the
same data gives the same object back instead of a refit.  A run's warm kernel zygote
(:mod:`insights.batch.warm`) computes them once before it forks the report kernels, which inherit them.

Cached results are shared: callers must not modify them.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

import pandas as pd

#: Results kept per cache (least recently used go first): a run has one portfolio, an analyst a few.
MAX_ENTRIES = 4

T = TypeVar("T")
_CACHES: dict[str, OrderedDict[Hashable, object]] = {}


def frame_key(frame: pd.DataFrame, columns: Sequence[str]) -> str:
    """A digest of ``frame[columns]``'s values and index (pandas' row hashes, then BLAKE2b)."""
    present = [c for c in columns if c in frame.columns]
    rows = pd.util.hash_pandas_object(frame[present], index=True).to_numpy()
    return f"{len(frame)}:{','.join(present)}:" + hashlib.blake2b(rows.tobytes(), digest_size=16).hexdigest()


def cached(cache: str, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, or what it returned before for the same ``key`` in ``cache``."""
    entries = _CACHES.setdefault(cache, OrderedDict())
    if key in entries:
        entries.move_to_end(key)
        return entries[key]  # type: ignore[return-value]
    value = compute()
    entries[key] = value
    while len(entries) > MAX_ENTRIES:
        entries.popitem(last=False)
    return value


def clear() -> None:
    """Forget every cached result."""
    _CACHES.clear()
