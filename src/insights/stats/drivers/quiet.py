"""Library warnings kept off the user's console: the analysis reports problems in its result."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np


@contextmanager
def _silenced() -> Iterator[list[warnings.WarningMessage]]:
    """Keep statsmodels/numpy warnings off the user's console; callers
    inspect the caught list and turn what matters into result warnings."""
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always")
        yield caught
