"""Result objects of the survey metrics: NPS, CSAT, mean, a two-sample difference and the headline.

Frozen dataclasses with a readable ``repr`` (what a notebook cell shows) and ``to_dict`` (JSON-able
scalars, NaN as None).  The functions that produce them are in :mod:`insights.stats.metrics` and
:mod:`insights.stats.comparisons`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields

from insights.core.jsonsafe import json_value

__all__ = ["CSATResult", "Difference", "Headline", "MeanResult", "NPSResult"]


def _signed(value: float, digits: int) -> str:
    return "n/a" if math.isnan(value) else f"{value:+.{digits}f}"


def _level(confidence: float) -> str:
    return f"{100 * confidence:g}%"


def _sample_size(n: int, n_eff: float) -> str:
    weighted = not math.isclose(n, n_eff, rel_tol=1e-9)
    return f"n={n} (effective {n_eff:.1f})" if weighted else f"n={n}"


class _Reportable:
    def to_dict(self) -> dict[str, object]:
        """All fields as JSON-able Python scalars (NaN becomes None)."""
        return {f.name: json_value(getattr(self, f.name)) for f in fields(self)}


@dataclass(frozen=True, repr=False)
class NPSResult(_Reportable):
    """Net Promoter Score with its standard error, normal CI and the three groups.

    ``promoters``, ``passives`` and ``detractors`` are unweighted counts; the ``pct_*``
    fields are the (weighted, when weights were given) shares in percent.
    """

    score: float
    se: float
    ci_low: float
    ci_high: float
    n: int
    n_eff: float
    promoters: int
    passives: int
    detractors: int
    pct_promoters: float
    pct_passives: float
    pct_detractors: float
    confidence: float = 0.95

    def __repr__(self) -> str:
        if self.n == 0:
            return "NPS n/a (no responses)"
        return (
            f"NPS {_signed(self.score, 1)} ({_level(self.confidence)} CI "
            f"{_signed(self.ci_low, 1)} to {_signed(self.ci_high, 1)}), "
            f"{_sample_size(self.n, self.n_eff)}: {self.promoters} promoters, "
            f"{self.passives} passives, {self.detractors} detractors"
        )


@dataclass(frozen=True, repr=False)
class CSATResult(_Reportable):
    """Top-box share in percent with a Wilson CI; ``se`` is the Wald standard error."""

    score: float
    se: float
    ci_low: float
    ci_high: float
    n: int
    n_eff: float
    satisfied: int
    threshold: float
    confidence: float = 0.95

    def __repr__(self) -> str:
        if self.n == 0:
            return "CSAT n/a (no responses)"
        return (
            f"CSAT {self.score:.1f}% ({_level(self.confidence)} CI {self.ci_low:.1f}% to "
            f"{self.ci_high:.1f}%), {_sample_size(self.n, self.n_eff)}: "
            f"{self.satisfied} rated {self.threshold:g} or higher"
        )


@dataclass(frozen=True, repr=False)
class MeanResult(_Reportable):
    """Mean rating with its standard error and Student t CI (``n - 1`` degrees of freedom)."""

    score: float
    se: float
    ci_low: float
    ci_high: float
    n: int
    n_eff: float
    sd: float
    confidence: float = 0.95

    def __repr__(self) -> str:
        if self.n == 0:
            return "Mean n/a (no responses)"
        interval = "n/a" if math.isnan(self.ci_low) else f"{self.ci_low:.2f} to {self.ci_high:.2f}"
        spread = "" if math.isnan(self.sd) else f", sd={self.sd:.2f}"
        return (
            f"Mean {self.score:.2f} ({_level(self.confidence)} CI {interval}), "
            f"{_sample_size(self.n, self.n_eff)}{spread}"
        )


@dataclass(frozen=True, repr=False)
class Difference(_Reportable):
    """A two-sample difference (first minus second) with its CI and two-sided p-value.

    ``test`` is ``"welch_t"`` (``statistic`` is t, ``dof`` the Welch-Satterthwaite degrees
    of freedom) or ``"z"`` (``statistic`` is z, ``dof`` is infinite).
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    statistic: float
    dof: float
    p_value: float
    test: str
    confidence: float = 0.95

    def __repr__(self) -> str:
        digits = 1 if self.test == "z" else 2
        if math.isnan(self.p_value):
            test = "test undefined"
        elif self.test == "z":
            test = f"z = {self.statistic:.2f}, p = {self.p_value:.3g}"
        else:
            test = f"Welch t = {self.statistic:.2f}, df = {self.dof:.1f}, p = {self.p_value:.3g}"
        return (
            f"Difference {_signed(self.estimate, digits)} ({_level(self.confidence)} CI "
            f"{_signed(self.ci_low, digits)} to {_signed(self.ci_high, digits)}), {test}"
        )


@dataclass(frozen=True, repr=False)
class Headline:
    """The headline block of a report: response count, NPS, CSAT and mean overall.

    ``csat`` is None when the overall scale has no top box (``top_box = 0``): no CSAT is computed.
    """

    n: int
    nps: NPSResult
    csat: CSATResult | None
    mean_overall: MeanResult

    def to_dict(self) -> dict[str, object]:
        """The command-line JSON contract; other tools rely on exactly these keys.

        ``{"n": int,
        "nps": {"score", "se", "ci_low", "ci_high", "promoters", "passives", "detractors"},
        "csat": {"score", "ci_low", "ci_high"},
        "mean_overall": {"score", "ci_low", "ci_high"}}``, floats as Python floats
        (NaN as None) and counts as Python ints.  ``"csat"`` is ``None`` (the key stays) when the
        overall scale has no top box.
        """

        def pick(result: _Reportable, keys: Sequence[str]) -> dict[str, object]:
            values = result.to_dict()
            return {key: values[key] for key in keys}

        return {
            "n": int(self.n),
            "nps": pick(
                self.nps,
                ("score", "se", "ci_low", "ci_high", "promoters", "passives", "detractors"),
            ),
            "csat": None if self.csat is None else pick(self.csat, ("score", "ci_low", "ci_high")),
            "mean_overall": pick(self.mean_overall, ("score", "ci_low", "ci_high")),
        }

    def __repr__(self) -> str:
        return "\n".join(
            [
                f"Headline ({self.n} responses)",
                f"  {self.nps!r}",
                *([] if self.csat is None else [f"  {self.csat!r}"]),
                f"  {self.mean_overall!r}",
            ]
        )
