"""Staggered difference-in-differences: Callaway and Sant'Anna (2021) group-time effects.

Communities are renovated in different years, so a two-way fixed-effects regression is biased when
effects differ by cohort or grow with time since treatment (Goodman-Bacon 2021). :func:`att_gt`
estimates every group-time average treatment effect ATT(g, t) against never-treated or not-yet-treated
comparison units, with analytic standard errors from influence functions (as R's ``did`` with
``bstrap = FALSE``), clustered errors, or a seeded multiplier bootstrap with uniform bands.
:func:`aggregate` summarises the cells (simple, dynamic/event study, by cohort, by calendar time) with
standard errors that account for the estimated weights; :func:`twfe` gives the two-way fixed-effects
event study for comparison.

Without covariates every ATT(g, t) is a difference of cohort means, and every influence function is an
affine function of a unit's own outcomes with coefficients that depend only on its cohort; renostats
keeps per-cohort moment matrices instead of a units x cells array, which is what makes national panels
fast. With covariates the doubly robust (Sant'Anna and Zhao 2020), regression and inverse probability
weighting estimators run cell by cell.

The package holds the public functions and result classes; private modules hold the rest:
``_panel`` (the panel, its periods and the cells), ``_models`` (moment and dense models,
dr/reg/ipw), ``_inference`` (standard errors, clustering, bootstrap), ``_results``, ``_att_gt``,
``_aggregate`` and ``_twfe``. Private modules import only each other (never the package), numpy,
pandas, scipy, statsmodels and :mod:`renostats.errors`. Calendar helpers (``by_period`` and friends)
live in :mod:`renostats.periods`.

Examples
--------
>>> import numpy as np
>>> import pandas as pd
>>> from renostats.did import aggregate, att_gt
>>> rng = np.random.default_rng(0)
>>> units, periods = 300, 6
>>> cohort = rng.choice([0, 3, 5], units)
>>> panel = pd.DataFrame({"unit": np.repeat(np.arange(units), periods),
...                       "time": np.tile(np.arange(1, periods + 1), units),
...                       "cohort": np.repeat(cohort, periods)})
>>> treated = (panel["cohort"] > 0) & (panel["time"] >= panel["cohort"])
>>> panel["y"] = rng.normal(size=len(panel)) + 2.0 * treated
>>> res = att_gt(panel, "y", "time", "unit", "cohort")
>>> overall = aggregate(res, "simple").overall
>>> overall.low < 2.0 < overall.high
True
"""

from __future__ import annotations

from renostats.did._aggregate import aggregate, pretrend_test
from renostats.did._att_gt import att_gt
from renostats.did._dose import DoseResult, dose
from renostats.did._honest import HonestResult, honest
from renostats.did._results import AggregateResult, DiDResult, Estimate, PreTrendTest
from renostats.did._twfe import twfe
from renostats.errors import DiDError

__all__ = [
    "AggregateResult",
    "DiDError",
    "DiDResult",
    "DoseResult",
    "Estimate",
    "HonestResult",
    "PreTrendTest",
    "aggregate",
    "att_gt",
    "dose",
    "honest",
    "pretrend_test",
    "twfe",
]
