"""Influence-function models of the group-time effects.

:class:`_MomentModel` (no covariates): every ATT(g, t) is a difference of cohort means and every
influence function is affine in a unit's own outcomes, so per-cohort moment matrices replace a
units x cells array. :class:`_DenseModel` (covariates, or an unbalanced panel): doubly robust, outcome
regression or inverse probability weighting (:func:`_dr`, :func:`_reg`, :func:`_ipw`), or a difference
of means (:func:`_means`), cell by cell. Both expose ``att``,
``n_treated``, ``n_control``, ``pg``, ``cell_se()``, ``unit_if(A, phi, kappa)`` and ``labels_for``.
May import :mod:`._panel`, numpy, statsmodels (imported when called) and :mod:`renostats.errors`.
"""

from __future__ import annotations

import numpy as np

from renostats.did._panel import _Panel
from renostats.errors import DiDError


class _MomentModel:
    """No covariates: each IF is affine in a unit's outcomes with cohort-level coefficients.

    For cell k with treated cohort g, comparison cohorts C, periods t and b:
    IF_i = n w_i (dY_i - mu_1) / W_1 for i in g, and -n w_i (dY_i - mu_0) / W_0 for i in C, where
    dY = Y_t - Y_b and W are weight sums. Only per-cohort means M and sums of w^2 (Y - M) and
    w^2 (Y - M)(Y - M)' are kept.
    """

    @classmethod
    def fit(cls, panel: _Panel, cells: dict) -> _MomentModel:
        self = cls()
        self.panel, self.cells, self.n = panel, cells, panel.n
        C, T = len(panel.cohorts), panel.Y.shape[1]
        self.n_cohorts = C
        ci, w, Y = panel.cohort_index, panel.w, panel.Y
        self.W1 = np.bincount(ci, weights=w, minlength=C)
        self.W2 = np.bincount(ci, weights=w**2, minlength=C)
        # second moments are kept about each cohort's own means (M), so that standard errors do not lose
        # digits when the outcome is far from zero (revenue in yuan) or very small
        self.M = np.zeros((C, T))  # weighted mean outcome of each cohort in each period
        self.sum_w2Yc = np.zeros((C, T))  # sum of w^2 (Y - M)
        self.sum_w2YcYc = np.zeros((C, T, T))  # sum of w^2 (Y - M)(Y - M)'
        order = np.argsort(ci, kind="stable")
        bounds = np.r_[0, np.cumsum(np.bincount(ci, minlength=C))]
        for c in range(C):
            rows = order[bounds[c] : bounds[c + 1]]
            if rows.size == 0 or self.W1[c] <= 0:
                continue
            Yc, wc = Y[rows], w[rows]
            self.M[c] = (wc @ Yc) / self.W1[c]
            Yc = Yc - self.M[c]
            self.sum_w2Yc[c] = (wc**2) @ Yc
            self.sum_w2YcYc[c] = (Yc * (wc**2)[:, None]).T @ Yc
        self.order, self.bounds = order, bounds
        g, t, b, ctrl = cells["g_index"], cells["t"], cells["b"], cells["control"]
        K = len(g)
        dM = (self.M[:, t] - self.M[:, b]).T  # K x C: change in each cohort's mean
        W_treat = self.W1[g]
        W_ctrl = ctrl.astype(float) @ self.W1
        mu1 = dM[np.arange(K), g]
        with np.errstate(invalid="ignore", divide="ignore"):
            mu0 = (ctrl * dM * self.W1[None, :]).sum(axis=1) / W_ctrl
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
        self.delta = np.where(coef != 0, dM - mu, 0.0)  # K x C: cohort's mean change minus the cell's mean
        counts = np.bincount(ci, minlength=C)
        self.n_treated = counts[g]
        self.n_control = ctrl.astype(int) @ counts
        self.pg = self.W1[:-1] / self.n  # treated cohorts' shares (weighted)
        return self

    def cell_se(self) -> np.ndarray:
        """Analytic standard errors of the cells without forming any unit-level array."""
        t, b = self.cells["t"], self.cells["b"]
        S = self.sum_w2YcYc
        q = (S[:, t, t] + S[:, b, b] - 2 * S[:, t, b]).T  # K x C
        q += 2 * self.delta * (self.sum_w2Yc[:, t] - self.sum_w2Yc[:, b]).T + self.delta**2 * self.W2[None, :]
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
            alpha = self.n * (self.delta[:, c] @ ac) + phi[c]
            rows = self.order[self.bounds[c] : self.bounds[c + 1]]
            wc = self.panel.w[rows][:, None]
            out[rows] = wc * ((self.panel.Y[rows] - self.M[c]) @ beta + alpha) + kappa
        return out

    def labels_for(self, kind: str, keys: list) -> np.ndarray:
        return _labels(self.panel, kind, keys)


class _DenseModel:
    """Cell by cell, with a units x cells array of influence functions.

    With covariates: doubly robust, regression or IPW estimates (Sant'Anna-Zhao). For an unbalanced panel
    (``panel.observed``), each cell uses the treated and comparison units observed in both of its periods
    (and, with covariates, in the base period's covariates); without covariates the estimate is then the
    difference of their mean changes (``est="means"``). A unit's influence function is zero in the cells
    it is not observed in, and its contributions to every cell stay on one row, so standard errors
    account for the same unit appearing in many cells (they are clustered by unit).
    """

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
        observed = panel.observed
        for k in range(K):
            if cells["reference"][k]:
                continue
            gi, t, b = cells["g_index"][k], cells["t"][k], cells["b"][k]
            treated = ci == gi
            subset = treated | cells["control"][k][ci]
            if observed is not None:
                subset &= observed[:, t] & observed[:, b]
                self.n_treated[k] = int((subset & treated).sum())
                self.n_control[k] = int((subset & ~treated).sum())
                if self.n_treated[k] == 0 or self.n_control[k] == 0:
                    self.att[k] = np.nan
                    continue
            d = treated[subset].astype(float)
            dy = panel.Y[subset, t] - panel.Y[subset, b]
            iw = panel.w[subset] / panel.w[subset].mean()
            if est == "means":
                att, inf = _means(dy, d, iw)
            else:
                x = panel.X[min(b, t), subset]  # covariates in the base period (R did: min(base, t))
                _check_covariates(x, d, panel, gi, t)
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


def _means(dy, d, iw):
    """Difference of the treated and comparison units' (weighted) mean changes, and its influence function."""
    w1, w0 = iw * d, iw * (1 - d)
    mu1, mu0 = (w1 * dy).sum() / w1.sum(), (w0 * dy).sum() / w0.sum()
    inf = w1 * (dy - mu1) / w1.mean() - w0 * (dy - mu0) / w0.mean()
    return mu1 - mu0, inf


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
