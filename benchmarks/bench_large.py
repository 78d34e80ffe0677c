"""Benchmark: a million responses with 12 drivers.

Measures, each in a fresh process so that peak memory (max RSS) belongs to that step alone:

* load and validate from Parquet (target < 3 s),
* load and validate from CSV (target < 8 s),
* a portfolio driver analysis with exact LMG across all clients (target < 3 s), both the LMG
  decomposition alone and the full ``key_drivers`` (OLS with cluster-robust errors, LMG,
  relative weights, VIF and the ordered logit),
* peak memory of each (target < 2 GB).

Run from the repository root: ``.venv/bin/python benchmarks/bench_large.py [--responses N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

N_DRIVERS = 12
DRIVERS = [f"driver_{i + 1:02d}" for i in range(N_DRIVERS)]


def survey_toml() -> str:
    lines = ["[drivers]"] + [f'{d} = "Driver {i + 1}"' for i, d in enumerate(DRIVERS)]
    return "\n".join(lines) + "\n[warnings]\nmin_client_responses = 5\n"


def make_data(n: int, folder: Path) -> None:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(7)
    clients = rng.integers(0, 400, n)
    halo = rng.normal(0, 0.6, (n, 1))
    ratings = np.clip(np.rint(3.5 + halo + rng.normal(0, 0.7, (n, N_DRIVERS))), 1, 5)
    slopes = np.linspace(0.25, 0.0, N_DRIVERS)
    overall = np.clip(np.rint(0.6 + ratings @ slopes * 0.5 + rng.normal(0, 0.5, n)), 1, 5)
    days = rng.integers(0, 365, n)
    frame = pd.DataFrame({
        "response_id": np.char.add("R", np.arange(n).astype(str)),
        "client_id": np.char.add("C", clients.astype(str)),
        "client_type": np.where(clients % 5 == 0, "internal", "external"),
        "respondent_id": np.char.add("P", rng.integers(0, 50_000, n).astype(str)),
        "submitted_at": (pd.Timestamp("2025-11-01") + pd.to_timedelta(days, unit="D")).strftime("%Y-%m-%d"),
        "overall_satisfaction": overall.astype(int),
        "likelihood_to_recommend": np.clip(np.rint(2.2 * overall - 1 + rng.normal(0, 1, n)), 0, 10).astype(int),
    })
    for j, name in enumerate(DRIVERS):
        frame[name] = ratings[:, j].astype(int)
    frame["comment"] = ""
    frame.to_parquet(folder / "responses.parquet", index=False)
    frame.to_csv(folder / "responses.csv", index=False)
    (folder / "survey.toml").write_text(survey_toml())


def step(name: str, folder: str) -> dict:
    """One measurement, run in this (fresh) process."""
    import insights

    folder_path = Path(folder)
    survey = folder_path / "survey.toml"
    if name in ("parquet", "csv"):
        start = time.perf_counter()
        frame = insights.load(folder_path / f"responses.{name}", survey, warn=False)
        seconds = time.perf_counter() - start
        rows = len(frame)
    else:
        frame = insights.load(folder_path / "responses.parquet", survey, warn=False)
        start = time.perf_counter()
        if name == "lmg":
            insights.lmg(frame, DRIVERS)
        else:
            result = insights.key_drivers(frame, DRIVERS, cluster="client_id")
            assert result.ok, result.reason
        seconds = time.perf_counter() - start
        rows = len(frame)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"step": name, "seconds": round(seconds, 2), "rows": rows, "peak_mb": round(peak_mb)}


TARGETS = {"parquet": 3.0, "csv": 8.0, "lmg": 3.0, "key_drivers": None}
LABELS = {
    "parquet": "load + validate, Parquet",
    "csv": "load + validate, CSV",
    "lmg": "exact LMG, all clients",
    "key_drivers": "full key_drivers, all clients",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(step(args.step, args.folder)))
        return

    with tempfile.TemporaryDirectory(prefix="insights-bench-") as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        make_data(args.responses, folder)
        print(f"generated {args.responses:,} responses x {N_DRIVERS} drivers in {time.perf_counter() - start:.1f} s "
              f"(CSV {os.path.getsize(folder / 'responses.csv') / 1e6:.0f} MB, "
              f"Parquet {os.path.getsize(folder / 'responses.parquet') / 1e6:.0f} MB)")
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
        print(f"{'step':32} {'seconds':>8} {'target':>8} {'peak MB':>8}")
        for name in TARGETS:
            out = subprocess.run([sys.executable, __file__, "--step", name, "--folder", str(folder)],
                                 capture_output=True, text=True, check=True)
            row = json.loads(out.stdout.strip().splitlines()[-1])
            target = f"< {TARGETS[name]:g}" if TARGETS[name] else "-"
            print(f"{LABELS[name]:32} {row['seconds']:>8.2f} {target:>8} {row['peak_mb']:>8}")


if __name__ == "__main__":
    main()
