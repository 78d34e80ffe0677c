"""Warm kernels: IPython kernels forked from a process that has already imported the heavy libraries.

Starting a fresh kernel and importing pandas, statsmodels and seaborn costs about two seconds
per report, far more than the analysis itself.  Each worker of a run therefore has a *zygote*: a
single-threaded process that has imported those libraries and run a report's code once, and that
forks, on request, a child that becomes an ordinary ``ipykernel`` kernel for one report.  A local
run warms up once: its :class:`ZygoteServer` starts with the worker pool and forks a zygote for
each worker that connects; a Dask worker starts its own.  The kernel still runs the notebook
through papermill and nbclient exactly as a freshly started one would; it simply begins with the
imports already in memory.

Isolation is that of separate processes: each report gets its own forked child, which exits at
the end of the report, so nothing one report defines or changes is visible to another.

Jupyter finds the :class:`ZygoteProvisioner` through the ``jupyter_client.kernel_provisioners``
entry point, named in the kernel spec the runner writes for a run.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import os
import select
import signal
import socket
import subprocess
import sys
import time
from multiprocessing.connection import Connection
from typing import Any

from jupyter_client.provisioning import LocalProvisioner

PROVISIONER_NAME = "insights-zygote-provisioner"
# One BLAS thread per process: a run already keeps every core busy with one kernel each, and a
# process that forks must have no helper threads.
SINGLE_THREAD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
# The kernel's debugger (debugpy, imported as a kernel starts) warns on stderr that Python's frozen
# modules may hide breakpoints: nobody debugs a report kernel, and the warning is noise in a run.
QUIET_DEBUGGER_ENV = {"PYDEVD_DISABLE_FILE_VALIDATION": "1"}
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"

_zygote: ZygoteClient | None = None


# --- the zygote (runs in its own process) -----------------------------------------------------------


def _warm_up() -> None:
    """Import what report notebooks import, and pay the first-use costs, without starting anything."""
    os.environ.update(SINGLE_THREAD_ENV)
    # The kernel's usual backend; set before matplotlib is imported so pyplot picks it up in each
    # kernel exactly as in a fresh one (the backend module itself is imported there, not here).
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    import ipykernel.ipkernel  # noqa: F401
    import ipykernel.kernelapp  # noqa: F401
    import IPython  # noqa: F401

    # What a kernel imports while it starts (its debugger, completer, history): import once here.
    for name in (
        "debugpy",
        "ipykernel.debugger",
        "IPython.core.debugger",
        "IPython.core.completerlib",
        "IPython.core.oinspect",
        "IPython.extensions.storemagic",
        "sqlite3",
        "ipykernel.comm",
        "jupyter_client.localinterfaces",
        "psutil",
    ):
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    import matplotlib.pyplot  # noqa: F401
    import seaborn  # noqa: F401
    import statsmodels.api  # noqa: F401

    from insights.data import events  # noqa: F401
    from insights.data import people as people_files  # noqa: F401
    from insights.reporting import plots, report, service_report, summary  # noqa: F401
    from insights.stats import clustered, drivers, metrics, people, perception  # noqa: F401

    # The later report sections: pooled and imputed drivers, priorities, comment themes (VADER's
    # lexicon is read once here), suggested themes (scikit-learn), redaction, accounts.
    for name in (
        "insights.data.redaction",
        "insights.data.accounts",
        "insights.stats.drivers.pooling",
        "insights.stats.drivers.pooled_importance",
        "insights.stats.drivers.imputed",
        "insights.stats.drivers.change",
        "insights.stats.drivers.change_pooled",
        "insights.stats.themes",
        "insights.stats.theme_alerts",
        "insights.stats.churn",
        "insights.stats.value",
        "insights.reporting.themes",
        "insights.reporting.priorities",
        "insights.reporting.value",
        "sklearn.decomposition",
        "sklearn.feature_extraction.text",
    ):
        importlib.import_module(name)
    from insights.reporting.html import compile_templates
    from insights.stats import sentiment

    sentiment.vader_scores(["Great work, thank you."])
    compile_templates()  # else each kernel compiles the dozen section templates its report renders
    _prefill_run_fits()


#: The run's client report parameters (JSON), set by the runner for its zygotes (:func:`run_fits_env`).
WARM_REPORT_ENV = "INSIGHTS_WARM_REPORT"


def run_fits_env(parameters: dict) -> dict[str, str]:
    """The environment that makes a run's zygotes compute the portfolio-wide fits once (see
    :func:`_prefill_run_fits`), from one client report's notebook parameters."""
    import json

    return {WARM_REPORT_ENV: json.dumps(parameters, default=str)}


def _prefill_run_fits() -> None:
    """Compute what every client report of the run repeats, fitted on the whole portfolio (pooled
    drivers, pooled changes in priorities: :mod:`insights.stats.memo`), once, before the kernels are
    forked: they inherit the results.  Without the run's parameters, or if anything fails, nothing is
    kept and each report computes its own (the report itself says what is wrong)."""
    import json

    spec = os.environ.get(WARM_REPORT_ENV)
    if not spec:
        return
    try:
        import insights
        from insights.data.kept import keep
        from insights.data.survey import resolve_survey
        from insights.reporting import report

        parameters = json.loads(spec)
        definition = resolve_survey(parameters.get("survey") or None)
        responses = insights.load(parameters["source"], definition, warn=False)
        keep(parameters["source"], definition, responses)  # each kernel's insights.load finds it
        period = report.as_period(parameters["period"], definition.cadence)
        flags = report.read_alerts(parameters["alerts"], period) if parameters.get("alerts") else None
        report.client_report(
            responses,
            str(parameters["client_id"]),
            period,
            months=int(parameters.get("months", 12)),
            survey=definition,
            alerts=flags,
        )
    except Exception:  # noqa: BLE001 - a warm-up: the reports themselves compute and report
        from insights.data.kept import forget
        from insights.stats import memo

        memo.clear()
        forget()

    # Run the report's code paths once (lazy imports inside pandas, statsmodels and scipy), then
    # draw its charts.
    frame = insights.load(insights.generate_sample(seed=1, months=2).head(120), warn=False)
    client, period = str(frame["client_id"].iloc[0]), frame["period"].max()
    warm_report = report.client_report(frame, client, period, months=2, n_boot=2)
    report.table_html(report.scorecard_table(warm_report))
    report.comments_html(warm_report.responses, warm_report.period)
    report.people_html(report.people_section(frame, client, period, None, months=2))
    _warm_figures(warm_report)


def _warm_figures(warm_report) -> None:
    """Draw the client report's charts once, off-screen: a kernel's first chart of each kind pays
    for lazy set-up (glyph caches, colour maps, code paths) that forked kernels then inherit."""
    import io

    import matplotlib

    from insights.reporting import plots
    from insights.reporting.plots.style import INLINE_PRINT_KWARGS

    r = warm_report
    with matplotlib.rc_context():  # the style is the notebook's to set: leave rcParams as they were
        plots.use_style()
        figures = [
            plots.scorecard_heatmap(r.scorecard, title="warm-up"),
            plots.trend_chart(
                r.nps_trend, title="warm-up", ylabel="NPS", reference=r.portfolio_overall_trend
            ),
        ]
        if r.drivers.ok:
            figures += [
                plots.importance_chart(r.drivers.importance, title="warm-up"),
                plots.quadrant_chart(r.drivers.importance, title="warm-up"),
            ]
        for figure in figures:
            figure.savefig(io.BytesIO(), format="png", dpi=figure.dpi, **INLINE_PRINT_KWARGS)


def _run_kernel(request: dict, zygote_pid: int) -> None:
    """In the forked child: become an IPython kernel for one report, then exit."""
    from insights.batch.lifetime import die_with_parent

    die_with_parent(zygote_pid)  # a kernel whose worker (and so zygote) went has no one to answer
    try:
        os.setpgid(0, 0)  # its own process group, so signals for it reach only it
    except OSError:
        pass
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.environ.update(request.get("env") or {})
    if request.get("cwd"):
        os.chdir(request["cwd"])
    # Watch the zygote: if it goes (its worker was killed), the kernel exits instead of lingering.
    argv = [*request["argv"], f"--IPKernelApp.parent_handle={os.getppid()}"]
    sys.argv = ["ipykernel_launcher", *argv]
    code = 0
    try:
        asyncio.set_event_loop(asyncio.new_event_loop())
        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance()
        app.initialize(argv)
        app.start()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    except BaseException:  # a kernel that cannot start must still leave this process, saying why
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _warm_and_freeze() -> None:
    try:
        _warm_up()
    except Exception as exc:  # report, then serve cold: the kernels still work, only slower
        print(f"insights: warm-up failed ({type(exc).__name__}: {exc})", file=sys.stderr)
    # Move what the warm-up made out of the collector's sight: a forked kernel's collections would
    # otherwise touch (and so copy) the memory of every one of those objects.
    gc.collect()
    gc.freeze()


def _serve_worker(connection: Connection) -> None:
    """Fork a kernel per ``launch`` request from one worker; answer ``poll``s; exit when it hangs up."""
    exit_codes: dict[int, int] = {}

    def reap(*_: Any) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            exit_codes[pid] = os.waitstatus_to_exitcode(status)

    signal.signal(signal.SIGCHLD, reap)
    zygote_pid = os.getpid()
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            break
        if request["op"] == "launch":
            pid = os.fork()
            if pid == 0:
                connection.close()
                _run_kernel(request, zygote_pid)
            connection.send(pid)
        elif request["op"] == "poll":
            reap()
            connection.send(exit_codes.get(request["pid"]))
    os._exit(0)


def _zygote_main(connection: Connection) -> None:
    """One worker's own zygote (a Dask worker's): warm up, then serve that worker."""
    _warm_and_freeze()
    _serve_worker(connection)


def _server_main(listening_fd: int, run_pid: int) -> None:
    """The zygote of a local run, shared by its workers: warm up once, fork a zygote per worker.

    Serves the Unix socket it was handed, already listening (workers that connect during the
    warm-up wait in its backlog), and stops when its standard input closes, which is when the run
    ends or its process dies (and at once, warming up or not, when the run's process dies on Linux).
    """
    from insights.batch.lifetime import die_with_parent, ignore_interrupts

    die_with_parent(run_pid)
    ignore_interrupts()
    server_pid = os.getpid()
    listener = socket.socket(fileno=listening_fd)
    _warm_and_freeze()
    signal.signal(signal.SIGCHLD, lambda *_: _reap_all())
    lifeline = sys.stdin.fileno()
    while True:
        readable, _, _ = select.select([listener, lifeline], [], [])
        if lifeline in readable and not os.read(lifeline, 1024):
            break
        if listener in readable:
            accepted, _ = listener.accept()
            if os.fork() == 0:
                die_with_parent(server_pid)
                listener.close()
                devnull = os.open(os.devnull, os.O_RDONLY)
                os.dup2(devnull, lifeline)  # the worker's zygote and its kernels do not hold the lifeline
                os.close(devnull)
                _serve_worker(Connection(accepted.detach()))
            accepted.close()
    os._exit(0)


def _reap_all() -> None:
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass


# --- the client side (runs in the worker) ------------------------------------------------------------


class ZygoteClient:
    """The worker's handle on its zygote: launch kernels, ask whether they have exited.

    The zygote is a fresh interpreter (not a fork of the worker, which may have threads: a Dask
    worker always has), talking over a socket: either its own (``server=None``), or one forked for
    this worker by the run's :class:`ZygoteServer`.
    """

    def __init__(self, server: str | None = None) -> None:
        self.process: subprocess.Popen | None = None
        if server:
            connected = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            connected.connect(server)
            self._connection = Connection(connected.detach())
            return
        ours, theirs = socket.socketpair()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "insights.batch.warm", str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            env={**os.environ, **SINGLE_THREAD_ENV, **QUIET_DEBUGGER_ENV},
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self._connection = Connection(ours.detach())

    def launch(self, argv: list[str], env: dict[str, str], cwd: str | None) -> int:
        self._connection.send({"op": "launch", "argv": argv, "env": env, "cwd": cwd})
        return self._connection.recv()

    def exit_code(self, pid: int) -> int | None:
        self._connection.send({"op": "poll", "pid": pid})
        return self._connection.recv()

    def close(self) -> None:
        self._connection.close()
        if self.process is not None:
            self.process.wait(timeout=10)


class ZygoteServer:
    """A run's shared zygote: warms up once, while the workers start, and forks one zygote per worker.

    Use as a context manager around the worker pool, and give each worker :attr:`path` for
    :func:`start_zygote`.  It stops when the run ends, or by itself when the run's process dies.
    """

    def __init__(self, folder: str | os.PathLike) -> None:
        from insights.batch.lifetime import interrupts_held

        self.path = os.path.join(os.fspath(folder), "zygote.sock")
        # Bound and listening here, so workers can connect at once; the server takes it over.
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener, interrupts_held():
            listener.bind(self.path)
            listener.listen(64)
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "insights.batch.warm",
                    "--serve",
                    str(listener.fileno()),
                    str(os.getpid()),
                ],
                pass_fds=[listener.fileno()],
                env={**os.environ, **SINGLE_THREAD_ENV, **QUIET_DEBUGGER_ENV},
                stdin=subprocess.PIPE,
            )

    def __enter__(self) -> ZygoteServer:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self, now: bool = False) -> None:
        """Stop the server: let it finish (``now=False``) or kill it (an interrupted run)."""
        if now:
            self.process.kill()
        if self.process.stdin and not self.process.stdin.closed:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_zygote(server: str | None = None) -> None:
    """Start this process's zygote, or connect to one forked by ``server`` (once; later calls keep it)."""
    global _zygote
    if _zygote is None:
        _zygote = ZygoteClient(server)


class _ForkedKernel:
    """Enough of :class:`subprocess.Popen` for a kernel forked by the zygote."""

    stdin = stdout = stderr = None

    def __init__(self, zygote: ZygoteClient, pid: int):
        self.zygote = zygote
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self.zygote.exit_code(self.pid)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"kernel {self.pid} still running")
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class ZygoteProvisioner(LocalProvisioner):
    """A kernel provisioner that forks kernels from the worker's warm zygote.

    Falls back to the ordinary process launch when the process has no zygote (for example a
    notebook server that happens to see this kernel spec).
    """

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        if _zygote is None:
            return await super().launch_kernel(cmd, **kwargs)
        argv = list(cmd)
        # cmd is [python, -m, ipykernel_launcher, -f, <connection file>, ...]: keep the arguments.
        if "ipykernel_launcher" in argv:
            argv = argv[argv.index("ipykernel_launcher") + 1 :]
        env = {k: v for k, v in (kwargs.get("env") or {}).items() if isinstance(v, str)}
        pid = _zygote.launch(argv, env, str(kwargs.get("cwd") or os.getcwd()))
        self.process = _ForkedKernel(_zygote, pid)
        self.pid = pid
        self.pgid = pid
        self.cwd = kwargs.get("cwd", os.getcwd())
        return self.connection_info


if __name__ == "__main__":
    if sys.argv[1] == "--serve":
        _server_main(int(sys.argv[2]), int(sys.argv[3]))
    else:
        _zygote_main(Connection(int(sys.argv[1])))
