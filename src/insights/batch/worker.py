"""A worker process of any executor: the run's kernel spec, and the set-up before its first report."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

from insights.batch.execute import html_exporter
from insights.batch.layout import KERNEL_NAME
from insights.batch.lifetime import die_with_parent, ignore_interrupts


def write_kernel_spec(folder: Path, warm: bool = True) -> Path:
    """Write a kernel spec for this interpreter under ``folder/kernels``.

    Parameters
    ----------
    folder
        A folder to put on ``JUPYTER_PATH`` (:func:`init_worker` does).
    warm
        Kernels come from the worker's warm zygote (:mod:`insights.batch.warm`) instead of a fresh start.

    Returns
    -------
    Path
        ``folder``.
    """
    from insights.batch.warm import PROVISIONER_NAME, QUIET_DEBUGGER_ENV, SINGLE_THREAD_ENV

    spec_dir = folder / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        # The kernel's own log (transport notices, shutdown chatter) is not report output.
        "argv": [
            sys.executable,
            "-m",
            "ipykernel_launcher",
            "-f",
            "{connection_file}",
            "--IPKernelApp.log_level=CRITICAL",
        ],
        "display_name": "Python (client-insights run)",
        "language": "python",
        "env": {"PYTHONWARNINGS": "ignore", **SINGLE_THREAD_ENV, **QUIET_DEBUGGER_ENV},
    }
    if warm:
        spec["metadata"] = {"kernel_provisioner": {"provisioner_name": PROVISIONER_NAME}}
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    return folder


def init_worker(
    kernel_dir: str, warm: bool, zygote_server: str | None = None, run_pid: int | None = None
) -> None:
    """Point Jupyter at this run's kernel spec, get a warm zygote, build the exporter once.

    Parameters
    ----------
    kernel_dir
        The folder :func:`write_kernel_spec` wrote.
    warm
        Start (or connect to) a zygote that forks this worker's kernels.
    zygote_server
        The socket of the run's shared zygote server (a local run), which forks this worker's
        zygote; without it the worker starts its own (a Dask worker).
    run_pid
        The run's process, when it started this worker (a local run): the worker dies with it and
        leaves Ctrl-C to it.  A Dask worker's life is its cluster's business.
    """
    if run_pid is not None:
        die_with_parent(run_pid)
        ignore_interrupts()
    os.environ["JUPYTER_PATH"] = kernel_dir + os.pathsep + os.environ.get("JUPYTER_PATH", "")
    # jsonschema (under nbformat) imports rfc3987_syntax when it is installed (JupyterLab brings it),
    # for a string format no notebook schema uses, and that compiles a grammar: 0.8 s per worker.
    sys.modules.setdefault("rfc3987_syntax", None)
    for name in ("papermill", "traitlets", "nbclient"):
        logging.getLogger(name).setLevel(logging.ERROR)
    if warm:
        from insights.batch.warm import start_zygote

        start_zygote(zygote_server)
    html_exporter()
