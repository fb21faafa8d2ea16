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
    data's own units; ``event`` counts periods.
    """

    table: pd.DataFrame
    settings: dict[str, Any]
    n_units: int
    crit: float  # critical value of ``low``/``high`` (pointwise normal, or the uniform band's)
    _model: Any = field(repr=False)
    _cells: dict[str, np.ndarray] = field(repr=False)

    def __str__(self) -> str:
        s = self.settings
        head = (
            f"Group-time ATTs: {self.n_units} units, {len(self.table)} cells, control={s['control']}, "
            f"est={s['est']}, base_period={s['base_period']}, "
            f"{'clustered by ' + s['cluster'] if s['cluster'] else 'analytic'} SEs"
        )
        return head + "\n" + self.table.to_string(index=False, float_format=lambda v: f"{v:.4f}")


@dataclass(frozen=True)
class AggregateResult:
    """An aggregation of group-time effects: ``overall`` (att, se, low, high) and ``table``."""

    kind: str
    overall: dict[str, float]
    table: pd.DataFrame  # columns: event / cohort / time, att, se, low, high
    alpha: float
    crit: float
    _weights: tuple = field(default=(), repr=False)  # (A, phi, kappa): rows then the overall estimate
    _source: Any = field(default=None, repr=False)  # the DiDResult aggregated (for did.honest)

    def __str__(self) -> str:
        o = self.overall
        head = (
            f"{self.kind} aggregation: ATT {o['att']:.4f} (se {o['se']:.4f}, "
            f"{1 - self.alpha:.0%} CI {o['low']:.4f} to {o['high']:.4f})"
        )
        return head + ("\n" + self.table.to_string(index=False) if len(self.table) else "")


@dataclass(frozen=True)
class PreTrendTest:
    """Wald test that every pre-treatment ATT(g, t) is zero."""

    statistic: float
    df: int
    p_value: float

    def __str__(self) -> str:
        return f"pre-trend Wald test: chi2({self.df}) = {self.statistic:.3f}, p = {self.p_value:.4f}"
