"""Parquet files (typed columns, read as they are)."""

from __future__ import annotations

from pathlib import Path

from insights.core.errors import SurveyDataError
from insights.data.sources.base import RawData

SUFFIXES = (".parquet", ".pq")


def read_parquet(path: Path, name: str) -> RawData:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise SurveyDataError(f"not a readable Parquet file ({exc})", source=name) from None
    return RawData.of(table.to_pandas(), name, kind="parquet")
