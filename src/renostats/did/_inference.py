"""Inference for cells and their summaries: standard errors, clustering, the multiplier bootstrap.

Works on any model of :mod:`._models` through its ``unit_if``, ``cell_se``, ``n``, ``n_cohorts``,
``pg`` and ``panel.cluster_codes``. Imports only numpy and scipy.
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def _se_floor(model) -> float:
    """Standard errors at or below this are numerically zero (reference cells, outcomes that do not move).

    Relative to the outcome's spread within units, so it does not depend on the outcome's level or scale.
    """
    return 1e-6 * model.panel.y_scale / np.sqrt(model.n)


def _weight_if(model, g_keep: np.ndarray, att_keep: np.ndarray) -> tuple[np.ndarray, float]:
    """Influence of estimating cohort-size weights pg: per-cohort coefficient of w_i, and a constant.

    For keepers k with cohorts g_k: sum_k att_k [ (w 1{G=g_k} - pg_k) / S - pg_k sum_l (w 1{G=g_l} - pg_l) / S^2 ]
    with S = sum_k pg_k, as in R's ``did`` (``wif``).
    """
    pg = model.pg[g_keep]
    S = pg.sum()
    phi = np.zeros(model.n_cohorts)
    np.add.at(phi, g_keep, att_keep / S)
    count = np.bincount(g_keep, minlength=model.n_cohorts).astype(float)
    phi -= count * (att_keep @ pg) / S**2
    kappa = -(att_keep @ pg) / S + (att_keep @ pg) * pg.sum() / S**2
    return phi, float(kappa)


def _cluster_sums(ifs: np.ndarray, codes: np.ndarray) -> np.ndarray:
    out = np.zeros((codes.max() + 1, ifs.shape[1]))
    np.add.at(out, codes, ifs)
    return out


def _se_and_draws(ifs: np.ndarray, model, bootstrap: int, seed) -> tuple[np.ndarray, np.ndarray | None]:
    """Standard errors of the estimates whose unit-level IFs are the columns of ``ifs``."""
    n = model.n
    codes = model.panel.cluster_codes
    units = _cluster_sums(ifs, codes) if codes is not None else ifs
    if not bootstrap:
        return np.sqrt((units**2).sum(axis=0)) / n, None
    rng = np.random.default_rng(seed)
    draws = np.empty((bootstrap, ifs.shape[1]))
    for start in range(0, bootstrap, 100):
        stop = min(bootstrap, start + 100)
        v = rng.choice([-1.0, 1.0], size=(stop - start, units.shape[0]))
        draws[start:stop] = v @ units / n
    q75, q25 = np.percentile(draws, [75, 25], axis=0)
    return (q75 - q25) / (stats.norm.ppf(0.75) - stats.norm.ppf(0.25)), draws


def _critical(draws, se, alpha, floor) -> float:
    if draws is None:
        return float(stats.norm.ppf(1 - alpha / 2))
    ok = se > floor
    t = np.abs(draws[:, ok] / se[ok]).max(axis=1)
    return float(np.quantile(t, 1 - alpha))


def _cell_inference(model, panel, alpha, bootstrap, seed):
    K = len(model.att)
    if panel.cluster_codes is None and not bootstrap:
        se = model.cell_se()
        crit = float(stats.norm.ppf(1 - alpha / 2))
    else:
        se = np.empty(K)
        draws = np.empty((bootstrap, K)) if bootstrap else None
        rng_seed = np.random.SeedSequence(seed)
        for start in range(0, K, 64):
            idx = np.arange(start, min(K, start + 64))
            A = np.zeros((K, idx.size))
            A[idx, np.arange(idx.size)] = 1.0
            ifs = model.unit_if(A, np.zeros((model.n_cohorts, idx.size)), np.zeros(idx.size))
            s, d = _se_and_draws(ifs, model, bootstrap, rng_seed if bootstrap else None)
            se[idx] = s
            if bootstrap:
                draws[:, idx] = d
        crit = _critical(draws, se, alpha, _se_floor(model))
    se = np.where(se <= _se_floor(model), np.nan, se)
    se[model.cells["reference"]] = np.nan
    return se, crit


def _agg_inference(model, result, A, phi, kappa, alpha):
    ifs = model.unit_if(A, phi, kappa)
    bootstrap, seed = result.settings["bootstrap"], result.settings["seed"]
    se, draws = _se_and_draws(ifs, model, bootstrap, seed)
    crit = _critical(
        draws[:, :-1] if draws is not None and A.shape[1] > 1 else draws,
        se[:-1] if A.shape[1] > 1 else se,
        alpha,
        _se_floor(model),
    )
    return np.where(se <= _se_floor(model), np.nan, se), crit


def _wald(estimates: np.ndarray, V: np.ndarray) -> tuple[float, int]:
    """Wald statistic ``b' V^+ b`` and the rank of V (eigenvalues below 1e-8 of the largest count as zero).

    The generalised inverse keeps a singular V (two estimates that are exact mirror images, say) from
    producing an infinite statistic; the rank is the number of independent estimates.
    """
    values, vectors = np.linalg.eigh(V)
    rank = values > values.max() * 1e-8
    proj = vectors[:, rank].T @ estimates
    return float((proj**2 / values[rank]).sum()), int(rank.sum())
