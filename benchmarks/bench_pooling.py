"""Benchmark: partial pooling of per-client drivers, and redaction of comments.

Both run inside every client report of a batch, so their cost per report matters:

* ``fit_pooled_drivers`` on a portfolio of 100 clients (``simulated_driver_portfolio``) plus one
  client's pooled LMG shares and relative weights (``pooled_importance``);
* ``redact_series`` on 20,000 comments against 500 contact names.

Run from the repository root::

    PYTHONPATH=src python benchmarks/bench_pooling.py
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from insights.data.redaction import redact_series
from insights.data.simulated_drivers import simulated_driver_portfolio
from insights.stats.drivers.pooled_importance import pooled_importance
from insights.stats.drivers.pooling import fit_pooled_drivers


def best_of(repeats: int, work) -> float:
    """The fastest of ``repeats`` runs, in seconds (the least disturbed by other processes)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    frame, _ = simulated_driver_portfolio(10, clients=100)
    fit_seconds = best_of(3, lambda: pooled_importance(fit_pooled_drivers(frame).for_client("S50")))
    print(
        f"partial pooling, 100 clients ({len(frame):,} responses): fit + one client's importance {fit_seconds:.2f} s"
    )

    rng = np.random.default_rng(16)
    names = [f"Firstname{i} Lastname{i}" for i in range(500)]
    texts = pd.Series(
        [
            f"Firstname{i} said +44 20 7946 {1000 + i} costs {i}.5% of 2025-01-0{i % 9 + 1}"
            for i in rng.integers(0, 500, 20_000)
        ]
    )
    redact_seconds = best_of(3, lambda: redact_series(texts, names))
    print(f"redaction, 20,000 comments against 500 names: {redact_seconds:.2f} s")


if __name__ == "__main__":
    main()
