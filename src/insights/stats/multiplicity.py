"""False-discovery-rate control for a family of tests: Benjamini-Hochberg and Benjamini-Yekutieli q-values.

A report that tests every client (or every client x component, or every person) at 5% one test at a
time flags about one unchanged unit in twenty.  Each family of flags of a run is therefore judged
on its q-values: the smallest false discovery rate at which a test would be called significant.
Flagging ``q < 0.05`` keeps the expected share of false flags among the flags of that family at
or below 5%.

* Benjamini-Hochberg (BH) controls the false discovery rate for independent tests and for
  positively dependent ones (PRDS, Benjamini & Yekutieli 2001, Theorem 1.2), which covers
  one-sided tests whose statistics are positively correlated (components of one client, people of
  one client, the headline figures of one client).
* Benjamini-Yekutieli (BY) controls it under any dependence, at the price of a factor
  ``sum(1/i, i=1..m)`` (about 4.7 for 60 tests): used where tests can be negatively dependent, as
  when every client is compared with a reference that contains the others.

Untestable members (NaN p-values) are left out of the family and get a NaN q-value.

References
----------
Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate: a practical and powerful
approach to multiple testing. *Journal of the Royal Statistical Society B* 57(1), 289-300.
Benjamini, Y., & Yekutieli, D. (2001). The control of the false discovery rate in multiple testing
under dependency. *The Annals of Statistics* 29(4), 1165-1188.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from statsmodels.stats.multitest import multipletests

__all__ = ["FDR_LEVEL", "METHOD_NAMES", "FdrMethod", "q_values"]

#: The false discovery rate every family of flags is controlled at.
FDR_LEVEL = 0.05
FdrMethod = Literal["bh", "by"]
#: How a report names each method.
METHOD_NAMES = {"bh": "Benjamini-Hochberg", "by": "Benjamini-Yekutieli"}
_STATSMODELS = {"bh": "fdr_bh", "by": "fdr_by"}


def q_values(p_values, method: FdrMethod = "bh") -> np.ndarray:
    """Adjusted p-values (q-values) of one family of tests.

    Parameters
    ----------
    p_values : array-like of float
        The family's p-values, in any order; NaN marks a member that could not be tested.
    method : {"bh", "by"}
        Benjamini-Hochberg (independent or positively dependent tests) or Benjamini-Yekutieli
        (any dependence).

    Returns
    -------
    ndarray
        One q-value per p-value, in the same order: ``q_i < level`` exactly when the procedure at
        that false discovery rate rejects test ``i``.  NaN where the p-value is NaN; the family
        is the tests with a p-value.  Computed with
        :func:`statsmodels.stats.multitest.multipletests` (``fdr_bh`` / ``fdr_by``).

    References
    ----------
    Benjamini, Y., & Hochberg, Y. (1995). *JRSS B* 57(1), 289-300.
    Benjamini, Y., & Yekutieli, D. (2001). *The Annals of Statistics* 29(4), 1165-1188.

    Examples
    --------
    >>> q_values([0.01, 0.04, 0.03, float("nan"), 0.2]).round(3).tolist()
    [0.04, 0.053, 0.053, nan, 0.2]
    """
    if method not in _STATSMODELS:
        raise ValueError(f"method must be 'bh' or 'by', got {method!r}")
    p = np.asarray(p_values, dtype=float).reshape(-1)
    q = np.full(p.shape, np.nan)
    tested = ~np.isnan(p)
    if tested.any():
        if ((p[tested] < 0) | (p[tested] > 1)).any():
            raise ValueError("p-values must lie in [0, 1]")
        q[tested] = multipletests(p[tested], alpha=FDR_LEVEL, method=_STATSMODELS[method])[1]
    return q
