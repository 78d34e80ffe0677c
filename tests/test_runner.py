"""The batch runner on toy notebooks: isolation, failures, slugs, escaping, incremental runs, locks."""

from __future__ import annotations

import errno
import json
import os
import re
import signal
from pathlib import Path

import nbformat
import pytest
from conftest import DATA
from filelock import FileLock

from insights.batch.runner import LOCK_FILE, STATE_FILE, RunError, run
from insights.core.atomic import atomic_path, write_text_atomic
from insights.core.slug import slugify
from insights.data.selection import SelectionError

TOY = DATA / "notebooks" / "toy_report.ipynb"
TOY_PORTFOLIO = DATA / "notebooks" / "toy_portfolio.ipynb"
HEADER = "response_id,client_id,client_name,submitted_at,overall_satisfaction,communication,responsiveness,quality,timeliness,value,expertise\n"
HOSTILE = {
    "../../x": "<script>alert(1)</script>",
    "a/b": "O'Brien & <b>Sons</b>",
    "CON": "東京 Trading",
    "BOOM": "Boom Ltd",
    "CRASH": "Crash Corp",
    "{braces}": "Braces",
}


def write_survey(path: Path, changed_client: str | None = None) -> Path:
    lines = []
    for i, (client_id, name) in enumerate(HOSTILE.items()):
        older = "5" if client_id == changed_client else "4"
        lines.append(f'R{i}a,"{client_id}","{name}",2026-01-05,4,4,4,4,4,4,{older}\n')
        lines.append(f'R{i}b,"{client_id}","{name}",2026-02-05,4,4,4,4,4,4,4\n')
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


def toy_run(source, out, **kwargs):
    options = {"client_notebook": TOY, "portfolio_notebook": TOY_PORTFOLIO, "workers": 2, "progress": False}
    return run(source, out, **{**options, **kwargs})


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("run")
    source = write_survey(base / "survey.csv")
    out = base / "out"
    return source, out, toy_run(source, out)


def test_failure_is_isolated_and_reported(first_run):
    _, out, outcome = first_run
    statuses = {r.key: r.status for r in outcome.results}
    assert statuses[slugify("BOOM")] == "failed"
    assert statuses[slugify("CRASH")] == "failed"  # a kernel killed mid-report
    assert sum(s == "ok" for s in statuses.values()) == len(HOSTILE) - 1  # 4 clients + portfolio
    errors = {r.key: r.error for r in outcome.failed}
    assert errors[slugify("BOOM")] == "ValueError: planted failure for BOOM"
    assert "DeadKernelError" in errors[slugify("CRASH")] or "died" in errors[slugify("CRASH")]
    # the failed client keeps its executed notebook, showing the error
    notebook = nbformat.read(out / "clients" / f"{slugify('BOOM')}.ipynb", as_version=4)
    errors = [
        o
        for c in notebook.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.output_type == "error"
    ]
    assert errors and errors[0]["evalue"] == "planted failure for BOOM"
    assert not (out / "clients" / f"{slugify('BOOM')}.html").exists()
    index = (out / "index.html").read_text("utf-8")
    assert "planted failure for BOOM" in index and "status-failed" in index
    assert "run finished: 5 ok, 0 unchanged, 2 failed" in (out / "run.log").read_text("utf-8")


def test_reports_are_isolated_from_each_other(first_run):
    # every toy report asserts that no global or environment variable of another report is visible;
    # had one leaked, that report would have failed
    _, _, outcome = first_run
    assert sorted(r.key for r in outcome.failed) == sorted([slugify("BOOM"), slugify("CRASH")])


def test_files_stay_inside_the_output_folder_with_unique_slugs(first_run, tmp_path):
    _, out, _ = first_run
    files = [p for p in out.rglob("*") if p.is_file()]
    assert all(out in p.resolve().parents for p in files)
    stems = {p.stem for p in (out / "clients").glob("*.ipynb")}
    assert stems == {slugify(c) for c in HOSTILE}
    for stem in stems:
        assert re.fullmatch(r"[a-z0-9-]+", stem) and ".." not in stem
    assert not any(p.name.endswith((".tmp", ".tmp.ipynb", ".tmp.html")) or ".tmp." in p.name for p in files)


def test_slugs_are_stable_unique_and_safe():
    ids = ["../../x", "a/b", "a b", "A/B", "CON", "nul", "東京", "", ".."]
    slugs = [slugify(i) for i in ids]
    assert len(set(slugs)) == len(ids)
    assert slugify("a/b") == slugify("a/b")
    for s in slugs:
        assert "/" not in s and "\\" not in s and not s.startswith(".")
        assert s.split("-")[0].upper() not in {"CON", "PRN", "AUX", "NUL"} or "-" in s


def test_untrusted_text_is_escaped(first_run):
    _, out, _ = first_run
    for page in [out / "index.html", *(out / "clients").glob("*.html")]:
        text = page.read_text("utf-8")
        assert "<script>alert(1)</script>" not in text
        assert "<b>Sons</b>" not in text
    index = (out / "index.html").read_text("utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in index
    assert "O&#39;Brien &amp; &lt;b&gt;Sons&lt;/b&gt;" in index


def test_html_is_code_free_and_self_contained(first_run):
    _, out, _ = first_run
    page = (out / "clients" / f"{slugify('CON')}.html").read_text("utf-8")
    assert "LEAKED_FROM_ANOTHER_REPORT" not in page and "import pandas" not in page  # no inputs
    assert "report-summary" not in page and "report summary for the index page" not in page  # removed cell
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+href=\"https?:", page)
    assert "responses: 2" in page


def test_unchanged_clients_are_skipped_and_changed_ones_rerun(first_run, tmp_path):
    source, out, _ = first_run
    again = toy_run(source, out)
    statuses = {r.key: r.status for r in again.results}
    assert statuses[slugify("BOOM")] == "failed"  # failures are always retried
    assert all(s == "skipped" for k, s in statuses.items() if k not in (slugify("BOOM"), slugify("CRASH")))
    # a change to one client's January row (outside the report period, February) reruns only that client
    write_survey(source, changed_client="CON")
    changed = {r.key: r.status for r in toy_run(source, out).results}
    assert changed[slugify("CON")] == "ok" and changed["portfolio"] == "ok"
    assert changed[slugify("a/b")] == "skipped"
    forced = {r.key: r.status for r in toy_run(source, out, force=True).results}
    assert forced[slugify("a/b")] == "ok"
    write_survey(source)


def test_a_second_run_on_a_locked_folder_is_refused(tmp_path):
    source = write_survey(tmp_path / "s.csv")
    out = tmp_path / "out"
    out.mkdir()
    with FileLock(str(out / LOCK_FILE)):
        with pytest.raises(RunError, match="another insights run is writing here"):
            toy_run(source, out, clients=["CON"])


def test_parameters_are_checked_before_anything_runs(tmp_path):
    source = write_survey(tmp_path / "s.csv")
    with pytest.raises(SelectionError, match="unknown client id.*NOPE"):
        toy_run(source, tmp_path / "out", clients=["NOPE"])
    with pytest.raises(SelectionError, match="no responses in period 2031-01"):
        toy_run(source, tmp_path / "out", period="2031-01")
    assert not (tmp_path / "out").exists()


def test_cli_run_reports_failures_with_exit_1(run_cli, tmp_path, monkeypatch):
    source = write_survey(tmp_path / "s.csv")
    import insights.batch.runner as runner

    original = runner.run

    def with_toys(*args, **kwargs):
        return original(
            *args, client_notebook=TOY, portfolio_notebook=TOY_PORTFOLIO, progress=False, **kwargs
        )

    monkeypatch.setattr(runner, "run", with_toys)
    code, out, err = run_cli(
        "run", source, "--out", tmp_path / "out", "--client", "BOOM", "--client", "CON", "--workers", "1"
    )
    assert code == 1
    assert "failed: " + slugify("BOOM") + ": ValueError: planted failure for BOOM" in err
    assert out.strip().endswith("index.html")
    code, _, err = run_cli("run", source, "--out", tmp_path / "out2", "--period", "2026-13")
    assert code == 1 and "not of the form YYYY-MM" in err


def test_atomic_write_keeps_the_old_file_on_a_crash(tmp_path):
    target = tmp_path / "report.html"
    write_text_atomic(target, "old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half-writ")
            raise RuntimeError("crash")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
    assert oct(target.stat().st_mode & 0o777) != "0o600"


def test_an_edited_survey_definition_renders_again(tmp_path):
    source = write_survey(tmp_path / "s.csv")
    survey = tmp_path / "survey.toml"
    drivers = "".join(
        f'{d} = "{d.title()}"\n'
        for d in ["communication", "responsiveness", "quality", "timeliness", "value", "expertise"]
    )
    survey.write_text("[drivers]\n" + drivers)
    first = toy_run(source, tmp_path / "out", clients=["CON"], survey=survey)
    assert {r.status for r in first.results} == {"ok"}
    same = toy_run(source, tmp_path / "out", clients=["CON"], survey=survey)
    assert {r.status for r in same.results} == {"skipped"}
    survey.write_text("[drivers]\n" + drivers.replace('"Quality"', '"Quality of work"'))
    edited = toy_run(source, tmp_path / "out", clients=["CON"], survey=survey)
    assert {r.status for r in edited.results} == {"ok"}


def test_a_report_kernel_answers_then_is_killed_and_reaped():
    """The one-shot kernel manager: ready without idle waits, and after an immediate shutdown the
    kernel process is gone (not a zombie, not a lingering process)."""
    import asyncio
    import os

    from insights.batch.kernel import ReportKernelClient, ReportKernelManager

    async def session():
        manager = ReportKernelManager(kernel_name="python3")
        await manager.start_kernel()
        client = manager.client()
        assert isinstance(client, ReportKernelClient)
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=60)
            reply = await client.execute_interactive(
                "import os; print(os.getpid())", timeout=60, output_hook=lambda m: outputs.append(m)
            )
            assert reply["content"]["status"] == "ok"
        finally:
            client.stop_channels()
        pid = manager.provisioner.pid
        await manager.shutdown_kernel(now=True)
        return pid, await manager.is_alive()

    outputs: list = []
    pid, alive = asyncio.run(session())
    printed = [m["content"]["text"] for m in outputs if m["msg_type"] == "stream"]
    assert printed == [f"{pid}\n"]  # the first request's output, and no start-up chatter mixed in
    assert not alive
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_the_shared_warm_kernel_server_goes_when_its_run_dies(tmp_path):
    """A local run's zygote server, and the zygote it forked for a worker, exit by themselves when
    the run's process is killed: nothing is left running."""
    import signal
    import subprocess
    import sys
    import time

    import psutil

    script = (
        "import sys, time\n"
        "from insights.batch.warm import ZygoteClient, ZygoteServer\n"
        f"server = ZygoteServer({str(tmp_path)!r})\n"
        "client = ZygoteClient(server.path)\n"
        "print(server.process.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    run = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    server = psutil.Process(int(run.stdout.readline()))
    deadline = time.monotonic() + 60
    while not server.children() and time.monotonic() < deadline:  # the worker's zygote, once warm
        time.sleep(0.1)
    forked = server.children()
    assert forked, "the server did not fork a zygote for the connected worker"
    run.send_signal(signal.SIGKILL)
    run.wait()

    def running(process: psutil.Process) -> bool:
        try:
            return process.status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False

    deadline = time.monotonic() + 30
    while any(running(p) for p in [server, *forked]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(running(p) for p in [server, *forked])


# --- runs that survive what schedulers and users do to them ------------------------------------------


def test_a_refused_run_leaves_nothing_behind(tmp_path):
    """The lock is taken before the data is read: a refused run writes no snapshot."""
    source = write_survey(tmp_path / "s.csv")
    out = tmp_path / "out"
    out.mkdir()
    with FileLock(str(out / LOCK_FILE)):
        with pytest.raises(RunError, match="another insights run is writing here"):
            toy_run(source, out)
    assert sorted(p.name for p in out.iterdir()) == [LOCK_FILE]


def test_an_unreadable_state_file_renders_everything_with_a_warning(tmp_path, capsys):
    source = write_survey(tmp_path / "s.csv")
    out = tmp_path / "out"
    assert {r.status for r in toy_run(source, out, clients=["CON"]).results} == {"ok"}
    good = (out / STATE_FILE).read_text("utf-8")
    for content in ["[1, 2, 3]", "null", '{"portfolio": ']:
        (out / STATE_FILE).write_text(content)
        capsys.readouterr()
        again = toy_run(source, out, clients=["CON"])
        assert {r.status for r in again.results} == {"ok"}, content  # nothing is known to be unchanged
        err = capsys.readouterr().err
        assert "state unreadable, rendering all" in err and "Traceback" not in err, content
        assert set(json.loads((out / STATE_FILE).read_text("utf-8"))) == {"portfolio", slugify("CON")}
    assert "state unreadable, rendering all" in (out / "run.log").read_text("utf-8")
    # one entry of the wrong shape: only that report renders again
    (out / STATE_FILE).write_text(json.dumps({**json.loads(good), "portfolio": 5}))
    statuses = {r.key: r.status for r in toy_run(source, out, clients=["CON"]).results}
    assert statuses == {"portfolio": "ok", slugify("CON"): "skipped"}
    assert "state unreadable" not in capsys.readouterr().err


def test_an_output_folder_under_a_file_is_one_error_line(run_cli, tmp_path):
    source = write_survey(tmp_path / "s.csv")
    (tmp_path / "file.txt").write_text("not a folder")
    code, out, err = run_cli("run", source, "--out", tmp_path / "file.txt" / "out")
    assert code == 1 and out == ""
    assert err == f"error: {tmp_path / 'file.txt' / 'out'}: Not a directory\n"
    code, _, err = run_cli("run", source, "--out", tmp_path / "file.txt")
    assert code == 1 and err == f"error: {tmp_path / 'file.txt'}: File exists\n"


def test_a_full_disk_stops_the_run_with_one_line_and_keeps_earlier_reports(run_cli, tmp_path, monkeypatch):
    import insights.batch.runner as runner
    import insights.batch.state as state

    source = write_survey(tmp_path / "s.csv")
    original_run, writes = runner.run, []

    def with_toys(*args, **kwargs):
        return original_run(
            *args, client_notebook=TOY, portfolio_notebook=TOY_PORTFOLIO, progress=False, **kwargs
        )

    def full_disk(target, text):
        writes.append(target)
        if len(writes) == 1:
            return write_text_atomic(target, text)
        with atomic_path(target) as tmp:  # as the disk fills while the state's temp file is written
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp))

    monkeypatch.setattr(runner, "run", with_toys)
    monkeypatch.setattr(state, "write_text_atomic", full_disk)
    out = tmp_path / "out"
    code, stdout, err = run_cli(
        "run", source, "--out", out, "--client", "CON", "--client", "a/b", "--workers", "1"
    )
    assert code == 1 and stdout == ""
    errors = [line for line in err.splitlines() if not re.match(r"\d{4}-\d\d-\d\d .* INFO ", line)]
    assert errors == [f"error: {out / STATE_FILE}: No space left on device"]
    kept = json.loads((out / STATE_FILE).read_text("utf-8"))  # the state as the first report left it
    assert len(kept) == 1
    [(key, entry)] = kept.items()
    assert entry["status"] == "ok"
    html = out / "portfolio.html" if key == "portfolio" else out / "clients" / f"{key}.html"
    assert html.exists()
    assert not [p for p in out.rglob("*") if ".tmp." in p.name]


def test_control_characters_in_client_ids_stay_on_their_log_line(tmp_path):
    from insights.batch.progress import attach_logs, detach_logs, report_progress
    from insights.batch.results import ReportResult
    from insights.batch.tasks import ReportTask

    forged = "EVIL\n2026-01-01 00:00:00,000 INFO [9/9] C99 rendered in 1.0s\x1b[2K"
    task = ReportTask("evil", "client", "Evil", forged, "", "nb", {}, "a.ipynb", "a.html", "f")
    handlers = attach_logs(tmp_path, plain_lines=False)
    try:
        list(
            report_progress([(task, ReportResult("evil", "failed", 1.0, "ValueError: bad\rworse"))], 1, False)
        )
    finally:
        detach_logs(handlers)
    [line] = (tmp_path / "run.log").read_text("utf-8").splitlines()
    assert "EVIL\\n2026-01-01" in line and "\\x1b[2K" in line and "ValueError: bad\\rworse" in line
    assert "\x1b" not in line and "\r" not in line


def _slow_toy(folder: Path, marker: Path) -> Path:
    """The toy report, but clients named SLOW… take minutes while ``marker`` exists."""
    notebook = nbformat.read(TOY, as_version=4)
    slow = f"import os, time\nif client_id.startswith('SLOW') and os.path.exists({str(marker)!r}):\n    time.sleep(300)"
    notebook.cells.insert(2, nbformat.v4.new_code_cell(slow))
    path = folder / "slow_toy.ipynb"
    nbformat.write(notebook, path)
    return path


def _read_state(out: Path) -> dict:
    try:
        return json.loads((out / STATE_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def test_a_killed_run_keeps_what_it_finished_and_the_next_run_skips_it(tmp_path):
    """State is written as reports finish: SIGKILL mid-run loses nothing that was done; the next
    run skips it, and sweeps away the temp files the killed run was writing."""
    import subprocess
    import sys
    import time

    source = tmp_path / "s.csv"
    source.write_text(
        HEADER
        + "".join(
            f"R{i}{m},{c},{c} Ltd,2026-0{m}-05,4,4,4,4,4,4,4\n"
            for i, c in enumerate(["FAST1", "FAST2", "SLOW1", "SLOW2"])
            for m in (1, 2)
        )
    )
    marker = tmp_path / "slow"
    marker.touch()
    notebook = _slow_toy(tmp_path, marker)
    out = tmp_path / "out"
    script = (
        "from pathlib import Path\n"
        "from insights.batch.runner import run\n"
        f"run({str(source)!r}, {str(out)!r}, client_notebook=Path({str(notebook)!r}),"
        f" portfolio_notebook=Path({str(TOY_PORTFOLIO)!r}), workers=2, progress=False)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script], stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 240
        while len(_read_state(out)) < 3 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
        done = _read_state(out)
        assert set(done) == {"portfolio", slugify("FAST1"), slugify("FAST2")}
        time.sleep(1)  # the slow reports are well under way: their notebooks' temp files exist
    finally:
        process.kill()
        process.wait()
    assert [p for p in (out / "clients").iterdir() if ".tmp." in p.name]
    marker.unlink()
    again = toy_run(source, out, client_notebook=notebook)
    statuses = {r.key: r.status for r in again.results}
    assert statuses == {
        "portfolio": "skipped",
        slugify("FAST1"): "skipped",
        slugify("FAST2"): "skipped",
        slugify("SLOW1"): "ok",
        slugify("SLOW2"): "ok",
    }
    assert not [p for p in out.rglob("*") if ".tmp." in p.name]


@pytest.mark.parametrize(
    "signum, to_group",
    [
        (signal.SIGTERM, False),  # what a scheduler sends
        (signal.SIGKILL, False),  # what a scheduler sends when SIGTERM was not enough
        (signal.SIGINT, False),
        (signal.SIGINT, True),  # Ctrl-C: the terminal sends SIGINT to the whole process group
    ],
    ids=["sigterm", "sigkill", "sigint", "ctrl-c"],
)
def test_a_signalled_run_stops_at_once_and_leaves_nothing_running(tmp_path, sample_csv, signum, to_group):
    """``insights run`` on the sample data, signalled once a report is done: its process tree goes
    with it, nothing is written into --out after it exited, and (unless killed) it records what
    finished and says so in one line."""
    import subprocess
    import sys
    import time

    import psutil

    out = tmp_path / "out"
    clients = ["C01", "C02", "C03", "C04", "C05"]
    command = [
        sys.executable,
        "-m",
        "insights.cli",
        "run",
        str(sample_csv),
        "--out",
        str(out),
        "--workers",
        "2",
    ]
    process = subprocess.Popen(
        command + [a for c in clients for a in ("--client", c)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a shell gives a command
    )
    try:
        deadline = time.monotonic() + 300
        while not _read_state(out) and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
        assert _read_state(out), process.communicate()[1]  # a report is done, and the run knows it
        tree = psutil.Process(process.pid).children(recursive=True)
        assert tree
        if to_group:
            os.killpg(process.pid, signum)
        else:
            process.send_signal(signum)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    files = _files(out)
    deadline = time.monotonic() + 15
    while [p for p in tree if _running(p)] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [p.pid for p in tree if _running(p)] == []
    time.sleep(2)
    assert _files(out) == files  # nothing written after the run exited
    if signum == signal.SIGKILL:
        assert process.returncode == -signal.SIGKILL
        return
    assert process.returncode == 128 + signum
    assert "Traceback" not in err and "Debugger warning" not in err
    lines = [line for line in err.splitlines() if line.startswith("interrupted:")]
    assert len(lines) == 1 and err.splitlines()[-1] == lines[0]
    rendered, not_started = map(
        int,
        re.fullmatch(
            r"interrupted: (\d+) rendered, (\d+) not started; run again to finish", lines[0]
        ).groups(),
    )
    assert rendered >= 1 and not_started >= 1 and rendered + not_started == len(clients) + 1
    state = json.loads((out / STATE_FILE).read_text("utf-8"))
    assert len(state) == rendered and {e["status"] for e in state.values()} == {"ok"}
    index = (out / "index.html").read_text("utf-8")
    assert f"{rendered} ok, 0 unchanged, 0 failed" in index
    # no placeholder notebook for a report that never ran, no half-written file
    notebooks = {p.stem for p in out.rglob("*.ipynb")}
    assert notebooks == {p.stem for p in out.rglob("*.html") if p.name != "index.html"}
    assert not [p for p in out.rglob("*") if ".tmp." in p.name]


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


def _running(process) -> bool:
    import psutil

    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
