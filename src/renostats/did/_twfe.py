"""Two-way fixed-effects event study, for comparison: :func:`twfe`.

May import :mod:`._panel` (to read the panel the same way as :func:`att_gt`), numpy, pandas, scipy
and statsmodels (imported when called).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from renostats.did._panel import _Panel


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
