"""Calibration of the flags: false alarms on stationary portfolios and planted falls found.

Generates portfolios of 40 clients over 12 months with 3 to 8 answers a client-month
(:func:`insights.data.simulated.simulated_portfolio`), runs :func:`insights.stats.alerts.compute_alerts`
on each and counts, per family, the clients flagged: on stationary portfolios every ``drop``,
``component_drop``, ``mover`` and person fall is false; on portfolios where the first four
clients' overall satisfaction falls by ``--fall`` points in the last month, the drops found among
those four and the false ones among the other 36.  Also times one ``compute_alerts`` of the sample.
The figures in the README's "Flags and how they are calibrated" come from this script.

Run from the repository root::

    PYTHONPATH=src python benchmarks/bench_alerts.py [--portfolios 40] [--fall 1.0]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

from insights.data.simulated import simulated_portfolio
from insights.stats.alerts import compute_alerts


def count(portfolios: int, falls: int, fall: float, first_seed: int) -> dict:
    """Flagged clients per kind (planted clients apart), over ``portfolios`` portfolios."""
    totals: Counter = Counter()
    for seed in range(first_seed, first_seed + portfolios):
        df, planted = simulated_portfolio(seed, falls=falls, fall=fall)
        flags = compute_alerts(df).flags
        dropped = set(flags.loc[flags["kind"] == "drop", "client_id"])
        totals["clients"] += df["client_id"].nunique() - len(planted)
        totals["planted"] += len(planted)
        totals["found"] += len(dropped & set(planted))
        totals["false drops"] += len(dropped - set(planted))
        totals["portfolios with a false drop"] += bool(dropped - set(planted))
        for kind in ("component_drop", "mover"):
            totals[f"false {kind}"] += len(set(flags.loc[flags["kind"] == kind, "client_id"]) - set(planted))
        totals["person falls"] += int(((flags["kind"] == "person") & (flags["metric"] == "ratings")).sum())
    return dict(totals)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portfolios", type=int, default=40, help="portfolios of each kind")
    parser.add_argument("--fall", type=float, default=1.0, help="planted fall (latent points)")
    args = parser.parse_args()

    started = time.perf_counter()
    stationary = count(args.portfolios, 0, args.fall, 1_000)
    planted = count(args.portfolios, 4, args.fall, 2_000)
    print(f"{args.portfolios} stationary portfolios of 40 clients:")
    print(
        f"  false drops: {stationary['false drops']} of {stationary['clients']} clients "
        f"({100 * stationary['false drops'] / stationary['clients']:.2f}%); portfolios with one: "
        f"{stationary['portfolios with a false drop']}"
    )
    print(
        f"  false component falls (clients): {stationary['false component_drop']}; false movers: "
        f"{stationary['false mover']}; person falls: {stationary['person falls']}"
    )
    print(f"{args.portfolios} portfolios with 4 clients falling {args.fall:g} point(s) in the last month:")
    print(
        f"  found: {planted['found']} of {planted['planted']} ({100 * planted['found'] / planted['planted']:.0f}%); "
        f"false drops: {planted['false drops']} of {planted['clients']} "
        f"({100 * planted['false drops'] / planted['clients']:.2f}%)"
    )
    print(f"({time.perf_counter() - started:.0f} s)")

    import insights
    from insights.data.sample import sample_dir

    sample = insights.load(sample_dir() / "responses.csv", warn=False)
    compute_alerts(sample)
    started = time.perf_counter()
    compute_alerts(sample)
    print(f"compute_alerts of the sample ({len(sample):,} responses): {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
