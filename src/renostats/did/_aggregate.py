"""Summaries of group-time effects: :func:`aggregate` (as R's ``did::aggte``) and :func:`pretrend_test`.

Every summary is a linear combination ``A' att`` of the cells plus the influence of estimated cohort
weights; its standard error comes from the model's unit-level influence functions
(:mod:`._inference`). May import :mod:`._results`, :mod:`._inference`, numpy, pandas, scipy and
:mod:`renostats.errors`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from renostats import _validate
from renostats.did._inference import _agg_inference, _cluster_sums, _se_floor, _wald, _weight_if
from renostats.did._results import AggregateResult, DiDResult, Estimate, PreTrendTest
from renostats.errors import DiDError


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
        weights, cohort sizes are weighted sums of the units' weights, as in R's ``did``. moderndid 0.2
        counts units unweighted in that step, so with sampling weights its aggregated point estimates
        differ as well as its standard errors (on one test panel: simple 1.6545 here, 1.6540 there;
        group 1.5004 and 1.5046); the group-time cells and the per-cohort rows agree.
    """
    kind = _validate.one_of(kind, ("simple", "dynamic", "group", "calendar"), name="kind")
    alpha = result.settings["alpha"] if alpha is None else _validate.alpha(alpha)
    min_e = None if min_e is None else _validate.number(min_e, name="min_e")
    max_e = None if max_e is None else _validate.number(max_e, name="max_e")
    if balance_e is not None:
        balance_e = _validate.number(balance_e, name="balance_e", integer=True, low=0)
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
    overall = Estimate(att=overall_att, se=overall_se, low=float(overall_att - z * overall_se),
                       high=float(overall_att + z * overall_se))  # fmt: skip
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
        kind=kind, overall=overall, table=table, alpha=alpha, crit=crit, _weights=(A_all, phi_all, kappa_all),
        _source=result,
    )  # fmt: skip


def pretrend_test(result: DiDResult, window: int | None = None) -> PreTrendTest:
    """Wald test that pre-treatment effects are zero, from their joint influence functions.

    Parameters
    ----------
    window : int, optional
        Test the event-study (dynamic) estimates for the ``window`` periods before treatment
        (-window .. -1) instead of every pre-treatment ATT(g, t). Needed when there are many cohorts:
        the default refuses when the pre-treatment cells are too many for the units behind them.

    Notes
    -----
    The statistic is ``W = att_pre' V^-1 att_pre`` with V the covariance of the pre-treatment estimates
    from their influence functions (clustered when the result is); a generalised inverse is used when V
    is singular, and ``df`` is its rank. V is itself estimated from the units, so ``W`` is referred to
    Hotelling's distribution rather than chi-squared: ``W (nu - df + 1) / (n df)`` is F(df, nu - df + 1)
    with ``n`` units (clusters) and ``nu = n - cohorts`` (``n - 1`` clustered). In seeded simulations
    with a chi-squared reference, 12 cells from 300 units rejected a true null 6-9% of the time at the 5%
    level (the F reference: 4-5%), and ~200 cells from 267 units (notebook 02's design) every time. The test refuses (:class:`DiDError`)
    when more than ``nu / 5`` estimates would be tested, or when a cohort has more pre-treatment cells
    than a tenth of its units: there the covariance is too poorly estimated for any reference
    distribution. Under a universal base period the reference cells (ATT = 0 by construction) are left
    out.

    A pre-test that does not reject is not evidence of parallel trends: it has little power against
    trends of the size that would matter, and reporting estimates only when it passes distorts them
    (Roth 2022).
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
        window = _validate.number(window, name="window", integer=True, low=1)
        agg = aggregate(result, "dynamic", min_e=-window, max_e=-1)
        if agg.table.empty:
            raise DiDError(f"no event times in -{window} .. -1 to test")
        A, phi, kappa = (w[..., :-1] for w in agg._weights)
    estimates = A.T @ model.att
    ifs = model.unit_if(A, phi, kappa)
    cluster = model.panel.cluster_codes
    if cluster is not None:
        ifs = _cluster_sums(ifs, cluster)
        n_units, nu = ifs.shape[0], ifs.shape[0] - 1
    else:
        counts = np.bincount(model.panel.cohort_index, minlength=model.n_cohorts)
        n_units, nu = model.n, model.n - int((counts > 0).sum())
    V = ifs.T @ ifs / model.n**2
    keep = np.diag(V) > _se_floor(model) ** 2
    if not keep.any():
        raise DiDError(
            "the pre-treatment estimates have no sampling variation (the outcome does not change before "
            "treatment): there is nothing to test"
        )
    tested = int(keep.sum())
    what = "pre-treatment cells" if window is None else "event times"
    advice = "use window= (e.g. window=4) to test the event-study estimates before treatment"
    if window is not None:
        advice = "use a smaller window"
    if tested > nu / 5:
        raise DiDError(
            f"{tested} {what} are too many to test jointly with {n_units} "
            f"{'clusters' if cluster is not None else 'units'}: their covariance cannot be estimated "
            f"well enough (a Wald test would reject true nulls); {advice}"
        )
    if window is None:
        counts = np.bincount(model.panel.cohort_index, minlength=model.n_cohorts)
        per_cohort = np.bincount(cells["g_index"][pre[keep]], minlength=model.n_cohorts)
        thin = np.flatnonzero(per_cohort > counts / 10)
        if thin.size:
            labels = [str(model.panel.time_labels[int(model.panel.cohorts[c])]) for c in thin[:5]]
            raise DiDError(
                f"cohort(s) {', '.join(labels)} have more pre-treatment cells than a tenth of their units: "
                f"their covariance cannot be estimated well enough (a Wald test would reject true nulls); {advice}"
            )
    stat, df = _wald(estimates[keep], V[np.ix_(keep, keep)])
    df_resid = nu - df + 1
    f_stat = stat * df_resid / (n_units * df)
    return PreTrendTest(
        statistic=stat, df=df, df_resid=df_resid, p_value=float(stats.f.sf(f_stat, df, df_resid))
    )
