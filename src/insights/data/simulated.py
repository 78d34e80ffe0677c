"""Generated portfolios for calibrating the flags: stationary clients, and clients whose satisfaction falls.

The model is the sample's (:mod:`insights.data.sample`) without its movers and service effects:
driver ratings from a client level ``N(0, 0.45)``, client-specific driver offsets ``N(0, 0.2)``,
the internal clients' uplift, a per-response halo ``N(0, 0.6)`` and noise ``N(0, 0.7)``, rounded to
1-5; overall satisfaction ``0.40 + sum(coefficient x driver) + N(0, 0.45)`` on the latent scale,
rounded; likelihood to recommend ``2.4 x latent overall - 1.2 + N(0, 1)``, rounded to 0-10 (8%
blank); 4% of driver answers blank.  Every client has ``contacts`` people; each month a cell of
``min_cell`` to ``max_cell`` of them (uniform) answers once.  Nothing changes from month to month
except, with ``falls``, the first ``falls`` clients' latent overall satisfaction (and so their
likelihood to recommend) drops by ``fall`` points in the last month.

Vectorised: a portfolio of 40 clients and 12 months (about 2,600 responses) takes a few
milliseconds, so the simulation tests can afford many.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from insights.data.sample import (
    DRIVER_BASELINES,
    END_PERIOD,
    INTERNAL_UPLIFT,
    PLANTED_COEFFICIENTS,
    PLANTED_INTERCEPT,
    PLANTED_NOISE_SD,
    ROLES,
)

__all__ = ["simulated_portfolio"]


def simulated_portfolio(
    seed: int,
    *,
    clients: int = 40,
    months: int = 12,
    end: str = END_PERIOD,
    min_cell: int = 3,
    max_cell: int = 8,
    contacts: int = 10,
    falls: int = 0,
    fall: float = 1.0,
) -> tuple[pd.DataFrame, list[str]]:
    """A portfolio of ``clients`` clients over ``months`` months to ``end``, as :func:`insights.load` returns it.

    Parameters
    ----------
    seed : int
        Seed of the random generator (the same seed gives the same portfolio).
    clients, months, end : int, int, str
        Size of the portfolio and its last month.
    min_cell, max_cell : int
        Each client-month has a uniform number of answers in this range (at most ``contacts``).
    contacts : int
        People per client; each answers at most once a month.
    falls, fall : int, float
        The first ``falls`` clients' latent overall satisfaction is ``fall`` points lower in the
        last month.

    Returns
    -------
    (responses, planted)
        The responses (columns of the survey contract plus ``period``) and the ids of the clients
        whose satisfaction fell.

    Examples
    --------
    >>> frame, planted = simulated_portfolio(1, falls=4)
    >>> frame["client_id"].nunique(), planted
    (40, ['S01', 'S02', 'S03', 'S04'])
    """
    rng = np.random.default_rng(seed)
    drivers = list(PLANTED_COEFFICIENTS)
    coefficients = np.array(list(PLANTED_COEFFICIENTS.values()))
    periods = pd.period_range(end=pd.Period(end, "M"), periods=months, freq="M")
    ids = np.array([f"S{i + 1:02d}" for i in range(clients)])
    internal = np.arange(clients) >= clients - clients // 5
    level = rng.normal(0, 0.45, clients)
    offsets = rng.normal(0, 0.2, (clients, len(drivers)))

    sizes = rng.integers(min_cell, min(max_cell, contacts) + 1, (clients, months))
    client = np.repeat(np.repeat(np.arange(clients), months), sizes.ravel())
    month = np.repeat(np.tile(np.arange(months), clients), sizes.ravel())
    # who answers: the first `size` of a random order of the client's contacts, per cell
    order = np.argsort(rng.random((clients * months, contacts)), axis=1)
    start = np.repeat(np.cumsum(sizes.ravel()) - sizes.ravel(), sizes.ravel())
    person = order[np.repeat(np.arange(clients * months), sizes.ravel()), np.arange(len(client)) - start]
    n = len(client)

    base = np.array([DRIVER_BASELINES[d] for d in drivers])
    latent = (
        base
        + level[client, None]
        + offsets[client]
        + INTERNAL_UPLIFT * internal[client, None]
        + rng.normal(0, 0.6, n)[:, None]
        + rng.normal(0, 0.7, (n, len(drivers)))
    )
    ratings = np.clip(np.rint(latent), 1, 5)
    overall_latent = PLANTED_INTERCEPT + ratings @ coefficients + rng.normal(0, PLANTED_NOISE_SD, n)
    overall_latent -= fall * ((client < falls) & (month == months - 1))
    overall = np.clip(np.rint(overall_latent), 1, 5)
    ltr = np.clip(np.rint(2.4 * overall_latent - 1.2 + rng.normal(0, 1.0, n)), 0, 10)
    ltr[rng.random(n) < 0.08] = np.nan
    ratings[rng.random(ratings.shape) < 0.04] = np.nan

    period = periods[month]
    submitted = period.start_time + pd.to_timedelta(rng.integers(0, 27 * 24, n), unit="h")
    frame = pd.DataFrame(
        {
            "response_id": [f"R{i + 1:06d}" for i in range(n)],
            "client_id": ids[client],
            "client_name": np.char.add("Client ", ids[client]),
            "client_type": np.where(internal[client], "internal", "external"),
            "respondent_id": [f"{c}-P{p:02d}" for c, p in zip(ids[client], person)],
            "respondent_role": np.array(ROLES)[person % len(ROLES)],
            "submitted_at": submitted,
            "period": period,
            "overall_satisfaction": overall,
            "likelihood_to_recommend": ltr,
            **{name: ratings[:, j] for j, name in enumerate(drivers)},
            "comment": "",
        }
    )
    return frame, [str(c) for c in ids[:falls]]
