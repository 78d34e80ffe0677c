"""Benchmark: exact LMG for 15 correlated drivers on 1,000,000 responses.

Times ``insights.stats.drivers.lmg`` on a DataFrame of responses, which includes
the listwise check and the correlation matrix of the data as well as the
2^15 = 32,768 subset R^2 values and their Shapley weighting. Target: under
2 seconds on a 2-core machine.

Run from the repository root::

    PYTHONPATH=src python benchmarks/bench_lmg.py [--responses N] [--repeats R]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from insights.stats.drivers import lmg

N_DRIVERS = 15


def simulate(n_responses: int, seed: int = 2024) -> pd.DataFrame:
    """Ratings 1-5 on 15 drivers sharing a common factor, and an outcome."""
    rng = np.random.default_rng(seed)
    common = rng.standard_normal((n_responses, 1))
    latent = 0.7 * common + 0.7 * rng.standard_normal((n_responses, N_DRIVERS))
    ratings = np.clip(np.rint(3.3 + latent), 1, 5)
    slopes = np.linspace(0.3, 0.0, N_DRIVERS)
    outcome = 0.5 + ratings @ slopes + 0.6 * rng.standard_normal(n_responses)
    frame = pd.DataFrame(ratings, columns=[f"driver_{j + 1:02d}" for j in range(N_DRIVERS)])
    frame["overall_satisfaction"] = outcome
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    frame = simulate(args.responses)
    drivers = [column for column in frame.columns if column.startswith("driver_")]

    timings = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        parts = lmg(frame, drivers)
        timings.append(time.perf_counter() - start)

    print(f"exact LMG, {args.responses:,} responses x {len(drivers)} drivers")
    print(f"R^2 = {parts.sum():.4f} (sum of the {len(parts)} LMG parts)")
    # The first call also builds the cached 2^p subset layout.
    print(f"first call: {timings[0]:.3f} s")
    print(f"best of {args.repeats}: {min(timings):.3f} s; median {np.median(timings):.3f} s")


if __name__ == "__main__":
    main()
