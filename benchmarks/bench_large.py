"""Benchmark: a million responses with 12 drivers.

Measures, each in a fresh process so that peak memory (max RSS) belongs to that step alone:

* load and validate from Parquet (target < 3 s),
* load and validate from CSV (target < 8 s),
* a portfolio driver analysis across all clients: the exact LMG decomposition alone, and the
  full ``key_drivers(df, drivers, cluster="client_id")`` (OLS with cluster-robust errors,
  LMG, relative weights, VIF, the ordered logit, the findings' paired tests) (target < 3 s),
* peak memory of each (target < 2 GB); for the analysis steps it includes the loaded data.

Seconds are wall-clock time of the step alone (imports and, for the analysis, loading the
data are outside the clock).  With ``--repeat N`` each step runs N times, each in its own
process, and the best and the median are shown: on a shared machine the best is the
measurement least disturbed by other work.

Run from the repository root: ``.venv/bin/python benchmarks/bench_large.py [--responses N]
[--repeat N] [--data DIR] [--markdown]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
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
    frame = pd.DataFrame(
        {
            "response_id": np.char.add("R", np.arange(n).astype(str)),
            "client_id": np.char.add("C", clients.astype(str)),
            "client_type": np.where(clients % 5 == 0, "internal", "external"),
            "respondent_id": np.char.add("P", rng.integers(0, 50_000, n).astype(str)),
            "submitted_at": (pd.Timestamp("2025-11-01") + pd.to_timedelta(days, unit="D")).strftime(
                "%Y-%m-%d"
            ),
            "overall_satisfaction": overall.astype(int),
            "likelihood_to_recommend": np.clip(
                np.rint(2.2 * overall - 1 + rng.normal(0, 1, n)), 0, 10
            ).astype(int),
        }
    )
    for j, name in enumerate(DRIVERS):
        frame[name] = ratings[:, j].astype(int)
    frame["comment"] = ""
    frame.to_parquet(folder / "responses.parquet", index=False)
    frame.to_csv(folder / "responses.csv", index=False)
    (folder / "survey.toml").write_text(survey_toml())
    (folder / "responses.count").write_text(str(n))


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
            assert not result.ordered_logit.empty, result.warnings
        seconds = time.perf_counter() - start
        rows = len(frame)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"step": name, "seconds": round(seconds, 3), "rows": rows, "peak_mb": round(peak_mb)}


TARGETS = {"parquet": 3.0, "csv": 8.0, "lmg": 3.0, "key_drivers": 3.0}
MEMORY_TARGET_MB = 2048
LABELS = {
    "parquet": "load + validate, Parquet",
    "csv": "load + validate, CSV",
    "lmg": "exact LMG, all clients",
    "key_drivers": "full key_drivers, all clients",
}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        pages, page_size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages * page_size / 2**30:.0f} GB RAM"
    except (ValueError, OSError, AttributeError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{memory}, {platform.system()}"


def versions() -> str:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import numpy, pandas, pyarrow, scipy, statsmodels; print("
            "f'numpy {numpy.__version__}, pandas {pandas.__version__}, pyarrow {pyarrow.__version__}, "
            "scipy {scipy.__version__}, statsmodels {statsmodels.__version__}')",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return f"Python {platform.python_version()}, {out.stdout.strip()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each step (fresh processes); best and median shown"
    )
    parser.add_argument(
        "--data", type=Path, help="keep the generated files in DIR and reuse them on the next run"
    )
    parser.add_argument(
        "--steps", default=",".join(TARGETS), help="comma-separated subset of: " + ", ".join(TARGETS)
    )
    parser.add_argument("--markdown", action="store_true", help="also print the results as a Markdown table")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(step(args.step, args.folder)))
        return

    with tempfile.TemporaryDirectory(prefix="insights-bench-") as tmp:
        folder = args.data or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        count = folder / "responses.count"
        if count.exists() and count.read_text().strip() == str(args.responses):
            print(f"reusing {args.responses:,} responses x {N_DRIVERS} drivers in {folder}")
        else:
            start = time.perf_counter()
            make_data(args.responses, folder)
            print(
                f"generated {args.responses:,} responses x {N_DRIVERS} drivers in {time.perf_counter() - start:.1f} s"
            )
        print(
            f"files: CSV {os.path.getsize(folder / 'responses.csv') / 1e6:.0f} MB, "
            f"Parquet {os.path.getsize(folder / 'responses.parquet') / 1e6:.0f} MB"
        )
        print(f"machine: {machine()}")
        print(f"software: {versions()}")
        print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
        header = f"{'step':32} {'best s':>8} {'median s':>9} {'target':>8} {'peak MB':>8}  ok"
        print(header)
        rows = []
        for name in args.steps.split(","):
            runs = []
            for _ in range(args.repeat):
                out = subprocess.run(
                    [sys.executable, __file__, "--step", name, "--folder", str(folder)],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
            seconds = [r["seconds"] for r in runs]
            best, median, peak = min(seconds), statistics.median(seconds), max(r["peak_mb"] for r in runs)
            ok = best < TARGETS[name] and peak < MEMORY_TARGET_MB
            rows.append((name, best, median, peak, ok))
            print(
                f"{LABELS[name]:32} {best:>8.2f} {median:>9.2f} {'< ' + format(TARGETS[name], 'g'):>8} {peak:>8}  "
                f"{'yes' if ok else 'NO'}"
            )
        print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
        if args.markdown:
            print()
            print("| step | best of runs (s) | median (s) | target (s) | peak memory (MB) |")
            print("|---|---:|---:|---:|---:|")
            for name, best, median, peak, _ in rows:
                print(f"| {LABELS[name]} | {best:.2f} | {median:.2f} | < {TARGETS[name]:g} | {peak} |")


if __name__ == "__main__":
    main()
