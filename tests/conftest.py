"""Shared fixtures, and the markers that let ``make test-fast`` leave out the slow tests.

Markers (registered in pyproject.toml):

* ``notebook``: renders notebooks (papermill, nbclient, nbval, the report runner);
* ``browser``: opens reports in headless Chromium;
* ``cluster``: starts a Dask cluster;
* ``slow``: takes many seconds; every ``notebook``, ``browser`` and ``cluster`` test is also ``slow``.

Tests are marked here, from the outside, so the test files stay as they are: by the fixtures they use,
by module, or by name (the lists below).  The lists err on the safe side: in a module whose tests
render notebooks, a new test counts as rendering until it is named in QUICK_TESTS; elsewhere a
renamed rendering test runs in ``make test-fast`` (which slows it) until it is listed again.  A test
file may also mark its own tests (``pytestmark = pytest.mark.slow``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
SAMPLE_CSV = ROOT / "data" / "sample" / "responses.csv"

#: Module-scoped fixtures that render reports: every test using one renders notebooks.
NOTEBOOK_FIXTURES = {"sample_run", "first_run", "rendered"}
#: Modules whose tests render notebooks (the report runner's), all but their QUICK_TESTS.
NOTEBOOK_MODULES = {"test_reports.py", "test_runner.py"}
QUICK_TESTS = {
    "test_runner.py": {
        "test_slugs_are_stable_unique_and_safe",
        "test_parameters_are_checked_before_anything_runs",
        "test_atomic_write_keeps_the_old_file_on_a_crash",
    },
}
#: Tests elsewhere that render notebooks themselves, by module.
NOTEBOOK_TESTS = {
    "test_plots.py": {"test_a_chart_shows_once_as_laid_out_and_not_after_a_semicolon"},
    "test_service.py": {"test_client_report_notebook_renders_the_section"},
    "test_alerts.py": {"test_a_run_writes_its_flags_once_and_every_page_shows_them"},
}
#: Slow for other reasons: generating the whole sample several times over, or thousands of simulated
#: tests (the calibration of the flags; `make test` runs them).
SLOW_TESTS = {
    "test_alerts.py": {
        "test_every_change_test_keeps_its_size_in_small_cells",
        "test_planted_one_point_falls_are_found",
    },
    "test_sample.py": {"test_sample_is_seeded", "test_bundled_copy_matches_the_generator"},
    "test_service.py": {"test_sample_events_are_valid_and_match_the_generator"},
}
BROWSER_TESTS = {"test_reports.py": {"test_index_and_a_report_open_in_headless_chromium"}}
#: Modules whose every test runs on a Dask cluster.
CLUSTER_MODULES = {"test_dask.py"}


def _marks_for(item: pytest.Item) -> set[str]:
    path = Path(item.path)
    if path.suffix == ".ipynb":  # nbval: every cell of an executed notebook
        return {"notebook"}
    name = getattr(item, "originalname", None) or item.name
    marks = set()
    in_notebook_module = path.name in NOTEBOOK_MODULES and name not in QUICK_TESTS.get(path.name, ())
    uses_a_rendering_fixture = bool(NOTEBOOK_FIXTURES & set(getattr(item, "fixturenames", ())))
    if in_notebook_module or uses_a_rendering_fixture or name in NOTEBOOK_TESTS.get(path.name, ()):
        marks.add("notebook")
    if name in SLOW_TESTS.get(path.name, ()):
        marks.add("slow")
    if name in BROWSER_TESTS.get(path.name, ()):
        marks.add("browser")
    if path.name in CLUSTER_MODULES:
        marks.add("cluster")
    return marks


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        added = _marks_for(item)
        for name in sorted(added):
            item.add_marker(getattr(pytest.mark, name))
        marks = added | {mark.name for mark in item.iter_markers()}
        if marks & {"notebook", "browser", "cluster"} and "slow" not in marks:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def sample_csv() -> Path:
    return SAMPLE_CSV


@pytest.fixture(scope="session")
def sample_df():
    import insights

    return insights.load(SAMPLE_CSV, warn=False)


@pytest.fixture
def run_cli(capsys):
    """Run the command line in-process; return (exit code, stdout, stderr)."""
    from insights.cli import main

    def run(*args: str):
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run
