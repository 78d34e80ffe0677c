"""The package as a user gets it: a wheel, installed away from the checkout, rendering reports.

The wheel is built from a copy of the sources (setuptools writes ``build/`` and ``*.egg-info`` beside
them, and a stale ``build/lib`` would slip deleted modules into the wheel) and installed with
``pip install --no-deps --target DIR``: the third-party packages come from this interpreter's
environment, the project from DIR alone.  Every process then runs with ``PYTHONPATH=DIR`` from a folder
outside the checkout, with no user site and no current folder on the path (``PYTHONSAFEPATH``).
The environment may hold an editable install of the checkout (``make setup``): its path entry comes
after DIR, and a ``sitecustomize`` probe in DIR logs where every process (the command line, the warm
zygote the kernels are forked from, any fresh kernel) imports ``insights`` from, so the test sees
that none of them falls back to the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "insights"

PROBE = '''\
"""Written by tests/test_wheel.py: logs where each process imports insights from."""

import importlib.machinery
import os
import sys


class _WhereInsightsComesFrom:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name != "insights":
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path, target)
        with open(os.environ["INSIGHTS_WHEEL_PROBE"], "a", encoding="utf-8") as log:
            print(os.getpid(), spec and spec.origin, repr(sys.orig_argv), sep="\\t", file=log)
        return spec


if os.environ.get("INSIGHTS_WHEEL_PROBE"):
    sys.meta_path.insert(0, _WhereInsightsComesFrom)
'''


def _run(
    command: list, cwd: Path, env: dict | None = None, timeout: int = 600
) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"{' '.join(map(str, command))} exited {done.returncode}:\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("wheel")
    tree = base / "tree"
    tree.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, tree / name)
    shutil.copytree(ROOT / "src", tree / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", base / "dist", tree],
        base,
    )
    (built,) = (base / "dist").glob("client_insights-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> tuple[Path, dict]:
    """(DIR, environment): the wheel installed into DIR, and the environment that uses it alone."""
    site = tmp_path_factory.mktemp("site")
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-compile",
            "--quiet",
            "--target",
            site,
            wheel,
        ],
        site,
    )
    (site / "sitecustomize.py").write_text(PROBE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON") and k != "INSIGHTS_DEBUG"}
    env.update(
        PYTHONPATH=str(site),
        PYTHONNOUSERSITE="1",
        PYTHONSAFEPATH="1",
        INSIGHTS_WHEEL_PROBE=str(tmp_path_factory.mktemp("probe") / "imports.tsv"),
    )
    return site, env


def _shipped_files() -> set[str]:
    return {
        path.relative_to(PACKAGE.parent).as_posix()
        for path in PACKAGE.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


def test_the_wheel_holds_every_module_notebook_and_template(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        entry_points_text = archive.read(entry_points).decode()
    shipped = _shipped_files()
    assert {
        "insights/reporting/notebooks/client_report.ipynb",
        "insights/reporting/notebooks/portfolio.ipynb",
        "insights/data/default_survey.toml",
        "insights/reporting/templates/index.html.j2",
    } <= shipped
    assert sorted(shipped - names) == [], "files under src/insights missing from the wheel"
    assert "insights = insights.cli:main" in entry_points_text
    assert "insights-zygote-provisioner = insights.batch.warm:ZygoteProvisioner" in entry_points_text


def test_the_installed_package_and_its_kernel_provisioner_come_from_the_wheel(installed, tmp_path):
    site, env = installed
    code = (
        "import importlib.metadata as md, sys, insights\n"
        "ep = md.entry_points(group='jupyter_client.kernel_provisioners')['insights-zygote-provisioner']\n"
        "provisioner = ep.load()\n"
        "print(insights.__file__)\n"
        "print(ep.dist.locate_file('insights/__init__.py'))\n"
        "print(sys.modules[provisioner.__module__].__file__)\n"
        "from insights.reporting.notebooks import notebook_path\n"
        "print(notebook_path('client_report.ipynb'))\n"
    )
    lines = _run([sys.executable, "-c", code], tmp_path, env).stdout.splitlines()
    for line in lines:
        assert Path(line).resolve().is_relative_to(site.resolve()), (line, site)


def test_the_installed_wheel_renders_a_report_from_any_folder(installed, tmp_path):
    site, env = installed
    console_script = site / "bin" / "insights"
    assert console_script.exists(), sorted(p.name for p in (site / "bin").iterdir())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    sample, out = tmp_path / "sample", tmp_path / "out"
    _run([console_script, "sample", "--out", sample], tmp_path, env)
    assert (sample / "responses.csv").is_file()
    done = _run(
        [console_script, "run", sample / "responses.csv", "--out", out, "--client", "C01"], elsewhere, env
    )
    assert "1 failed" not in done.stdout + done.stderr
    assert len(list((out / "clients").glob("c01-*.html"))) == 1
    assert (out / "portfolio.html").is_file() and (out / "index.html").is_file()
    assert not list(elsewhere.iterdir()), "the run wrote into its working folder"

    log = [line.split("\t") for line in Path(env["INSIGHTS_WHEEL_PROBE"]).read_text().splitlines()]
    assert log, "the probe logged nothing: was sitecustomize imported?"
    for pid, origin, command in log:
        assert origin != "None" and Path(origin).resolve().is_relative_to(site.resolve()), (
            pid,
            origin,
            command,
        )
    kernels = [c for _, _, c in log if "insights.batch.warm" in c or "ipykernel" in c]
    assert kernels, f"no kernel or zygote process imported insights: {log}"
