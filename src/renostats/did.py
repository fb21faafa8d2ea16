"""Staggered difference-in-differences: Callaway and Sant'Anna (2021) group-time effects.

Communities are renovated in different years, so a two-way fixed-effects regression is biased when
effects differ by cohort or grow with time since treatment (Goodman-Bacon 2021). :func:`att_gt`
estimates every group-time average treatment effect ATT(g, t) against never-treated or not-yet-treated
comparison units, with analytic standard errors from influence functions (as R's ``did`` with
``bstrap = FALSE``), clustered errors, or a seeded multiplier bootstrap with uniform bands.
:func:`aggregate` summarises the cells (simple, dynamic/event study, by cohort, by calendar time) with
standard errors that account for the estimated weights; :func:`twfe` gives the two-way fixed-effects
event study for comparison.

Without covariates every ATT(g, t) is a difference of cohort means, and every influence function is an
affine function of a unit's own outcomes with coefficients that depend only on its cohort; renostats
keeps per-cohort moment matrices instead of a units x cells array, which is what makes national panels
fast. With covariates the doubly robust (Sant'Anna and Zhao 2020), regression and inverse probability
weighting estimators run cell by cell.

Examples
--------
>>> rng = np.random.default_rng(0)
>>> units, periods = 300, 6
>>> cohort = rng.choice([0, 3, 5], units)
>>> panel = pd.DataFrame({"unit": np.repeat(np.arange(units), periods),
...                       "time": np.tile(np.arange(1, periods + 1), units),
...                       "cohort": np.repeat(cohort, periods)})
>>> treated = (panel["cohort"] > 0) & (panel["time"] >= panel["cohort"])
>>> panel["y"] = rng.normal(size=len(panel)) + 2.0 * treated
>>> res = att_gt(panel, "y", "time", "unit", "cohort")
>>> overall = aggregate(res, "simple").overall
>>> overall["low"] < 2.0 < overall["high"]
True
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from renostats.errors import DiDError

__all__ = [
    "AggregateResult",
    "DiDError",
    "DiDResult",
    "aggregate",
    "att_gt",
    "by_period",
    "period_start",
    "periods_between",
    "pretrend_test",
    "twfe",
]

#: Period codes accepted by :func:`by_period` and :func:`periods_between`.
FREQS = {"month": ("M", 1), "quarter": ("Q", 3), "year": ("Y", 12)}

_EPS_SE = np.sqrt(np.finfo(float).eps) * 10


# --------------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class DiDResult:
    """Group-time average treatment effects with what aggregation and inference need.

    ``table`` has one row per cell: cohort, time, event (time - cohort, in periods), post, att, se,
    low, high, n (treated plus comparison units), n_treated, n_control. Times and cohorts are in the
    data's own units; ``event`` counts periods.
    """

    table: pd.DataFrame
    settings: dict[str, Any]
    n_units: int
    crit: float  # critical value of ``low``/``high`` (pointwise normal, or the uniform band's)
    _model: Any = field(repr=False)
    _cells: dict[str, np.ndarray] = field(repr=False)

    def __str__(self) -> str:
        s = self.settings
        head = (
            f"Group-time ATTs: {self.n_units} units, {len(self.table)} cells, control={s['control']}, "
            f"est={s['est']}, base_period={s['base_period']}, "
            f"{'clustered by ' + s['cluster'] if s['cluster'] else 'analytic'} SEs"
        )
        return head + "\n" + self.table.to_string(index=False, float_format=lambda v: f"{v:.4f}")


@dataclass(frozen=True)
class AggregateResult:
    """An aggregation of group-time effects: ``overall`` (att, se, low, high) and ``table``."""

    kind: str
    overall: dict[str, float]
    table: pd.DataFrame  # columns: event / cohort / time, att, se, low, high
    alpha: float
    crit: float
    _weights: tuple = field(default=(), repr=False)  # (A, phi, kappa): rows then the overall estimate

    def __str__(self) -> str:
        o = self.overall
        head = (
            f"{self.kind} aggregation: ATT {o['att']:.4f} (se {o['se']:.4f}, "
            f"{1 - self.alpha:.0%} CI {o['low']:.4f} to {o['high']:.4f})"
        )
        return head + ("\n" + self.table.to_string(index=False) if len(self.table) else "")


@dataclass(frozen=True)
class PreTrendTest:
    """Wald test that every pre-treatment ATT(g, t) is zero."""

    statistic: float
    df: int
    p_value: float

    def __str__(self) -> str:
        return f"pre-trend Wald test: chi2({self.df}) = {self.statistic:.3f}, p = {self.p_value:.4f}"


# --------------------------------------------------------------------------------------------------
# Estimation


def att_gt(
    data: pd.DataFrame,
    y: str,
    time: str,
    unit: str,
    cohort: str,
    control: str = "never",
    covariates: Sequence[str] | None = None,
    est: str = "dr",
    base_period: str = "varying",
    anticipation: int = 0,
    cluster: str | None = None,
    weights: str | None = None,
    alpha: float = 0.05,
    bootstrap: int = 0,
    seed: int | None = None,
) -> DiDResult:
    """Group-time average treatment effects ATT(g, t) for a balanced panel (Callaway-Sant'Anna).

    Parameters
    ----------
    data : DataFrame
        Long panel: one row per unit and period.
    y, time, unit, cohort : str
        Outcome, period (integers, or first-of-month dates for monthly panels), unit id, and the period
        a unit is first treated (0 or missing: never treated).
    control : {"never", "notyet"}
        Comparison units: never treated, or never treated plus not yet treated.
    covariates : list of str, optional
        Pre-treatment covariates (their values in the base period are used).
    est : {"dr", "reg", "ipw"}
        Doubly robust (default), outcome regression, or inverse probability weighting; identical
        without covariates (differences in means).
    base_period : {"varying", "universal"}
        Pre-treatment cells compare consecutive periods ("varying", as R's ``did``), or every cell uses
        the period before treatment ("universal").
    anticipation : int
        Periods before treatment in which units may already react.
    cluster : str, optional
        A unit-level column to cluster standard errors on (sums of influence functions by cluster).
    weights : str, optional
        A unit-level sampling weight column.
    alpha : float
        One minus the confidence level.
    bootstrap : int
        Multiplier bootstrap draws (Rademacher, at the cluster level when clustering); with it, ``low``
        and ``high`` form a uniform confidence band over all cells. 0: analytic pointwise intervals.
    seed : int, optional
        Seed of the bootstrap.

    Returns
    -------
    DiDResult
        ``table`` with cohort, time, event, post, att, se, low, high, n, n_treated, n_control.

    Raises
    ------
    DiDError
        For an unbalanced panel (naming units), an irregular time column, a cohort that changes within a
        unit, a cell with no comparison units (naming the cohort and period), or a covariate that is
        constant within a cohort and its comparison units.
    """
    if control not in ("never", "notyet"):
        raise DiDError(f"control must be 'never' or 'notyet', got {control!r}")
    if est not in ("dr", "reg", "ipw"):
        raise DiDError(f"est must be 'dr', 'reg' or 'ipw', got {est!r}")
    if base_period not in ("varying", "universal"):
        raise DiDError(f"base_period must be 'varying' or 'universal', got {base_period!r}")
    if anticipation < 0:
        raise DiDError(f"anticipation must be 0 or more, got {anticipation}")
    covariates = list(covariates or [])
    panel = _Panel.build(data, y, time, unit, cohort, covariates, weights, cluster, anticipation)
    cells = _cells(panel, control, base_period, anticipation)
    if covariates:
        model = _DenseModel.fit(panel, cells, est)
    else:
        model = _MomentModel.fit(panel, cells)
    att = model.att
    se, crit = _cell_inference(model, panel, alpha, bootstrap, seed)
    low, high = att - crit * se, att + crit * se
    table = pd.DataFrame(
        {
            "cohort": panel.time_labels[cells["g"]],
            "time": panel.time_labels[cells["t"]],
            "event": cells["t"] - cells["g"],
            "post": cells["t"] >= cells["g"],
            "att": att,
            "se": se,
            "low": low,
            "high": high,
            "n": model.n_treated + model.n_control,
            "n_treated": model.n_treated,
            "n_control": model.n_control,
        }
    )
    settings = {
        "y": y, "time": time, "unit": unit, "cohort": cohort, "control": control, "covariates": covariates,
        "est": est if covariates else "dr", "base_period": base_period, "anticipation": anticipation,
        "cluster": cluster, "weights": weights, "alpha": alpha, "bootstrap": bootstrap, "seed": seed,
    }  # fmt: skip
    return DiDResult(table=table, settings=settings, n_units=panel.n, crit=crit, _model=model, _cells=cells)


def aggregate(
    result: DiDResult,
    kind: str = "dynamic",
    min_e: float | None = None,
    max_e: float | None = None,
    balance_e: int | None = None,
    alpha: float | None = None,
) -> AggregateResult:
    """Aggregate group-time effects as R's ``did::aggte`` does.

    Parameters
    ----------
    kind : {"simple", "dynamic", "group", "calendar"}
        ``simple``: post-treatment cells weighted by cohort size. ``dynamic``: by event time (time since
        treatment), each event time a cohort-size-weighted average; the overall effect is the mean over
        non-negative event times. ``group``: each cohort's mean post-treatment effect; overall weighted
        by cohort size. ``calendar``: by period; overall the mean over periods.
    min_e, max_e : float, optional
        Event-time window (``max_e`` also limits the cells of simple and group aggregation).
    balance_e : int, optional
        Keep only cohorts observed for at least ``balance_e`` periods after treatment (dynamic).

    Returns
    -------
    AggregateResult
        Standard errors include the influence of estimating the cohort-size weights. With sampling
        weights, cohort sizes are weighted as in R's ``did`` (moderndid 0.2 leaves the weights out of
        that step, so its aggregated standard errors differ slightly there).
    """
    if kind not in ("simple", "dynamic", "group", "calendar"):
        raise DiDError(f"kind must be simple, dynamic, group or calendar, got {kind!r}")
    alpha = result.settings["alpha"] if alpha is None else alpha
    model, cells = result._model, result._cells
    g, t, att = cells["g"], cells["t"], model.att
    if np.isnan(att).any():
        raise DiDError("some ATT(g, t) are missing; aggregation needs every cell")
    min_e = -np.inf if min_e is None else min_e
    max_e = np.inf if max_e is None else max_e
    event = t - g
    pg_cell = model.pg[cells["g_index"]]
    specs: list[tuple[str, Any, np.ndarray, Any]] = []  # (label kind, label, cell weights, wif keepers)

    def weighted(mask):
        w = np.zeros(len(g))
        w[mask] = pg_cell[mask] / pg_cell[mask].sum()
        return w

    if kind == "simple":
        mask = (g <= t) & (t <= g + max_e)
        overall = [("overall", None, weighted(mask), np.flatnonzero(mask))]
        rows: list = []
    elif kind == "group":
        rows = []
        for gi in np.unique(cells["g_index"]):
            mask = (cells["g_index"] == gi) & (g <= t) & (t <= g + max_e)
            if mask.any():
                w = np.zeros(len(g))
                w[mask] = 1.0 / mask.sum()
                rows.append(("cohort", gi, w, None))
        overall = None
    elif kind == "dynamic":
        include = np.ones(len(g), dtype=bool)
        events = np.unique(event)
        if balance_e is not None:
            last, first = t.max(), t.min()
            include = (last - g) >= balance_e
            events = np.unique(event[include])
            events = events[(events >= balance_e - last + first) & (events <= balance_e)]
        events = events[(events >= min_e) & (events <= max_e)]
        rows = [
            ("event", e, weighted((event == e) & include), np.flatnonzero((event == e) & include))
            for e in events
        ]
        overall = None
    else:
        rows = []
        for tt in np.unique(t[t >= g.min()]):
            mask = (t == tt) & (g <= tt)
            if mask.any():
                rows.append(("time", tt, weighted(mask), np.flatnonzero(mask)))
        overall = None
    specs = overall if kind == "simple" else rows

    # each estimate: cell weights A (K x J), and the weight-estimation term (phi per cohort, kappa)
    A = np.column_stack([s[2] for s in specs]) if specs else np.zeros((len(g), 0))
    phi = np.zeros((model.n_cohorts, A.shape[1]))
    kappa = np.zeros(A.shape[1])
    for j, spec in enumerate(specs):
        if spec[3] is not None:
            phi[:, j], kappa[j] = _weight_if(model, cells["g_index"][spec[3]], att[spec[3]])
    est_j = A.T @ att
    # the overall estimate for group / dynamic / calendar: a further average of the rows
    if kind == "group":
        keep_g = np.array([s[1] for s in specs])
        pg = model.pg[keep_g]
        wts = pg / pg.sum()
        a_over = A @ wts
        phi_o, kappa_o = _weight_if(model, keep_g, est_j)
        phi_over = phi @ wts + phi_o
        kappa_over = kappa @ wts + kappa_o
    elif kind in ("dynamic", "calendar"):
        sel = np.array([s[1] >= 0 for s in specs]) if kind == "dynamic" else np.ones(len(specs), dtype=bool)
        wts = np.where(sel, 1.0 / max(sel.sum(), 1), 0.0)
        a_over, phi_over, kappa_over = A @ wts, phi @ wts, kappa @ wts
    else:
        a_over, phi_over, kappa_over = A[:, 0], phi[:, 0], kappa[0]
    A_all = np.column_stack([A, a_over]) if kind != "simple" else A
    phi_all = np.column_stack([phi, phi_over]) if kind != "simple" else phi
    kappa_all = np.r_[kappa, kappa_over] if kind != "simple" else kappa
    estimates = A_all.T @ att
    se, crit = _agg_inference(model, result, A_all, phi_all, kappa_all, alpha)
    z = stats.norm.ppf(1 - alpha / 2)
    overall_att, overall_se = float(estimates[-1]), float(se[-1])
    overall = {"att": overall_att, "se": overall_se, "low": float(overall_att - z * overall_se),
               "high": float(overall_att + z * overall_se)}  # fmt: skip
    if kind == "simple":
        table = pd.DataFrame(columns=["att", "se", "low", "high"])
    else:
        labels = model.labels_for(kind, [s[1] for s in specs])
        table = pd.DataFrame(
            {
                {"event": "event", "cohort": "cohort", "time": "time"}[specs[0][0]]: labels,
                "att": estimates[:-1],
                "se": se[:-1],
                "low": estimates[:-1] - crit * se[:-1],
                "high": estimates[:-1] + crit * se[:-1],
            }
        )
    return AggregateResult(
        kind=kind, overall=overall, table=table, alpha=alpha, crit=crit, _weights=(A_all, phi_all, kappa_all)
    )


def pretrend_test(result: DiDResult, window: int | None = None) -> PreTrendTest:
    """Wald test that pre-treatment effects are zero, from their joint influence functions.

    Parameters
    ----------
    window : int, optional
        Test the event-study (dynamic) estimates for the ``window`` periods before treatment
        (-window .. -1) instead of every pre-treatment ATT(g, t). Prefer it when there are many cohorts:
        with about as many pre-treatment cells as units, their covariance cannot be estimated well.

    Notes
    -----
    The statistic is ``att_pre' V^-1 att_pre`` with V the covariance of the pre-treatment estimates
    (clustered when the result is), chi-squared with as many degrees of freedom as the rank of V (a
    generalised inverse is used when V is singular). Under a universal base period the reference cells
    (ATT = 0 by construction) are left out.
    """
    model, cells = result._model, result._cells
    if window is None:
        pre = np.flatnonzero((cells["t"] < cells["g"]) & ~cells["reference"])
        if pre.size == 0:
            raise DiDError("no pre-treatment cells to test")
        A = np.zeros((len(cells["g"]), pre.size))
        A[pre, np.arange(pre.size)] = 1.0
        phi, kappa = np.zeros((model.n_cohorts, pre.size)), np.zeros(pre.size)
    else:
        agg = aggregate(result, "dynamic", min_e=-window, max_e=-1)
        if agg.table.empty:
            raise DiDError(f"no event times in -{window} .. -1 to test")
        A, phi, kappa = (w[..., :-1] for w in agg._weights)
    estimates = A.T @ model.att
    ifs = model.unit_if(A, phi, kappa)
    cluster = model.panel.cluster_codes
    if cluster is not None:
        ifs = _cluster_sums(ifs, cluster)
    V = ifs.T @ ifs / model.n**2
    keep = np.diag(V) > _EPS_SE**2
    att = estimates[keep]
    V = V[np.ix_(keep, keep)]
    values, vectors = np.linalg.eigh(V)
    rank = values > values.max() * 1e-8
    proj = vectors[:, rank].T @ att
    stat = float((proj**2 / values[rank]).sum())
    df = int(rank.sum())
    return PreTrendTest(statistic=stat, df=df, p_value=float(stats.chi2.sf(stat, df)))


def twfe(
    data: pd.DataFrame,
    y: str,
    time: str,
    unit: str,
    cohort: str,
    *,
    min_e: int = -5,
    max_e: int = 10,
    reference: int = -1,
    cluster: str | None = None,
    alpha: float = 0.05,
    static: bool = False,
) -> pd.DataFrame:
    """Two-way fixed-effects event study, for comparison with :func:`aggregate` (dynamic).

    With ``static=True``, the single-coefficient version: ``y`` on a treated-and-post dummy with unit
    and period fixed effects (one row, event ``"post"``), the regression a staggered design most often
    gets reported with.

    Regresses ``y`` on event-time dummies (binned at ``min_e`` and ``max_e``, ``reference`` left out)
    with unit and period fixed effects removed by the within transformation, standard errors clustered
    by ``cluster`` (default: unit) via statsmodels. Under staggered timing with heterogeneous effects
    these coefficients mix already-treated units into the comparison group (Goodman-Bacon 2021; Sun
    and Abraham 2021): shown to make that visible, not as an estimate to report.

    Returns
    -------
    DataFrame
        event, att, se, low, high.
    """
    import statsmodels.api as sm

    panel = _Panel.build(data, y, time, unit, cohort, [], None, cluster, 0)
    n, T = panel.Y.shape
    g = panel.unit_cohort_period
    tt = np.arange(T)
    ev = np.where(np.isfinite(g)[:, None], tt[None, :] - np.nan_to_num(g, nan=0)[:, None], np.nan)
    ev = ev if static else np.clip(ev, min_e, max_e)
    if static:
        events = ["post"]
        X = np.nan_to_num(ev >= 0, nan=0.0).astype(float).reshape(-1, 1)
    else:
        events = [e for e in range(min_e, max_e + 1) if e != reference]
        X = np.stack([(ev == e).astype(float).ravel() for e in events], axis=1)
    yv = panel.Y.ravel()

    def within(a):
        a = a.reshape(n, T, -1) if a.ndim == 2 else a.reshape(n, T, 1)
        out = (
            a
            - a.mean(axis=1, keepdims=True)
            - a.mean(axis=0, keepdims=True)
            + a.mean(axis=(0, 1), keepdims=True)
        )
        return out.reshape(n * T, -1)

    Xw, yw = within(X), within(yv)[:, 0]
    groups = np.repeat(panel.cluster_codes if panel.cluster_codes is not None else np.arange(n), T)
    fit = sm.OLS(yw, Xw).fit(cov_type="cluster", cov_kwds={"groups": groups})
    # degrees of freedom for the absorbed effects: correct the scale as a dummy-variable regression would
    k_fe = n + T - 1
    scale = (n * T - X.shape[1]) / (n * T - X.shape[1] - k_fe)
    se = np.asarray(fit.bse) * np.sqrt(scale)
    z = stats.norm.ppf(1 - alpha / 2)
    att = np.asarray(fit.params)
    return pd.DataFrame({"event": events, "att": att, "se": se, "low": att - z * se, "high": att + z * se})


def by_period(
    data: pd.DataFrame, time: str, period: str, keys: Sequence[str], values: Sequence[str]
) -> pd.DataFrame:
    """Average a monthly panel within months, quarters or years (``period``), by ``keys``.

    The ``period`` column of the result holds the first day of each period, so cohorts given as dates of
    completion map onto it with :func:`periods_between` or ``Series.dt.to_period``.

    Examples
    --------
    >>> monthly = pd.DataFrame({"unit": ["a"] * 4, "month": pd.date_range("2020-01-01", periods=4, freq="MS"),
    ...                         "y": [1.0, 2.0, 3.0, 5.0]})
    >>> by_period(monthly, "month", "quarter", ["unit"], ["y"])["y"].tolist()
    [2.0, 5.0]
    """
    if period not in FREQS:
        raise DiDError(f"period must be one of {sorted(FREQS)}, got {period!r}")
    frame = data.assign(period=period_start(data[time], period))
    return frame.groupby([*keys, "period"], as_index=False)[list(values)].mean()


def period_start(dates: pd.Series, period: str) -> pd.Series:
    """First day of the month, quarter or year each date falls in (missing dates stay missing)."""
    return pd.to_datetime(dates).dt.to_period(FREQS[period][0]).dt.to_timestamp()


def periods_between(later: pd.Series, earlier: pd.Series, period: str) -> pd.Series:
    """Whole months, quarters or years from ``earlier`` to ``later`` (both first days of periods)."""
    later, earlier = pd.to_datetime(later), pd.to_datetime(earlier)
    months = (later.dt.year - earlier.dt.year) * 12 + later.dt.month - earlier.dt.month
    return months // FREQS[period][1]


# --------------------------------------------------------------------------------------------------
# The panel


@dataclass
class _Panel:
    Y: np.ndarray  # units x periods
    unit_ids: np.ndarray
    time_labels: np.ndarray  # label of each period index (the data's own units)
    cohort_index: np.ndarray  # per unit: index of its cohort in ``cohorts`` (never treated last)
    cohorts: np.ndarray  # period index of each treated cohort, ascending; never treated = inf, last
    unit_cohort_period: np.ndarray  # per unit: period index of first treatment, NaN never
    w: np.ndarray  # unit weights, mean 1
    X: np.ndarray | None  # periods x units x covariates (with intercept first), or None
    covariate_names: list[str]
    cluster_codes: np.ndarray | None
    n: int

    @classmethod
    def build(cls, data, y, time, unit, cohort, covariates, weights, cluster, anticipation) -> _Panel:
        needed = [y, time, unit, cohort, *covariates] + [c for c in (weights, cluster) if c]
        missing = [c for c in needed if c not in data]
        if missing:
            raise DiDError(f"columns not in the data: {missing}")
        periods, labels = _periods(data[time], time)
        T = len(labels)
        if T < 2:
            raise DiDError("the panel needs at least two periods")
        unit_codes, unit_ids = pd.factorize(data[unit], sort=True)
        n = len(unit_ids)
        counts = np.bincount(unit_codes, minlength=n)
        key = unit_codes.astype(np.int64) * T + periods
        per_cell = np.bincount(key, minlength=n * T)
        if (counts != T).any() or per_cell.max() > 1:
            bad = unit_ids[(counts != T) | (per_cell.reshape(n, T).max(axis=1) > 1)][:10].tolist()
            raise DiDError(
                f"the panel is not balanced: {int((counts != T).sum())} unit(s) do not have exactly one row "
                f"in each of the {T} periods, e.g. {bad}"
            )
        Y = np.full(n * T, np.nan)
        Y[key] = data[y].to_numpy(dtype=float)
        Y = Y.reshape(n, T)
        if np.isnan(Y).any():
            bad = unit_ids[np.isnan(Y).any(axis=1)][:10].tolist()
            raise DiDError(f"outcome {y!r} is missing for unit(s) {bad}")
        # cohort: time-invariant, in the time column's units
        raw_g = data[cohort]
        g_num = raw_g.to_numpy(dtype=float, na_value=np.nan) if not _is_datetime(raw_g) else None
        if g_num is None:
            gp, _ = _periods(raw_g.fillna(pd.Timestamp(labels[0])), cohort, reference=labels)
            g_period = np.where(raw_g.isna(), np.nan, gp).astype(float)
        else:
            never = np.isnan(g_num) | (g_num == 0)
            g_period = np.full(len(g_num), np.nan)
            g_period[~never] = _to_index(g_num[~never], labels, cohort)
        first_row = np.empty(n, dtype=np.int64)
        first_row[unit_codes[::-1]] = np.arange(len(unit_codes) - 1, -1, -1)  # first row of each unit
        per_unit = g_period[first_row]
        same = (g_period == per_unit[unit_codes]) | (np.isnan(g_period) & np.isnan(per_unit[unit_codes]))
        varying = np.bincount(unit_codes[~same], minlength=n) > 0
        if varying.any():
            raise DiDError(
                f"cohort changes within unit(s) {unit_ids[varying][:10].tolist()}: it must be the first treated period"
            )
        per_unit = np.where(per_unit > T - 1, np.nan, per_unit)  # treated after the panel: never treated here
        n_all = n

        def unit_level(column: str, what: str) -> np.ndarray:
            values = data[column].to_numpy()
            first = values[first_row]
            differs = pd.Series(values != first[unit_codes]) & pd.notna(values)
            bad = np.bincount(unit_codes[differs.to_numpy()], minlength=n) > 0
            if bad.any():
                raise DiDError(f"{what} {column!r} changes within unit(s) {unit_ids[bad][:10].tolist()}")
            return first

        w = np.ones(n_all)
        if weights:
            w = unit_level(weights, "weight").astype(float)
            if (w < 0).any() or np.isnan(w).any():
                raise DiDError(f"weights {weights!r} must be non-negative numbers")
        cluster_values = unit_level(cluster, "cluster") if cluster else None
        X = None
        if covariates:
            Xall = np.full((n_all * T, len(covariates)), np.nan)
            Xall[key] = data[covariates].to_numpy(dtype=float)
            Xall = Xall.reshape(n_all, T, len(covariates))
            if np.isnan(Xall).any():
                raise DiDError(f"covariates {covariates} have missing values")
            X = Xall
        keep = ~(per_unit <= anticipation)  # treated in the first period: no pre-period, dropped
        if not keep.all():
            warnings.warn(
                f"dropped {int((~keep).sum())} unit(s) already treated in the first period",
                UserWarning,
                stacklevel=3,
            )
        Y, unit_ids, per_unit, w = Y[keep], unit_ids[keep], per_unit[keep], w[keep]
        n = len(unit_ids)
        w = w / w.mean()
        cluster_codes = pd.factorize(cluster_values[keep])[0] if cluster else None
        if X is not None:
            X = np.concatenate([np.ones((n, T, 1)), X[keep]], axis=2).transpose(1, 0, 2)
        finite = np.unique(per_unit[~np.isnan(per_unit)]).astype(int)
        cohorts = np.r_[finite.astype(float), np.inf]
        cohort_index = np.where(
            np.isnan(per_unit), len(finite), np.searchsorted(finite, np.nan_to_num(per_unit, nan=-1))
        )
        return cls(Y=Y, unit_ids=unit_ids, time_labels=labels, cohort_index=cohort_index.astype(int),
                   cohorts=cohorts, unit_cohort_period=per_unit, w=w, X=X, covariate_names=covariates,
                   cluster_codes=cluster_codes, n=n)  # fmt: skip


def _is_datetime(values: pd.Series) -> bool:
    return pd.api.types.is_datetime64_any_dtype(values)


def _periods(values: pd.Series, name: str, reference=None) -> tuple[np.ndarray, np.ndarray]:
    """Period index of each value and the sorted period labels; the periods must be regular.

    Integers (years, period numbers) or first-of-month dates (monthly, quarterly, yearly steps). With
    ``reference`` (the time column's labels), dates are placed on that column's periods.
    """
    if _is_datetime(values):
        ts = pd.to_datetime(values)
        if not (ts.dt.day == 1).all():
            raise DiDError(f"{name!r} holds dates that are not the first of a month: use integer periods")
        months = (ts.dt.year * 12 + ts.dt.month - 1).to_numpy()
        if reference is not None:
            ref = pd.to_datetime(pd.Series(reference))
            ref_months = (ref.dt.year * 12 + ref.dt.month - 1).to_numpy()
            step = ref_months[1] - ref_months[0] if len(ref_months) > 1 else 1
            idx = (months - ref_months[0]) / step
            if (idx != np.round(idx)).any():
                raise DiDError(f"{name!r} holds dates that are not periods of the time column")
            return np.round(idx).astype(int), np.asarray(reference)
        uniq = np.sort(pd.unique(months))
        labels = pd.to_datetime(
            pd.DataFrame({"year": uniq // 12, "month": uniq % 12 + 1, "day": 1})
        ).to_numpy()
        steps = np.diff(uniq)
        if len(steps) and (steps != steps[0]).any():
            gaps = labels[:-1][steps != steps[0]][:5]
            raise DiDError(
                f"time column {name!r} is not regular: the spacing of periods changes after {gaps}"
            )
        step = steps[0] if len(steps) else 1
        return (months - uniq[0]) // step, labels
    v = values.to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(v).any():
        raise DiDError(f"time column {name!r} has missing values")
    uniq = np.sort(pd.unique(v))
    if (uniq != np.round(uniq)).any():
        raise DiDError(f"time column {name!r} must hold whole-number periods")
    steps = np.diff(uniq)
    if len(steps) and (steps != steps[0]).any():
        raise DiDError(
            f"time column {name!r} is not regular: the periods {uniq.astype(int).tolist()} are not equally spaced"
        )
    step = steps[0] if len(steps) else 1
    idx = np.round((v - uniq[0]) / step).astype(int)
    return idx, uniq.astype(int)


def _to_index(g: np.ndarray, labels: np.ndarray, name: str) -> np.ndarray:
    """Cohort values (in the time column's units) as period indices."""
    labels = labels.astype(float)
    step = labels[1] - labels[0] if len(labels) > 1 else 1.0
    idx = (g - labels[0]) / step
    if (idx != np.round(idx)).any():
        raise DiDError(f"cohort {name!r} holds values that are not periods of the time column")
    return np.round(idx)


# --------------------------------------------------------------------------------------------------
# Cells


def _cells(panel: _Panel, control: str, base_period: str, anticipation: int) -> dict[str, np.ndarray]:
    """Every (cohort, period) cell with its base period and its comparison cohorts."""
    T = panel.Y.shape[1]
    treated = panel.cohorts[:-1].astype(int)
    if len(treated) == 0:
        raise DiDError("no treated units: every unit is never treated in this panel")
    n_never = int((panel.cohort_index == len(treated)).sum())
    rows = []
    for gi, g in enumerate(treated):
        pre = np.flatnonzero(np.arange(T) < g - anticipation)
        if pre.size == 0:
            continue
        universal_base = pre[-1]
        periods = range(T) if base_period == "universal" else range(1, T)
        for t in periods:
            if base_period == "universal":
                base = universal_base
            else:
                base = universal_base if g <= t else t - 1
            reference = base_period == "universal" and t == base
            relevant = max(t, base) + anticipation
            if control == "never":
                ctrl = np.zeros(len(panel.cohorts), dtype=bool)
                ctrl[-1] = n_never > 0
            else:
                ctrl = panel.cohorts > relevant
                ctrl[gi] = False
            if not ctrl.any() and not reference:
                why = (
                    "no never-treated units"
                    if control == "never"
                    else "no never-treated or not-yet-treated units"
                )
                raise DiDError(
                    f"cohort {panel.time_labels[g]} has no comparison units at time {panel.time_labels[t]} ({why}); "
                    "use control='notyet', or drop the periods after the last cohort is treated"
                )
            rows.append((gi, g, t, base, reference, ctrl))
    if not rows:
        raise DiDError("no cohort has a pre-treatment period")
    return {
        "g_index": np.array([r[0] for r in rows]),
        "g": np.array([r[1] for r in rows]),
        "t": np.array([r[2] for r in rows]),
        "b": np.array([r[3] for r in rows]),
        "reference": np.array([r[4] for r in rows]),
        "control": np.array([r[5] for r in rows]),  # cells x cohorts
    }


# --------------------------------------------------------------------------------------------------
# Influence-function models


class _MomentModel:
    """No covariates: each IF is affine in a unit's outcomes with cohort-level coefficients.

    For cell k with treated cohort g, comparison cohorts C, periods t and b:
    IF_i = n w_i (dY_i - mu_1) / W_1 for i in g, and -n w_i (dY_i - mu_0) / W_0 for i in C, where
    dY = Y_t - Y_b and W are weight sums. Only per-cohort sums of w Y, w^2 Y and w^2 Y Y' are kept.
    """

    @classmethod
    def fit(cls, panel: _Panel, cells: dict) -> _MomentModel:
        self = cls()
        self.panel, self.cells, self.n = panel, cells, panel.n
        C, T = len(panel.cohorts), panel.Y.shape[1]
        self.n_cohorts = C
        ci, w, Y = panel.cohort_index, panel.w, panel.Y
        self.W1 = np.bincount(ci, weights=w, minlength=C)
        self.sum_wY = np.zeros((C, T))
        self.sum_w2Y = np.zeros((C, T))
        self.sum_w2YY = np.zeros((C, T, T))
        self.W2 = np.bincount(ci, weights=w**2, minlength=C)
        order = np.argsort(ci, kind="stable")
        bounds = np.r_[0, np.cumsum(np.bincount(ci, minlength=C))]
        for c in range(C):
            rows = order[bounds[c] : bounds[c + 1]]
            Yc, wc = Y[rows], w[rows]
            self.sum_wY[c] = wc @ Yc
            self.sum_w2Y[c] = (wc**2) @ Yc
            self.sum_w2YY[c] = (Yc * (wc**2)[:, None]).T @ Yc
        self.order, self.bounds = order, bounds
        g, t, b, ctrl = cells["g_index"], cells["t"], cells["b"], cells["control"]
        K = len(g)
        dS = self.sum_wY[:, t] - self.sum_wY[:, b]  # C x K
        W_treat = self.W1[g]
        W_ctrl = ctrl.astype(float) @ self.W1
        mu1 = dS[g, np.arange(K)] / W_treat
        with np.errstate(invalid="ignore", divide="ignore"):
            mu0 = (ctrl * dS.T).sum(axis=1) / W_ctrl
        att = mu1 - mu0
        ref = cells["reference"]
        att[ref] = 0.0
        self.att = att
        coef = np.where(ctrl, -1.0 / np.where(W_ctrl > 0, W_ctrl, np.inf)[:, None], 0.0)
        coef[np.arange(K), g] = 1.0 / W_treat
        coef[ref] = 0.0
        mu = np.where(ctrl, mu0[:, None], 0.0)
        mu[np.arange(K), g] = mu1
        self.coef, self.mu = coef, mu  # K x C
        counts = np.bincount(ci, minlength=C)
        self.n_treated = counts[g]
        self.n_control = ctrl.astype(int) @ counts
        self.pg = self.W1[:-1] / self.n  # treated cohorts' shares (weighted)
        return self

    def cell_se(self) -> np.ndarray:
        """Analytic standard errors of the cells without forming any unit-level array."""
        t, b = self.cells["t"], self.cells["b"]
        S = self.sum_w2YY
        q = (S[:, t, t] + S[:, b, b] - 2 * S[:, t, b]).T  # K x C
        q += -2 * self.mu * (self.sum_w2Y[:, t] - self.sum_w2Y[:, b]).T + self.mu**2 * self.W2[None, :]
        var = (self.coef**2 * q).sum(axis=1)
        return np.sqrt(np.maximum(var, 0.0))

    def unit_if(self, A: np.ndarray, phi: np.ndarray, kappa: np.ndarray) -> np.ndarray:
        """Units x J influence functions of the estimates ``A' att`` (plus weight terms phi, kappa)."""
        t, b = self.cells["t"], self.cells["b"]
        K, J = A.shape
        T = self.panel.Y.shape[1]
        E = np.zeros((K, T))
        E[np.arange(K), t] += 1.0
        E[np.arange(K), b] -= 1.0
        out = np.empty((self.n, J))
        for c in range(self.n_cohorts):
            ac = A * self.coef[:, c][:, None]  # K x J
            beta = self.n * (E.T @ ac)  # T x J
            alpha = -self.n * (self.mu[:, c] @ ac) + phi[c]
            rows = self.order[self.bounds[c] : self.bounds[c + 1]]
            wc = self.panel.w[rows][:, None]
            out[rows] = wc * (self.panel.Y[rows] @ beta + alpha) + kappa
        return out

    def labels_for(self, kind: str, keys: list) -> np.ndarray:
        return _labels(self.panel, kind, keys)


class _DenseModel:
    """With covariates: doubly robust, regression or IPW estimates cell by cell (Sant'Anna-Zhao)."""

    @classmethod
    def fit(cls, panel: _Panel, cells: dict, est: str) -> _DenseModel:
        self = cls()
        self.panel, self.cells, self.n = panel, cells, panel.n
        C = len(panel.cohorts)
        self.n_cohorts = C
        K = len(cells["g"])
        self.IF = np.zeros((panel.n, K))
        self.att = np.zeros(K)
        ci = panel.cohort_index
        counts = np.bincount(ci, minlength=C)
        self.n_treated = counts[cells["g_index"]]
        self.n_control = cells["control"].astype(int) @ counts
        self.pg = np.bincount(ci, weights=panel.w, minlength=C)[:-1] / panel.n
        for k in range(K):
            if cells["reference"][k]:
                continue
            gi, t, b = cells["g_index"][k], cells["t"][k], cells["b"][k]
            treated = ci == gi
            subset = treated | cells["control"][k][ci]
            d = treated[subset].astype(float)
            dy = panel.Y[subset, t] - panel.Y[subset, b]
            x = panel.X[min(b, t), subset]  # covariates in the base period (R did: min(base, t))
            _check_covariates(x, d, panel, gi, t)
            iw = panel.w[subset] / panel.w[subset].mean()
            att, inf = _ESTIMATORS[est](dy, d, x, iw)
            self.att[k] = att
            self.IF[subset, k] = panel.n / subset.sum() * inf
        return self

    def cell_se(self) -> np.ndarray:
        return np.sqrt((self.IF**2).sum(axis=0)) / self.n

    def unit_if(self, A: np.ndarray, phi: np.ndarray, kappa: np.ndarray) -> np.ndarray:
        return self.IF @ A + self.panel.w[:, None] * phi[self.panel.cohort_index] + kappa

    def labels_for(self, kind: str, keys: list) -> np.ndarray:
        return _labels(self.panel, kind, keys)


def _labels(panel: _Panel, kind: str, keys: list) -> np.ndarray:
    if kind == "group":
        return panel.time_labels[panel.cohorts[np.asarray(keys, dtype=int)].astype(int)]
    if kind == "calendar":
        return panel.time_labels[np.asarray(keys, dtype=int)]
    return np.asarray(keys, dtype=int)


def _check_covariates(x, d, panel, gi, t):
    for j in range(1, x.shape[1]):
        if np.ptp(x[:, j]) == 0:
            raise DiDError(
                f"covariate {panel.covariate_names[j - 1]!r} is constant within cohort "
                f"{panel.time_labels[int(panel.cohorts[gi])]} and its comparison units (at time "
                f"{panel.time_labels[t]}): it cannot be separated from the intercept"
            )


def _logit(d, x, iw):
    import statsmodels.api as sm

    fit = sm.GLM(d, x, family=sm.families.Binomial(), freq_weights=iw).fit()
    ps = np.clip(fit.predict(x), 1e-6, 1 - 1e-6)
    return ps


def _dr(dy, d, x, iw):
    """Locally efficient doubly robust DiD for panel data (Sant'Anna and Zhao 2020, eq. 3.1)."""
    m = len(d)
    ps = _logit(d, x, iw)
    trim = np.ones(m, dtype=bool)
    trim[d == 0] = ps[d == 0] < 0.995
    ctrl = d == 0
    beta = np.linalg.lstsq(x[ctrl] * np.sqrt(iw[ctrl])[:, None], dy[ctrl] * np.sqrt(iw[ctrl]), rcond=None)[0]
    out = x @ beta
    w_t = trim * iw * d
    w_c = trim * iw * ps * (1 - d) / (1 - ps)
    dr_t, dr_c = w_t * (dy - out), w_c * (dy - out)
    eta_t, eta_c = dr_t.mean() / w_t.mean(), dr_c.mean() / w_c.mean()
    W = ps * (1 - ps) * iw
    w_ols = iw * (1 - d)
    M = x.T @ (w_ols[:, None] * x) / m
    lin_ols = ((w_ols * (dy - out))[:, None] * x) @ np.linalg.inv(M)
    score = (iw * (d - ps))[:, None] * x
    lin_ps = score @ (np.linalg.inv(x.T @ (W[:, None] * x)) * m)
    inf_t = (dr_t - w_t * eta_t - lin_ols @ (w_t[:, None] * x).mean(axis=0)) / w_t.mean()
    c1 = dr_c - w_c * eta_c
    inf_c = (
        c1 + lin_ps @ (c1[:, None] * x).mean(axis=0) - lin_ols @ (w_c[:, None] * x).mean(axis=0)
    ) / w_c.mean()
    return eta_t - eta_c, inf_t - inf_c


def _reg(dy, d, x, iw):
    """Outcome-regression DiD for panel data (Heckman, Ichimura and Todd 1997)."""
    m = len(d)
    ctrl = d == 0
    beta = np.linalg.lstsq(x[ctrl] * np.sqrt(iw[ctrl])[:, None], dy[ctrl] * np.sqrt(iw[ctrl]), rcond=None)[0]
    out = x @ beta
    w = iw * d
    eta_t = (w * dy).mean() / w.mean()
    eta_c = (w * out).mean() / w.mean()
    w_ols = iw * (1 - d)
    M = x.T @ (w_ols[:, None] * x) / m
    lin_ols = ((w_ols * (dy - out))[:, None] * x) @ np.linalg.inv(M)
    inf_t = (w * dy - w * eta_t) / w.mean()
    inf_c = (w * out - w * eta_c + lin_ols @ (w[:, None] * x).mean(axis=0)) / w.mean()
    return eta_t - eta_c, inf_t - inf_c


def _ipw(dy, d, x, iw):
    """Standardised (Hajek) inverse probability weighting DiD for panel data (Abadie 2005)."""
    m = len(d)
    ps = _logit(d, x, iw)
    trim = np.ones(m, dtype=bool)
    trim[d == 0] = ps[d == 0] < 0.995
    w_t = trim * iw * d
    w_c = trim * iw * ps * (1 - d) / (1 - ps)
    e_t, e_c = w_t * dy / w_t.mean(), w_c * dy / w_c.mean()
    a_t, a_c = e_t.mean(), e_c.mean()
    W = ps * (1 - ps) * iw
    lin_ps = ((iw * (d - ps))[:, None] * x) @ (np.linalg.inv(x.T @ (W[:, None] * x)) * m)
    mom = ((w_c * (dy - a_c))[:, None] * x).mean(axis=0) / w_c.mean()
    inf = (e_t - w_t * a_t / w_t.mean()) - ((e_c - w_c * a_c / w_c.mean()) + lin_ps @ mom)
    return a_t - a_c, inf


_ESTIMATORS = {"dr": _dr, "reg": _reg, "ipw": _ipw}


# --------------------------------------------------------------------------------------------------
# Inference


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


def _critical(draws, se, alpha) -> float:
    if draws is None:
        return float(stats.norm.ppf(1 - alpha / 2))
    ok = se > _EPS_SE
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
        crit = _critical(draws, se, alpha)
    se = np.where(se <= _EPS_SE, np.nan, se)
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
    )
    return np.where(se <= _EPS_SE, np.nan, se), crit
