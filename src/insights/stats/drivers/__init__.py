"""Key-driver analysis of client satisfaction.

Which service drivers (communication, responsiveness, quality, ...) go with
higher overall satisfaction, how much of the explained variance each one
accounts for, and where to act first.

The analysis combines

* an OLS (or WLS) regression of the outcome on the drivers with
  heteroskedasticity-robust (HC3) or cluster-robust standard errors,
* two decompositions of R^2 that cope with correlated drivers: the exact
  LMG / Shapley decomposition and Johnson's relative weights, optionally
  with bootstrap percentile intervals,
* a proportional-odds (ordered logit) model as a robustness check, because
  the outcome is an ordinal rating,
* collinearity diagnostics (VIF) and an importance-performance matrix,
* short findings in plain language that claim nothing which is not
  significant at the 95% level.

All functions are pure: no plotting, no I/O, nothing printed, and no Python
warnings emitted. Problems with the data are collected in
``DriverAnalysis.warnings``; too little data gives
``status == "insufficient data"`` with a ``reason`` instead of an exception.
Exceptions are reserved for misuse (unknown columns, negative weights, ...).

Modules, each importing only those above it:

* ``moments``: weighted means, cross-products and correlations in blocks of rows; sums per cluster.
* ``quiet``: library warnings kept off the console.
* ``result``: :class:`DriverAnalysis`, its JSON form and printed table.
* ``prepare``: column checks, weights, clusters and the listwise-complete estimation sample.
* ``importance``: LMG, relative weights, VIF and the importance-performance matrix
  (Lindeman, Merenda & Gold 1980; Grömping 2006; Johnson 2000).
* ``regression``: OLS/WLS with cluster-robust, HC3 or HC1 standard errors
  (Cameron & Miller 2015; MacKinnon & White 1985).
* ``ordered_logit_model``: the proportional-odds likelihood in closed form (McCullagh 1980).
* ``ordered_logit``: the ordered-logit robustness check.
* ``bootstrap``: (cluster) bootstrap intervals for the importances.
* ``findings``: the plain-language findings.
* ``analysis``: :func:`key_drivers`, which runs the steps.
* ``pooling``: :func:`fit_pooled_drivers`, per-client effects partially pooled toward the
  portfolio's (empirical Bayes; Morris 1983, Kass & Steffey 1989, Laird & Louis 1987).
* ``pooled_imputed``: a client's pooled drivers on multiply imputed data, combined by Rubin's rules.
* ``pooled_importance``: a client's LMG and relative weights from its pooled effects, and its
  analysis with the pooled figures (:func:`pooled_analysis`).
* ``rubin``: Rubin's rules for estimates from multiply imputed data (Rubin 1987; Barnard & Rubin 1999).
* ``imputation``: multiple imputation of skipped answers by chained equations (van Buuren 2018).
* ``imputed``: :func:`key_drivers_imputed`, the analysis on imputed data combined by Rubin's rules.
* ``change``: did priorities change? Importance in the last six months against the six before.
* ``change_pooled``: the same per client, pooled toward the portfolio (empirical Bayes).

Each module lists the references for the methods it implements.
"""

from __future__ import annotations

# The thresholds (``X as X``) stay importable from here, as before the split, outside ``__all__``.
from insights.data.survey import DEFAULT_DRIVERS
from insights.stats.drivers.analysis import FEW_CLUSTERS as FEW_CLUSTERS
from insights.stats.drivers.analysis import VIF_WARNING_THRESHOLD as VIF_WARNING_THRESHOLD
from insights.stats.drivers.analysis import key_drivers
from insights.stats.drivers.change import ImportanceChange, importance_change, importance_over_time
from insights.stats.drivers.change_pooled import ClientImportanceChanges, client_importance_changes
from insights.stats.drivers.importance import MAX_LMG_DRIVERS as MAX_LMG_DRIVERS
from insights.stats.drivers.importance import QUADRANTS, importance_performance, lmg, relative_weights, vif
from insights.stats.drivers.imputation import multiply_impute
from insights.stats.drivers.imputed import IMPUTATION_CHECK as IMPUTATION_CHECK
from insights.stats.drivers.imputed import IMPUTE_ABOVE as IMPUTE_ABOVE
from insights.stats.drivers.imputed import (
    ImputedDriverAnalysis,
    key_drivers_auto,
    key_drivers_imputed,
    listwise_loss,
)
from insights.stats.drivers.ordered_logit import MAX_ORDINAL_LEVELS as MAX_ORDINAL_LEVELS
from insights.stats.drivers.pooled_importance import pooled_analysis, pooled_importance
from insights.stats.drivers.pooled_imputed import REPORT_IMPUTATIONS as REPORT_IMPUTATIONS
from insights.stats.drivers.pooled_imputed import combine_pooled_clients, pooled_client_imputed
from insights.stats.drivers.pooling import PooledClient, PooledDrivers, fit_pooled_drivers
from insights.stats.drivers.prepare import MIN_SPARE_RESPONSES as MIN_SPARE_RESPONSES
from insights.stats.drivers.result import DriverAnalysis
from insights.stats.drivers.rubin import rubin_pool

__all__ = [
    "DEFAULT_DRIVERS",
    "QUADRANTS",
    "ClientImportanceChanges",
    "DriverAnalysis",
    "PooledClient",
    "PooledDrivers",
    "fit_pooled_drivers",
    "ImputedDriverAnalysis",
    "ImportanceChange",
    "client_importance_changes",
    "importance_change",
    "importance_over_time",
    "importance_performance",
    "key_drivers",
    "key_drivers_auto",
    "key_drivers_imputed",
    "lmg",
    "pooled_analysis",
    "pooled_importance",
    "combine_pooled_clients",
    "pooled_client_imputed",
    "listwise_loss",
    "multiply_impute",
    "relative_weights",
    "rubin_pool",
    "vif",
]
