"""The package's shape, read from its source with ``ast`` (nothing is imported).

* Layers import only downwards: ``core < data < stats < reporting < batch < cli``.  The package's
  ``__init__`` is the public facade between ``stats`` and ``reporting``: it may import ``core``,
  ``data`` and ``stats`` (``stats`` only on first use, inside functions), and only ``reporting`` and
  above may import it (``from insights import __version__``, package metadata, is fine anywhere).
* No import cycles between modules (imports inside functions count; ``TYPE_CHECKING`` ones do not).
* ``stats`` holds pure functions on data frames: no file reading or writing, no plotting.
* ``reporting`` lays results out: it computes no test statistics (no ``scipy.stats``, no statsmodels).
* Every third-party package the code imports is declared in ``pyproject.toml`` (those of the tests
  and benchmarks there or in the ``test`` extra); imports guarded by ``except ImportError`` are optional.

The report notebooks shipped in ``insights/reporting/notebooks`` are part of the reporting layer.
docs/architecture.md describes the layers.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import re
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PACKAGE = SRC / "insights"
NOTEBOOKS = PACKAGE / "reporting" / "notebooks"

#: Rank of each layer: a module may import its own layer and lower ones.
RANK = {"core": 0, "data": 1, "stats": 2, "facade": 3, "reporting": 4, "batch": 5, "cli": 6}

#: What a statistics module may not import: file readers and writers, and plotting.
STATS_FORBIDDEN = (
    "insights.data.read",
    "insights.data.load",
    "insights.data.sources",
    "insights.data.store",
    "matplotlib",
    "seaborn",
    "duckdb",
)
#: Calls that read or write files (a method of that name on anything counts; `open` also as a builtin).
FILE_CALLS = {
    "open",
    "read_text",
    "write_text",
    "read_bytes",
    "write_bytes",
    "read_csv",
    "read_table",
    "read_parquet",
    "read_excel",
    "read_spss",
    "read_sql",
    "to_csv",
    "to_parquet",
    "to_excel",
    "savefig",
    "mkdir",
    "unlink",
}
#: What a reporting module may not import: the test statistics belong in stats.
REPORTING_FORBIDDEN = ("scipy.stats", "statsmodels")


@dataclass(frozen=True)
class Import:
    """One imported module, as seen from the module that imports it."""

    source: str  # the importing module ("insights.stats.people", or a notebook's path)
    target: str  # the imported module, resolved to a module of the package where it is one
    names: tuple[str, ...]  # for `from target import a, b`: the names; else ()
    where: str  # "src/insights/stats/people.py:83"
    lazy: bool  # inside a function
    type_only: bool  # under `if TYPE_CHECKING:`
    optional: bool  # inside a `try` that catches ImportError

    def __str__(self) -> str:
        what = f"from {self.target} import {', '.join(self.names)}" if self.names else f"import {self.target}"
        return f"{self.where}: {self.source} -> {what}"


# --- reading the source ------------------------------------------------------------------------------


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def python_modules() -> dict[str, Path]:
    """Every module of the package: dotted name -> file."""
    return {
        module_name(path): path for path in sorted(PACKAGE.rglob("*.py")) if "__pycache__" not in path.parts
    }


def notebook_source(path: Path) -> str:
    """A notebook's code cells as one Python text (IPython magics and shell lines blanked out, so
    line numbers still count cell lines)."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]
    lines = "\n".join(code).splitlines()
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in lines)


MODULES = python_modules()
REPORT_NOTEBOOKS = sorted(NOTEBOOKS.glob("*.ipynb"))


def resolve(target: str) -> str:
    """``insights.stats.metrics.summary`` -> ``insights.stats.metrics``: the longest prefix that is a
    module of the package, short of the facade (``insights.stats``, a folder without ``__init__``,
    stays itself); other targets stay as they are."""
    parts = target.split(".")
    for end in range(len(parts), 1, -1):
        candidate = ".".join(parts[:end])
        if candidate in MODULES:
            return candidate
    return target


class _ImportCollector(ast.NodeVisitor):
    def __init__(self, source: str, package: str, file: str) -> None:
        self.source, self.package, self.file = source, package, file
        self.found: list[Import] = []
        self._functions = self._type_checking = self._guarded = 0

    def _absolute(self, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        base = self.package.split(".")
        base = base[: len(base) - (node.level - 1)]
        return ".".join(base + ([node.module] if node.module else []))

    def _add(self, target: str, names: tuple[str, ...], node: ast.stmt) -> None:
        self.found.append(
            Import(
                source=self.source,
                target=target,
                names=names,
                where=f"{self.file}:{node.lineno}",
                lazy=self._functions > 0,
                type_only=self._type_checking > 0,
                optional=self._guarded > 0,
            )
        )

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(resolve(alias.name), (), node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = self._absolute(node)
        names = []
        for alias in node.names:
            if f"{module}.{alias.name}" in MODULES:  # `from insights.stats import metrics`: a module
                self._add(f"{module}.{alias.name}", (), node)
            else:
                names.append(alias.name)
        if names:
            self._add(resolve(module), tuple(names), node)

    def _visit_function(self, node) -> None:
        self._functions += 1
        self.generic_visit(node)
        self._functions -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = _visit_function

    def visit_If(self, node: ast.If) -> None:
        test = ast.unparse(node.test)
        if test in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            self._type_checking += 1
            for child in node.body:
                self.visit(child)
            self._type_checking -= 1
            for child in node.orelse:
                self.visit(child)
        else:
            self.generic_visit(node)

    def visit_Try(self, node: ast.Try) -> None:
        guarded = any(_catches_import_error(handler) for handler in node.handlers)
        self._guarded += guarded
        for child in node.body:
            self.visit(child)
        self._guarded -= guarded
        for child in (*node.handlers, *node.orelse, *node.finalbody):
            self.visit(child)


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    caught = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(
        isinstance(name, ast.Name) and name.id in ("ImportError", "ModuleNotFoundError") for name in caught
    )


def imports_of(source: str, text: str, file: Path, package: str) -> list[Import]:
    collector = _ImportCollector(source, package, str(file.relative_to(ROOT)))
    collector.visit(ast.parse(text, filename=str(file)))
    return collector.found


def module_imports() -> list[Import]:
    found = []
    for name, path in MODULES.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found += imports_of(name, path.read_text(encoding="utf-8"), path, package)
    return found


def notebook_imports() -> list[Import]:
    found = []
    for path in REPORT_NOTEBOOKS:
        source = str(path.relative_to(SRC))
        found += imports_of(source, notebook_source(path), path, "insights.reporting.notebooks")
    return found


IMPORTS = module_imports()
NOTEBOOK_IMPORTS = notebook_imports()


def layer_of(module: str) -> str | None:
    """``insights.stats.metrics`` -> ``stats``; a report notebook is ``reporting``; None outside the layers."""
    if module.endswith(".ipynb"):
        return "reporting"
    if module == "insights":
        return "facade"
    parts = module.split(".")
    if parts[0] != "insights":
        return None
    if parts[1] == "cli":
        return "cli"
    return parts[1] if parts[1] in RANK and parts[1] != "facade" else None


def internal(imports: list[Import]) -> Iterator[Import]:
    return (i for i in imports if i.target == "insights" or i.target.startswith("insights."))


def matches(target: str, prefixes: tuple[str, ...]) -> bool:
    return any(target == prefix or target.startswith(prefix + ".") for prefix in prefixes)


def _fail(title: str, problems: list[str]) -> None:
    if problems:
        pytest.fail(f"{title} ({len(problems)}):\n  " + "\n  ".join(problems), pytrace=False)


# --- the layers ---------------------------------------------------------------------------------------


def test_the_collector_sees_the_imports_it_should():
    """The checks below are only as good as the import collector: pin it on known cases."""
    text = (
        "from __future__ import annotations\n"
        "from typing import TYPE_CHECKING\n"
        "from insights.core import errors\n"
        "from . import slug\n"
        "import numpy as np\n"
        "if TYPE_CHECKING:\n"
        "    from insights.data.survey import SurveyDefinition\n"
        "try:\n"
        "    import click\n"
        "except ImportError:\n"
        "    click = None\n"
        "def f():\n"
        "    from scipy import stats\n"
    )
    found = {i.target: i for i in imports_of("insights.core.x", text, PACKAGE / "x.py", "insights.core")}
    assert "insights.core.errors" in found and "insights.core.slug" in found
    assert found["numpy"].lazy is False and found["scipy"].lazy is True and found["scipy"].names == ("stats",)
    assert found["insights.data.survey"].type_only is True
    assert found["click"].optional is True and found["numpy"].optional is False
    assert layer_of("insights.stats.drivers.analysis") == "stats" and layer_of("insights") == "facade"
    assert layer_of("insights.cli") == "cli" and layer_of("insights.util") is None
    reads = (
        "def f(path):\n    with open(path) as f:\n        pd.read_csv(f)\n    return Path(path).read_text()\n"
    )
    assert [call for _, call in file_calls(ast.parse(reads))] == [
        "open",
        "pd.read_csv",
        "Path(path).read_text",
    ]
    # the shipped notebooks are read too
    assert REPORT_NOTEBOOKS and any(i.target == "insights.reporting.plots" for i in NOTEBOOK_IMPORTS)


def test_every_module_belongs_to_a_layer():
    assert MODULES, f"no modules found under {PACKAGE}"
    strays = [f"{path.relative_to(ROOT)}" for name, path in MODULES.items() if layer_of(name) is None]
    _fail("modules outside core/data/stats/reporting/batch and cli.py", strays)


def test_layers_import_only_downwards():
    problems = []
    for imp in internal(IMPORTS + NOTEBOOK_IMPORTS):
        source_layer, target_layer = layer_of(imp.source), layer_of(imp.target)
        if source_layer is None or target_layer is None:
            continue
        if target_layer == "facade" and all(name.startswith("__") for name in imp.names) and imp.names:
            continue  # package metadata (`__version__`), not the facade's API
        if RANK[target_layer] > RANK[source_layer]:
            problems.append(f"{imp}  ({source_layer} may not import {target_layer})")
        elif source_layer == "facade" and target_layer == "stats" and not (imp.lazy or imp.type_only):
            problems.append(
                f"{imp}  (the facade loads stats on first use only: `import insights` stays light)"
            )
    _fail("imports against the layer order core < data < stats < facade < reporting < batch < cli", problems)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each as a sorted list."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph.get(node, ())):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles_between_modules():
    graph: dict[str, set[str]] = {}
    edges: dict[tuple[str, str], Import] = {}
    for imp in internal(IMPORTS):
        if imp.type_only or imp.target not in MODULES or imp.target == imp.source:
            continue
        graph.setdefault(imp.source, set()).add(imp.target)
        edges.setdefault((imp.source, imp.target), imp)
    problems = []
    for component in _cycles(graph):
        members = set(component)
        links = [str(imp) for (a, b), imp in sorted(edges.items()) if a in members and b in members]
        problems.append(" <-> ".join(component) + ":\n    " + "\n    ".join(links))
    _fail("import cycles", problems)


def test_the_cycle_finder_finds_cycles():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def file_calls(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, callee) of every call in ``tree`` that reads or writes a file (see FILE_CALLS)."""
    calls = sorted(
        (node for node in ast.walk(tree) if isinstance(node, ast.Call)),
        key=lambda c: (c.lineno, c.col_offset),
    )
    for call in calls:
        func = call.func
        name = getattr(func, "attr", None) or getattr(func, "id", None)
        if name in FILE_CALLS:
            yield call.lineno, ast.unparse(func)


def _stats_modules() -> dict[str, Path]:
    return {name: path for name, path in MODULES.items() if layer_of(name) == "stats"}


def test_statistics_neither_read_files_nor_draw():
    """stats: pure functions on data frames; the data layer reads, the reporting layer draws."""
    stats = _stats_modules()
    assert stats, "no stats modules found"
    problems = [
        f"{imp}  (stats may not import {imp.target})"
        for imp in IMPORTS
        if imp.source in stats and matches(imp.target, STATS_FORBIDDEN)
    ]
    for name, path in stats.items():
        for line, call in file_calls(ast.parse(path.read_text(encoding="utf-8"))):
            problems.append(
                f"{path.relative_to(ROOT)}:{line}: {name} calls {call}() (file access belongs in data)"
            )
    _fail("file access or plotting in the stats layer", problems)


def test_reporting_computes_no_test_statistics():
    """reporting lays out what stats computed: no scipy.stats, no statsmodels (modules and notebooks)."""
    problems = []
    for imp in IMPORTS + NOTEBOOK_IMPORTS:
        if layer_of(imp.source) != "reporting":
            continue
        targets = [imp.target] + [f"{imp.target}.{name}" for name in imp.names]
        if any(matches(target, REPORTING_FORBIDDEN) for target in targets):
            problems.append(f"{imp}  (statistics belong in insights.stats)")
    _fail("test statistics computed in the reporting layer", problems)


# --- declared dependencies ----------------------------------------------------------------------------


def _normalise(distribution: str) -> str:
    return re.sub(r"[-_.]+", "-", distribution).lower()


def _declared(*extras: str) -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    return {_normalise(re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", r.strip()).group()) for r in requirements}


def _third_party(imports: list[Import], local: set[str]) -> dict[str, list[Import]]:
    """Top-level import name -> where it is imported, for imports that are neither the standard
    library, the project's own modules, nor optional (inside a `try` that catches ImportError)."""
    found: dict[str, list[Import]] = {}
    for imp in imports:
        top = imp.target.split(".")[0]
        if imp.optional or not top or top in sys.stdlib_module_names or top == "__future__" or top in local:
            continue
        found.setdefault(top, []).append(imp)
    return found


def _undeclared(imports: dict[str, list[Import]], declared: set[str]) -> list[str]:
    distributions = importlib.metadata.packages_distributions()
    problems = []
    for top, where in sorted(imports.items()):
        candidates = {_normalise(d) for d in distributions.get(top, [])}
        if not candidates:
            problems.append(
                f"{top} (imported at {where[0].where}) is not installed: which distribution is it?"
            )
        elif not candidates & declared:
            problems.append(
                f"{top} (imported at {where[0].where}) comes from {' or '.join(sorted(candidates))}"
            )
    return problems


def test_every_third_party_import_of_the_package_is_declared():
    imports = _third_party(IMPORTS + NOTEBOOK_IMPORTS, local={"insights"})
    assert {"pandas", "numpy"} <= set(imports)
    _fail("imported but not in pyproject's [project] dependencies", _undeclared(imports, _declared()))


def test_every_third_party_import_of_the_tests_is_declared():
    local = {"insights", "conftest", *(p.stem for p in (ROOT / "tests").glob("*.py"))}
    found: list[Import] = []
    for folder in ("tests", "benchmarks"):
        for path in sorted((ROOT / folder).glob("*.py")):
            found += imports_of(path.stem, path.read_text(encoding="utf-8"), path, "")
    imports = _third_party(found, local=local)
    _fail(
        "imported by tests or benchmarks but in neither [project] dependencies nor the test extra",
        _undeclared(imports, _declared("test")),
    )
