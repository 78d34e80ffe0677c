"""The result of a key-driver analysis: :class:`DriverAnalysis`, its JSON form and its printed table.

Also the column layouts of its tables, which the models fill in (an empty table keeps them).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from insights.core.jsonsafe import json_value

_COEFFICIENT_COLUMNS = ["term", "coef", "se", "ci_low", "ci_high", "p", "std_coef"]
_IMPORTANCE_COLUMNS = ["driver", "lmg", "relative_weight", "share", "performance", "quadrant"]
_ORDERED_LOGIT_COLUMNS = ["term", "coef", "se", "ci_low", "ci_high", "p"]
_THRESHOLD_COLUMNS = ["term", "threshold"]


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    """A table with these columns and no rows (object columns, as a failed model leaves them)."""
    return pd.DataFrame({column: pd.Series(dtype=object) for column in columns})


@dataclass(frozen=True, eq=False, repr=False)
class DriverAnalysis:
    """Result of :func:`key_drivers`.

    Attributes
    ----------
    status : str
        ``"ok"`` or ``"insufficient data"``.
    reason : str or None
        Why the analysis could not be run (``None`` when ``status == "ok"``).
    outcome : str
        Outcome column.
    drivers : tuple of str
        Drivers actually used (after dropping empty, constant or aliased ones).
    n : int
        Complete responses used (listwise deletion).
    n_clusters : int or None
        Number of clusters when standard errors are cluster-robust.
    r2, adj_r2 : float
        (Weighted) R^2 and adjusted R^2 of the linear model.
    se_type : str or None
        Covariance estimator of the linear model: ``"cluster"``, ``"HC3"``,
        or ``"HC1"`` when HC3 is undefined (a response with leverage one).
    cluster : str or None
        Column whose values define the clusters.
    weight : str or None
        Weight column, if the model is weighted (WLS).
    n_boot : int
        Bootstrap resamples behind the importance intervals (0 = none).
    coefficients : pandas.DataFrame
        One row per term (``Intercept`` first): ``term, coef, se, ci_low,
        ci_high, p, std_coef``. Confidence intervals are 95%.
    importance : pandas.DataFrame
        One row per driver, strongest first: ``driver, lmg, relative_weight,
        share, performance, quadrant``; with a bootstrap also
        ``lmg_ci_low, lmg_ci_high, rw_ci_low, rw_ci_high, share_ci_low,
        share_ci_high``. ``lmg`` and ``relative_weight`` are parts of R^2;
        ``share`` is the LMG part as a percentage of R^2.
    ordered_logit : pandas.DataFrame
        Proportional-odds coefficients per driver (log-odds scale):
        ``term, coef, se, ci_low, ci_high, p``. Empty if the model was skipped
        or did not converge (see ``warnings``).
    ordered_logit_thresholds : pandas.DataFrame
        Cut-points of the ordered logit: ``term, threshold``.
    ordered_logit_se_type : str or None
        Covariance estimator of the ordered logit.
    vif : pandas.DataFrame
        Variance inflation factor per driver: ``driver, vif``.
    warnings : list of str
        Data problems met on the way, in plain language.
    findings : list of str
        Plain-language conclusions with their numbers and uncertainty.
    """

    status: str
    reason: str | None
    outcome: str
    drivers: tuple[str, ...]
    n: int
    n_clusters: int | None = None
    r2: float = math.nan
    adj_r2: float = math.nan
    se_type: str | None = None
    cluster: str | None = None
    weight: str | None = None
    n_boot: int = 0
    coefficients: pd.DataFrame = field(default_factory=lambda: _empty(_COEFFICIENT_COLUMNS))
    importance: pd.DataFrame = field(default_factory=lambda: _empty(_IMPORTANCE_COLUMNS))
    ordered_logit: pd.DataFrame = field(default_factory=lambda: _empty(_ORDERED_LOGIT_COLUMNS))
    ordered_logit_thresholds: pd.DataFrame = field(default_factory=lambda: _empty(_THRESHOLD_COLUMNS))
    ordered_logit_se_type: str | None = None
    vif: pd.DataFrame = field(default_factory=lambda: _empty(["driver", "vif"]))
    warnings: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the analysis ran (``status == "ok"``)."""
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (the contract used by the command-line tools).

        NaN becomes ``None`` and numpy scalars become Python numbers.

        Returns
        -------
        dict
            ``{"n", "r2", "adj_r2", "se_type", "coefficients", "importance",
            "ordered_logit", "vif", "warnings", "findings", "status",
            "reason"}``. Each ``importance`` row has ``driver, lmg,
            relative_weight, share, performance, quadrant`` and, when
            bootstrapped, ``lmg_ci_low, lmg_ci_high, rw_ci_low, rw_ci_high``.
        """
        importance_keys = list(_IMPORTANCE_COLUMNS)
        if self.n_boot > 0:
            importance_keys += ["lmg_ci_low", "lmg_ci_high", "rw_ci_low", "rw_ci_high"]
        return {
            "n": int(self.n),
            "r2": json_value(self.r2),
            "adj_r2": json_value(self.adj_r2),
            "se_type": self.se_type,
            "coefficients": _records(self.coefficients, _COEFFICIENT_COLUMNS),
            "importance": _records(self.importance, importance_keys),
            "ordered_logit": _records(self.ordered_logit, ["term", "coef", "se"]),
            "vif": _records(self.vif, ["driver", "vif"]),
            "warnings": list(self.warnings),
            "findings": list(self.findings),
            "status": self.status,
            "reason": self.reason,
        }

    def __repr__(self) -> str:
        if not self.ok:
            lines = [f"DriverAnalysis({self.outcome}: insufficient data - {self.reason})"]
        else:
            se = self.se_type
            if self.se_type == "cluster":
                se = f"cluster by {self.cluster}, {self.n_clusters} clusters"
            lines = [
                f"DriverAnalysis({self.outcome} ~ {len(self.drivers)} "
                f"driver{'s' if len(self.drivers) != 1 else ''}, n={self.n}, "
                f"R2={self.r2:.3f}, adj. R2={self.adj_r2:.3f}, SE: {se}"
                + (f", weighted by {self.weight}" if self.weight else "")
                + ")",
                _summary_table(self).to_string(index=False),
            ]
        lines.append(
            f"{len(self.warnings)} warning(s), {len(self.findings)} finding(s): see .warnings and .findings"
        )
        return "\n".join(lines)


def _summary_table(result: DriverAnalysis) -> pd.DataFrame:
    coefficients = result.coefficients.set_index("term")
    importance = result.importance.set_index("driver")
    vifs = result.vif.set_index("driver")["vif"]
    rows = []
    for term in coefficients.index:
        coef = coefficients.loc[term]
        row = {
            "term": term,
            "coef": f"{coef['coef']:.3f}",
            "95% CI": f"[{coef['ci_low']:.3f}, {coef['ci_high']:.3f}]",
            "p": _format_p(coef["p"]),
            "beta": "" if pd.isna(coef["std_coef"]) else f"{coef['std_coef']:.2f}",
            "LMG %": "",
            "RW %": "",
            "mean": "",
            "quadrant": "",
            "VIF": f"{vifs[term]:.1f}" if term in vifs.index else "",
        }
        if term in importance.index:
            imp = importance.loc[term]
            row["LMG %"] = f"{imp['share']:.1f}"
            row["RW %"] = f"{100 * imp['relative_weight'] / result.r2:.1f}"
            row["mean"] = f"{imp['performance']:.2f}"
            row["quadrant"] = imp["quadrant"]
        rows.append(row)
    return pd.DataFrame(rows)


def _format_p(p: float) -> str:
    if pd.isna(p):
        return ""
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _records(frame: pd.DataFrame, columns: Sequence[str]) -> list[dict[str, Any]]:
    return [
        {column: json_value(row[column]) for column in columns} for row in frame.to_dict(orient="records")
    ]
