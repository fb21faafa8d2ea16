"""Difference-in-differences with a continuous dose (Callaway, Goodman-Bacon and Sant'Anna 2024).

Every treated unit receives a dose ``d > 0`` (investment per household, say) when its cohort is
treated; comparison units receive none. For each cohort ``g`` and period ``t`` the change in outcome
from the cohort's base period, ``dY``, is regressed on a B-spline of the dose among the cohort's units;
the comparison units' mean change is subtracted. This gives, per cell,

- ``ATT_gt(d) = m_gt(d) - mean(dY | comparison)``, the effect of dose ``d`` on units that received it,
- ``ACRT_gt(d) = m_gt'(d)``, the average causal response: the effect of a marginal increase in the dose,

and the cell's ``ATT^o`` (the mean over its treated units of ATT(d_i)) and ``ACRT^o`` (the mean of
ACRT(d_i)). Cells are averaged with each cohort weighted by its share of treated units, spread evenly
over its post-treatment periods (so each cohort counts by its size, not by how long it was observed);
by event time, cohorts at the same event time are weighted by size.

Influence functions are unit level (OLS score and comparison-mean terms); standard errors treat the
cohort shares as known. Analytic pointwise intervals, or a seeded multiplier bootstrap with a uniform
band over the dose grid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import interpolate, stats

from renostats._validate import alpha as check_alpha
from renostats._validate import fail, number, one_of
from renostats.did._panel import _Panel
from renostats.errors import DiDError


@dataclass(frozen=True)
class DoseResult:
    """Dose-response of a staggered treatment with a continuous dose.

    Attributes
    ----------
    curve : DataFrame
        One row per dose of the grid: ``dose``, ``att``, ``att_se``, ``att_low``, ``att_high``, ``acrt``,
        ``acrt_se``, ``acrt_low``, ``acrt_high``. ATT(d): effect of receiving dose d rather than none, for
        units that received d. ACRT(d): derivative of the dose-response at d (the effect per unit of dose).
    event : DataFrame
        By event time (pre-treatment rows are placebo checks): ``event``, ``att``, ``att_se``, ``acrt``,
        ``acrt_se`` with their ``_low``/``_high``; ``att`` is the average effect ATT^o of the cohorts at that
        event time and ``acrt`` their average ACRT^o.
    cells : DataFrame
        Per cohort and period: ``cohort``, ``time``, ``event``, ``att``, ``acrt``, ``n_treated``,
        ``n_control``, ``weight`` (its weight in the overall and curve averages; 0 before treatment).
    overall_att, overall_att_se, overall_att_low, overall_att_high : float
        ATT^o: the average effect among treated units at the doses they received.
    overall_acrt, overall_acrt_se, overall_acrt_low, overall_acrt_high : float
        ACRT^o: the average, over treated units' doses, of the effect of a marginal increase of the dose.
    degree : int
        Degree of the B-spline.
    knots : tuple of float
        Interior knots of the B-spline.
    crit : float
        Critical value of the curve's intervals (normal pointwise, or the bootstrap's uniform band).
    settings : dict
        The call's arguments.
    """

    curve: pd.DataFrame
    event: pd.DataFrame
    cells: pd.DataFrame
    overall_att: float
    overall_att_se: float
    overall_att_low: float
    overall_att_high: float
    overall_acrt: float
    overall_acrt_se: float
    overall_acrt_low: float
    overall_acrt_high: float
    degree: int
    knots: tuple[float, ...]
    crit: float
    settings: dict[str, Any]

    def __str__(self) -> str:
        level = 1 - self.settings["alpha"]
        return (
            f"Dose-response (B-spline degree {self.degree}, {len(self.knots)} interior knots), "
            f"{len(self.cells)} cohort-period cells\n"
            f"ATT^o  {self.overall_att:.4f} (se {self.overall_att_se:.4f}, {level:.0%} CI "
            f"{self.overall_att_low:.4f} to {self.overall_att_high:.4f})\n"
            f"ACRT^o {self.overall_acrt:.4f} (se {self.overall_acrt_se:.4f}, {level:.0%} CI "
            f"{self.overall_acrt_low:.4f} to {self.overall_acrt_high:.4f})"
        )


def dose(
    data: pd.DataFrame,
    y: str,
    time: str,
    unit: str,
    cohort: str,
    dose: str,
    *,
    control: str = "notyet",
    degree: int = 3,
    knots: int | Sequence[float] = 0,
    doses: Sequence[float] | None = None,
    base_period: str = "varying",
    alpha: float = 0.05,
    bootstrap: int = 0,
    seed: int | None = None,
) -> DoseResult:
    """Dose-response of a staggered treatment with a continuous dose: ATT(d), ACRT(d), ATT^o, ACRT^o.

    Parameters
    ----------
    data : DataFrame
        Balanced long panel, one row per unit and period.
    y, time, unit, cohort : str
        Outcome, period, unit id and first treated period (0 or missing: never treated), as in
        :func:`att_gt`.
    dose : str
        The dose, constant within a unit: positive for every treated unit, 0 (or missing) for units
        never treated. For renovation, the investment per household (or per m²).
    control : {"notyet", "never"}
        Comparison units: not yet treated (and never treated), or never treated only.
    degree : int
        Degree of the B-spline of the dose (1 linear, 3 cubic).
    knots : int or list of float
        Number of interior knots (placed at quantiles of the treated units' doses), or their positions.
    doses : list of float, optional
        Doses at which to report the curve; default 50 values from the smallest to the largest treated dose.
    base_period : {"varying", "universal"}
        Base period of pre-treatment (placebo) cells; post-treatment cells always use the period before
        treatment.
    alpha : float
        One minus the confidence level.
    bootstrap : int
        Multiplier bootstrap draws (Rademacher); with it the curve's intervals form a uniform band over
        the dose grid. 0: analytic pointwise intervals.
    seed : int, optional
        Seed of the bootstrap.

    Returns
    -------
    DoseResult

    Notes
    -----
    Identification (Callaway, Goodman-Bacon and Sant'Anna 2024). *Parallel trends* (for every dose, the
    untreated outcome of units that received d would have moved as that of comparison units) identifies
    ATT(d), the effect of dose d **on the units that received d**, and the average ATT^o. It does not
    identify comparisons across doses: ATT(d_high) - ATT(d_low), and so the slope ACRT(d), also contain
    selection bias when units that received high doses would have responded differently to any given
    dose than units that received low ones. Reading the curve as a dose-response (what a unit would gain
    from more money) needs **strong parallel trends**: the average change under dose d among all treated
    units equals that among units that received d, i.e. no selection into doses on the gains. A funding
    office that allocated more money where it expected larger gains violates it.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from renostats.did import dose
    >>> rng = np.random.default_rng(0)
    >>> n = 600
    >>> g = rng.choice([0, 3, 4], n)
    >>> d = np.where(g > 0, rng.uniform(1, 3, n), 0.0)
    >>> panel = pd.DataFrame({"unit": np.repeat(np.arange(n), 4), "time": np.tile([1, 2, 3, 4], n),
    ...                       "cohort": np.repeat(g, 4), "dose": np.repeat(d, 4)})
    >>> post = (panel["cohort"] > 0) & (panel["time"] >= panel["cohort"])
    >>> panel["y"] = rng.normal(size=len(panel)) + post * 0.5 * panel["dose"]
    >>> res = dose(panel, "y", "time", "unit", "cohort", "dose", degree=1)
    >>> bool(res.overall_acrt_low < 0.5 < res.overall_acrt_high)
    True
    """
    control = one_of(control, ("notyet", "never"), name="control")
    base_period = one_of(base_period, ("varying", "universal"), name="base_period")
    alpha = check_alpha(alpha)
    degree = int(number(degree, name="degree", low=1, integer=True))
    bootstrap = int(number(bootstrap, name="bootstrap", low=0, integer=True))
    if dose not in data:
        raise DiDError(f"columns not in the data: {[dose]}")
    panel = _Panel.build(data, y, time, unit, cohort, [], None, None, 0)
    d_unit = _unit_dose(data, unit, dose, panel)
    treated = panel.cohort_index < len(panel.cohorts) - 1
    if (d_unit[treated] <= 0).any() or np.isnan(d_unit[treated]).any():
        bad = panel.unit_ids[treated & ~(d_unit > 0)][:10].tolist()
        raise DiDError(f"treated units need a positive dose {dose!r}; not so for units {bad}")
    if (np.nan_to_num(d_unit[~treated]) != 0).any():
        bad = panel.unit_ids[~treated & (np.nan_to_num(d_unit) != 0)][:10].tolist()
        raise DiDError(f"units never treated in the panel must have dose 0 (or missing); not so for {bad}")
    d_unit = np.where(treated, d_unit, 0.0)
    positive = d_unit[treated]
    if isinstance(knots, int | np.integer):
        k_int = int(number(knots, name="knots", low=0, integer=True))
        interior = np.quantile(positive, np.linspace(0, 1, k_int + 2)[1:-1]) if k_int else np.array([])
    else:
        interior = np.sort(np.asarray(knots, dtype=float))
        if interior.size and (interior.min() <= positive.min() or interior.max() >= positive.max()):
            raise fail(
                "knots",
                f"positions strictly inside the treated doses ({positive.min():g}, {positive.max():g})",
                knots,
            )
    grid = (
        np.linspace(positive.min(), positive.max(), 50)
        if doses is None
        else np.asarray(doses, dtype=float).ravel()
    )
    if grid.size == 0:
        raise fail("doses", "a non-empty list of doses", doses)
    cells = _dose_cells(panel, control, base_period)
    fits = [_fit_cell(panel, d_unit, cell, degree, interior, grid) for cell in cells]
    return _assemble(panel, cells, fits, grid, degree, interior, alpha, bootstrap, seed,
                     {"y": y, "time": time, "unit": unit, "cohort": cohort, "dose": dose, "control": control,
                      "degree": degree, "knots": knots, "base_period": base_period, "alpha": alpha,
                      "bootstrap": bootstrap, "seed": seed})  # fmt: skip


# --------------------------------------------------------------------------------------------------


def _unit_dose(data, unit, dose, panel) -> np.ndarray:
    frame = pd.DataFrame(
        {"unit": data[unit].to_numpy(), "dose": pd.to_numeric(data[dose]).to_numpy(dtype=float)}
    )
    spread = frame.groupby("unit")["dose"].agg(["min", "max"])
    varies = spread.index[(spread["max"] - spread["min"]).abs() > 0].tolist()
    if varies:
        raise DiDError(f"dose {dose!r} changes within unit(s) {varies[:10]}: it must be one value per unit")
    return spread["max"].reindex(panel.unit_ids).to_numpy(dtype=float)


def _dose_cells(panel: _Panel, control: str, base_period: str) -> list[dict]:
    T = panel.Y.shape[1]
    C = len(panel.cohorts)
    out = []
    for gi, g in enumerate(panel.cohorts[:-1].astype(int)):
        if g < 1:
            continue
        for t in range(1, T) if base_period == "varying" else range(T):
            base = g - 1 if (t >= g or base_period == "universal") else t - 1
            if t == base:
                continue
            if control == "never":
                ctrl = np.zeros(C, dtype=bool)
                ctrl[-1] = True
            else:
                ctrl = panel.cohorts > max(t, base)
                ctrl[gi] = False
            n_ctrl = int(np.isin(panel.cohort_index, np.flatnonzero(ctrl)).sum())
            if n_ctrl == 0:
                if t >= g:
                    raise DiDError(
                        f"cohort {panel.time_labels[g]} has no comparison units at time {panel.time_labels[t]}; "
                        "use control='notyet', or drop the periods after the last cohort is treated"
                    )
                continue
            out.append({"gi": gi, "g": g, "t": t, "b": base, "ctrl": ctrl})
    if not out:
        raise DiDError("no cohort has a pre-treatment period and comparison units")
    return out


def _basis(x, knot_vector, degree, deriv=0):
    nb = len(knot_vector) - degree - 1
    spline = interpolate.BSpline(knot_vector, np.eye(nb), degree, extrapolate=True)
    if deriv:
        spline = spline.derivative(deriv)
    return spline(np.asarray(x, dtype=float))


def _fit_cell(panel, d_unit, cell, degree, interior, grid):
    """One cohort-period cell: estimates and unit-level influence functions (units x quantities)."""
    n = panel.n
    in_g = panel.cohort_index == cell["gi"]
    in_c = np.isin(panel.cohort_index, np.flatnonzero(cell["ctrl"]))
    dy = panel.Y[:, cell["t"]] - panel.Y[:, cell["b"]]
    d1 = d_unit[in_g]
    lo, hi = d1.min(), d1.max()
    if hi <= lo:
        raise DiDError(
            f"cohort {panel.time_labels[cell['g']]}: every unit has the same dose; no dose-response"
        )
    inner = interior[(interior > lo) & (interior < hi)]
    tvec = np.r_[np.full(degree + 1, lo), inner, np.full(degree + 1, hi)]
    X = _basis(d1, tvec, degree)
    n1, n0 = int(in_g.sum()), int(in_c.sum())
    if n1 <= X.shape[1] or np.linalg.matrix_rank(X) < X.shape[1]:
        raise DiDError(
            f"cohort {panel.time_labels[cell['g']]} has {n1} units with {np.unique(d1).size} distinct doses for a "
            f"spline with {X.shape[1]} coefficients; use a lower degree or fewer knots"
        )
    y1 = dy[in_g]
    coef, *_ = np.linalg.lstsq(X, y1, rcond=None)
    resid = y1 - X @ coef
    mu0 = dy[in_c].mean()
    Bg, Dg = _basis(grid, tvec, degree), _basis(grid, tvec, degree, 1)
    Dx = _basis(d1, tvec, degree, 1)
    bread = np.linalg.pinv(X.T @ X / n1)
    psi_coef = (n / n1) * (resid[:, None] * X) @ bread  # n1 x p: influence of the coefficients
    slopes = Dx @ coef
    acrt_o = slopes.mean()
    att_o = y1.mean() - mu0
    # influence functions, units x (grid att, grid acrt, att_o, acrt_o)
    G = len(grid)
    IF = np.zeros((n, 2 * G + 2))
    IF[in_g, :G] = psi_coef @ Bg.T
    IF[in_g, G : 2 * G] = psi_coef @ Dg.T
    IF[in_g, 2 * G] = (n / n1) * (y1 - y1.mean())
    IF[in_g, 2 * G + 1] = (n / n1) * (slopes - acrt_o) + psi_coef @ Dx.mean(axis=0)
    c_if = (n / n0) * (dy[in_c] - mu0)
    IF[in_c, :G] -= c_if[:, None]
    IF[in_c, 2 * G] -= c_if
    est = np.r_[Bg @ coef - mu0, Dg @ coef, att_o, acrt_o]
    return {"est": est, "IF": IF, "n1": n1, "n0": n0}


def _assemble(panel, cells, fits, grid, degree, interior, alpha, bootstrap, seed, settings) -> DoseResult:
    G = len(grid)
    g = np.array([c["g"] for c in cells])
    t = np.array([c["t"] for c in cells])
    gi = np.array([c["gi"] for c in cells])
    post = t >= g
    est = np.array([f["est"] for f in fits])  # cells x (2G + 2)
    counts = np.bincount(panel.cohort_index, minlength=len(panel.cohorts))
    share = counts[:-1] / counts[:-1].sum()
    n_post = np.bincount(gi[post], minlength=len(share))
    w = np.where(post, share[gi] / np.maximum(n_post[gi], 1), 0.0)
    w = w / w.sum()
    # overall and curve: one weighted combination per quantity
    combined = w @ est
    IF = sum(wk * f["IF"] for wk, f in zip(w, fits, strict=True) if wk)
    se = np.sqrt((IF**2).sum(axis=0)) / panel.n
    z = float(stats.norm.ppf(1 - alpha / 2))
    crit_att = crit_acrt = z
    if bootstrap:
        rng = np.random.default_rng(seed)
        draws = np.empty((bootstrap, IF.shape[1]))
        for start in range(0, bootstrap, 200):
            stop = min(bootstrap, start + 200)
            draws[start:stop] = rng.choice([-1.0, 1.0], size=(stop - start, panel.n)) @ IF / panel.n
        q75, q25 = np.percentile(draws, [75, 25], axis=0)
        se = (q75 - q25) / (stats.norm.ppf(0.75) - stats.norm.ppf(0.25))
        crit_att = _uniform_crit(draws[:, :G], se[:G], alpha)
        crit_acrt = _uniform_crit(draws[:, G : 2 * G], se[G : 2 * G], alpha)
    att, acrt = combined[:G], combined[G : 2 * G]
    curve = pd.DataFrame(
        {"dose": grid, "att": att, "att_se": se[:G], "att_low": att - crit_att * se[:G],
         "att_high": att + crit_att * se[:G], "acrt": acrt, "acrt_se": se[G : 2 * G],
         "acrt_low": acrt - crit_acrt * se[G : 2 * G], "acrt_high": acrt + crit_acrt * se[G : 2 * G]}
    )  # fmt: skip
    # by event time: cohorts weighted by size among the cells at that event time
    event = t - g
    rows = []
    for e in np.unique(event):
        m = event == e
        we = np.where(m, share[gi], 0.0)
        we /= we.sum()
        att_e, acrt_e = we @ est[:, 2 * G], we @ est[:, 2 * G + 1]
        IFe = sum(wk * f["IF"][:, 2 * G : 2 * G + 2] for wk, f in zip(we, fits, strict=True) if wk)
        se_e = np.sqrt((IFe**2).sum(axis=0)) / panel.n
        rows.append((int(e), att_e, se_e[0], acrt_e, se_e[1]))
    ev = pd.DataFrame(rows, columns=["event", "att", "att_se", "acrt", "acrt_se"])
    for q in ("att", "acrt"):
        ev[f"{q}_low"] = ev[q] - z * ev[f"{q}_se"]
        ev[f"{q}_high"] = ev[q] + z * ev[f"{q}_se"]
    ev = ev[["event", "att", "att_se", "att_low", "att_high", "acrt", "acrt_se", "acrt_low", "acrt_high"]]
    labels = panel.time_labels
    cell_table = pd.DataFrame(
        {"cohort": labels[g], "time": labels[t], "event": event, "att": est[:, 2 * G], "acrt": est[:, 2 * G + 1],
         "n_treated": [f["n1"] for f in fits], "n_control": [f["n0"] for f in fits], "weight": w}
    )  # fmt: skip
    att_o, acrt_o = float(combined[2 * G]), float(combined[2 * G + 1])
    se_att, se_acrt = float(se[2 * G]), float(se[2 * G + 1])
    return DoseResult(
        curve=curve, event=ev, cells=cell_table,
        overall_att=att_o, overall_att_se=se_att, overall_att_low=att_o - z * se_att, overall_att_high=att_o + z * se_att,
        overall_acrt=acrt_o, overall_acrt_se=se_acrt, overall_acrt_low=acrt_o - z * se_acrt,
        overall_acrt_high=acrt_o + z * se_acrt, degree=degree, knots=tuple(float(k) for k in interior),
        crit=float(crit_att), settings=settings,
    )  # fmt: skip


def _uniform_crit(draws, se, alpha) -> float:
    ok = se > 0
    if not ok.any():
        return float(stats.norm.ppf(1 - alpha / 2))
    return float(np.quantile(np.abs(draws[:, ok] / se[ok]).max(axis=1), 1 - alpha))
