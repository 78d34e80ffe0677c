"""Reports on a real Dask cluster: a scheduler and two workers on loopback, started by the test."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from insights.batch.runner import run
from insights.core.slug import slugify

DASK = Path(sys.executable).parent / "dask"
CLIENTS = ["C03", "C07", "C11", "C16", "C23", "I02"]


def _start(args: list[str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(DASK), *args], stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    from distributed import Client

    folder = tmp_path_factory.mktemp("dask")
    scheduler_file = folder / "scheduler.json"
    processes = [
        _start(
            [
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(scheduler_file),
            ],
            folder / "scheduler.log",
        )
    ]
    deadline = time.monotonic() + 60
    while not scheduler_file.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    workers = [
        _start(
            [
                "worker",
                "--scheduler-file",
                str(scheduler_file),
                "--nthreads",
                "1",
                "--no-nanny",
                "--no-dashboard",
                "--host",
                "127.0.0.1",
                "--name",
                f"w{i}",
            ],
            folder / f"worker{i}.log",
        )
        for i in range(2)
    ]
    processes += workers
    client = Client(scheduler_file=str(scheduler_file), timeout="60s")
    try:
        client.wait_for_workers(2, timeout=90)
        yield client, workers
    finally:
        client.close()
        for process in reversed(processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def _normalised(page: str) -> str:
    # papermill gives its injected parameters cell a random id in every run
    return re.sub(r"cell-id=[0-9a-f-]+", "cell-id=X", re.sub(r'id="cell-id=[^"]*"', "", page))


def test_reports_from_the_cluster_match_a_local_run(cluster, tmp_path, sample_csv):
    client, _ = cluster
    # the optional inputs travel with the tasks too
    extra = {
        "events": str(sample_csv.parent / "events.csv"),
        "contacts": str(sample_csv.parent / "contacts.csv"),
    }
    local = run(
        sample_csv, tmp_path / "local", clients=["C23"], workers=1, progress=False, extra_parameters=extra
    )
    remote = run(
        sample_csv,
        tmp_path / "dask",
        clients=["C23"],
        progress=False,
        executor="dask",
        scheduler=client.scheduler.address,
        extra_parameters=extra,
    )
    assert local.failed == [] and remote.failed == []
    for name in [f"clients/{slugify('C23')}.html", "portfolio.html"]:
        assert _normalised((tmp_path / "dask" / name).read_text("utf-8")) == _normalised(
            (tmp_path / "local" / name).read_text("utf-8")
        ), name
    notebook = (tmp_path / "dask" / "clients" / f"{slugify('C23')}.ipynb").read_text("utf-8")
    assert str(tmp_path / "dask" / "data") in notebook  # the parameters name the run's own snapshot
    assert str(sample_csv.parent / "events.csv") in notebook and "insights-data-" not in notebook
    assert ">Service levels<" in (tmp_path / "dask" / "clients" / f"{slugify('C23')}.html").read_text("utf-8")
    assert (tmp_path / "dask" / "index.html").exists()


def test_a_worker_killed_mid_run_does_not_lose_reports(cluster, tmp_path, sample_csv):
    client, workers = cluster
    outcome: dict = {}

    def render():
        outcome["run"] = run(
            sample_csv,
            tmp_path / "out",
            clients=CLIENTS,
            progress=False,
            executor="dask",
            scheduler=client.scheduler.address,
        )

    thread = threading.Thread(target=render)
    thread.start()
    victim = workers[0]
    deadline = time.monotonic() + 120
    killed = False
    while time.monotonic() < deadline and thread.is_alive():
        busy = [address for address, keys in client.processing().items() if keys]
        names = {w["name"]: address for address, w in client.scheduler_info()["workers"].items()}
        if names.get("w0") in busy:
            os.killpg(victim.pid, signal.SIGKILL)
            killed = True
            break
        time.sleep(0.2)
    thread.join(timeout=600)
    assert killed, "the victim worker never received a report to run"
    result = outcome["run"]
    assert result.failed == [], [(r.key, r.error) for r in result.failed]
    assert {r.key for r in result.results} == {"portfolio", *map(slugify, CLIENTS)}
    for client_id in CLIENTS:
        assert (tmp_path / "out" / "clients" / f"{slugify(client_id)}.html").exists()
    # the killed worker's zygote and kernel do not linger as orphans
    deadline = time.monotonic() + 15
    while _orphaned_kernels() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _orphaned_kernels() == []


def _orphaned_kernels() -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if "insights.batch.warm" in cmdline and ppid == 1:
            found.append(int(proc.name))
    return found
