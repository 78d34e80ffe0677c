"""The package surface: every public name resolves, and importing it stays light."""

from __future__ import annotations

import subprocess
import sys

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
