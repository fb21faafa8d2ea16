"""Sensitivity of an event study to violations of parallel trends (Rambachan and Roth 2023).

The event-study coefficients are ``beta = tau + delta``: effects plus the difference in trends that
parallel trends assumes away (``delta_post = 0``). Here ``delta`` may lie in a set chosen by the analyst:

- ``smoothness``, Delta^SD(M): the trend difference may bend, by at most ``M`` per period (second
  differences bounded by ``M``; ``M = 0`` allows a linear trend that continues from the pre-periods).
  Intervals: the optimal fixed-length confidence interval (FLCI) of an affine estimator.
- ``relative_magnitude``, Delta^RM(Mbar): a post-treatment change in the trend difference is at most
  ``Mbar`` times the largest pre-treatment one. Intervals: the conditional test of Andrews, Roth and
  Pakes (2023), or its least-favourable hybrid (``C-LF``, the default), inverted over theta.

Numerical choices (no conic solver needed):

- FLCI. The half-length ``sd(v) * cv(bias(v) / sd(v))`` of an affine estimator ``v' beta`` is a convex
  function of the pre-period weights ``v`` (``cv`` is the 1 - alpha quantile of ``|N(t, 1)|``); the
  worst-case bias is ``M`` times an L1 norm (a linear programme with slacks). It is minimised directly,
  the absolute values as slack variables, by SLSQP with exact gradients, instead of the nested search
  over a standard-deviation bound that second-order cone solvers need.
- C-LF / conditional. The test statistic is the value of a linear programme whose dual feasible set is
  a polytope that does not depend on theta. Its vertices are enumerated once (small: the moments are the
  post-period rows, two per post period); the statistic, the conditioning bounds ``V^lo``, ``V^up`` and the
  simulated least-favourable critical value are then exact maxima over vertices, and each boundary of
  the confidence set is found by bisection on the test decision to ``1e-9`` standard deviations, where a
  grid of 100 values of theta resolves it to about 0.4 standard deviations.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from renostats._validate import alpha as check_alpha
from renostats._validate import fail, number, one_of
from renostats.did._inference import _cluster_sums
from renostats.did._results import AggregateResult, Estimate
from renostats.errors import DiDError

_MAX_BASES = 200_000  # dual bases enumerated for the relative-magnitudes test

RESTRICTIONS = ("relative_magnitude", "smoothness")
METHODS = {"smoothness": ("FLCI",), "relative_magnitude": ("C-LF", "Conditional")}


@dataclass(frozen=True)
class HonestResult:
    """Robust confidence intervals for one effect as parallel trends is allowed to fail by more.

    Attributes
    ----------
    table : DataFrame
        One row per bound: ``bound`` (M for smoothness, Mbar for relative magnitudes), ``low``, ``high``
        (the robust interval; NaN when the test rejects every value) and ``method``.
    original : Estimate
        The estimate (``att``), its standard error and interval when parallel trends holds exactly.
    breakdown : float
        The smallest bound, within ``[0, max(bounds)]``, at which the robust interval contains 0 (found
        by bisection to ``1e-3 * max(bounds)``). NaN when no interval in that range contains 0: the
        conclusion survives every bound searched, which says nothing about larger ones. 0 when the
        interval at bound 0 already contains 0.
    restriction, method, event, alpha
        The settings: ``event`` is the event time (or ``"average"`` over event times 0 and later).
    n_pre, n_post : int
        Pre- and post-treatment event-study coefficients used (the reference period left out).
    """

    table: pd.DataFrame
    original: Estimate
    breakdown: float
    restriction: str
    method: str
    event: int | str
    alpha: float
    n_pre: int
    n_post: int

    def __str__(self) -> str:
        name = "M" if self.restriction == "smoothness" else "Mbar"
        o = self.original
        head = (
            f"Sensitivity to parallel trends ({self.restriction}, {self.method}), event {self.event}: "
            f"estimate {o.att:.4f}, {1 - self.alpha:.0%} CI under parallel trends {o.low:.4f} to {o.high:.4f}"
        )
        top = float(self.table["bound"].max())
        if np.isnan(self.breakdown):
            tail = (
                f"no robust interval contains 0 up to {name} = {top:g} (no breakdown in the range searched)"
            )
        elif self.breakdown == 0:
            tail = f"the interval contains 0 already at {name} = 0"
        else:
            tail = f"breakdown value {name} = {self.breakdown:.3g}: robust intervals contain 0 from there on"
        body = self.table.to_string(index=False, float_format=lambda v: f"{v:.4f}")
        return f"{head}\n{tail}\n{body}"


def honest(
    event_study: AggregateResult,
    event: int | str = 0,
    restriction: str = "relative_magnitude",
    bounds: Sequence[float] | None = None,
    method: str | None = None,
    alpha: float = 0.05,
    sign: str | None = None,
    monotone: str | None = None,
    seed: int = 0,
) -> HonestResult:
    """How far parallel trends may fail before an event-study conclusion changes (Rambachan-Roth).

    Parameters
    ----------
    event_study : AggregateResult
        ``aggregate(att_gt(..., base_period="universal"), "dynamic")``: event-study estimates relative
        to the period before treatment, with their joint covariance (analytic, from the influence
        functions, clustered when ``att_gt`` was; a bootstrap setting is not used). Event times must be
        consecutive.
    event : int or "average"
        The effect to protect: one event time (default 0, the effect at completion), or ``"average"``,
        the mean of the effects at event times 0 and later (the event study's overall effect).
    restriction : {"relative_magnitude", "smoothness"}
        ``relative_magnitude`` (Delta^RM(Mbar)): each post-treatment change in the trend difference is at
        most Mbar times the largest pre-treatment change. ``smoothness`` (Delta^SD(M)): the slope of the
        trend difference changes by at most M per period (M = 0: a linear pre-trend that continues).
    bounds : list of float, optional
        The values of Mbar or M. Defaults: Mbar 0, 0.5, 1, 1.5, 2; M ten values from 0 to the largest
        upper (1 - alpha) confidence bound of the pre-period second differences (as HonestDiD).
    method : str, optional
        ``"FLCI"`` (fixed-length interval; the only and default one for smoothness), ``"C-LF"``
        (conditional least-favourable hybrid, default for relative magnitudes) or ``"Conditional"``.
    alpha : float
        One minus the confidence level.
    sign : {"positive", "negative"}, optional
        Relative magnitudes only: the post-treatment trend difference has this sign.
    monotone : {"increasing", "decreasing"}, optional
        Relative magnitudes only: the trend difference moves in one direction throughout.
    seed : int
        Seed of the simulated least-favourable critical value (1,000 draws; C-LF only).

    Returns
    -------
    HonestResult
        ``table`` (bound, low, high, method), ``original`` and ``breakdown``.

    Notes
    -----
    The event-study coefficients are ``beta = tau + delta``, effects plus the difference in trends
    that parallel trends sets to zero after treatment. Instead, ``delta`` may lie anywhere in the set
    the restriction allows, given its pre-treatment values; the robust interval covers the effect
    ``l' tau`` for every such ``delta`` (Rambachan and Roth 2023, with the moment-inequality tests of
    Andrews, Roth and Pakes 2023). Relative magnitudes use every pre-treatment change in the trend
    difference, the most recent included, as HonestDiD does (moderndid 0.2 leaves out the earliest).
    How the programmes are solved is described in the module docstring.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from renostats.did import aggregate, att_gt, honest
    >>> rng = np.random.default_rng(1)
    >>> n, T = 400, 8
    >>> cohort = rng.choice([0, 5, 6], n)
    >>> panel = pd.DataFrame({"unit": np.repeat(np.arange(n), T), "time": np.tile(np.arange(1, T + 1), n),
    ...                       "cohort": np.repeat(cohort, T)})
    >>> treated = (panel["cohort"] > 0) & (panel["time"] >= panel["cohort"])
    >>> panel["y"] = rng.normal(size=len(panel)) - 1.0 * treated
    >>> es = aggregate(att_gt(panel, "y", "time", "unit", "cohort", base_period="universal"), "dynamic")
    >>> res = honest(es, event=0, bounds=[0, 1, 2])
    >>> res.original.high < 0
    True
    >>> list(res.table.columns)
    ['bound', 'low', 'high', 'method']
    >>> print(res)  # doctest: +ELLIPSIS
    Sensitivity to parallel trends (relative_magnitude, C-LF), event 0: estimate ...
    """
    restriction = one_of(restriction, RESTRICTIONS, name="restriction")
    alpha = check_alpha(alpha)
    if method is None:
        method = METHODS[restriction][0]
    method = one_of(method, METHODS[restriction], name=f"method (for {restriction})")
    if sign is not None:
        sign = one_of(sign, ("positive", "negative"), name="sign")
    if monotone is not None:
        monotone = one_of(monotone, ("increasing", "decreasing"), name="monotone")
    if restriction == "smoothness" and (sign or monotone):
        raise DiDError(
            "sign and monotonicity restrictions do not shorten a fixed-length interval (its worst-case "
            "bias is the same); use them with restriction='relative_magnitude'"
        )
    events, beta, sigma, n_pre = _event_study_inputs(event_study)
    n_post = len(beta) - n_pre
    post_events = events[n_pre:]
    if event == "average":
        l_vec = (post_events >= 0).astype(float)
        l_vec /= l_vec.sum()
    else:
        event = int(number(event, name="event", integer=True))
        if event not in post_events:
            raise DiDError(
                f"event {event} is not a post-treatment event time of the event study: {post_events.tolist()}"
            )
        l_vec = (post_events == event).astype(float)
    if n_pre < 1:
        raise DiDError(
            f"{restriction} needs at least one pre-treatment coefficient besides the reference period; "
            "widen the event study's min_e"
        )
    if bounds is None:
        bounds = _default_bounds(beta, sigma, n_pre, restriction, alpha)
    bounds = [
        number(b, name="bounds", low=0) for b in np.atleast_1d(np.asarray(bounds, dtype=float)).tolist()
    ]
    if not bounds:
        raise fail("bounds", "a non-empty list of numbers in [0, inf)", bounds)
    est, sd, low, high = _original(beta, sigma, n_pre, l_vec, alpha)
    shape = (sign, monotone)
    table = _sensitivity_table(beta, sigma, n_pre, l_vec, restriction, bounds, method, alpha, seed, shape)
    top = max(bounds)
    breakdown = _breakdown(
        beta, sigma, n_pre, l_vec, restriction, method, alpha, seed, shape, table, 1e-3 * top
    )
    return HonestResult(
        table=table, original=Estimate(est, sd, low, high), breakdown=breakdown, restriction=restriction,
        method=method, event=event, alpha=alpha, n_pre=n_pre, n_post=n_post,
    )  # fmt: skip


def _event_study_inputs(event_study) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Event times, estimates and covariance (reference period left out), and the number of pre-periods."""
    source = getattr(event_study, "_source", None)
    if getattr(event_study, "kind", None) != "dynamic" or source is None:
        raise DiDError("honest needs an event study: aggregate(att_gt(...), 'dynamic')")
    settings = source.settings
    if settings["base_period"] != "universal":
        raise DiDError(
            "honest needs event-study coefficients relative to one reference period: run att_gt with "
            "base_period='universal' (with 'varying', pre-treatment coefficients are period-to-period changes)"
        )
    events = event_study.table["event"].to_numpy(dtype=int)
    if (np.diff(events) != 1).any():
        raise DiDError(f"honest needs consecutive event times; the event study has {events.tolist()}")
    reference = -1 - int(settings["anticipation"])
    if reference not in events:
        raise DiDError(f"the event study has no reference period (event {reference}); widen min_e")
    A, phi, kappa = (w[..., :-1] for w in event_study._weights)
    model = source._model
    keep = events != reference
    ifs = model.unit_if(A[:, keep], phi[:, keep], kappa[keep])
    codes = model.panel.cluster_codes
    if codes is not None:
        ifs = _cluster_sums(ifs, codes)
    sigma = ifs.T @ ifs / model.n**2
    beta = event_study.table["att"].to_numpy(dtype=float)[keep]
    events = events[keep]
    n_pre = int((events < reference).sum())
    return events, beta, sigma, n_pre


def _default_bounds(beta, sigma, n_pre, restriction, alpha) -> list[float]:
    if restriction == "relative_magnitude":
        return [0.0, 0.5, 1.0, 1.5, 2.0]
    if n_pre == 1:
        top = float(np.sqrt(sigma[0, 0]))
    else:
        # upper confidence bounds of |second differences| of the pre-period coefficients (with the 0)
        full = np.zeros((n_pre + 1, n_pre))
        full[:n_pre] = np.eye(n_pre)
        D = np.diff(full, n=2, axis=0)
        est = D @ beta[:n_pre]
        se = np.sqrt(np.diag(D @ sigma[:n_pre, :n_pre] @ D.T))
        top = float(np.max(np.abs(est) + stats.norm.ppf(1 - alpha) * se))
    return np.linspace(0, top, 10).tolist()


# --------------------------------------------------------------------------------------------------
# The parameter of interest and the original interval


def _original(beta, sigma, n_pre, l_vec, alpha):
    post = slice(n_pre, None)
    est = float(l_vec @ beta[post])
    sd = float(np.sqrt(l_vec @ sigma[post, post] @ l_vec))
    z = float(stats.norm.ppf(1 - alpha / 2))
    return est, sd, est - z * sd, est + z * sd


# --------------------------------------------------------------------------------------------------
# Smoothness: the fixed-length confidence interval


def _cv(t: float, alpha: float) -> float:
    """1 - alpha quantile of |N(t, 1)|."""
    t = abs(t)
    z = stats.norm.ppf(1 - alpha / 2)
    if t == 0:
        return float(z)

    def f(x):
        return special.ndtr(x - t) - special.ndtr(-x - t) - (1 - alpha)

    return float(optimize.brentq(f, 0.0, t + z + 1.0, xtol=1e-15))


def _cv_slope(x: float, t: float) -> float:
    """d cv / d t at cv = x (implicit function theorem)."""
    a, b = stats.norm.pdf(x - t), stats.norm.pdf(x + t)
    return float((a - b) / (a + b))


def _sd_bias_map(n_pre: int, n_post: int) -> np.ndarray:
    """R with ``delta = R' z``, z = (slope at the reference period, second differences).

    delta holds the pre and post coefficients (the reference period, fixed at 0, left out). Row 0 of
    ``inv(Q).T`` gives the weight of an estimator on the linear trend (it must be 0 for a finite bias);
    the other rows give its weights on the second differences, each bounded by M.
    """
    T = n_pre + n_post
    full = np.zeros((T + 1, T))  # delta with the reference period inserted (row n_pre is 0)
    full[np.arange(T + 1) != n_pre] = np.eye(T)
    first = np.diff(full, axis=0)  # T first differences
    second = np.diff(first, axis=0)  # T - 1 second differences
    Q = np.vstack([first[n_pre], second])  # the first post difference, then second differences
    return np.linalg.inv(Q).T  # rows: coefficients of z in v' delta = (R v)' z


def _flci(beta, sigma, n_pre, l_vec, M, alpha):
    """Optimal FLCI for l' tau_post under Delta^SD(M): (low, high, weights, half_length)."""
    n_post = len(l_vec)
    R = _sd_bias_map(n_pre, n_post)
    Rp, Rq = R[:, :n_pre], R[:, n_pre:]
    trend_a, trend_b = Rp[0], float(Rq[0] @ l_vec)  # trend_a v_pre + trend_b = 0
    Ap, bp = Rp[1:], Rq[1:] @ l_vec  # second-difference weights = Ap v_pre + bp
    J = len(bp)
    S_pp, S_pq = sigma[:n_pre, :n_pre], sigma[:n_pre, n_pre:] @ l_vec
    s_qq = float(l_vec @ sigma[n_pre:, n_pre:] @ l_vec)

    def sd_of(v):
        return np.sqrt(max(v @ S_pp @ v + 2 * v @ S_pq + s_qq, 1e-300))

    def half(x):
        v, t = x[:n_pre], x[n_pre:]
        h = sd_of(v)
        return h * _cv(M * t.sum() / h, alpha)

    def grad(x):
        v, t = x[:n_pre], x[n_pre:]
        h = sd_of(v)
        tt = M * t.sum() / h
        c = _cv(tt, alpha)
        dc = _cv_slope(c, tt) if tt > 0 else 0.0
        dh = (S_pp @ v + S_pq) / h
        return np.r_[(c - tt * dc) * dh, np.full(J, M * dc)]

    v0 = np.linalg.lstsq(trend_a[None, :], np.array([-trend_b]), rcond=None)[0]
    x0 = np.r_[v0, np.abs(Ap @ v0 + bp) + 1e-3]
    cons = [
        {"type": "eq", "fun": lambda x: np.array([trend_a @ x[:n_pre] + trend_b]),
         "jac": lambda x: np.r_[trend_a, np.zeros(J)][None, :]},
        {"type": "ineq", "fun": lambda x: x[n_pre:] - (Ap @ x[:n_pre] + bp),
         "jac": lambda x: np.hstack([-Ap, np.eye(J)])},
        {"type": "ineq", "fun": lambda x: x[n_pre:] + (Ap @ x[:n_pre] + bp),
         "jac": lambda x: np.hstack([Ap, np.eye(J)])},
    ]  # fmt: skip
    scale = np.sqrt(s_qq)
    fit = optimize.minimize(
        lambda x: half(x) / scale, x0, jac=lambda x: grad(x) / scale, constraints=cons, method="SLSQP",
        options={"ftol": 1e-15, "maxiter": 1000},
    )  # fmt: skip
    if not fit.success and fit.status != 8:  # 8: positive directional derivative at the optimum's precision
        raise DiDError(f"the fixed-length interval's optimisation did not converge ({fit.message})")
    v = fit.x[:n_pre]
    t = np.abs(Ap @ v + bp)  # the exact worst-case bias of the weights found
    h = sd_of(v)
    chi = h * _cv(M * t.sum() / h, alpha)
    est = float(v @ beta[:n_pre] + l_vec @ beta[n_pre:])
    return est - chi, est + chi, v, chi


# --------------------------------------------------------------------------------------------------
# Relative magnitudes: conditional and hybrid tests over the vertices of the dual polytope


def _rm_polyhedra(n_pre: int, n_post: int, mbar: float, shape=(None, None), first_change: int = 0):
    """Constraint matrices A (delta -> A delta <= 0) of the polyhedra whose union is Delta^RM(Mbar).

    One polyhedron per pre-period first difference s and sign: that difference is the largest in
    absolute value among the pre-period ones, and every post-period first difference is at most Mbar
    times it. Returns a list of (A, rows that involve post-period coefficients).
    """
    T = n_pre + n_post
    full = np.zeros((T + 1, T))
    full[np.arange(T + 1) != n_pre] = np.eye(T)
    first = np.diff(full, axis=0)  # row j: delta_{j+1} - delta_j in the full indexing
    pre_rows, post_rows = first[:n_pre], first[n_pre:]
    out = []
    for s in range(first_change, n_pre):  # first_change=1 leaves out the earliest change, as moderndid 0.2
        for sign in (1.0, -1.0):
            top = sign * pre_rows[s]
            blocks = [pre_rows - top, -pre_rows - top, post_rows - mbar * top, -post_rows - mbar * top]
            sign, monotone = shape
            if sign is not None:  # delta_post >= 0 (positive) or <= 0
                blocks.append((-1.0 if sign == "positive" else 1.0) * np.eye(T)[n_pre:])
            if monotone is not None:  # every first difference >= 0 (increasing) or <= 0
                blocks.append((-1.0 if monotone == "increasing" else 1.0) * first)
            A = np.vstack(blocks)
            A = A[np.abs(A).max(axis=1) > 1e-12]
            post = np.abs(A[:, n_pre:]).max(axis=1) > 1e-12
            out.append((A, post))
    return out


def _gamma_inverse(l_vec: np.ndarray) -> np.ndarray:
    """Inverse of an invertible matrix with first row l' (theta first, then nuisance coordinates)."""
    k = len(l_vec)
    drop = int(np.argmax(np.abs(l_vec)))
    G = np.zeros((k, k))
    G[0] = l_vec
    G[np.arange(1, k), [i for i in range(k) if i != drop]] = 1.0
    return np.linalg.inv(G)


@dataclass
class _ARPProblem:
    """One polyhedron's moment inequalities E[Y(theta)] - X gamma <= 0, Y(theta) = y0 - a1 theta."""

    y0: np.ndarray
    a1: np.ndarray
    SY: np.ndarray
    V: np.ndarray  # vertices of {nu >= 0, nu' sd = 1, nu' X = 0}, one per row
    var: np.ndarray  # variance of each vertex's nu' Y
    lf_cv: float


def _dual_vertices(sd: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Vertices of {nu >= 0, nu' sd = 1, nu' X = 0}: the extreme rays of the cone, scaled by sd."""
    rays = _cone_rays(X.tobytes(), X.shape)
    return rays / (rays @ sd)[:, None]


@functools.lru_cache(maxsize=32)
def _cone_rays(x_bytes: bytes, shape: tuple[int, int]) -> np.ndarray:
    """Extreme rays of {nu >= 0, X' nu = 0}, each scaled to sum 1 (X does not depend on the bound)."""
    X = np.frombuffer(x_bytes).reshape(shape)
    k, p = shape
    W = np.column_stack([np.ones(k), X])  # k x (p + 1)
    m = p + 1
    n_bases = int(np.prod([(k - i) / (i + 1) for i in range(m)]))
    if n_bases > _MAX_BASES:
        raise DiDError(
            f"the relative-magnitudes test has {k} moments and {p} nuisance parameters ({n_bases} dual bases): "
            "too many post-treatment periods; aggregate the event study with a smaller max_e"
        )
    bases = np.array(list(itertools.combinations(range(k), m)), dtype=int)
    Wb = W[bases]  # B x m x m (rows: the chosen moments)
    rhs = np.zeros(m)
    rhs[0] = 1.0
    det = np.linalg.det(Wb)
    ok = np.abs(det) > 1e-12 * np.abs(Wb).max(axis=(1, 2)) ** m
    nu_b = np.linalg.solve(np.transpose(Wb[ok], (0, 2, 1)), np.broadcast_to(rhs, (ok.sum(), m))[..., None])[
        ..., 0
    ]
    feasible = (nu_b >= -1e-10).all(axis=1)
    R = np.zeros((int(feasible.sum()), k))
    rows = np.repeat(np.arange(R.shape[0]), m)
    R[rows, bases[ok][feasible].ravel()] = np.clip(nu_b[feasible], 0.0, None).ravel()
    if R.shape[0] == 0:
        raise DiDError("the relative-magnitudes moments have no feasible dual solution")
    R = np.unique(np.round(R, 12), axis=0)
    R.flags.writeable = False
    return R


def _arp_problem(beta, sigma, n_pre, l_vec, A, post_rows, kappa, seed, sims):
    n_post = len(l_vec)
    rows = post_rows if n_post > 1 else np.ones(len(A), dtype=bool)
    A = A[rows]
    Ginv = _gamma_inverse(l_vec)
    AG = A[:, n_pre:] @ Ginv
    y0, a1, X = A @ beta, AG[:, 0], AG[:, 1:]
    SY = A @ sigma @ A.T
    sd = np.sqrt(np.clip(np.diag(SY), 0, None))
    if (sd <= 0).any():
        raise DiDError("a relative-magnitudes moment has zero variance; check the event study's covariance")
    V = _dual_vertices(sd, np.ascontiguousarray(X, dtype=float)) if X.shape[1] else np.diag(1.0 / sd)
    lf_cv = np.inf
    if kappa is not None:
        w, U = np.linalg.eigh(SY)
        root = U * np.sqrt(np.clip(w, 0, None))
        xi = np.random.default_rng(seed).standard_normal((sims, len(sd))) @ root.T
        lf_cv = float(np.quantile((xi @ V.T).max(axis=1), 1 - kappa))
    var = np.einsum("ij,jk,ik->i", V, SY, V)
    return _ARPProblem(y0=y0, a1=a1, SY=SY, V=V, var=var, lf_cv=lf_cv)


def _accepts(prob: _ARPProblem, theta: float, alpha: float, kappa: float | None) -> bool:
    """The conditional (kappa None) or least-favourable hybrid test of theta: True if not rejected."""
    Y = prob.y0 - prob.a1 * theta
    values = prob.V @ Y
    eta = values.max()
    if kappa is not None and eta > prob.lf_cv:
        return False
    size = alpha if kappa is None else (alpha - kappa) / (1 - kappa)
    # among optimal vertices (ties: degenerate programmes), the one whose statistic varies most
    tied = np.flatnonzero(values >= eta - 1e-9)
    i = int(tied[np.argmax(prob.var[tied])])
    g, var = prob.V[i], float(prob.var[i])
    if var <= 1e-14 * float(np.max(np.diag(prob.SY))) * float(np.abs(g).sum()) ** 2:
        return not eta > 1e-9  # a deterministic statistic: the moments hold exactly or they do not
    b = prob.SY @ g / var
    s = Y - b * eta
    slope, icpt = prob.V @ b, prob.V @ s
    tol = 1e-10
    up, lo = slope > 1 + tol, slope < 1 - tol
    vup = np.min(-icpt[up] / (slope[up] - 1)) if up.any() else np.inf
    vlo = np.max(icpt[lo] / (1 - slope[lo])) if lo.any() else -np.inf
    sig = np.sqrt(var)
    zlo, zup, z = vlo / sig, min(vup, prob.lf_cv) / sig, eta / sig
    if not (zlo - 1e-9 <= z <= zup + 1e-9) or zup <= zlo:
        return True
    crit = max(0.0, _truncnorm_quantile(1 - size, zlo, zup))
    return not z > crit


def _truncnorm_quantile(p: float, lo: float, hi: float) -> float:
    """p-quantile of the standard normal truncated to [lo, hi], accurate in both tails."""
    if lo > 0:
        return -_truncnorm_quantile(1 - p, -hi, -lo)
    x = special.ndtr(lo) + p * (special.ndtr(hi) - special.ndtr(lo))
    if x <= 0.5:  # in logs, for truncation far in the lower tail
        log_x = np.logaddexp(np.log1p(-p) + special.log_ndtr(lo), np.log(p) + special.log_ndtr(hi))
        return float(special.ndtri_exp(log_x))
    upper = (1 - p) * special.ndtr(-lo) + p * special.ndtr(-hi)  # 1 - x without cancellation
    return float(-special.ndtri(upper))


def _rm_interval(
    beta, sigma, n_pre, l_vec, mbar, alpha, method, seed, shape=(None, None), sims=1000, first_change=0
):
    """Union over the polyhedra of the test-inverted confidence sets; (low, high) or (nan, nan)."""
    kappa = alpha / 10 if method == "C-LF" else None
    sd_theta = float(np.sqrt(l_vec @ sigma[n_pre:, n_pre:] @ l_vec))
    lows, highs = [], []
    for A, post in _rm_polyhedra(n_pre, len(l_vec), mbar, shape, first_change):
        prob = _arp_problem(beta, sigma, n_pre, l_vec, A, post, kappa, seed, sims)
        found = _accepted_interval(prob, alpha, kappa, sd_theta)
        if found is not None:
            lows.append(found[0])
            highs.append(found[1])
    if not lows:
        return np.nan, np.nan
    return min(lows), max(highs)


def _accepted_interval(prob: _ARPProblem, alpha, kappa, sd_theta, tol=1e-9):
    """Endpoints of the accepted set of theta, by bisection on the test decision from its centre."""
    # the centre: theta minimising the statistic max_v v'(y0 - a1 theta), a two-variable LP
    c = prob.V @ prob.y0
    d = prob.V @ prob.a1
    lp = optimize.linprog([0.0, 1.0], A_ub=np.column_stack([-d, -np.ones(len(c))]), b_ub=-c,
                          bounds=[(None, None), (None, None)], method="highs")  # fmt: skip
    if lp.status == 3:  # unbounded: the statistic does not grow with theta in some direction
        raise DiDError("the relative-magnitudes confidence set is unbounded for this event study")
    centre = float(lp.x[0])
    if not _accepts(prob, centre, alpha, kappa):
        return None
    ends = []
    for direction in (-1.0, 1.0):
        inside, step = centre, sd_theta
        outside = centre + direction * step
        while _accepts(prob, outside, alpha, kappa):
            inside, step = outside, step * 2
            outside = centre + direction * step
            if step > 1e8 * sd_theta:
                raise DiDError("the relative-magnitudes confidence set is unbounded for this event study")
        while abs(outside - inside) > tol * sd_theta:
            mid = 0.5 * (inside + outside)
            if _accepts(prob, mid, alpha, kappa):
                inside = mid
            else:
                outside = mid
        ends.append(inside)
    return ends[0], ends[1]


# --------------------------------------------------------------------------------------------------
# One robust interval, and the table


def _robust_interval(beta, sigma, n_pre, l_vec, restriction, bound, method, alpha, seed, shape=(None, None)):
    if restriction == "smoothness":
        low, high, _, _ = _flci(beta, sigma, n_pre, l_vec, bound, alpha)
        return low, high
    return _rm_interval(beta, sigma, n_pre, l_vec, bound, alpha, method, seed, shape)


def _sensitivity_table(
    beta, sigma, n_pre, l_vec, restriction, bounds, method, alpha, seed, shape
) -> pd.DataFrame:
    rows = [
        _robust_interval(beta, sigma, n_pre, l_vec, restriction, b, method, alpha, seed, shape)
        for b in bounds
    ]
    return pd.DataFrame(
        {
            "bound": np.asarray(bounds, dtype=float),
            "low": [r[0] for r in rows],
            "high": [r[1] for r in rows],
            "method": method,
        }
    )


def _breakdown(beta, sigma, n_pre, l_vec, restriction, method, alpha, seed, shape, table, tol):
    """Smallest bound (within the table's range) whose interval contains 0; nan if none does."""

    def covers(b):
        low, high = _robust_interval(beta, sigma, n_pre, l_vec, restriction, b, method, alpha, seed, shape)
        return bool(np.isnan(low) or low <= 0 <= high)

    ordered = table.sort_values("bound")
    hits = ordered["low"].isna() | (ordered["low"].le(0) & ordered["high"].ge(0))
    if not hits.any():
        return np.nan
    first = int(np.argmax(hits.to_numpy()))
    hi = float(ordered["bound"].iloc[first])
    if first == 0:
        if hi == 0 or covers(0.0):
            return 0.0
        lo = 0.0
    else:
        lo = float(ordered["bound"].iloc[first - 1])
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if covers(mid):
            hi = mid
        else:
            lo = mid
    return hi
