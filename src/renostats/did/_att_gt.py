"""Group-time average treatment effects: :func:`att_gt`.

Builds the panel (:mod:`._panel`), the cells and the model (:mod:`._models`), and the cell inference
(:mod:`._inference`). May import the other private modules of :mod:`renostats.did`, numpy, pandas and
:mod:`renostats.errors`; nothing imports it but the package.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from renostats import _validate
from renostats.did._inference import _cell_inference
from renostats.did._models import _DenseModel, _MomentModel
from renostats.did._panel import _cells, _Panel
from renostats.did._results import DiDResult
from renostats.errors import DiDError


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
    """Group-time average treatment effects ATT(g, t) for a panel of units (Callaway-Sant'Anna).

    A balanced panel takes the fast path (per-cohort moments, no units x cells array). An unbalanced
    panel (unit-periods without a row, or with a missing outcome) is accepted with a warning that counts
    them: each ATT(g, t) then compares the treated and comparison units observed in both of its periods
    (the panel estimator on those units, not R's repeated cross-section estimator), and standard errors
    keep each unit's contributions to all cells together (clustered by unit). On a balanced panel the two
    give the same numbers. Without never-treated units and with ``control="notyet"``, the last cohort
    serves only as a comparison group and the periods from its treatment on are dropped (as R's ``did``).

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
        For a unit with two rows in a period (naming units), an irregular time column, a cohort that
        changes within a unit, a cell with no comparison units (naming the cohort and period), an outcome
        that never changes within units, zero weights for a whole cohort, or a covariate that is constant
        within a cohort and its comparison units.
    InputError
        For an argument outside its allowed values (control, est, base_period, anticipation, alpha,
        bootstrap).
    """
    control = _validate.one_of(control, ("never", "notyet"), name="control")
    est = _validate.one_of(est, ("dr", "reg", "ipw"), name="est")
    base_period = _validate.one_of(base_period, ("varying", "universal"), name="base_period")
    anticipation = _validate.number(anticipation, name="anticipation", integer=True, low=0)
    alpha = _validate.alpha(alpha)
    bootstrap = _validate.number(bootstrap, name="bootstrap", integer=True, low=0)
    covariates = list(covariates or [])
    panel = _Panel.build(data, y, time, unit, cohort, covariates, weights, cluster, anticipation)
    if control == "notyet" and not (panel.cohort_index == len(panel.cohorts) - 1).any():
        last = panel.time_labels[int(panel.cohorts[-2])] if len(panel.cohorts) > 1 else None
        panel = panel.last_cohort_as_comparison(anticipation)
        warnings.warn(
            f"no never-treated units: the last cohort ({last}) serves only as a comparison group, and the "
            f"periods from {last} on are not estimated (as R's did does)",
            UserWarning,
            stacklevel=2,
        )
    if panel.observed is not None:
        short = int((~panel.observed.all(axis=1)).sum())
        warnings.warn(
            f"the panel is unbalanced: {panel.n_missing} unit-period(s) of {panel.Y.size} have no outcome "
            f"({short} of {panel.n} units); each group-time effect uses the units observed in both of its periods",
            UserWarning,
            stacklevel=2,
        )
    cells = _cells(panel, control, base_period, anticipation)
    if covariates:
        model = _DenseModel.fit(panel, cells, est)
    elif panel.observed is not None:
        model = _DenseModel.fit(panel, cells, "means")
    else:
        model = _MomentModel.fit(panel, cells)
    att = model.att
    missing = ~np.isfinite(att) & ~cells["reference"]
    if missing.any():
        where = [
            f"cohort {panel.time_labels[g]} at time {panel.time_labels[t]}"
            for g, t in zip(cells["g"][missing][:5], cells["t"][missing][:5], strict=True)
        ]
        raise DiDError(
            f"{int(missing.sum())} group-time effect(s) cannot be estimated (no treated or no comparison units "
            f"observed in both periods, or no weight on them), e.g. {', '.join(where)}"
        )
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
    return DiDResult(
        table=table, settings=settings, n_units=panel.n, crit=crit, _model=model, _cells=cells,
        n_missing=panel.n_missing,
    )  # fmt: skip
