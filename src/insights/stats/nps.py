"""The Net Promoter classes: one home for the 0-10 cut-offs and the names of the three groups.

Promoters answer 9-10, passives 7-8 and detractors 0-6 on the likelihood-to-recommend question
(Reichheld 2003).  NPS is the mean of the promoter = +100 / passive = 0 / detractor = -100 coding.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from insights.stats.intervals import normal_interval

__all__ = [
    "DETRACTOR_MAX",
    "NPS_GROUPS",
    "NPS_SCALE",
    "PROMOTER_MIN",
    "nps_class",
    "nps_interval",
    "nps_points",
]

PROMOTER_MIN = 9
DETRACTOR_MAX = 6
NPS_SCALE = (0, 10)
#: The three groups as a report names them, with the answers each takes (inclusive bounds).
NPS_GROUPS = (
    ("Promoters (9-10)", PROMOTER_MIN, NPS_SCALE[1]),
    ("Passives (7-8)", DETRACTOR_MAX + 1, PROMOTER_MIN - 1),
    ("Detractors (0-6)", NPS_SCALE[0], DETRACTOR_MAX),
)


def nps_class(value):
    """The NPS class of a 0-10 answer: ``"promoter"``, ``"passive"`` or ``"detractor"``.

    Parameters
    ----------
    value : float, array or Series
        Likelihood-to-recommend answer(s); NaN or None means not answered.

    Returns
    -------
    str or ndarray or Series
        For a scalar, the class name (``""`` when not answered); for an array or Series, the
        same shape of class names (``""`` where not answered).

    References
    ----------
    Reichheld, F. F. (2003). The one number you need to grow. *Harvard Business Review*
    81(12), 46-54.

    Examples
    --------
    >>> nps_class(9), nps_class(7.0), nps_class(6), nps_class(float("nan"))
    ('promoter', 'passive', 'detractor', '')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if np.ndim(value) == 0:
        if value >= PROMOTER_MIN:
            return "promoter"
        return "detractor" if value <= DETRACTOR_MAX else "passive"
    values = np.asarray(value, dtype=float)
    classes = np.select(
        [values >= PROMOTER_MIN, values <= DETRACTOR_MAX, ~np.isnan(values)],
        ["promoter", "detractor", "passive"],
        "",
    )
    return pd.Series(classes, index=value.index) if isinstance(value, pd.Series) else classes


def nps_points(values: pd.Series) -> pd.Series:
    """Each answer coded +100 (promoter), 0 (passive) or -100 (detractor); NaN stays NaN.

    The mean of this coding is the NPS, so tests and intervals for means apply to it.

    Parameters
    ----------
    values : Series
        Likelihood-to-recommend answers, 0-10.

    Returns
    -------
    Series
        Floats on the same index.
    """
    return pd.Series(
        np.select([values >= PROMOTER_MIN, values <= DETRACTOR_MAX], [100.0, -100.0], 0.0),
        index=values.index,
    ).where(values.notna())


def nps_interval(estimate, se, confidence: float):
    """Normal interval for an NPS, truncated to the scale's range [-100, 100].

    A truncated bound is itself a sign that ``n`` is too small; no report shows an impossible
    value.  See :func:`insights.stats.intervals.normal_interval`.
    """
    low, high = normal_interval(estimate, se, confidence)
    return np.clip(low, -100.0, 100.0), np.clip(high, -100.0, 100.0)
