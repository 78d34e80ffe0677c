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

from .errors import InsightsError, Problem, SurveyDataError, SurveyDataWarning
from .load import DataSummary, load, validate
from .selection import SelectionError, select
from .survey import SurveyDefinition, SurveyDefinitionError

if TYPE_CHECKING:
    from .drivers import importance_performance, key_drivers, lmg, relative_weights, vif
    from .metrics import compare_means, compare_nps, csat, mean_score, nps, scorecard, trend
    from .metrics import summary as headline
    from .sample import generate_sample, write_sample
    from .store import ImportReport, import_responses

# Imported on first use: scipy, statsmodels and duckdb cost a second at start-up, which the command
# line and the report runner's workers (which only load and validate) need not pay.
_LAZY = {
    **dict.fromkeys(["importance_performance", "key_drivers", "lmg", "relative_weights", "vif"], "drivers"),
    **dict.fromkeys(["compare_means", "compare_nps", "csat", "mean_score", "nps", "scorecard", "trend"], "metrics"),
    "headline": "metrics.summary",
    **dict.fromkeys(["generate_sample", "write_sample"], "sample"),
    **dict.fromkeys(["ImportReport", "import_responses"], "store"),
}

try:
    __version__ = version("client-insights")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0+unknown"


def __getattr__(name: str):
    if name in _LAZY:
        module, _, attribute = _LAZY[name].partition(".")
        value = getattr(importlib.import_module(f"{__name__}.{module}"), attribute or name)
        globals()[name] = value
        return value
    try:  # a submodule, as `insights.drivers` after `import insights`
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{name}":
            raise
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "DataSummary",
    "ImportReport",
    "InsightsError",
    "Problem",
    "SelectionError",
    "SurveyDataError",
    "SurveyDataWarning",
    "SurveyDefinition",
    "SurveyDefinitionError",
    "compare_means",
    "compare_nps",
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
