"""Where things live, anchored to the project root (never to the current directory)."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# In a source checkout (editable install) the project root is two levels above the package.
_candidate_root = PACKAGE_DIR.parents[1]
PROJECT_ROOT: Path | None = _candidate_root if (_candidate_root / "pyproject.toml").is_file() else None


def project_path(*parts: str) -> Path:
    """A path inside the project checkout; a clear error when the package runs outside one."""
    if PROJECT_ROOT is None:
        raise FileNotFoundError(
            "client-insights is not running from a project checkout; pass explicit paths instead"
        )
    return PROJECT_ROOT.joinpath(*parts)


def sample_dir() -> Path:
    return project_path("data", "sample")


def notebooks_dir() -> Path:
    return project_path("notebooks")
