"""The package surface: every public name resolves, where users and the notebooks reach for it;
importing it stays light; the entry points load; usage errors read like usage errors."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import insights


def test_every_public_name_resolves_and_is_listed():
    for name in insights.__all__:
        assert getattr(insights, name) is not None, name
        assert name in dir(insights)
    assert insights.headline is insights.stats.metrics.summary
    assert insights.stats.drivers.key_drivers is insights.key_drivers


def test_importing_the_package_leaves_the_statistics_stack_for_later():
    """The command line and the report workers only load and validate: scipy, statsmodels and
    duckdb wait until an analysis asks for them."""
    code = (
        "import sys, insights\n"
        "heavy = [m for m in ('scipy', 'statsmodels', 'duckdb') if m in sys.modules]\n"
        "insights.nps\n"
        "print(heavy, 'scipy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[] True"


# --- the names the notebooks and the entry points use ----------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "src" / "insights" / "reporting" / "notebooks").glob("*.ipynb")) + sorted(
    (ROOT / "notebooks").glob("*.ipynb")
)


def _code(notebook: Path) -> ast.Module:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    lines = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code").splitlines()
    return ast.parse("\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in lines))


def _used_names(tree: ast.Module) -> list[tuple[str, str]]:
    """(module, name) for every name of the package a notebook imports or reads off an imported
    module: ``from insights.reporting import report`` then ``report.client_report(...)`` gives
    ("insights.reporting.report", "client_report")."""
    modules: dict[str, str] = {}  # local name -> module
    used = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "insights":
                    modules[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "insights":
            for alias in node.names:
                used.append((node.module, alias.name))
                submodule = f"{node.module}.{alias.name}"
                if importlib.util.find_spec(node.module) and _is_module(submodule):
                    modules[alias.asname or alias.name] = submodule
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules:
            used.append((modules[node.value.id], node.attr))
    return used


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def _unresolved(used: list[tuple[str, str]]) -> list[str]:
    missing = []
    for module, name in sorted(set(used)):
        try:  # as `from module import name` does: an attribute, else a submodule
            parent = importlib.import_module(module)
            if not hasattr(parent, name):
                importlib.import_module(f"{module}.{name}")
        except ImportError as exc:
            missing.append(f"{module}.{name}: {exc}")
    return missing


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.name)
def test_every_name_a_notebook_uses_resolves(notebook):
    """The report notebooks run in kernels, the analyst's notebook in JupyterLab: a module moved or a
    function renamed under them fails here, not in the middle of a report run."""
    missing = _unresolved(_used_names(_code(notebook)))
    assert not missing, f"{notebook.name} uses names that do not resolve:\n  " + "\n  ".join(missing)


def test_the_notebook_check_sees_a_missing_name():
    tree = ast.parse(
        "import insights\nfrom insights.reporting import report\nfrom insights.stats.metrics import nps\n"
        "report.no_such_section(insights.no_such_name)\n"
    )
    used = _used_names(tree)
    assert ("insights.reporting.report", "no_such_section") in used and (
        "insights.stats.metrics",
        "nps",
    ) in used
    assert [line.split(":")[0] for line in _unresolved(used)] == [
        "insights.no_such_name",
        "insights.reporting.report.no_such_section",
    ]


def test_the_entry_points_load():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    targets = [*project["scripts"].values()]
    for group in project["entry-points"].values():
        targets += group.values()
    assert "insights.cli:main" in targets and "insights.batch.warm:ZygoteProvisioner" in targets
    for target in targets:
        module, _, attribute = target.partition(":")
        assert getattr(importlib.import_module(module), attribute), target


# --- the command line's usage errors -----------------------------------------------------------------

USAGE_ERRORS = [
    (["metrics", "--bogus"], "metrics", "Error: No such option: --bogus"),
    (["metrics"], "metrics", "Error: Missing argument 'source'."),
    (
        ["metrics", "data.csv", "--format", "xml"],
        "metrics",
        "Error: Invalid value for --format: 'xml' is not",
    ),
    (["bogus"], "", "Error: No such command 'bogus'."),
]


def _assert_usage_error(code: int, out: str, err: str, command: str, error: str) -> None:
    """Exit 2 with the usage line, the help hint and the error, as click prints them; no traceback and
    not the 'unexpected error' line meant for bugs."""
    prog = f"insights {command}".strip()
    lines = err.splitlines()
    assert code == 2, err
    assert out == ""
    assert lines[0].startswith(f"Usage: {prog} [OPTIONS]"), err
    assert lines[1] == f"Try '{prog} --help' for help.", err
    assert lines[-1].startswith(error), err
    assert "unexpected error" not in err and "Traceback" not in err


@pytest.mark.parametrize("args, command, error", USAGE_ERRORS)
def test_a_usage_error_shows_usage_hint_and_error_in_process(run_cli, args, command, error):
    _assert_usage_error(*run_cli(*args), command, error)


@pytest.mark.parametrize("args, command, error", USAGE_ERRORS[:2])
def test_a_usage_error_shows_usage_hint_and_error_from_the_shell(args, command, error):
    src = str(Path(insights.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")]))}
    done = subprocess.run(
        [sys.executable, "-m", "insights.cli", *args], capture_output=True, text=True, env=env, timeout=120
    )
    _assert_usage_error(done.returncode, done.stdout, done.stderr, command, error)


def test_a_bare_insights_prints_the_help_once_and_exits_2(run_cli):
    code, out, err = run_cli()
    assert code == 2
    assert "Usage: insights" in out + err and "metrics" in out + err
    assert "unexpected error" not in err and "Error:" not in err


def test_help_exits_0(run_cli):
    code, out, _ = run_cli("metrics", "--help")
    assert code == 0 and "--client" in out
