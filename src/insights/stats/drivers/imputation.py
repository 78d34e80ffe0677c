"""Multiple imputation of skipped answers by chained equations (MICE), with Bayesian linear
regression draws.

Each incomplete column is in turn regressed on all the other columns (the outcome included) over
the rows where it was answered; the regression's coefficients and residual variance are drawn from
their posterior under a flat prior, and the skipped answers are replaced by the drawn regression's
prediction plus a drawn residual (van Buuren 2018, algorithm 3.1, "norm"; Rubin 1987, p. 167).
Cycling through the columns ``n_iter`` times is one chain; ``m`` independent chains give ``m``
completed data sets whose analyses Rubin's rules combine (:mod:`insights.stats.drivers.rubin`).

Why this, and not statsmodels' ``MICEData``: the same model, but ``MICEData`` refits every
regression on the whole data with a fresh design matrix, which takes minutes on a million
responses. Here each regression comes from the cross-products of the current completed data,
kept up to date by subtracting and adding back only the rows whose answers change, so one step
costs a pass over the skipped answers, not over every response.

The imputations are continuous (not rounded to the rating scale): rounding biases the linear
analyses the drivers feed (Horton, Lipsitz & Parzen 2003), and a mean or a regression slope is
unbiased with unrounded draws under the model.

References
----------
Rubin, D. B. (1987). *Multiple Imputation for Nonresponse in Surveys*. Wiley.

van Buuren, S., & Groothuis-Oudshoorn, K. (2011). mice: Multivariate imputation by chained
equations in R. *Journal of Statistical Software*, 45(3), 1-67.

van Buuren, S. (2018). *Flexible Imputation of Missing Data* (2nd ed.). CRC Press.

Horton, N. J., Lipsitz, S. R., & Parzen, M. (2003). A potential for bias when rounding in
multiple imputation. *The American Statistician*, 57(4), 229-232.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from insights.stats.drivers.prepare import _check_columns, _numeric

#: Imputations by default. The efficiency of m imputations against infinitely many is
#: 1 / (1 + fmi / m) (Rubin 1987, p. 114): above 98% at m = 20 for a fraction of missing information
#: up to 0.4, and Graham, Olchowski & Gilreath (2007) find m = 20 loses under 1% power at
#: fmi = 0.3 (where m = 5 loses several per cent). Runtime grows linearly with m.
DEFAULT_IMPUTATIONS = 20

#: Cycles through the incomplete columns per chain. With 10-20% skipped answers and correlated
#: ratings the chains settle within a few cycles (van Buuren 2018, 6.5.2: 5 to 20 usually suffice).
DEFAULT_ITERATIONS = 10


@dataclass(frozen=True, eq=False)
class Imputations:
    """``m`` completed versions of a numeric matrix, stored as the observed values once and the
    imputed values of each chain (so a million responses do not need ``m`` copies).

    Attributes
    ----------
    values : ndarray (n, k)
        The observed values, NaN where skipped.
    missing_rows : tuple of ndarray
        Per column, the rows that were skipped.
    imputed : tuple of ndarray
        Per column, an (m, rows skipped) array of the imputed values.
    """

    values: np.ndarray
    missing_rows: tuple[np.ndarray, ...]
    imputed: tuple[np.ndarray, ...]

    @property
    def m(self) -> int:
        """Number of imputations."""
        return int(self.imputed[0].shape[0]) if self.imputed else 0

    @property
    def n_imputed(self) -> int:
        """Number of values imputed in each completed data set."""
        return int(sum(len(rows) for rows in self.missing_rows))

    def completed(self, i: int) -> np.ndarray:
        """The ``i``-th completed matrix (a fresh copy)."""
        filled = self.values.copy()
        for j, rows in enumerate(self.missing_rows):
            if len(rows):
                filled[rows, j] = self.imputed[j][i]
        return filled

    def average(self) -> np.ndarray:
        """The matrix with each skipped value replaced by its mean over the imputations."""
        filled = self.values.copy()
        for j, rows in enumerate(self.missing_rows):
            if len(rows):
                filled[rows, j] = self.imputed[j].mean(axis=0)
        return filled


def impute_matrix(
    values: np.ndarray,
    *,
    m: int = DEFAULT_IMPUTATIONS,
    n_iter: int = DEFAULT_ITERATIONS,
    seed: int | np.random.Generator | None = 0,
) -> Imputations:
    """Chained equations with Bayesian linear regression draws on a float matrix.

    Every column with NaN is imputed from all the other columns. Columns without NaN are
    predictors only. Each of the ``m`` chains starts from values drawn at random among the
    column's observed ones and runs ``n_iter`` cycles.

    Raises
    ------
    ValueError
        If a column has fewer observed values than columns plus two (its regression has no
        residual degrees of freedom), or ``m`` or ``n_iter`` is below one.
    """
    values = np.ascontiguousarray(values, dtype=float)
    n, k = values.shape
    if m < 1 or n_iter < 1:
        raise ValueError("m and n_iter must be at least one")
    missing = ~np.isfinite(values)
    missing_rows = tuple(np.flatnonzero(missing[:, j]) for j in range(k))
    for j, rows in enumerate(missing_rows):
        if len(rows) and n - len(rows) < k + 2:
            raise ValueError(f"column {j} has {n - len(rows)} answers; imputing it needs at least {k + 2}")
    if not any(len(rows) for rows in missing_rows):
        return Imputations(values, missing_rows, tuple(np.empty((m, 0)) for _ in range(k)))
    rng = np.random.default_rng(seed)
    # One BLAS thread: the products here are of seven rows at a time, and a threaded BLAS spends
    # more time waking and spinning its threads than multiplying (four times the processor time
    # for a million responses on a busy machine).
    with threadpool_limits(limits=1, user_api="blas"):
        return _chains(values, missing_rows, m, n_iter, rng)


def _chains(
    values: np.ndarray, missing_rows: tuple[np.ndarray, ...], m: int, n_iter: int, rng: np.random.Generator
) -> Imputations:
    """The ``m`` chains of :func:`impute_matrix`."""
    state = _ChainLayout.of(values, ~np.isfinite(values))
    imputed = [np.empty((m, len(rows))) for rows in missing_rows]
    for number in range(m):
        chain = state.start(rng)
        for _ in range(n_iter):
            for j in state.incomplete:
                _impute_column(state, chain, j, rng)
        for j in state.incomplete:
            imputed[j][number] = chain.blocks[j][j] + state.centre[j]
    return Imputations(values, missing_rows, tuple(imputed))


@dataclass(frozen=True, eq=False)
class _ChainLayout:
    """What every chain shares: the centred values of the incomplete rows, the cross-products of the
    complete rows (which never change), and where the rows skipping column j also skip column l.

    A chain keeps, per incomplete column j, the block of its skipped rows (all k columns, one row
    of the block per column): a step reads and rewrites only that block, and copies its new values
    into the other blocks that share those rows, never touching the rest of the data.
    """

    centre: np.ndarray  # (k,) observed means: the data are centred on them
    incomplete_rows: np.ndarray  # (n_inc, k) centred, NaN where skipped
    rows: tuple[np.ndarray, ...]  # per column, its skipped rows among incomplete_rows
    incomplete: tuple[int, ...]  # the columns with skipped answers
    shared: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]]  # (j, l): positions in j's and l's blocks
    observed: tuple[np.ndarray, ...]  # per column, its centred answers (the starting draws)
    sums_complete: np.ndarray
    cross_complete: np.ndarray

    @classmethod
    def of(cls, values: np.ndarray, missing: np.ndarray) -> _ChainLayout:
        k = values.shape[1]
        centre = np.array([values[~missing[:, j], j].mean() for j in range(k)])
        any_missing = missing.any(axis=1)
        complete = values[~any_missing] - centre
        incomplete_rows = values[any_missing] - centre
        rows = tuple(np.flatnonzero(~np.isfinite(incomplete_rows[:, j])) for j in range(k))
        incomplete = tuple(j for j in range(k) if len(rows[j]))
        shared = {}
        for j in incomplete:
            for other in incomplete:
                if other != j:
                    _, in_j, in_other = np.intersect1d(
                        rows[j], rows[other], assume_unique=True, return_indices=True
                    )
                    shared[j, other] = (in_j, in_other)
        observed = tuple(values[~missing[:, j], j] - centre[j] for j in range(k))
        return cls(
            centre,
            incomplete_rows,
            rows,
            incomplete,
            shared,
            observed,
            complete.sum(axis=0),
            complete.T @ complete,
        )

    def start(self, rng: np.random.Generator) -> _Chain:
        """A chain's starting point, with each skipped value drawn at random among its column's answers."""
        filled = self.incomplete_rows.copy()
        for j in self.incomplete:
            filled[self.rows[j], j] = rng.choice(self.observed[j], size=len(self.rows[j]))
        blocks = {j: np.ascontiguousarray(filled[self.rows[j]].T) for j in self.incomplete}
        return _Chain(
            blocks,
            {j: block.sum(axis=1) for j, block in blocks.items()},
            {j: block @ block.T for j, block in blocks.items()},
            self.sums_complete + filled.sum(axis=0),
            self.cross_complete + filled.T @ filled,
        )


@dataclass(frozen=True, eq=False)
class _Chain:
    """The state of one chain, all updated in place: per incomplete column j the block of its
    skipped rows (k, rows) with the block's sums and cross-products, and the sums and
    cross-products of all the rows."""

    blocks: dict[int, np.ndarray]
    block_sums: dict[int, np.ndarray]
    block_cross: dict[int, np.ndarray]
    sums: np.ndarray
    cross: np.ndarray


def _impute_column(state: _ChainLayout, chain: _Chain, j: int, rng: np.random.Generator) -> None:
    """One step of a chain: redraw column ``j``'s skipped values from a Bayesian linear regression
    on the other columns over the rows where ``j`` was answered, and bring the chain up to date.

    The observed rows' cross-products are all rows' minus the block's, so the step costs a few
    passes over column j's skipped rows; the other blocks holding those rows are updated by their
    change only."""
    block, block_sums, block_cross = chain.blocks[j], chain.block_sums[j], chain.block_cross[j]
    k, n_missing = block.shape
    sums_obs = chain.sums - block_sums
    cross_obs = chain.cross - block_cross
    n_obs = state.observed[j].size
    mean_obs = sums_obs / n_obs
    centred = cross_obs - n_obs * np.outer(mean_obs, mean_obs)
    others = np.r_[0:j, j + 1 : k]
    gram = centred[np.ix_(others, others)]
    try:
        lower = np.linalg.cholesky(gram)
    except np.linalg.LinAlgError:  # a predictor without spread among the answered rows
        gram = gram + np.eye(k - 1) * (1e-9 * np.trace(gram) + 1e-12)
        lower = np.linalg.cholesky(gram)
    beta = np.linalg.solve(gram, centred[others, j])
    ssr = max(centred[j, j] - centred[others, j] @ beta, 0.0)
    # sigma^2 | data ~ SSR / chi^2(n_obs - k); beta | sigma^2 ~ N(beta_hat, sigma^2 (X'X)^-1), drawn as
    # beta_hat + sigma L'^-1 z with X'X = L L'; the level at the observed means ~ N(mean, sigma^2 / n_obs)
    # (van Buuren 2018, algorithm 3.1).
    sigma = np.sqrt(ssr / rng.chisquare(n_obs - k))
    noise = np.linalg.solve(lower.T, rng.standard_normal(k - 1))  # covariance L'^-1 L^-1 = (X'X)^-1
    slopes = np.zeros(k)
    slopes[others] = beta + sigma * noise
    level = mean_obs[j] - slopes @ mean_obs + sigma * rng.standard_normal() / np.sqrt(n_obs)
    # einsum, not BLAS, for these (k, rows) products: a threaded BLAS spends more time waking its
    # threads than multiplying seven rows, and far more when the processors are busy.
    new = np.einsum("i,ij->j", slopes, block) + level + sigma * rng.standard_normal(n_missing)
    block[j] = new
    column = np.einsum("ij,j->i", block, new)
    block_cross[:, j] = column
    block_cross[j, :] = column
    block_sums[j] = new.sum()
    for other in state.incomplete:
        if other != j:
            in_j, in_other = state.shared[j, other]
            _replace(chain, other, j, in_other, new[in_j])
    chain.sums[:] = sums_obs + block_sums
    column = cross_obs[:, j] + column
    chain.cross[:, j] = column
    chain.cross[j, :] = column


def _replace(chain: _Chain, owner: int, j: int, positions: np.ndarray, values: np.ndarray) -> None:
    """Set column ``j`` of block ``owner`` to ``values`` at ``positions``, and its sums and
    cross-products by the change alone."""
    block = chain.blocks[owner]
    delta = values - block[j, positions]
    change = np.einsum("ij,j->i", block[:, positions], delta)  # old values: entry j is sum(old * delta)
    cross = chain.block_cross[owner]
    cross[:, j] += change
    cross[j, :] += change
    cross[j, j] += delta @ delta  # 2 old delta + delta^2 = new^2 - old^2
    chain.block_sums[owner][j] += delta.sum()
    block[j, positions] = values


def multiply_impute(
    df: pd.DataFrame,
    columns: Sequence[str],
    *,
    m: int = DEFAULT_IMPUTATIONS,
    seed: int | np.random.Generator | None = 0,
    n_iter: int = DEFAULT_ITERATIONS,
) -> list[pd.DataFrame]:
    """``m`` copies of ``df`` with the skipped answers in ``columns`` imputed by chained equations.

    Each column of ``columns`` with missing values is imputed from all the others (include the
    outcome, so the imputations keep its relation to the drivers: leaving it out biases every
    effect towards zero, Moons et al. 2006). Bayesian linear regression draws ("norm",
    van Buuren 2018, algorithm 3.1); see the module's notes. The other columns of ``df`` are
    shared, unchanged; the imputed columns become floats. Each copy holds its own ``columns``,
    so for very large data :func:`impute_matrix` (one stored copy) is lighter.

    Parameters
    ----------
    df : DataFrame
        Responses, one row each.
    columns : sequence of str
        Numeric columns of the imputation model; those with missing values are imputed.
    m : int
        Number of imputations (default 20; see ``DEFAULT_IMPUTATIONS``).
    seed : int, Generator or None
        Seed of the draws.
    n_iter : int
        Cycles through the incomplete columns per imputation.

    Returns
    -------
    list of DataFrame
        ``m`` completed copies of ``df``, same index.

    Raises
    ------
    KeyError
        If a column is not in ``df``.
    ValueError
        If a column has too few answers to be imputed (fewer than the number of columns plus two).

    References
    ----------
    van Buuren, S. (2018). *Flexible Imputation of Missing Data* (2nd ed.). CRC Press.

    Moons, K. G. M., Donders, R. A. R. T., Stijnen, T., & Harrell, F. E. (2006). Using the outcome
    for imputation of missing predictor values was preferred. *Journal of Clinical Epidemiology*,
    59(10), 1092-1101.

    Examples
    --------
    >>> frame = pd.DataFrame({"y": [1.0, 2, 3, 4, 5, 6, 7, 8], "x": [1.1, np.nan, 2.9, 4.2, np.nan, 6.1, 7.0, 7.8]})
    >>> completed = multiply_impute(frame, ["y", "x"], m=3, seed=1)
    >>> len(completed), int(completed[0]["x"].isna().sum())
    (3, 0)
    >>> bool((completed[1]["x"].dropna() == completed[1]["x"]).all())
    True
    """
    columns = list(columns)
    _check_columns(df, columns)
    imputations = impute_matrix(_numeric(df, columns), m=m, n_iter=n_iter, seed=seed)
    frames = []
    for i in range(imputations.m):
        completed = imputations.completed(i)
        frame = df.copy(deep=False)
        for j, name in enumerate(columns):
            if len(imputations.missing_rows[j]):
                frame[name] = completed[:, j]
        frames.append(frame)
    return frames
