"""The run's data snapshot: the validated responses as Parquet, which every report notebook reads."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from insights.batch.tasks import RowHashes, fingerprint
from insights.core.atomic import atomic_path


def write_snapshot(data: pd.DataFrame, out_dir: Path, row_hashes: RowHashes | None = None) -> Path:
    """Write the validated responses as Parquet under ``out_dir/data``, named by their content.

    Kernels read the snapshot instead of parsing the source again, a database is queried once,
    and no connection string (with its credentials) lands in a notebook's parameters.

    Parameters
    ----------
    data
        The validated responses.
    out_dir
        The run's output folder.
    row_hashes
        ``data``'s row hashes, when the caller has them already.

    Returns
    -------
    Path
        ``out_dir/data/responses-<hash>.parquet`` (written only when not there already).
    """
    digest = fingerprint((row_hashes or RowHashes.of_frame(data)).of(slice(None)))[:16]
    target = out_dir / "data" / f"responses-{digest}.parquet"
    if not target.exists():
        frame = data.copy()
        frame.attrs = {}
        with atomic_path(target) as tmp:
            frame.to_parquet(tmp, index=False)
    return target
