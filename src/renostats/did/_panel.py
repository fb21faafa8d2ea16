"""The panel behind :func:`att_gt` and :func:`twfe`, its periods, and the group-time cells.

:class:`_Panel` turns a long data frame into a units x periods outcome array (NaN where a unit-period
is unobserved) with cohorts, weights, clusters and covariates, refusing duplicated rows or irregular
periods; :func:`_periods` reads a time column
(integers or first-of-month dates); :func:`_cells` lists every (cohort, period) cell with its base
period and comparison cohorts. Imports only numpy, pandas and :mod:`renostats.errors`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from renostats.errors import DiDError


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
    y_scale: float = 1.0  # spread of the outcome within units: the yardstick of numerical tolerances
    observed: np.ndarray | None = None  # units x periods, True where the outcome is observed; None: balanced

    @property
    def n_missing(self) -> int:
        """Unit-periods without an outcome."""
        return 0 if self.observed is None else int((~self.observed).sum())

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
        key = unit_codes.astype(np.int64) * T + periods
        per_cell = np.bincount(key, minlength=n * T)
        if per_cell.max() > 1:
            bad = unit_ids[per_cell.reshape(n, T).max(axis=1) > 1][:10].tolist()
            raise DiDError(
                f"{int((per_cell.reshape(n, T).max(axis=1) > 1).sum())} unit(s) have more than one row in a "
                f"period, e.g. {bad}: give one row per unit and period"
            )
        Y = np.full(n * T, np.nan)
        Y[key] = data[y].to_numpy(dtype=float, na_value=np.nan)
        Y = Y.reshape(n, T)
        # a unit-period without a row, or without an outcome, is unobserved: each cell then uses the units
        # observed in both of its periods (see att_gt)
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
            if np.isnan(Xall[~np.isnan(Y)]).any():
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
        if not w.sum() > 0:
            raise DiDError(f"weights {weights!r} are zero for every unit: nothing to estimate")
        w = w / w.mean()
        cluster_codes = pd.factorize(cluster_values[keep])[0] if cluster else None
        if X is not None:
            X = np.concatenate([np.ones((n, T, 1)), X[keep]], axis=2).transpose(1, 0, 2)
        finite = np.unique(per_unit[~np.isnan(per_unit)]).astype(int)
        cohorts = np.r_[finite.astype(float), np.inf]
        cohort_index = np.where(
            np.isnan(per_unit), len(finite), np.searchsorted(finite, np.nan_to_num(per_unit, nan=-1))
        )
        total = np.bincount(cohort_index.astype(int), weights=w, minlength=len(cohorts))
        present = np.bincount(cohort_index.astype(int), minlength=len(cohorts)) > 0
        if weights and (present & (total <= 0)).any():
            bad = [
                "never treated" if np.isinf(c) else str(labels[int(c)])
                for c in cohorts[present & (total <= 0)]
            ]
            raise DiDError(
                f"weights {weights!r} are zero for every unit of cohort(s) {bad}: nothing to estimate"
            )
        y_scale = _within_spread(Y)
        if y_scale == 0:
            raise DiDError(
                f"outcome {y!r} never changes within a unit (for example, it is zero everywhere): "
                "there is no change over time to compare"
            )
        observed = ~np.isnan(Y)
        return cls(Y=Y, unit_ids=unit_ids, time_labels=labels, cohort_index=cohort_index.astype(int),
                   cohorts=cohorts, unit_cohort_period=per_unit, w=w, X=X, covariate_names=covariates,
                   cluster_codes=cluster_codes, n=n, y_scale=y_scale,
                   observed=None if observed.all() else observed)  # fmt: skip

    def last_cohort_as_comparison(self, anticipation: int) -> _Panel:
        """Without never-treated units, the last cohort becomes the comparison group (as R's ``did``).

        Periods from the last cohort's treatment (less anticipation) on are dropped: no unit is untreated
        there. The last cohort's units are then never treated within the remaining periods.
        """
        finite = self.cohorts[:-1].astype(int)
        if len(finite) < 2:
            raise DiDError(
                "every unit is treated, in a single cohort: with no never-treated or not-yet-treated units "
                "there is nothing to compare with"
            )
        last = int(finite[-1])
        T = last - anticipation
        if T < 2:
            raise DiDError(
                f"no never-treated units, and only {max(T, 0)} period(s) before the last cohort "
                f"({self.time_labels[last]}) is treated: too few to compare"
            )
        was_last = self.cohort_index == len(finite) - 1
        cohort_index = np.where(was_last, len(finite) - 1, self.cohort_index)  # now the never-treated slot
        Y = self.Y[:, :T]
        return _Panel(
            Y=Y, unit_ids=self.unit_ids, time_labels=self.time_labels[:T], cohort_index=cohort_index,
            cohorts=np.r_[finite[:-1].astype(float), np.inf],
            unit_cohort_period=np.where(was_last, np.nan, self.unit_cohort_period), w=self.w,
            X=None if self.X is None else self.X[:T], covariate_names=self.covariate_names,
            cluster_codes=self.cluster_codes, n=self.n, y_scale=_within_spread(Y),
            observed=None if self.observed is None or self.observed[:, :T].all() else self.observed[:, :T],
        )  # fmt: skip


def _within_spread(Y: np.ndarray) -> float:
    """Standard deviation of the outcome about each unit's own mean (0: it never changes)."""
    if not np.isnan(Y).any():
        return float(np.std(Y - Y.mean(axis=1, keepdims=True)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # units with no observed outcome
        spread = float(np.nanstd(Y - np.nanmean(Y, axis=1, keepdims=True)))
    return 0.0 if np.isnan(spread) else spread


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
