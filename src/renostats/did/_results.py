"""Result classes of the difference-in-differences functions: DiDResult, AggregateResult, PreTrendTest.

Frozen dataclasses only; imports only the standard library and pandas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class DiDResult:
    """Group-time average treatment effects with what aggregation and inference need.

    ``table`` has one row per cell: cohort, time, event (time - cohort, in periods), post, att, se,
    low, high, n (treated plus comparison units), n_treated, n_control. Times and cohorts are in the
    data's own units; ``event`` counts periods. In an unbalanced panel (``n_missing`` unit-periods without
    an outcome) n_treated and n_control count the units observed in both periods of the cell.
    """

    table: pd.DataFrame
    settings: dict[str, Any]
    n_units: int
    crit: float  # critical value of ``low``/``high`` (pointwise normal, or the uniform band's)
    _model: Any = field(repr=False)
    _cells: dict[str, np.ndarray] = field(repr=False)
    n_missing: int = 0  # unit-periods without an outcome (0: a balanced panel)

    def __str__(self) -> str:
        s = self.settings
        head = (
            f"Group-time ATTs: {self.n_units} units, {len(self.table)} cells, control={s['control']}, "
            f"est={s['est']}, base_period={s['base_period']}, "
            f"{'clustered by ' + s['cluster'] if s['cluster'] else 'analytic'} SEs"
            + (f", unbalanced: {self.n_missing} unit-periods missing" if self.n_missing else "")
        )
        return head + "\n" + self.table.to_string(index=False, float_format=lambda v: f"{v:.4f}")


@dataclass(frozen=True)
class Estimate:
    """One effect: the estimate ``att``, its standard error ``se`` and the interval ``low`` to ``high``."""

    att: float
    se: float
    low: float
    high: float


@dataclass(frozen=True)
class AggregateResult:
    """A summary of group-time effects (:func:`aggregate`) or a two-way fixed-effects fit (:func:`twfe`).

    ``kind``: simple, dynamic, group or calendar (aggregations); twfe or twfe static. ``overall``: the
    single summary effect (:class:`Estimate`, pointwise interval at level ``1 - alpha``). ``table``: one
    row per event time, cohort or period (columns event / cohort / time, att, se, low, high; ``low`` and
    ``high`` use ``crit``, the uniform band's critical value when the result was bootstrapped); empty for
    simple.
    """

    kind: str
    overall: Estimate
    table: pd.DataFrame
    alpha: float
    crit: float
    _weights: tuple = field(default=(), repr=False)  # (A, phi, kappa): rows then the overall estimate
    _source: Any = field(default=None, repr=False)  # the DiDResult aggregated (for did.honest)

    def __str__(self) -> str:
        o = self.overall
        head = (
            f"{self.kind}: ATT {o.att:.4f} (se {o.se:.4f}, "
            f"{1 - self.alpha:.0%} CI {o.low:.4f} to {o.high:.4f})"
        )
        return head + ("\n" + self.table.to_string(index=False) if len(self.table) else "")


@dataclass(frozen=True)
class PreTrendTest:
    """Wald test that the pre-treatment effects are zero (see :func:`pretrend_test`).

    ``statistic`` is the Wald statistic W, ``df`` the number of independent estimates tested,
    ``df_resid`` the denominator degrees of freedom of the F reference, and ``p_value`` from
    F(df, df_resid) applied to ``W df_resid / (units df)`` (Hotelling's small-sample correction).
    """

    statistic: float
    df: int
    df_resid: int
    p_value: float

    def __str__(self) -> str:
        return (
            f"pre-trend Wald test: W = {self.statistic:.3f} on {self.df} estimates, "
            f"F({self.df}, {self.df_resid}) p = {self.p_value:.4f}"
        )
