"""The report notebooks, shipped as package data so an installed wheel renders reports from any folder."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

CLIENT_REPORT = "client_report.ipynb"
PORTFOLIO = "portfolio.ipynb"


def notebook_path(name: str) -> Path:
    """The file system path of one of the shipped notebooks (papermill reads it by path)."""
    path = resources.files(__name__).joinpath(name)
    if not path.is_file():
        raise FileNotFoundError(f"no report notebook named {name!r} is shipped with client-insights")
    return Path(str(path))
