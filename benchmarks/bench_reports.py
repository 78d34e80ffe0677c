"""Benchmark: `insights run` against the naive papermill + nbconvert loop, on the same data.

The naive loop is what a user writes by hand: for each client, one ``papermill`` CLI call to
execute ``notebooks/client_report.ipynb``, then one ``jupyter nbconvert --to html --no-input``
call, in sequence.  It is timed on a sample of clients spread over the list (it is slow); ``insights run`` renders
all 100 client reports plus the portfolio report with the default workers.  Both render the full
client report.  Prints seconds per report and their ratio, measured in the same run.

Run from the repository root: ``.venv/bin/python benchmarks/bench_reports.py [--naive 5] [--clients 100]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
REPORT_NOTEBOOKS = ROOT / "src" / "insights" / "reporting" / "notebooks"


def make_data(n_clients: int, path: Path) -> list[str]:
    """Copies of the sample survey under new client ids, until there are ``n_clients`` clients."""
    from insights.data.sample import generate_sample

    frames, seed = [], 1
    while sum(f["client_id"].nunique() for f in frames) < n_clients:
        frame = generate_sample(seed=seed)
        frame["client_id"] = f"S{seed}-" + frame["client_id"]
        frame["response_id"] = f"S{seed}-" + frame["response_id"]
        frame["respondent_id"] = f"S{seed}-" + frame["respondent_id"]
        frames.append(frame)
        seed += 1
    data = pd.concat(frames, ignore_index=True)
    keep = sorted(data["client_id"].unique())[:n_clients]
    data = data[data["client_id"].isin(keep)]
    data.to_csv(path, index=False)
    return keep


def naive_loop(source: Path, clients: list[str], out: Path) -> float:
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for client in clients:
        executed = out / f"{client}.ipynb"
        subprocess.run(
            [
                str(BIN / "papermill"),
                str(REPORT_NOTEBOOKS / "client_report.ipynb"),
                str(executed),
                "-p",
                "source",
                str(source),
                "-p",
                "client_id",
                client,
                "--no-progress-bar",
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
            check=True,
            capture_output=True,
        )
    return time.perf_counter() - start


def insights_run(source: Path, out: Path, workers: int | None, *extra: str) -> float:
    command = [str(BIN / "insights"), "run", str(source), "--out", str(out), "--force", *extra]
    if workers:
        command += ["--workers", str(workers)]
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--naive", type=int, default=8, help="clients rendered by the naive loop")
    parser.add_argument("--clients", type=int, default=100, help="clients rendered by insights run")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument(
        "--dask",
        action="store_true",
        help="also time --executor dask (a LocalCluster of single-threaded workers, start-up included)",
    )
    parser.add_argument("--skip-naive", action="store_true", help="time only insights run (and --dask)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="insights-bench-") as tmp:
        folder = Path(tmp)
        source = folder / "responses.csv"
        clients = make_data(args.clients, source)
        print(
            f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
            f"{len(pd.read_csv(source))} responses from {len(clients)} clients"
        )
        # clients spread over the whole list, so the sample has the batch's mix of sizes
        sample = clients[:: max(1, len(clients) // args.naive)][: args.naive]
        naive = None if args.skip_naive else naive_loop(source, sample, folder / "naive") / len(sample)
        batch_total = insights_run(source, folder / "run", args.workers)
        batch = batch_total / len(clients)
        print(f"{'method':52} {'s/report':>9}")
        if naive is not None:
            print(f"{f'naive papermill + nbconvert loop ({args.naive} clients)':52} {naive:>9.2f}")
        print(f"{f'insights run ({len(clients)} clients + portfolio, {batch_total:.0f} s)':52} {batch:>9.2f}")
        if naive is not None:
            print(f"speed-up over the naive loop: {naive / batch:.1f}x")
        if args.dask:
            dask_total = insights_run(source, folder / "dask", args.workers, "--executor", "dask")
            print(
                f"{f'insights run --executor dask ({dask_total:.0f} s)':52} {dask_total / len(clients):>9.2f}"
            )
            print(f"dask wall time / local pool wall time: {dask_total / batch_total:.2f}")
        shutil.rmtree(folder / "naive", ignore_errors=True)


if __name__ == "__main__":
    main()
