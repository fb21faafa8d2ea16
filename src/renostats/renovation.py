"""The renovation programme: progress against plan, transparent priorities, an optimal annual plan.

- :func:`progress` counts communities, buildings, households and floor area started and completed by a
  date, against the year's plan and the whole programme, count-based and household-weighted, and projects
  the completion date at the observed pace with an interval; :func:`start_rates` gives the year's 开工率
  month by month, by communities and by households, as the ministry's tables report it.
- :func:`prioritise` scores communities from infrastructure needs, residents' willingness, age, danger
  grade and size, with every component visible; communities without residents' consent under a
  :class:`ConsentRule` (default: the Civil Code's article 278) are flagged; :func:`rank_stability` says
  how much the top of the list depends on the weights chosen.
- :func:`schedule` assigns communities to years to maximise priority under each year's budget, with an
  optimality gap certified against a Lagrangian (LP) bound, and the greedy plan for comparison (the
  solver is private, in :mod:`renostats._knapsack`); :func:`batches` turns a plan into the "implement one
  batch, plan one batch, reserve one batch" table.
- :func:`content_costs` and :func:`outputs` divide the works by content category (基础类 / 完善类 / 提升类)
  and sum the physical outputs (pipelines, lifts, parking, charging points, service facilities).

Imports numpy, pandas, scipy and, from the package, only :mod:`renostats.errors`,
:mod:`renostats._validate`, :mod:`renostats._progress` (progress against plan) and
:mod:`renostats._knapsack` (the solver behind :func:`schedule`).

Examples
--------
>>> ledger = pd.DataFrame({"community": ["a", "b", "c"], "investment_yuan": [10.0, 5.0, 5.0],
...                        "priority": [10.0, 6.0, 6.0]})
>>> plan = schedule(ledger, budgets={2020: 10.0})
>>> plan.plan.loc[plan.plan["year"].notna(), "community"].tolist()  # not "a", the highest score
['b', 'c']
>>> plan.objective, plan.greedy_objective
(12.0, 10.0)
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from renostats import _validate
from renostats._knapsack import Knapsacks, greedy
from renostats._progress import ProgressResult, Projection, progress, start_rates
from renostats.errors import ScheduleError

__all__ = [
    "CATEGORIES",
    "CIVIL_CODE_278",
    "DEFAULT_WEIGHTS",
    "OUTPUTS",
    "PROPERTY_LAW_76",
    "ConsentRule",
    "ProgressResult",
    "Projection",
    "ScheduleError",
    "ScheduleResult",
    "batches",
    "components",
    "content_costs",
    "outputs",
    "prioritise",
    "progress",
    "rank_stability",
    "schedule",
    "start_rates",
]

#: Default weights of the priority score (they sum to 1). Needs and willingness come first, as the
#: programme's principles say: residents who want renovation most, water, power, road and gas worst.
DEFAULT_WEIGHTS: dict[str, float] = {
    "need": 0.35,
    "willingness": 0.25,
    "danger": 0.20,
    "age": 0.10,
    "size": 0.10,
}
_DANGER = {"A": 0.0, "B": 0.25, "C": 0.75, "D": 1.0}
_NEEDS = ("need_water", "need_power", "need_road", "need_gas", "need_drainage")


# --------------------------------------------------------------------------------------------------
# Priorities


@dataclass(frozen=True)
class ConsentRule:
    """What residents' consent a renovation needs, as shares of owners by number and by exclusive area.

    ``turnout`` is the least share of owners who must take part in the vote, ``approval`` the least share of
    those taking part who must agree, ``agreeing`` the least share of *all* owners who must agree; each is
    applied by number of owners and by floor area (0 means no such condition). A ledger may record a vote
    (the ``vote_`` columns) or only a survey, ``willingness``, the share of all households agreeing: the
    least survey share with which a vote can pass is :attr:`least_agreeing`, and a community below it is
    refused; one above it still needs the vote.
    """

    turnout: float = 0.0
    approval: float = 0.0
    agreeing: float = 0.0
    source: str = ""

    def __post_init__(self) -> None:
        for name in ("turnout", "approval", "agreeing"):
            _validate.number(getattr(self, name), name=name, low=0, high=1)
        if not (self.turnout or self.approval or self.agreeing):
            raise _validate.fail("ConsentRule", "at least one share above 0", self)

    @property
    def least_agreeing(self) -> float:
        """The least share of all owners whose agreement can carry a vote under the rule."""
        return max(self.agreeing, self.turnout * self.approval)


#: 中华人民共和国民法典 (Civil Code, adopted 28 May 2020, in force 1 January 2021), article 278: matters
#: decided by owners jointly need the participation of owners holding two-thirds of the exclusive area and
#: two-thirds of the owners in number; alterations and rebuilding of buildings and their ancillary
#: facilities (改建、重建建筑物及其附属设施), raising or using the maintenance fund, and changing the use of
#: common parts need the consent of three-quarters of the participating area and of the participating owners.
#: Installing a lift in an existing building (既有住宅加装电梯) is decided under the same rule.
CIVIL_CODE_278 = ConsentRule(turnout=2 / 3, approval=3 / 4, source="民法典第二百七十八条 (2021-)")

#: 中华人民共和国物权法 (Property Law, 2007, replaced by the Civil Code on 1 January 2021), article 76:
#: alterations and rebuilding needed the consent of owners holding two-thirds of the exclusive area and
#: two-thirds of all owners. The "two-thirds of residents" many 2020 renovation plans quote comes from it.
PROPERTY_LAW_76 = ConsentRule(agreeing=2 / 3, source="物权法第七十六条 (2007-2020)")

_VOTES = ("vote_turnout_owners", "vote_turnout_area", "vote_approval_owners", "vote_approval_area")


def prioritise(
    ledger: pd.DataFrame,
    weights: Mapping[str, float] | None = None,
    *,
    reference_year: int | None = None,
    consent: ConsentRule = CIVIL_CODE_278,
) -> pd.DataFrame:
    """A transparent priority score for each community, every component visible.

    Components, each scaled to [0, 1] (1 = more urgent):

    - ``need``: mean of the five infrastructure needs (water, power, road, gas, drainage) the ledger
      records; a community with none recorded scores 0 (unknown need is not ranked as urgent);
    - ``willingness``: share of households agreeing to renovation (0 when unknown);
    - ``danger``: housing safety grade, D = 1, C = 0.75, B = 0.25, A or missing = 0;
    - ``age``: years since built by ``reference_year``, over the oldest in the ledger;
    - ``size``: households, on a log scale between the smallest and largest community (0 for every
      community when all are the same size).

    The score is the weighted sum (:data:`DEFAULT_WEIGHTS` unless ``weights`` is given; weights are
    normalised to sum to 1). Communities without residents' consent under ``consent`` are **flagged and not
    ranked**: where the ledger records a vote (``vote_turnout_owners``, ``vote_turnout_area``,
    ``vote_approval_owners``, ``vote_approval_area``) the vote must meet the rule's turnout and approval
    by owners and by area; otherwise the survey share ``willingness`` must reach
    :attr:`ConsentRule.least_agreeing` (one half under :data:`CIVIL_CODE_278`, two-thirds under
    :data:`PROPERTY_LAW_76`); an unknown willingness is flagged too.

    Parameters
    ----------
    reference_year : int
        The year ages are counted to (the reporting year); needed when the ledger has ``built_year``, so
        that a ranking does not change with the calendar.
    consent : ConsentRule
        The consent rule (default :data:`CIVIL_CODE_278`).

    Returns
    -------
    DataFrame
        The ledger's community and street, the components (``c_need`` ...), their weighted contributions
        (``w_need`` ...), ``priority``, ``consent_basis`` ("vote", "survey" or "unknown"), ``eligible``,
        ``flag`` and ``rank`` (1 = first; equal scores share the better rank, so the ranking does not
        depend on the order of the rows; missing when flagged).
    """
    w = _weights(weights)
    if not isinstance(consent, ConsentRule):
        raise _validate.fail("consent", "a ConsentRule such as CIVIL_CODE_278", consent)
    comp = components(ledger, reference_year)
    out = ledger[[c for c in ("community", "street", "batch", "planned_year") if c in ledger]].copy()
    for k in w:
        out[f"c_{k}"] = comp[k]
    for k in w:
        out[f"w_{k}"] = comp[k] * w[k]
    out["priority"] = comp[list(w)].to_numpy() @ np.array(list(w.values()))
    nan = pd.Series(np.nan, index=ledger.index)
    willingness = ledger["willingness"].astype(float) if "willingness" in ledger else nan
    votes = {k: ledger[k].astype(float) if k in ledger else nan for k in _VOTES}
    voted = pd.concat(votes, axis=1).notna().all(axis=1)
    failed = pd.Series("", index=ledger.index, dtype=object)
    checks = []
    for by in ("owners", "area"):
        turnout, approval = votes[f"vote_turnout_{by}"], votes[f"vote_approval_{by}"]
        checks += [(f"turnout by {by}", turnout, consent.turnout),
                   (f"approval by {by}", approval, consent.approval),
                   (f"agreeing by {by}", turnout * approval, consent.agreeing)]  # fmt: skip
    for label, share, need in checks:
        short = voted & (share < need - 1e-12)
        failed[short] = failed[short] + share[short].map(
            lambda v, lb=label, n=need: f"{lb} {v:.0%} < {n:.0%}; "
        )
    survey_low = ~voted & (willingness < consent.least_agreeing - 1e-12)
    unknown = ~voted & willingness.isna()
    out["consent_basis"] = np.where(voted, "vote", np.where(unknown, "unknown", "survey"))
    out["eligible"] = ~(failed.ne("") | survey_low | unknown)
    flag = np.where(failed.ne(""), "vote short: " + failed.str.rstrip("; "), "")
    flag = np.where(survey_low, f"willingness below {consent.least_agreeing:.0%}", flag)
    out["flag"] = np.where(unknown, "willingness unknown", flag)
    rank = out.loc[out["eligible"], "priority"].rank(ascending=False, method="min")
    out["rank"] = pd.array(np.full(len(out), pd.NA), dtype="Int64")
    out.loc[out["eligible"], "rank"] = rank.astype(int).to_numpy()
    return out


def components(ledger: pd.DataFrame, reference_year: int | None = None) -> pd.DataFrame:
    """The priority components of each community, each in [0, 1] (see :func:`prioritise`)."""
    needs = [c for c in _NEEDS if c in ledger]
    need = (
        ledger[needs].astype(float).mean(axis=1).fillna(0.0) if needs else pd.Series(0.0, index=ledger.index)
    )
    willingness = ledger["willingness"].astype(float).fillna(0.0) if "willingness" in ledger else 0.0
    danger = (
        ledger["danger_grade"].map(_DANGER).astype(float).fillna(0.0) if "danger_grade" in ledger else 0.0
    )
    if "built_year" in ledger and ledger["built_year"].notna().any():
        if reference_year is None:
            raise _validate.fail(
                "reference_year", "the year ages are counted to (for example the reporting year)", None
            )
        ref = _validate.number(reference_year, name="reference_year", low=1900, high=2100, integer=True)
        years = (ref - ledger["built_year"].astype(float)).clip(lower=0)
        oldest = years.max()
        age = (years / oldest).fillna(0.0) if oldest > 0 else years.fillna(0.0) * 0.0
    else:
        age = pd.Series(0.0, index=ledger.index)
    hh = (
        np.log1p(ledger["households"].astype(float))
        if "households" in ledger
        else pd.Series(0.0, index=ledger.index)
    )
    spread = hh.max() - hh.min()
    size = ((hh - hh.min()) / spread).fillna(0.0) if spread > 0 else hh * 0.0
    return pd.DataFrame(
        {"need": need, "willingness": willingness, "danger": danger, "age": age, "size": size},
        index=ledger.index,
    )


def _weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    w = dict(DEFAULT_WEIGHTS if weights is None else weights)
    unknown = set(w) - set(DEFAULT_WEIGHTS)
    if unknown:
        raise _validate.fail(
            "weights", f"keyed by priority components {sorted(DEFAULT_WEIGHTS)}", sorted(unknown)
        )
    for k, v in w.items():
        _validate.number(v, name=f"weights[{k!r}]", low=0)
    total = sum(w.values())
    if total <= 0:
        raise _validate.fail("weights", "non-negative and not all zero", w)
    return {k: w.get(k, 0.0) / total for k in DEFAULT_WEIGHTS}


def rank_stability(
    priorities: pd.DataFrame,
    weights: Mapping[str, float] | None = None,
    *,
    top_k: int = 41,
    n_draws: int = 1000,
    concentration: float = 50.0,
    seed: int | None = 0,
) -> pd.Series:
    """Probability that each eligible community is in the top ``top_k`` when the weights vary.

    Weights are drawn from a Dirichlet distribution centred on the chosen ones
    (``concentration x weights``; larger is tighter; 50 moves a 0.25 weight by about +-0.06), the score
    is recomputed from the components of :func:`prioritise`, and the share of draws in which each
    community ranks within the top ``top_k`` is returned (flagged communities get 0). Seeded.
    """
    w = _weights(weights)
    top_k = _validate.number(top_k, name="top_k", low=1, integer=True)
    n_draws = _validate.number(n_draws, name="n_draws", low=1, integer=True)
    concentration = _validate.number(concentration, name="concentration", low=0, low_open=True)
    comp = priorities[[f"c_{k}" for k in w]].to_numpy(dtype=np.float32)
    eligible = priorities["eligible"].to_numpy(dtype=bool)
    idx = np.flatnonzero(eligible)
    k = min(top_k, idx.size)
    rng = np.random.default_rng(seed)
    alpha_vec = np.maximum(np.array(list(w.values())) * concentration, 1e-3)
    draws = rng.dirichlet(alpha_vec, size=n_draws).astype(np.float32)
    counts = np.zeros(idx.size, dtype=np.int64)
    sub = comp[idx]
    for start in range(0, n_draws, 64):
        scores = sub @ draws[start : start + 64].T  # communities x draws
        top = np.argpartition(-scores, k - 1, axis=0)[:k]
        counts += np.bincount(top.ravel(), minlength=idx.size)
    out = np.zeros(len(priorities))
    out[idx] = counts / n_draws
    return pd.Series(out, index=priorities.index, name=f"p_top{top_k}")


# --------------------------------------------------------------------------------------------------
# The annual plan


@dataclass(frozen=True)
class ScheduleResult:
    """An annual plan: each community's year (missing when not funded) and how good the plan is."""

    plan: pd.DataFrame  #: the input with a ``year`` column
    years: list  #: the plan's years, first to last
    objective: float  #: sum of score x discount ** (year index) over funded communities
    bound: float  #: upper bound on any plan's objective (Lagrangian / LP, or HiGHS's bound when tighter)
    gap: float  #: (bound - objective) / bound: the plan is certified within this of the optimum
    greedy_objective: float  #: funding by priority order, year by year, what fits
    budget_left: pd.Series  #: per year
    seconds: float  #: time taken
    lagrangian_bound: float  #: the bound from the Lagrangian relaxation alone
    core_size: int  #: communities in the last core solved exactly (0 when rounding was already within gap)
    core_solves: int  #: exact solves of the core

    def __str__(self) -> str:
        funded = self.plan["year"].notna().sum()
        versus = (
            f"{self.objective / self.greedy_objective - 1:+.3%}"
            if self.greedy_objective > 0
            else "funds nothing"
        )
        return (
            f"{funded} of {len(self.plan)} communities funded over {len(self.years)} years; objective "
            f"{self.objective:,.4f}, within {self.gap:.4%} of the bound {self.bound:,.4f}; greedy "
            f"{self.greedy_objective:,.4f} ({versus}); {self.seconds:.1f} s"
        )


def schedule(
    ledger: pd.DataFrame,
    budgets: Mapping[Any, float] | Sequence[float],
    cost: str = "investment_yuan",
    score: str = "priority",
    must: Sequence[Any] | pd.Series | None = None,
    max_per_year: int | Mapping[Any, int] | None = None,
    *,
    discount: float = 0.97,
    gap: float = 1e-4,
    time_limit: float = 60.0,
) -> ScheduleResult:
    """Assign communities to years to maximise total priority under each year's budget.

    The objective is ``sum_i score_i * discount ** y_i`` over funded communities, with ``y_i`` the index
    of the year (0 for the first): a community funded earlier counts more, so high-priority communities
    come first (``discount=0.97`` values a year's delay at 3%). Constraints: each year's spending within
    its budget, each community at most once, optionally at most ``max_per_year`` a year, and ``must``
    communities (for example the urgent ones) in the first year.

    The plan comes with a certified optimality gap. An upper bound comes from the Lagrangian relaxation
    of the budget and count constraints (the LP bound, its multipliers found by a cutting-plane method in
    at most 200 steps; over ten years or more the search may stop slightly above it, still a valid
    bound); a plan follows from the multipliers' reduced profits, repaired and filled greedily, and the
    communities whose assignment the multipliers leave undecided (the "core") are then solved exactly with
    HiGHS (``scipy.optimize.milp``), growing the core until the gap is below ``gap`` or ``time_limit``
    passes. A district of 5,000 communities is certified within 0.01% in seconds; 220,000 within 0.1%.

    Parameters
    ----------
    ledger : DataFrame
        One row per community, with ``cost`` and ``score`` columns (``score`` from :func:`prioritise`).
        Rows with a missing score (flagged communities) are never funded.
    budgets : mapping year -> amount, or a list (years 1, 2, ...)
        Budget of each year, in the units of ``cost``.
    must : list of row labels or boolean Series, optional
        Communities that must be funded in the first year.
    max_per_year : int or mapping year -> int, optional
        Cap on communities per year.

    Raises
    ------
    ScheduleError
        When the ``must`` communities cost more than the first year's budget (naming the shortfall) or
        exceed its cap.
    """
    start = time.perf_counter()
    if isinstance(budgets, Mapping):
        years = list(budgets)
        B = np.array([_validate.number(budgets[y], name=f"budgets[{y!r}]", low=0) for y in years])
    else:
        B = np.array([_validate.number(b, name=f"budgets[{i}]", low=0) for i, b in enumerate(budgets)])
        years = list(range(1, len(B) + 1))
    if not len(B):
        raise _validate.fail("budgets", "one budget a year for at least one year", budgets)
    if not (B > 0).any():
        raise ScheduleError(f"every budget is zero ({len(B)} year(s)): there is nothing to plan")
    discount = _validate.number(discount, name="discount", low=0, high=1, low_open=True)
    gap = _validate.number(gap, name="gap", low=0, high=1, low_open=True, high_open=True)
    time_limit = _validate.number(time_limit, name="time_limit", low=0, low_open=True)
    Y = len(years)
    for col in (cost, score):
        if col not in ledger:
            raise ScheduleError(f"schedule needs a {col!r} column")
    c = ledger[cost].to_numpy(dtype=float, na_value=np.nan)
    s = ledger[score].to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(c[~np.isnan(s)]).any() or (c < 0).any():
        raise ScheduleError(f"{cost!r} must be known and non-negative for every community with a score")
    caps = None
    if max_per_year is not None:
        caps = np.array(
            [
                _validate.number(
                    max_per_year[y] if isinstance(max_per_year, Mapping) else max_per_year,
                    name=f"max_per_year[{y!r}]" if isinstance(max_per_year, Mapping) else "max_per_year",
                    low=0,
                    integer=True,
                )
                for y in years
            ],
            dtype=float,
        )
    value = np.where(np.isnan(s), 0.0, s)[:, None] * discount ** np.arange(Y)[None, :]
    active = ~np.isnan(s) & (value[:, 0] > 0)

    forced = np.zeros(len(ledger), dtype=bool)
    if must is not None:
        forced = (
            must.reindex(ledger.index).fillna(False).to_numpy(bool)
            if isinstance(must, pd.Series)
            else ledger.index.isin(must)
        )
        if (forced & np.isnan(s)).any():
            names = _names(ledger, forced & np.isnan(s))
            raise ScheduleError(f"communities that must be funded have no score (flagged): {names}")
        need = c[forced].sum()
        if need > B[0] + 1e-9:

            def money(x: float) -> str:  # whole amounts as such; a fraction of a unit (0.5 万元) is shown
                return f"{x:,.0f}" if abs(x - round(x)) < 1e-9 else f"{x:,.2f}"

            raise ScheduleError(
                f"the {int(forced.sum())} communities that must be funded in {years[0]} cost {money(need)} but "
                f"the budget is {money(B[0])}: short by {money(need - B[0])}"
            )
        if caps is not None and forced.sum() > caps[0]:
            raise ScheduleError(
                f"{int(forced.sum())} communities must be funded in {years[0]} but at most {int(caps[0])} are allowed"
            )
    B_free = B.copy()
    B_free[0] -= c[forced].sum()
    caps_free = None if caps is None else caps.copy()
    if caps_free is not None:
        caps_free[0] -= forced.sum()
    free = active & ~forced
    idx = np.flatnonzero(free)
    solver = Knapsacks(value[idx], c[idx], B_free, caps_free)
    assign_free, bound_free, notes = solver.solve(
        gap, time_limit - (time.perf_counter() - start), value[forced, 0].sum()
    )
    assign = np.full(len(ledger), -1)
    assign[forced] = 0
    assign[idx] = assign_free
    objective = float(sum(value[i, a] for i, a in enumerate(assign) if a >= 0))
    bound = float(bound_free + value[forced, 0].sum())
    spent = np.array([c[assign == y].sum() for y in range(Y)])
    greedy_value = greedy(value, c, B, caps, forced, active)
    plan = ledger.copy()
    plan["year"] = pd.array(
        [years[a] if a >= 0 else None for a in assign],
        dtype="Int64" if all(isinstance(y, int | np.integer) for y in years) else object,
    )
    return ScheduleResult(
        plan=plan,
        years=years,
        objective=objective,
        bound=bound,
        gap=(bound - objective) / bound if bound > 0 else 0.0,
        greedy_objective=greedy_value,
        budget_left=pd.Series(B - spent, index=years, name="budget_left"),
        seconds=time.perf_counter() - start,
        lagrangian_bound=float(notes.get("lagrangian_bound", 0.0) + value[forced, 0].sum()),
        core_size=int(notes.get("core", 0)),
        core_solves=int(notes.get("milp", 0)),
    )


def _names(ledger: pd.DataFrame, mask: np.ndarray) -> list:
    col = ledger["community"] if "community" in ledger else pd.Series(ledger.index, index=ledger.index)
    return col[mask].tolist()[:10]


# --------------------------------------------------------------------------------------------------
# What the works contain: categories and physical outputs

#: The three content categories of 国务院办公厅关于全面推进城镇老旧小区改造工作的指导意见
#: (国办发〔2020〕23号, 10 July 2020), and the ledger column holding each one's investment:
#: 基础类 basic (water, power, roads, gas, drainage, roofs and walls, safety), 完善类 improvement (lifts,
#: parking, charging, energy saving, accessibility), 提升类 upgrading (elderly and child care, clinics,
#: community services and shops).
CATEGORIES: dict[str, str] = {
    "basic": "investment_basic_yuan",
    "improvement": "investment_improvement_yuan",
    "upgrading": "investment_upgrading_yuan",
}

#: Physical outputs ministries headline, with the ledger column and the unit the table reports.
OUTPUTS: dict[str, tuple[str, str]] = {
    "pipelines_km": ("pipelines_m", "km"),
    "elevators": ("elevators", "部"),
    "parking_spaces": ("parking_spaces", "个"),
    "charging_points": ("charging_points", "个"),
    "service_facilities": ("service_facilities", "个"),
}


def content_costs(ledger: pd.DataFrame) -> pd.DataFrame:
    """Investment by content category (基础类 / 完善类 / 提升类) and its cost per household and per m².

    For each category the ledger records (``investment_basic_yuan``, ``investment_improvement_yuan``,
    ``investment_upgrading_yuan``): the communities with that category's amount recorded and the number
    with a positive amount, the investment, the households and floor area of the communities that carry
    the category (amount > 0), and ``yuan_per_household`` and ``yuan_per_m2`` over those. A last row
    ``all`` does the same for ``investment_yuan`` over every community. A category the ledger does not
    has no amount for is left out; a ledger with none of them is refused (it cannot be divided by content).

    Examples
    --------
    >>> ledger = pd.DataFrame({"households": [100, 50], "floor_area_m2": [8000.0, 4000.0],
    ...     "investment_yuan": [3e6, 1e6], "investment_basic_yuan": [2e6, 1e6],
    ...     "investment_improvement_yuan": [1e6, 0.0]})
    >>> t = content_costs(ledger)
    >>> t["communities"].to_dict()
    {'basic': 2, 'improvement': 1, 'all': 2}
    >>> t["yuan_per_household"].round(2).tolist(), t["yuan_per_m2"].round(2).tolist()
    ([20000.0, 10000.0, 26666.67], [250.0, 125.0, 333.33])
    """
    present = {k: c for k, c in CATEGORIES.items() if c in ledger and ledger[c].notna().any()}
    if not present:
        raise _validate.fail("ledger", f"investment by content category ({', '.join(CATEGORIES.values())})",
                             list(ledger.columns))  # fmt: skip
    hh = ledger["households"].astype(float)
    area = ledger["floor_area_m2"].astype(float)
    rows = {}
    for name, col in [*present.items(), ("all", "investment_yuan")]:
        amount = ledger[col].astype(float)
        carries = amount.gt(0).fillna(False).astype(bool)
        money = float(amount[carries].sum())
        households, m2 = float(hh[carries].sum()), float(area[carries].sum())
        rows[name] = {
            "recorded": int(amount.notna().sum()),
            "communities": int(carries.sum()),
            "investment_yuan": money,
            "households": households,
            "floor_area_m2": m2,
            "yuan_per_household": money / households if households > 0 else np.nan,
            "yuan_per_m2": money / m2 if m2 > 0 else np.nan,
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "category"
    return out


def outputs(ledger: pd.DataFrame, as_of: Any = None, by: str | None = None) -> pd.DataFrame:
    """The physical outputs of the works: pipelines renewed (km), lifts installed, parking spaces,
    charging points and community service facilities, summed per group and for the programme.

    Only outputs the ledger records (any cell filled) are shown, and a blank cell counts as none delivered
    (``recorded`` counts the communities with every shown output filled). With ``as_of``, only communities completed by that date
    count (what has been delivered); without it, every community in the ledger (what the programme
    plans). ``communities`` is the number of communities summed in each row.
    """
    present = {k: (c, u) for k, (c, u) in OUTPUTS.items() if c in ledger and ledger[c].notna().any()}
    if not present:
        cols = ", ".join(c for c, _ in OUTPUTS.values())
        raise _validate.fail("ledger", f"at least one output column ({cols})", list(ledger.columns))
    if by is not None and by not in ledger:
        raise _validate.fail("by", f"a column of the ledger ({', '.join(map(str, ledger.columns))})", by)
    rows = ledger
    if as_of is not None:
        as_of = _validate.date(as_of, name="as_of")
        rows = ledger[ledger["completion_date"].le(as_of).fillna(False).astype(bool)]
    values = pd.DataFrame({k: rows[c].astype(float) for k, (c, _) in present.items()}, index=rows.index)
    if "pipelines_km" in values:
        values["pipelines_km"] = values["pipelines_km"] / 1000.0
    values.insert(0, "recorded", values.notna().all(axis=1).astype(int))
    values.insert(0, "communities", 1)
    parts = [values.groupby(rows[by], sort=True).sum(min_count=0)] if by is not None and len(rows) else []
    total = values.sum(min_count=0).to_frame("programme").T
    out = pd.concat([*parts, total])
    out.index.name = by
    out[["communities", "recorded"]] = out[["communities", "recorded"]].astype(int)
    return out


# --------------------------------------------------------------------------------------------------
# Batches


def batches(plan: pd.DataFrame, years: Sequence[Any] | None = None) -> pd.DataFrame:
    """The "implement one batch, plan one batch, reserve one batch" table of a plan.

    Communities funded in the first year are 实施 (implement), in the second 谋划 (plan), and later or not
    yet funded 储备 (reserve), as offices hand out the annual list.
    """
    if "year" not in plan:
        raise ScheduleError("batches needs a plan with a 'year' column (from schedule)")
    yrs = list(years) if years is not None else sorted(plan["year"].dropna().unique())
    first = yrs[0] if yrs else None
    second = yrs[1] if len(yrs) > 1 else None
    label = np.where(plan["year"].eq(first).fillna(False), "实施 implement",
                     np.where(plan["year"].eq(second).fillna(False), "谋划 plan", "储备 reserve"))  # fmt: skip
    cols = [
        c
        for c in ("community", "street", "priority", "rank", "investment_yuan", "households", "year")
        if c in plan
    ]
    out = plan[cols].copy()
    out.insert(0, "batch", label)
    order = {"实施 implement": 0, "谋划 plan": 1, "储备 reserve": 2}
    out["_o"] = out["batch"].map(order)
    sort_cols = ["_o"] + (["priority"] if "priority" in out else [])
    return out.sort_values(sort_cols, ascending=[True] + [False] * (len(sort_cols) - 1)).drop(columns="_o")
