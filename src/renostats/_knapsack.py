"""The solver behind :func:`renostats.renovation.schedule`: multiple knapsacks with year-dependent values.

Private: :class:`Knapsacks` (a Lagrangian bound from cutting planes, a rounded plan, exact re-optimisation of
the undecided "core" with HiGHS) and :func:`greedy` (highest score first, the plan to compare with). Imports
only numpy and scipy; HiGHS writes progress lines straight to the process's stdout from C, so every solver
call goes through :func:`_quiet`, which points file descriptors 1 and 2 at the null device for its duration.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

__all__ = ["Knapsacks", "greedy"]


@contextlib.contextmanager
def _silenced_fds():
    """Send what C code writes to stdout and stderr to the null device (Python's own streams are flushed
    first, so nothing already printed is lost or reordered)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    saved = []
    try:
        null = os.open(os.devnull, os.O_WRONLY)
    except OSError:  # no null device: leave the output alone rather than fail
        yield
        return
    try:
        for fd in (1, 2):
            try:
                saved.append((fd, os.dup(fd)))
                os.dup2(null, fd)
            except OSError:
                continue
        yield
    finally:
        for fd, copy in saved:
            os.dup2(copy, fd)
            os.close(copy)
        os.close(null)


def _quiet(solver, *args, **kwargs):
    """Call a scipy HiGHS solver (``milp``, ``linprog``) without its C-level chatter."""
    with _silenced_fds():
        return solver(*args, **kwargs)


def greedy(value, c, B, caps, forced, active) -> float:
    """Highest priority first: fund in the first year what fits, then the next year, and so on.

    ``value[i, y]`` is community i's value when funded in year y, ``c`` the costs, ``B`` the budgets,
    ``caps`` the optional counts a year; ``forced`` communities go to the first year; only ``active`` ones
    are considered. Returns the plan's objective.
    """
    left = B.copy()
    count = np.zeros(len(B))
    done = forced.copy()
    total = value[forced, 0].sum()
    left[0] -= c[forced].sum()
    count[0] += forced.sum()
    order = np.argsort(-value[:, 0], kind="stable")
    order = order[active[order] & ~forced[order]]
    for y in range(len(B)):
        cum = 0.0
        for i in order:
            if done[i] or c[i] > left[y] - cum or (caps is not None and count[y] >= caps[y]):
                continue
            cum += c[i]
            count[y] += 1
            done[i] = True
            total += value[i, y]
        left[y] -= cum
    return float(total)


class Knapsacks:
    """Multiple knapsacks with year-dependent values: max sum v[i, y] x[i, y], sum_i c_i x[i, y] <= B_y,
    sum_y x[i, y] <= 1 (and optional count caps), x binary."""

    def __init__(self, v, c, B, caps):
        self.v, self.c, self.B, self.caps = v, c, B, caps
        self.n, self.Y = v.shape

    # Lagrangian: for multipliers lam (budgets) and mu (counts), each item takes its best year
    def _dual(self, lam, mu):
        reduced = self.v - self.c[:, None] * lam[None, :] - (mu[None, :] if mu is not None else 0.0)
        best = reduced.argmax(axis=1)
        gain = reduced[np.arange(self.n), best]
        take = gain > 0
        value = gain[take].sum() + lam @ self.B + (mu @ self.caps if mu is not None else 0.0)
        load = np.bincount(best[take], weights=self.c[take], minlength=self.Y)
        g_lam = self.B - load
        g_mu = None if mu is None else self.caps - np.bincount(best[take], minlength=self.Y)
        return value, g_lam, g_mu, reduced

    def _multipliers(self, iterations=200):
        """Minimise the Lagrangian dual by Kelley's cutting planes over a box that holds a minimiser.

        Each cut lies below the (convex) dual everywhere, so the cutting-plane model's minimum over the
        whole box is a lower bound on the dual's minimum: the search stops when the best dual value found
        is within 1e-10 of it. No trust region: one halved at every step without progress shrinks around a
        point that is not the minimum, and a stopping test over that small box then takes it for one (with
        a cap a year, bounds up to 24% above the LP bound).
        """
        m = self.Y * (2 if self.caps is not None else 1)
        ratio = self.v[:, 0] / np.maximum(self.c, 1e-12)
        x = np.full(m, 0.0)
        x[: self.Y] = np.quantile(ratio, 0.5) if self.n else 0.0
        upper = np.r_[
            np.full(self.Y, ratio.max() * 2 + 1 if self.n else 1.0),
            np.full(m - self.Y, self.v.max() + 1 if self.n else 1.0),
        ]
        cuts_a, cuts_b = [], []
        best_val, best_x = np.inf, x.copy()
        for _ in range(iterations):
            lam, mu = x[: self.Y], (x[self.Y :] if self.caps is not None else None)
            val, g_lam, g_mu, _ = self._dual(lam, mu)
            g = g_lam if g_mu is None else np.r_[g_lam, g_mu]
            if not np.isfinite(best_val) or val < best_val - 1e-12 * abs(best_val):
                best_val, best_x = val, x.copy()
            # cut: L(z) >= val + g (z - x)  ->  -t + g z <= g x - val
            cuts_a.append(np.r_[-1.0, g])
            cuts_b.append(g @ x - val)
            res = _quiet(linprog, np.r_[1.0, np.zeros(m)], A_ub=np.array(cuts_a), b_ub=np.array(cuts_b),
                          bounds=[(None, None), *zip(np.zeros(m), upper, strict=True)], method="highs")  # fmt: skip
            if res.status != 0:
                break
            model_low = res.x[0]
            if best_val - model_low <= 1e-10 * max(1.0, abs(best_val)):
                break
            x = res.x[1:]
        return best_x, best_val

    def solve(self, gap, time_limit, fixed_value):
        start = time.perf_counter()
        if self.n == 0:
            return np.zeros(0, dtype=int), 0.0, {"core": 0}
        x, bound = self._multipliers()
        lam, mu = x[: self.Y], (x[self.Y :] if self.caps is not None else None)
        _, _, _, reduced = self._dual(lam, mu)
        assign = self._round(reduced)
        best = self._value(assign)
        total_bound = bound + fixed_value
        core_size = min(self.n, max(50, 20 * self.Y))
        notes = {"lagrangian_bound": bound, "rounded": best, "core": 0, "milp": 0}
        # items whose best and second-best choice (incl. not funding) are close are undecided
        sorted_red = np.sort(np.c_[reduced, np.zeros(self.n)], axis=1)
        margin = sorted_red[:, -1] - sorted_red[:, -2]
        order = np.argsort(margin, kind="stable")
        while (
            total_bound - (best + fixed_value)
        ) > gap * total_bound and time.perf_counter() - start < time_limit:
            core = order[:core_size]
            remaining = time_limit - (time.perf_counter() - start)
            # HiGHS finds good plans for the core fast but proves them slowly (the years are nearly
            # symmetric); the certificate comes from the global bound, so a short run's incumbent is enough
            improved = self._solve_core(assign, core, min(remaining, 1.5 * 2 ** notes["milp"]), 1e-9)
            notes["milp"] += 1
            notes["core"] = int(core.size)
            if improved is not None:
                val = self._value(improved)
                if val > best:
                    best, assign = val, improved
            if core_size >= self.n:
                break
            core_size = min(self.n, core_size * 2)
        remaining = time_limit - (time.perf_counter() - start)
        if (
            (total_bound - (best + fixed_value)) > gap * total_bound
            and self.n * self.Y <= 20_000
            and remaining > 0.5
        ):
            # small programmes: the LP bound is loose relative to the target; HiGHS's own bound on the
            # whole problem is tighter and just as valid
            res = self._solve_all(remaining, gap)
            if res is not None:
                full, dual = res
                if self._value(full) > best:
                    best, assign = self._value(full), full
                bound = min(bound, dual)
                notes["full_milp_bound"] = dual
        notes["seconds"] = time.perf_counter() - start
        return assign, bound, notes

    def _solve_all(self, time_limit, gap):
        k, Y = self.n, self.Y
        A = [np.kron(np.eye(k), np.ones((1, Y)))]
        hi = [np.ones(k)]
        budget = np.zeros((Y, k * Y))
        for y in range(Y):
            budget[y, y::Y] = self.c
        A.append(budget)
        hi.append(self.B)
        if self.caps is not None:
            cap = np.zeros((Y, k * Y))
            for y in range(Y):
                cap[y, y::Y] = 1.0
            A.append(cap)
            hi.append(self.caps)
        cons = LinearConstraint(np.vstack(A), -np.inf, np.concatenate(hi))
        res = _quiet(milp, -self.v.ravel(), constraints=cons, integrality=np.ones(k * Y), bounds=Bounds(0, 1),
                   options={"time_limit": time_limit, "mip_rel_gap": gap / 2})  # fmt: skip
        if res.x is None:
            return None
        x = np.round(res.x).reshape(k, Y)
        assign = np.where(x.sum(axis=1) > 0.5, x.argmax(axis=1), -1)
        dual = -getattr(res, "mip_dual_bound", -np.inf)
        return self._fill(assign), dual if np.isfinite(dual) else np.inf

    def _value(self, assign):
        ok = assign >= 0
        return float(self.v[np.flatnonzero(ok), assign[ok]].sum())

    def _round(self, reduced):
        """Best year by reduced profit; then drop the weakest items from over-full years; then fill."""
        n, Y = self.n, self.Y
        best = reduced.argmax(axis=1)
        gain = reduced[np.arange(n), best]
        assign = np.where(gain > 0, best, -1)
        for y in range(Y):
            members = np.flatnonzero(assign == y)
            order = members[np.argsort(-(gain[members]), kind="stable")]
            load = np.cumsum(self.c[order])
            keep = load <= self.B[y] + 1e-9
            if self.caps is not None:
                keep &= np.arange(order.size) < self.caps[y]
            assign[order[~keep]] = -1
        return self._fill(assign)

    def _fill(self, assign):
        left = self.B - np.bincount(assign[assign >= 0], weights=self.c[assign >= 0], minlength=self.Y)
        count = np.bincount(assign[assign >= 0], minlength=self.Y).astype(float)
        free = np.flatnonzero(assign < 0)
        for y in range(self.Y):
            order = free[np.argsort(-self.v[free, y] / np.maximum(self.c[free], 1e-12), kind="stable")]
            for i in order:
                if assign[i] >= 0 or self.c[i] > left[y] + 1e-9:
                    continue
                if self.caps is not None and count[y] >= self.caps[y]:
                    break
                assign[i] = y
                left[y] -= self.c[i]
                count[y] += 1
        return assign

    def _solve_core(self, assign, core, time_limit, rel_gap):
        """Re-optimise the core items exactly (HiGHS) with the others fixed as they are."""
        if time_limit <= 0:
            return None
        fixed = np.ones(self.n, dtype=bool)
        fixed[core] = False
        f_assign = np.where(fixed, assign, -1)
        used = np.bincount(f_assign[f_assign >= 0], weights=self.c[f_assign >= 0], minlength=self.Y)
        left = self.B - used
        k, Y = core.size, self.Y
        cvec = -self.v[core].ravel()  # variables: item-major (i, y)
        rows, lo, hi = [], [], []
        one = np.zeros((k, k * Y))
        for j in range(k):
            one[j, j * Y : (j + 1) * Y] = 1.0
        rows.append(one)
        lo.append(np.zeros(k))
        hi.append(np.ones(k))
        budget = np.zeros((Y, k * Y))
        for y in range(Y):
            budget[y, y::Y] = self.c[core]
        rows.append(budget)
        lo.append(np.full(Y, -np.inf))
        hi.append(left)
        if self.caps is not None:
            counts = np.bincount(f_assign[f_assign >= 0], minlength=Y)
            cap = np.zeros((Y, k * Y))
            for y in range(Y):
                cap[y, y::Y] = 1.0
            rows.append(cap)
            lo.append(np.full(Y, -np.inf))
            hi.append(self.caps - counts)
        cons = LinearConstraint(np.vstack(rows), np.concatenate(lo), np.concatenate(hi))
        res = _quiet(milp, cvec, constraints=cons, integrality=np.ones(k * Y), bounds=Bounds(0, 1),
                   options={"time_limit": max(time_limit, 1.0), "mip_rel_gap": max(rel_gap, 1e-9)})  # fmt: skip
        if res.x is None:
            return None
        x = np.round(res.x).reshape(k, Y)
        new = f_assign.copy()
        chosen = x.argmax(axis=1)
        new[core] = np.where(x.sum(axis=1) > 0.5, chosen, -1)
        return self._fill(new)
