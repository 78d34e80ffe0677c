"""Planning a run: one task per report, each fingerprinted by exactly the inputs it reads.

A report whose fingerprint matches the one it was last rendered from is skipped, so a fingerprint
must change with anything the report shows and with nothing else: a client report reads its own
responses, every client's responses in the report period (for the portfolio comparison), the
notebook, the parameters, the package version and the other input files' contents.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from insights.core.periods import as_period
from insights.core.slug import slugify

#: Notebook parameters that name an input file: its content is part of every fingerprint.
FILE_PARAMETERS = ("events", "contacts", "self_assessment", "survey", "accounts")
#: Notebook parameters that name a file the run writes for the notebooks (the flags): each report's
#: fingerprint holds only its part of it (``flags`` of :func:`plan_tasks`).
RUN_FILE_PARAMETERS = ("alerts",)


@dataclass(frozen=True)
class ReportTask:
    """One notebook to execute and export."""

    key: str
    kind: str  # "client" or "portfolio"
    title: str
    client_id: str | None
    client_type: str | None
    notebook: str
    parameters: dict
    ipynb_path: str
    html_path: str
    fingerprint: str


@dataclass(frozen=True)
class RowHashes:
    """Every row's hash, computed once: any subset's part of a fingerprint is a slice of it.

    A row's hash does not depend on the other rows, so ``of(rows)`` is what hashing ``data.iloc[rows]``
    on its own would give, at a fraction of the cost for hundreds of clients.
    """

    hashes: np.ndarray
    columns: bytes

    @classmethod
    def of_frame(cls, data: pd.DataFrame) -> RowHashes:
        return cls(
            pd.util.hash_pandas_object(_hashable(data), index=False).to_numpy(),
            ",".join(map(str, data.columns)).encode(),
        )

    def of(self, rows) -> bytes:
        return self.hashes[rows].tobytes() + self.columns


def fingerprint(*parts: object) -> str:
    """A stable hash of a run's inputs.

    Parameters
    ----------
    *parts
        Bytes (rows' hashes from :class:`RowHashes`, notebook bytes) are hashed as they are; anything
        else (parameters, versions) as its key-sorted JSON.

    Returns
    -------
    str
        The SHA-256 hex digest of the parts, each followed by a NUL separator.
    """
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, bytes):
            digest.update(part)
        else:
            digest.update(json.dumps(part, sort_keys=True, default=str).encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def file_digest(path: str | Path) -> str:
    """SHA-256 of a file's bytes (of every file's name and bytes, in name order, for a folder).

    Parameters
    ----------
    path
        A file, or a folder (hashed recursively).

    Returns
    -------
    str
        The hex digest.
    """
    path = Path(path)
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(file.relative_to(path).as_posix().encode() + b"\x00")
        with open(file, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def input_digests(parameters: dict) -> dict[str, str]:
    """Content hashes of the input files named by :data:`FILE_PARAMETERS` (blank or missing ones skipped).

    Parameters
    ----------
    parameters
        A run's notebook parameters.

    Returns
    -------
    dict
        Parameter name -> :func:`file_digest` of the file it names.
    """
    found = {}
    for name in FILE_PARAMETERS:
        value = parameters.get(name)
        if value and Path(str(value)).exists():
            found[name] = file_digest(value)
    return found


def plan_tasks(
    data: pd.DataFrame,
    *,
    out_dir: Path,
    client_notebook: Path,
    portfolio_notebook: Path | None,
    clients: list[str],
    base_parameters: dict,
    version: str,
    inputs: dict | None = None,
    row_hashes: RowHashes | None = None,
    flags: dict[str, str] | None = None,
) -> list[ReportTask]:
    """One task per client plus the portfolio; each fingerprinted by the inputs it reads.

    A client report reads its own responses and, for the comparison with the portfolio, every
    client's responses in the report period; so those (with the notebook, the parameters and
    the package version) are its fingerprint.

    Parameters
    ----------
    data
        The validated responses (with ``client_id``, ``client_name``, ``client_type``, ``period``).
    out_dir
        The run's output folder: the portfolio report goes at its top, client reports in ``clients/``.
    client_notebook, portfolio_notebook
        The report notebooks (no portfolio report when ``portfolio_notebook`` is None).
    clients
        The client ids to render, in order.
    base_parameters
        Every report's parameters (``period`` among them); a client report adds its ``client_id``.
    version
        The package version (a new version renders everything again).
    inputs
        Content hashes of other files the notebooks read (:func:`input_digests`: the service events,
        contacts and self-assessment), so a changed file re-renders even when its path is the same.
    row_hashes
        ``data``'s row hashes, when the caller has them already.
    flags
        Hashes of the period's flags (:func:`insights.batch.alerts.flag_digests`): a client report's
        fingerprint holds its client's flags, the portfolio's all of them, so a report whose flags
        change (a q-value depends on every client) is rendered again.

    Returns
    -------
    list of ReportTask
        The portfolio first (when there is one), then the clients in the order given.
    """
    extra = [dict(inputs)] if inputs else []
    period = as_period(base_parameters["period"])
    rows = row_hashes or RowHashes.of_frame(data)
    period_rows = rows.of((data["period"] == period).to_numpy())
    client_ids = data["client_id"].astype(str)
    names = data.groupby(client_ids, observed=True)["client_name"].first()
    types = data.groupby(client_ids, observed=True)["client_type"].first()
    tasks: list[ReportTask] = []
    if portfolio_notebook is not None:
        parameters = dict(base_parameters)
        shown = [flags.get("", "")] if flags is not None else []
        digest = fingerprint(
            rows.of(slice(None)),
            portfolio_notebook.read_bytes(),
            _settings(parameters),
            version,
            *extra,
            *shown,
        )
        tasks.append(
            _task(
                "portfolio",
                "portfolio",
                "Portfolio",
                None,
                None,
                portfolio_notebook,
                parameters,
                out_dir,
                digest,
            )
        )
    notebook_bytes = client_notebook.read_bytes()
    positions = client_ids.groupby(client_ids, observed=True).indices
    for client_id in clients:
        parameters = {**base_parameters, "client_id": client_id}
        mine = rows.of(positions.get(client_id, []))
        shown = [flags.get(client_id, "")] if flags is not None else []
        digest = fingerprint(
            mine, period_rows, notebook_bytes, _settings(parameters), version, *extra, *shown
        )
        tasks.append(
            _task(
                slugify(client_id),
                "client",
                str(names.get(client_id, client_id)),
                client_id,
                str(types.get(client_id, "")),
                client_notebook,
                parameters,
                out_dir / "clients",
                digest,
            )
        )
    return tasks


def _settings(parameters: dict) -> dict:
    # The data snapshot's path changes with any response anywhere; the data itself is hashed
    # separately, per client, so the path is left out of the fingerprint.
    return {k: v for k, v in parameters.items() if k != "source"}


def _hashable(frame: pd.DataFrame) -> pd.DataFrame:
    # Categories and periods hash by their values, not by their codes, so a new client elsewhere
    # in the file does not change this client's fingerprint.
    return frame.astype({c: str for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])})


def _task(key, kind, title, client_id, client_type, notebook, parameters, folder, digest) -> ReportTask:
    return ReportTask(
        key=key,
        kind=kind,
        title=title,
        client_id=client_id,
        client_type=client_type,
        notebook=str(notebook),
        parameters=parameters,
        ipynb_path=str(folder / f"{key}.ipynb"),
        html_path=str(folder / f"{key}.html"),
        fingerprint=digest,
    )
