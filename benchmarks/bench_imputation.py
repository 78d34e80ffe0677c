"""Benchmark: multiple imputation of skipped driver answers on 1,000,000 responses.

Times ``insights.stats.drivers.imputation.impute_matrix`` (chained equations with Bayesian
linear regression draws, 20 imputations of 10 cycles each, the outcome in the model) on a
portfolio of six correlated 1-5 driver ratings in which 10% of the driver answers are skipped,
more often by less satisfied respondents. Target (issue 15): under 30 seconds. Also prints the
processor time (the wall-clock figure depends on what else the machine runs) and checks the
completed data's regression against the planted coefficients.

Run from the repository root::

    PYTHONPATH=src python benchmarks/bench_imputation.py [--responses N] [--imputations M]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import special

from insights.stats.drivers.imputation import DEFAULT_ITERATIONS, impute_matrix

SLOPES = np.array([0.35, 0.25, 0.30, 0.15, 0.10, 0.0])


def simulate(n_responses: int, skip: float = 0.10, seed: int = 2024) -> np.ndarray:
    """(outcome, six drivers) with NaN where a driver answer was skipped."""
    rng = np.random.default_rng(seed)
    latent = 0.6 * rng.standard_normal((n_responses, 1)) + 0.8 * rng.standard_normal((n_responses, 6))
    ratings = np.clip(np.rint(3.4 + 0.9 * latent), 1, 5)
    outcome = 0.3 + ratings @ SLOPES + 0.6 * rng.standard_normal(n_responses)
    z = (outcome - outcome.mean()) / outcome.std()
    # The level that makes the average skip probability `skip`, by bisection.
    low, high = -20.0, 20.0
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if special.expit(middle - z).mean() < skip else (low, middle)
    skipped = rng.random(ratings.shape) < special.expit(low - z)[:, None]
    return np.column_stack([outcome, np.where(skipped, np.nan, ratings)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--imputations", type=int, default=20)
    args = parser.parse_args()

    values = simulate(args.responses)
    skipped = int(np.isnan(values).sum())
    start, cpu = time.perf_counter(), time.process_time()
    imputations = impute_matrix(values, m=args.imputations, n_iter=DEFAULT_ITERATIONS, seed=1)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu

    completed = imputations.completed(0)
    design = np.column_stack([np.ones(len(completed)), completed[:, 1:]])
    slopes = np.linalg.lstsq(design, completed[:, 0], rcond=None)[0][1:]
    answered = ~np.isnan(values).any(axis=1)
    listwise = np.linalg.lstsq(
        np.column_stack([np.ones(answered.sum()), values[answered, 1:]]), values[answered, 0], rcond=None
    )[0][1:]
    print(
        f"multiple imputation, {args.responses:,} responses x 6 drivers, {skipped:,} skipped answers "
        f"({skipped / (6 * args.responses):.1%}), m = {args.imputations}, {DEFAULT_ITERATIONS} cycles each"
    )
    print(f"wall clock {wall:.1f} s, processor {cpu:.1f} s (target: under 30 s)")
    print(f"planted slopes        {np.array2string(SLOPES, precision=3)}")
    print(f"imputation 1          {np.array2string(slopes, precision=3)}")
    print(f"listwise ({answered.mean():.0%} kept) {np.array2string(listwise, precision=3)}")


if __name__ == "__main__":
    main()
