"""client-insights: a research and reporting workbook for client satisfaction.

The public API in one place::

    import insights
    df = insights.load("data/sample/responses.csv")
    insights.nps(df)                      # NPS with its 95% CI
    insights.key_drivers(df)              # what drives overall satisfaction
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .errors import InsightsError, Problem, SurveyDataError, SurveyDataWarning
from .drivers import importance_performance, key_drivers, lmg, relative_weights, vif
from .load import DataSummary, load, validate
from .metrics import compare_means, compare_nps, csat, mean_score, nps, scorecard, trend
from .metrics import summary as headline
from .sample import generate_sample, write_sample
from .selection import SelectionError, select
from .store import ImportReport, import_responses
from .survey import SurveyDefinition, SurveyDefinitionError

try:
    __version__ = version("client-insights")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0+unknown"

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
