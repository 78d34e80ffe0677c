"""One rule for turning analysis values into JSON: numpy scalars unwrapped, NaN and infinities as null."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from insights.core.periods import format_period


def json_value(value: object) -> object:
    """A JSON-safe Python scalar.

    ``None``/``NA``/``NaT``, NaN and infinities become ``None``; numpy booleans, integers and floats
    become Python ones; timestamps ISO 8601 text; periods as written (``"2026-03"``, ``"2026-Q3"``);
    anything else its text.

    Examples
    --------
    >>> json_value(np.float64("nan")) is None, json_value(np.int64(3)), json_value(pd.Period("2026-03", "M"))
    (True, 3, '2026-03')
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, pd.Period):
        return format_period(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return number if math.isfinite(number) else None
