"""Two-way fixed-effects event study, for comparison: :func:`twfe`.

May import :mod:`._panel` (to read the panel the same way as :func:`att_gt`), numpy, pandas, scipy,
statsmodels (imported when called), :mod:`._results` and :mod:`renostats._validate`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from renostats import _validate
from renostats.did._panel import _Panel
from renostats.did._results import AggregateResult, Estimate
from renostats.errors import DiDError


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
) -> AggregateResult:
    """Two-way fixed-effects event study, for comparison with :func:`aggregate` (dynamic).

    With ``static=True``, the single-coefficient version: ``y`` on a treated-and-post dummy with unit
    and period fixed effects (one row, event ``"post"``), the regression a staggered design most often
    gets reported with.

    Regresses ``y`` on event-time dummies (binned at ``min_e`` and ``max_e``, ``reference`` left out)
    with unit and period fixed effects removed by the within transformation, standard errors clustered
    by ``cluster`` (default: unit) via statsmodels. Under staggered timing with heterogeneous effects
    these coefficients mix already-treated units into the comparison group (Goodman-Bacon 2021; Sun
    and Abraham 2021): shown to make that visible, not as an estimate to report.

    Raises
    ------
    InputError
        For ``min_e`` not negative, ``max_e`` negative, ``reference`` outside them, or ``alpha``
        outside (0, 1).

    Returns
    -------
    AggregateResult
        ``kind`` "twfe" or "twfe static"; ``table``: event, att, se, low, high (one row, event "post",
        when static); ``overall``: the static coefficient, or the mean of the event-time coefficients
        from 0 to ``max_e`` (as the dynamic aggregation's overall effect), with its clustered standard
        error.
    """
    import statsmodels.api as sm

    min_e = _validate.number(min_e, name="min_e", integer=True, high=-1)
    max_e = _validate.number(max_e, name="max_e", integer=True, low=0)
    reference = _validate.number(reference, name="reference", integer=True, low=min_e, high=max_e)
    alpha = _validate.alpha(alpha)

    panel = _Panel.build(data, y, time, unit, cohort, [], None, cluster, 0)
    if panel.observed is not None:
        raise DiDError(
            f"twfe needs a balanced panel: {panel.n_missing} unit-period(s) have no outcome "
            "(att_gt accepts unbalanced panels)"
        )
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
    z = float(stats.norm.ppf(1 - alpha / 2))
    att = np.asarray(fit.params)
    table = pd.DataFrame({"event": events, "att": att, "se": se, "low": att - z * se, "high": att + z * se})
    w = np.array([1.0 if static or e >= 0 else 0.0 for e in events])
    w /= w.sum()
    o_att = float(w @ att)
    o_se = float(np.sqrt(w @ (np.asarray(fit.cov_params()) * scale) @ w))
    overall = Estimate(att=o_att, se=o_se, low=o_att - z * o_se, high=o_att + z * o_se)
    kind = "twfe static" if static else "twfe"
    return AggregateResult(kind=kind, overall=overall, table=table, alpha=alpha, crit=z)
