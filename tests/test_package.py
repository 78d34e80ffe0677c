"""The package surface: every public name resolves, and importing it stays light."""

from __future__ import annotations

import os
import subprocess
import sys
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
