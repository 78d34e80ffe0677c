"""client-insights: a research and reporting workbook for client satisfaction.

The public API in one place::

    import insights
    df = insights.load("data/sample/responses.csv")
    insights.nps(df)                      # NPS with its 95% CI
    insights.key_drivers(df)              # what drives overall satisfaction
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

from insights.core.errors import InsightsError, Problem, SurveyDataError, SurveyDataWarning
from insights.data.load import DataSummary, load, validate
from insights.data.selection import SelectionError, select
from insights.data.survey import SurveyDefinition, SurveyDefinitionError

if TYPE_CHECKING:
    from insights.data.sample import generate_sample, write_sample
    from insights.data.store import ImportReport, import_responses
    from insights.stats.alerts import Alerts, compute_alerts
    from insights.stats.drivers import importance_performance, key_drivers, lmg, relative_weights, vif
    from insights.stats.metrics import compare_means, compare_nps, csat, mean_score, nps, scorecard, trend
    from insights.stats.metrics import summary as headline
    from insights.stats.portfolio import compare_groups

# Imported on first use: scipy, statsmodels and duckdb cost a second at start-up, which the command
# line and the report runner's workers (which only load and validate) need not pay.
_LAZY = {
    **dict.fromkeys(
        ["importance_performance", "key_drivers", "lmg", "relative_weights", "vif"], "stats.drivers"
    ),
    **dict.fromkeys(
        ["compare_means", "compare_nps", "csat", "mean_score", "nps", "scorecard", "trend"], "stats.metrics"
    ),
    "headline": "stats.metrics:summary",
    **dict.fromkeys(["Alerts", "compute_alerts"], "stats.alerts"),
    "compare_groups": "stats.portfolio",
    **dict.fromkeys(["generate_sample", "write_sample"], "data.sample"),
    **dict.fromkeys(["ImportReport", "import_responses"], "data.store"),
}

try:
    __version__ = version("client-insights")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0+unknown"


def __getattr__(name: str):
    if name in _LAZY:
        module, _, attribute = _LAZY[name].partition(":")
        value = getattr(importlib.import_module(f"{__name__}.{module}"), attribute or name)
        globals()[name] = value
        return value
    try:  # a submodule, as `insights.stats.drivers` after `import insights`
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{name}":
            raise
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "Alerts",
    "DataSummary",
    "ImportReport",
    "InsightsError",
    "Problem",
    "SelectionError",
    "SurveyDataError",
    "SurveyDataWarning",
    "SurveyDefinition",
    "SurveyDefinitionError",
    "compare_groups",
    "compare_means",
    "compare_nps",
    "compute_alerts",
    "csat",
    "generate_sample",
    "headline",
    "import_responses",
    "importance_performance",
    "key_drivers",
    "lmg",
    "load",
    "mean_score",
    "nps",
    "relative_weights",
    "scorecard",
    "select",
    "trend",
    "vif",
    "validate",
    "write_sample",
    "__version__",
]
