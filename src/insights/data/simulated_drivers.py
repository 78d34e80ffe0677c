"""Generated portfolios for calibrating per-client key drivers: every client has its own true effects.

The drivers are rated as in :mod:`insights.data.simulated` (a client level ``N(0, 0.45)``,
client-specific driver offsets ``N(0, 0.2)``, a per-response halo ``N(0, 0.6)`` and noise
``N(0, 0.7)``, rounded to 1-5). Each client's driver effects are the sample's planted
coefficients plus a deviation ``N(0, deviation)`` per driver, and overall satisfaction is
``client level + sum(effect x rating) + N(0, noise)``, left unrounded so that the true effects
are exactly what a linear regression estimates. Each client-month has ``Poisson(per_month)``
responses.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from insights.data.sample import DRIVER_BASELINES, END_PERIOD, PLANTED_COEFFICIENTS, PLANTED_INTERCEPT

__all__ = ["simulated_driver_portfolio"]


def simulated_driver_portfolio(
    seed: int,
    *,
    clients: int = 40,
    months: int = 12,
    per_month: float = 4.0,
    deviation: float = 0.05,
    noise: float = 0.45,
    effects: Sequence[float] | None = None,
    end: str = END_PERIOD,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A portfolio whose clients each have their own true driver effects.

    Parameters
    ----------
    seed : int
        Seed of the random generator (the same seed gives the same portfolio).
    clients, months, end : int, int, str
        Size of the portfolio and its last month.
    per_month : float
        Mean responses per client and month (Poisson).
    deviation : float
        Standard deviation of each client's effects around the portfolio's (0 = one common set).
    noise : float
        Standard deviation of overall satisfaction around its mean.
    effects : sequence of float, optional
        The portfolio's effects, one per driver; default the sample's planted coefficients
        (zeros give null data).

    Returns
    -------
    (responses, truth)
        The responses (``response_id, client_id, period, overall_satisfaction`` and the driver
        columns) and the true effects: one row per client, one column per driver.

    Examples
    --------
    >>> frame, truth = simulated_driver_portfolio(1)
    >>> truth.shape
    (40, 6)
    """
    rng = np.random.default_rng(seed)
    drivers = list(PLANTED_COEFFICIENTS)
    p = len(drivers)
    ids = np.array([f"S{i + 1:02d}" for i in range(clients)])
    mean_effects = list(PLANTED_COEFFICIENTS.values()) if effects is None else list(effects)
    effects = np.array(mean_effects, dtype=float) + rng.normal(0, deviation, (clients, p))
    level = rng.normal(0, 0.45, clients)
    offsets = rng.normal(0, 0.2, (clients, p))
    sizes = rng.poisson(per_month, (clients, months))
    client = np.repeat(np.repeat(np.arange(clients), months), sizes.ravel())
    month = np.repeat(np.tile(np.arange(months), clients), sizes.ravel())
    n = len(client)
    base = np.array([DRIVER_BASELINES[d] for d in drivers])
    latent = (
        base
        + level[client, None]
        + offsets[client]
        + rng.normal(0, 0.6, n)[:, None]
        + rng.normal(0, 0.7, (n, p))
    )
    ratings = np.clip(np.rint(latent), 1, 5)
    overall = (
        PLANTED_INTERCEPT
        + level[client]
        + np.einsum("ij,ij->i", ratings, effects[client])
        + rng.normal(0, noise, n)
    )
    periods = pd.period_range(end=pd.Period(end, "M"), periods=months, freq="M")
    frame = pd.DataFrame(
        {
            "response_id": [f"R{i + 1:06d}" for i in range(n)],
            "client_id": ids[client],
            "period": periods[month],
            "overall_satisfaction": overall,
            **{name: ratings[:, j] for j, name in enumerate(drivers)},
        }
    )
    truth = pd.DataFrame(effects, index=pd.Index(ids, name="client_id"), columns=drivers)
    return frame, truth
