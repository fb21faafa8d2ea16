"""Funding leverage: what each yuan of subsidy brings in, what renovation costs, and crowding-in.

Conventions (``docs/architecture.md``): *leverage* is mobilised money per yuan of the denominator
money; the *multiplier* is ``1 + leverage`` (the denominator's own yuan counted too). Both are ratios of
sums over communities, never means of per-community ratios: a small community with a tiny subsidy
would otherwise dominate. Which money is the denominator and which counts as mobilised is a named
:class:`Classification`; :data:`CLASSIFICATIONS` holds the presets, each with its source. Money to be
repaid (special bonds, bank loans) is reported apart from money given, and utility companies'
money (专业经营单位) is its own source, in neither pile unless a preset says so.

Whether a yuan of subsidy *adds* money that would not have come anyway (crowding-in) is a causal
question, answered with the assumptions stated by :func:`crowding_in`.

Examples
--------
>>> df = pd.DataFrame({"community": ["a", "b"], "subsidy_central_yuan": [100.0, 10.0],
...                    "residents_yuan": [50.0, 20.0], "bank_loan_yuan": [30.0, 0.0]})
>>> m = mobilisation(df, n_boot=0)
>>> m[["public_yuan", "private_yuan", "repayable_yuan", "leverage", "multiplier"]]
         public_yuan  private_yuan  repayable_yuan  leverage  multiplier
overall        110.0          70.0            30.0  0.636364    1.636364
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from renostats import _validate
from renostats._classifications import (
    CLASSIFICATIONS,
    Classification,
    classification,
    source_names,
)
from renostats.errors import FundingError
from renostats.schemas import FUNDING_PARTS, FUNDING_SOURCES, adds_up, funding_total

__all__ = [
    "CLASSIFICATIONS",
    "Classification",
    "Coverage",
    "CrowdingIn",
    "FundingError",
    "check_funding",
    "classification",
    "compare_classifications",
    "cost_distribution",
    "costs",
    "coverage",
    "crowding_in",
    "lending_facts",
    "mobilisation",
    "source_names",
]

#: Clusters below which cluster-robust errors are flagged as unreliable (Cameron and Miller 2015).
MIN_CLUSTERS = 20

#: Columns that measure a community's size; central money follows a formula on them.
SIZE_COLUMNS = ("households", "floor_area_m2", "buildings")


def check_funding(
    df: pd.DataFrame,
    sources: Sequence[str],
    *,
    investment: str | None = "investment_yuan",
    tolerance: float = 0.01,
    name: str = "community",
) -> None:
    """Refuse missing source columns, negative amounts, totals that disagree with their parts, and
    sources that do not add up to the investment.

    A source that a ledger gives by its parts (``subsidy_central_yuan`` as MOF subsidy plus NDRC
    central budget investment; ``residents_yuan`` as direct payment, maintenance fund and public
    income) is counted once: where both the total and parts are given they must agree.

    Raises
    ------
    FundingError
        Naming every community and column at fault.
    """
    tolerance = _validate.number(tolerance, name="tolerance", low=0)
    missing = [c for c in sources if c not in df]
    if missing:
        raise FundingError(f"missing funding column(s) {missing}; the data have {list(df.columns)}")
    labels = df[name].astype(str) if name in df else pd.Series(df.index.astype(str), index=df.index)
    problems = []
    values = df[list(sources)].astype(float)
    for col in sources:
        bad = values[col] < 0
        problems += [f"{labels[i]}: {col} = {values.at[i, col]:,.0f} is negative" for i in df.index[bad]]
    for total, parts in FUNDING_PARTS.items():
        have = [p for p in parts if p in values]
        if total not in values or not have:
            continue
        both = values[total].notna() & values[have].notna().any(axis=1)
        part_sum = values[have].fillna(0).sum(axis=1)
        for i in df.index[both & ~adds_up(part_sum, values[total], tolerance)]:
            problems.append(
                f"{labels[i]}: {total} = {values.at[i, total]:,.0f} but its parts {' + '.join(have)} = "
                f"{part_sum[i]:,.0f} (if the column holds only one part, name it by that part's header)"
            )
    if investment and investment in df:
        total = funding_total(values)
        inv = df[investment].astype(float)
        for i in df.index[~adds_up(total, inv, tolerance) & inv.notna()]:
            problems.append(
                f"{labels[i]}: {' + '.join(sources)} = {total[i]:,.0f} but {investment} = {inv[i]:,.0f} "
                f"(beyond {tolerance:.0%})"
            )
    if problems:
        raise FundingError(f"{len(problems)} funding problem(s):\n  " + "\n  ".join(problems))


def _amounts(df: pd.DataFrame, sources: Sequence[str]) -> pd.DataFrame:
    """Amounts per source with a total that is also given by its parts zeroed where the parts are given."""
    money = df[list(sources)].astype(float)
    for total, parts in FUNDING_PARTS.items():
        have = [p for p in parts if p in money]
        if total in money and have:
            money[total] = money[total].where(~money[have].notna().any(axis=1))
    return money.fillna(0.0)


def mobilisation(
    df: pd.DataFrame,
    by: str | None = None,
    public: Sequence[str] | None = None,
    private: Sequence[str] | None = None,
    *,
    classification: str | Classification = "fiscal",
    n_boot: int = 2000,
    alpha: float = 0.05,
    seed: int | None = 0,
    tolerance: float = 0.01,
) -> pd.DataFrame:
    """Money mobilised per yuan of public money, per group and overall (the overall row last).

    Parameters
    ----------
    df : DataFrame
        One row per community with funding columns in yuan (a ``renovation`` ledger).
    by : str, optional
        Column to group by (``street``, ``batch``, ``planned_year``).
    public, private : list of str, optional
        A custom split (both lists); other sources are then left out. Overrides ``classification``.
    classification : str or Classification
        A preset of :data:`CLASSIFICATIONS` (default ``"fiscal"``: government money given against money
        given by residents, former work units and social capital; special bonds and bank loans as
        repayable finance; utility companies apart) or a :class:`Classification`.
    n_boot : int
        Bootstrap draws over communities (within each group) for the intervals of leverage and
        multiplier; 0 for none.
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    DataFrame
        Index: the groups, then ``overall``. Columns communities, public_yuan, private_yuan,
        repayable_yuan, apart_yuan, total_yuan (all four), leverage (private / public), multiplier
        (1 + leverage: public and private money per public yuan), their interval bounds
        (leverage_low, leverage_high, multiplier_low, multiplier_high), repayable_per_public and each
        source's share of the total (``share_<source>``).

    Notes
    -----
    Leverage and multiplier are **ratios of sums** over communities (sum of private money over sum of
    public money), not means of per-community ratios; the bootstrap resamples communities and recomputes
    the ratio of sums, so the percentile interval describes the ratio that is reported.
    """
    alpha = _validate.alpha(alpha)
    n_boot = int(_validate.number(n_boot, name="n_boot", low=0, integer=True))
    split = _resolve(df, classification, public, private)
    sources = list(split.sources)
    # the ledger adds up over every source it holds, whichever of them the classification uses
    held = [c for c in FUNDING_SOURCES if c in df and c not in sources]
    check_funding(
        df,
        sources + held,
        investment="investment_yuan" if "investment_yuan" in df else None,
        tolerance=tolerance,
    )
    money = _amounts(df, sources)
    piles = {
        pile: money[list(getattr(split, pile))].sum(axis=1).to_numpy()
        for pile in ("public", "private", "repayable", "apart")
    }
    groups = [("overall", np.ones(len(df), dtype=bool))]
    if by is not None:
        if by not in df:
            raise FundingError(f"cannot group by {by!r}: no such column")
        keys = df[by].astype("string").fillna("(missing)")
        groups = [(k, (keys == k).to_numpy()) for k in sorted(keys.unique())] + groups
    rng = np.random.default_rng(seed)
    rows = {}
    for label, mask in groups:
        p, q = piles["public"][mask], piles["private"][mask]
        row = {"communities": int(mask.sum())}
        row.update({f"{pile}_yuan": float(v[mask].sum()) for pile, v in piles.items()})
        row["total_yuan"] = sum(row[f"{pile}_yuan"] for pile in piles)
        with np.errstate(invalid="ignore", divide="ignore"):
            row["leverage"] = row["private_yuan"] / row["public_yuan"] if row["public_yuan"] else np.nan
            lo, hi = _bootstrap_ratio(q, p, n_boot, alpha, rng)
        row["multiplier"] = 1 + row["leverage"]
        row.update(leverage_low=lo, leverage_high=hi, multiplier_low=1 + lo, multiplier_high=1 + hi)
        row["repayable_per_public"] = (
            row["repayable_yuan"] / row["public_yuan"] if row["public_yuan"] else np.nan
        )
        totals = money.loc[mask, sources].sum()
        for s in sources:
            row[f"share_{s}"] = totals[s] / row["total_yuan"] if row["total_yuan"] else np.nan
        rows[label] = row
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = by or None
    out.attrs["classification"] = split  # the piles as used: the sources the ledger holds
    return out


def compare_classifications(
    df: pd.DataFrame, names: Sequence[str] | None = None, *, tolerance: float = 0.01
) -> pd.DataFrame:
    """The overall leverage under each named classification, side by side (no intervals).

    Returns
    -------
    DataFrame
        Index: the classification names. Columns public_yuan, private_yuan, repayable_yuan,
        apart_yuan, leverage, multiplier, public_sources, private_sources (the columns used, joined
        by ``+``) and source (the document the split follows).
    """
    names = list(names) if names is not None else list(CLASSIFICATIONS)
    rows = {}
    for name in names:
        split = classification(name).within(df)
        row = mobilisation(df, classification=split, n_boot=0, tolerance=tolerance).loc["overall"]
        rows[name] = {
            **{k: row[k] for k in ("public_yuan", "private_yuan", "repayable_yuan", "apart_yuan")},
            "leverage": row["leverage"],
            "multiplier": row["multiplier"],
            "public_sources": " + ".join(split.public),
            "private_sources": " + ".join(split.private),
            "source": split.source,
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "classification"
    return out


def _resolve(df, name, public, private) -> Classification:
    """The classification asked for, restricted to the sources the ledger holds; refuse an empty pile."""
    split = classification(name, public, private)
    if split.name == "custom":
        missing = [c for c in split.sources if c not in df]
        if missing:
            raise FundingError(f"missing funding column(s) {missing}; the data have {list(df.columns)}")
        return split
    return split.within(df)


def _bootstrap_ratio(num, den, n_boot, alpha, rng):
    """Percentile interval of sum(num) / sum(den) over communities resampled with replacement."""
    n = len(num)
    if n_boot <= 0 or n < 2:
        return np.nan, np.nan
    counts = rng.multinomial(n, np.full(n, 1 / n), size=n_boot).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        draws = (counts @ num) / (counts @ den)
    lo, hi = np.nanquantile(draws, [alpha / 2, 1 - alpha / 2])
    return float(lo), float(hi)


def costs(
    df: pd.DataFrame, *, outlier_factor: float = 3.0, investment: str = "investment_yuan"
) -> pd.DataFrame:
    """Cost per household and per m² of each community, with outliers flagged.

    A community is an outlier when its cost per household exceeds ``outlier_factor`` times the median
    of all communities (or falls below the median divided by it): a figure to check in the ledger, not
    to drop. A community at exactly the factor is not flagged.

    Returns
    -------
    DataFrame
        The input's community, street and batch (where present) with investment_yuan,
        cost_per_household, cost_per_m2, and outlier (bool).
    """
    outlier_factor = _validate.number(outlier_factor, name="outlier_factor", low=1, low_open=True)
    for col in (investment, "households", "floor_area_m2"):
        if col not in df:
            raise FundingError(f"costs need column {col!r}")
    keep = [c for c in ("community", "street", "batch", "planned_year") if c in df]
    out = df[keep].copy()
    out[investment] = df[investment].astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["cost_per_household"] = out[investment] / df["households"].astype(float)
        out["cost_per_m2"] = out[investment] / df["floor_area_m2"].astype(float)
    median = out["cost_per_household"].median()
    out["outlier"] = (out["cost_per_household"] > outlier_factor * median) | (
        out["cost_per_household"] < median / outlier_factor
    )
    return out


def cost_distribution(
    table: pd.DataFrame, by: str | None = None, column: str = "cost_per_household"
) -> pd.DataFrame:
    """Median and quartiles of a cost column (from :func:`costs`) by group, plus outliers counted."""
    grouped = table.groupby(by) if by else table.assign(_all="overall").groupby("_all")
    out = grouped[column].describe()[["count", "25%", "50%", "75%", "min", "max"]]
    out.columns = ["communities", "q1", "median", "q3", "min", "max"]
    out["outliers"] = grouped["outlier"].sum() if "outlier" in table else 0
    out.index.name = by
    return out.astype({"communities": int, "outliers": int})


@dataclass(frozen=True)
class CrowdingIn:
    """Regression estimate of how much mobilised money a yuan of public money brings in.

    ``beta`` is the extra mobilised yuan per public yuan (per household when ``size`` is
    ``"per_household"``); ``low``/``high`` its analytic cluster-robust interval (t with clusters - 1
    degrees of freedom); ``multiplier`` ``1 + beta`` with ``multiplier_low``/``multiplier_high`` the
    interval moved by one; ``wild_low``/``wild_high`` the wild cluster bootstrap-t interval (NaN
    unless asked for with ``wild_draws`` draws). ``classification`` names the split of sources,
    ``size`` how community size is handled and ``controls`` the size columns used. ``identification``
    says which variation identifies the slope, ``assumptions`` what a causal reading needs;
    ``warning`` is set when the analytic interval should not be read. ``table`` is statsmodels'
    coefficient row for the public term.
    """

    beta: float
    se: float
    low: float
    high: float
    multiplier: float
    multiplier_low: float
    multiplier_high: float
    n: int
    clusters: int
    alpha: float
    classification: str
    size: str
    controls: tuple[str, ...]
    warning: str | None
    identification: str
    assumptions: str
    table: pd.DataFrame
    wild_low: float = np.nan
    wild_high: float = np.nan
    wild_draws: int = 0

    def covers(self, value: float) -> bool:
        """Whether the analytic interval contains ``value`` (a planted or hypothesised slope)."""
        return bool(self.low <= value <= self.high)

    def wild_covers(self, value: float) -> bool:
        """Whether the wild cluster bootstrap interval contains ``value``; refuses when none was drawn."""
        if not self.wild_draws:
            raise FundingError("no wild cluster bootstrap interval: call crowding_in(..., wild=999)")
        return bool(self.wild_low <= value <= self.wild_high)

    def __str__(self) -> str:
        per = " per household" if self.size == "per_household" else ""
        text = (
            f"each public yuan{per} comes with {self.beta:.3f} more mobilised yuan ({1 - self.alpha:.0%} interval "
            f"{self.low:.3f} to {self.high:.3f}; {self.n} communities in {self.clusters} clusters; "
            f"{self.classification} classification): a causal multiplier of {self.multiplier:.3f} "
            f"({self.multiplier_low:.3f} to {self.multiplier_high:.3f})"
        )
        if self.wild_draws:
            text += f"\nwild cluster bootstrap interval ({self.wild_draws} draws): {self.wild_low:.3f} to {self.wild_high:.3f}"
        return text + (f"\nwarning: {self.warning}" if self.warning else "")


def crowding_in(
    df: pd.DataFrame,
    *,
    classification: str | Classification = "fiscal",
    public: Sequence[str] | None = None,
    private: Sequence[str] | None = None,
    size: str = "controls",
    controls: Sequence[str] | None = None,
    group: str = "street",
    time: str = "planned_year",
    cluster: str | None = None,
    alpha: float = 0.05,
    wild: int = 0,
    seed: int | None = 0,
) -> CrowdingIn:
    """Does public money crowd mobilised money in? A fixed-effects regression with clustered errors.

    Fits ``private ~ public + size + C(group) + C(time)`` by OLS (statsmodels) with standard errors
    clustered by ``cluster`` (default: ``group``) and t critical values with clusters - 1 degrees of
    freedom. ``public`` and ``private`` are the piles of ``classification`` (repayable and apart
    sources are left out). The coefficient on public money is the extra mobilised yuan per public
    yuan; ``1 + beta`` is the causal multiplier.

    Central money follows a formula on size (households, floor area, buildings), so levels regressed
    on levels mostly measure size: a large community gets more subsidy *and* more of everything else.
    ``size`` says how size is taken out:

    - ``"controls"`` (default): the size columns (``controls``; default those of
      :data:`SIZE_COLUMNS` the data hold) enter linearly beside the fixed effects;
    - ``"per_household"``: both amounts are divided by ``households`` (yuan per household);
    - ``"levels"``: no size adjustment (the earlier behaviour; read it as size, not crowding-in).

    **What identifies the slope**: differences in public money between communities of the same
    street and year that their size does not explain (departures from the allocation formula:
    discretionary top-ups, a batch's funding round, the works a plan lists). A refusal is raised
    when none are left (public money an exact formula of size within street and year).
    The reading is causal only if those departures are unrelated to what else brings a community
    mobilised money (residents' incomes, a utility's own plans) and money for one community does
    not displace money for another. A warning is set when there are fewer than :data:`MIN_CLUSTERS`
    clusters (cluster-robust errors are then too small; 20 clusters is enough).

    ``wild=999`` adds a wild cluster bootstrap-t interval (``wild_low``, ``wild_high``): residuals of
    the fixed-effects regression are flipped cluster by cluster with Webb's six-point weights
    (seeded), which keeps its coverage with a dozen clusters where the analytic interval does not
    (Cameron, Gelbach and Miller 2008; Webb 2023).
    """
    alpha = _validate.alpha(alpha)
    wild = int(_validate.number(wild, name="wild", low=0, integer=True))
    size = _validate.one_of(size, ("controls", "per_household", "levels"), name="size")
    split = _resolve(df, classification, public, private)
    design = _design(df, split, size, controls, group, time, cluster or group)
    fit = design.fit()
    beta, se = float(fit.params["public"]), float(fit.bse["public"])
    crit = stats.t.ppf(1 - alpha / 2, design.clusters - 1)
    low, high = beta - crit * se, beta + crit * se
    warning = None
    if design.clusters < MIN_CLUSTERS:
        read = "the wild cluster bootstrap interval" + ("" if wild else " (crowding_in(..., wild=999))")
        warning = (
            f"only {design.clusters} clusters: cluster-robust standard errors are unreliable below about "
            f"{MIN_CLUSTERS}; read {read}"
        )
    from statsmodels.tools.sm_exceptions import ValueWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ValueWarning)
        table = fit.summary2().tables[1].loc[["public"]]
    wild_low = wild_high = np.nan
    if wild:
        wild_low, wild_high = _wild_cluster_t(design, wild, alpha, seed)
    held = ", ".join(design.controls) or "none"
    identification = {
        "controls": f"differences in public money between communities of the same {group} and {time} that "
        f"their size ({held}, linearly) does not explain",
        "per_household": f"differences in public money per household between communities of the same {group} "
        f"and {time}",
        "levels": f"all differences in public money between communities of the same {group} and {time}, "
        "size included: a large community gets more of every kind of money, so this slope mostly measures size",
    }[size]
    assumptions = (
        f"Read causally only if, within a {group} and {time}, the public money a community gets beyond what "
        "its size explains is unrelated to what else brings it mobilised money (for example residents' "
        "incomes or a utility's own plans), and money for one community does not displace money for another."
    )
    return CrowdingIn(
        beta=beta, se=se, low=low, high=high, multiplier=1 + beta, multiplier_low=1 + low,
        multiplier_high=1 + high, n=design.n, clusters=design.clusters, alpha=alpha,
        classification=split.name, size=size, controls=design.controls, warning=warning,
        identification=f"identified from {identification}", assumptions=assumptions, table=table,
        wild_low=wild_low, wild_high=wild_high, wild_draws=wild,
    )  # fmt: skip


@dataclass(frozen=True)
class Coverage:
    """How often crowding-in intervals cover a planted slope in simulated ledgers like the data.

    ``covered`` of ``draws`` analytic intervals contained ``beta`` (``rate``, with an exact binomial
    interval ``rate_low``/``rate_high`` for the simulation's own noise); ``wild_covered`` and
    ``wild_rate`` likewise for the wild cluster bootstrap interval (-1 and NaN when not simulated).
    ``nominal`` is ``1 - alpha``; ``method`` says how the ledgers were simulated.
    """

    beta: float
    draws: int
    covered: int
    rate: float
    rate_low: float
    rate_high: float
    wild_covered: int
    wild_rate: float
    nominal: float
    clusters: int
    seed: int | None
    method: str


def coverage(
    df: pd.DataFrame,
    beta: float,
    *,
    draws: int = 500,
    wild: int = 0,
    seed: int | None = 0,
    classification: str | Classification = "fiscal",
    public: Sequence[str] | None = None,
    private: Sequence[str] | None = None,
    size: str = "controls",
    controls: Sequence[str] | None = None,
    group: str = "street",
    time: str = "planned_year",
    cluster: str | None = None,
    alpha: float = 0.05,
) -> Coverage:
    """Coverage of :func:`crowding_in`'s intervals in a seeded simulation with ``beta`` planted.

    The ledger's design is kept (public money, size, streets, years); the mobilised money is
    rebuilt as ``beta`` times public money plus the fitted fixed effects and size terms plus the
    regression's residuals, flipped cluster by cluster with Webb's six-point weights (so errors keep
    their within-cluster correlation and heteroskedasticity). Each draw is re-estimated as
    :func:`crowding_in` does. ``wild`` > 0 also simulates the wild cluster bootstrap interval with
    that many inner draws (slower: one bootstrap per draw).
    """
    alpha = _validate.alpha(alpha)
    beta = _validate.number(beta, name="beta")
    draws = int(_validate.number(draws, name="draws", low=1, integer=True))
    wild = int(_validate.number(wild, name="wild", low=0, integer=True))
    size = _validate.one_of(size, ("controls", "per_household", "levels"), name="size")
    split = _resolve(df, classification, public, private)
    d = _design(df, split, size, controls, group, time, cluster or group)
    rng = np.random.default_rng(seed)
    b_hat = (d.xt @ d.yt) / d.sxx
    resid = d.yt - b_hat * d.xt
    weights = rng.choice(_WEBB, size=(draws, d.clusters))
    # partialled outcome of each simulated ledger: the planted slope plus flipped residuals
    errors = resid[None, :] * weights[:, d.codes]
    ystar = beta * d.xt[None, :] + errors - (errors @ d.q) @ d.q.T
    bstar = (ystar @ d.xt) / d.sxx
    se = d.cr1_se(ystar - bstar[:, None] * d.xt[None, :])
    crit = stats.t.ppf(1 - alpha / 2, d.clusters - 1)
    hit = np.abs(bstar - beta) <= crit * se
    covered = int(hit.sum())
    ci = stats.binomtest(covered, draws).proportion_ci(0.95, method="exact")
    wild_covered, wild_rate = -1, np.nan
    if wild:
        inner = np.random.default_rng(rng.integers(2**63))
        wild_covered = 0
        for k in range(draws):
            lo, hi = _wild_from_partialled(d, ystar[k], wild, alpha, inner)
            wild_covered += int(lo <= beta <= hi)
        wild_rate = wild_covered / draws
    return Coverage(
        beta=beta, draws=draws, covered=covered, rate=covered / draws, rate_low=float(ci.low),
        rate_high=float(ci.high), wild_covered=wild_covered, wild_rate=wild_rate, nominal=1 - alpha,
        clusters=d.clusters, seed=seed,
        method=f"{draws} simulated ledgers (seed {seed}): the data's design with slope {beta:g} planted and "
        "the fitted residuals flipped by cluster (Webb weights)",
    )  # fmt: skip


@dataclass(frozen=True)
class _Design:
    """The regression of mobilised on public money, ready to fit and to partial out."""

    y: np.ndarray  # mobilised money (万元, or 万元 per household)
    x: np.ndarray  # public money, same unit
    other: np.ndarray  # constant, size controls and fixed-effect dummies
    names: list[str]
    codes: np.ndarray  # cluster of each row, 0..clusters-1
    controls: tuple[str, ...]
    q: np.ndarray  # orthonormal basis of ``other``
    xt: np.ndarray  # x with ``other`` partialled out
    yt: np.ndarray

    @property
    def n(self) -> int:
        return len(self.y)

    @property
    def clusters(self) -> int:
        return int(self.codes.max()) + 1

    @property
    def sxx(self) -> float:
        return float(self.xt @ self.xt)

    def fit(self):
        import statsmodels.api as sm

        exog = pd.DataFrame(np.column_stack([self.x, self.other]), columns=["public", *self.names])
        return sm.OLS(self.y, exog).fit(cov_type="cluster", cov_kwds={"groups": self.codes}, use_t=True)

    def cr1_se(self, res: np.ndarray) -> np.ndarray:
        """CR1 standard error of the slope (as statsmodels computes it); ``res`` has draws in rows."""
        g = self.clusters
        scores = np.zeros((res.shape[0], g))
        np.add.at(scores.T, self.codes, (res * self.xt[None, :]).T)
        k = self.other.shape[1] + 1
        scale = g / (g - 1) * (self.n - 1) / (self.n - k)
        return np.sqrt(scale * (scores**2).sum(axis=1)) / self.sxx


def _design(df, split, size, controls, group, time, cluster) -> _Design:
    """Build the regression, refusing what cannot be estimated (and never dropping rows quietly)."""
    if not split.private:
        raise FundingError(f"classification {split.name!r}: the data hold none of its mobilised sources")
    check_funding(df, list(split.public + split.private), investment=None)
    if size == "controls":
        controls = tuple(controls) if controls is not None else tuple(c for c in SIZE_COLUMNS if c in df)
        if not controls:
            raise FundingError(
                f"size='controls' needs a size column ({', '.join(SIZE_COLUMNS)}); the data have none: "
                "give controls=[...], or size='levels' to regress levels on levels knowingly"
            )
    else:
        controls = ()
    needed = [group, time, cluster, *controls] + (["households"] if size == "per_household" else [])
    for col in dict.fromkeys(needed):
        if col not in df:
            raise FundingError(f"crowding_in needs column {col!r}")
        if df[col].isna().any():
            names = df["community"] if "community" in df else pd.Series(df.index, index=df.index)
            rows = names[df[col].isna()].astype(str).tolist()
            raise FundingError(
                f"crowding_in: {col!r} is missing for {len(rows)} communit{'y' if len(rows) == 1 else 'ies'} "
                f"({', '.join(rows[:10])}{' ...' if len(rows) > 10 else ''}); fill it or leave them out knowingly"
            )
    money = _amounts(df, list(split.public + split.private))
    y = money[list(split.private)].sum(axis=1).to_numpy() / 1e4
    x = money[list(split.public)].sum(axis=1).to_numpy() / 1e4
    if size == "per_household":
        hh = df["households"].astype(float).to_numpy()
        if (hh <= 0).any():
            raise FundingError("size='per_household' needs households above 0 in every row")
        y, x = y / hh * 1e4, x / hh * 1e4  # yuan per household, in 万元 for conditioning
    codes = pd.factorize(df[cluster].astype(str))[0]
    if codes.max() + 1 < 2 or len(df) < 10:
        raise FundingError(
            f"too little data for crowding-in: {len(df)} communities in {codes.max() + 1} clusters"
        )
    parts = [pd.Series(1.0, index=df.index, name="const")]
    for c in controls:
        v = df[c].astype(float)
        parts.append(((v - v.mean()) / (v.std() or 1.0)).rename(c))
    dummies = pd.get_dummies(df[[group, time]].astype(str), drop_first=True, dtype=float)
    other = pd.concat([*parts, dummies], axis=1)
    mat = other.to_numpy(dtype=float)
    q, r = np.linalg.qr(mat)
    rank = int((np.abs(np.diag(r)) > 1e-10 * np.abs(np.diag(r)).max()).sum())
    if rank < mat.shape[1]:
        raise FundingError(
            f"the size controls {list(controls)} are collinear with the {group} and {time} effects"
        )
    xt = x - q @ (q.T @ x)
    yt = y - q @ (q.T @ y)
    xc = x - x.mean()
    # what is left of x must stand out from the rounding of x itself (about 1e-16 of it): public money
    # equal in every community leaves rounding only, and its spread about its mean is rounding too
    if xt @ xt <= 1e-10 * (xc @ xc) + 1e-20 * (x @ x):
        raise FundingError(
            f"public money is a fixed formula of size and {group}/{time} in these data: no variation is left "
            "to identify crowding-in"
        )
    return _Design(y, x, mat, list(other.columns), codes, controls, q, xt, yt)


_WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])


def _wild_cluster_t(d: _Design, draws, alpha, seed):
    """Wild cluster bootstrap-t interval for the slope of the design's regression."""
    return _wild_from_partialled(d, d.yt, draws, alpha, np.random.default_rng(seed))


def _wild_from_partialled(d: _Design, yt, draws, alpha, rng):
    """Wild cluster bootstrap-t interval from a partialled outcome ``yt`` (Webb weights)."""
    beta = (d.xt @ yt) / d.sxx
    resid = yt - beta * d.xt
    se = d.cr1_se(resid[None, :])[0]
    weights = rng.choice(_WEBB, size=(draws, d.clusters))
    ystar = beta * d.xt[None, :] + resid[None, :] * weights[:, d.codes]
    ystar = ystar - (ystar @ d.q) @ d.q.T
    bstar = (ystar @ d.xt) / d.sxx
    tstar = (bstar - beta) / d.cr1_se(ystar - bstar[:, None] * d.xt[None, :])
    lo_q, hi_q = np.quantile(tstar, [alpha / 2, 1 - alpha / 2])
    return float(beta - hi_q * se), float(beta - lo_q * se)


_QUALIFIER_WORDS = {
    "exact": "",
    "over": "more than ",
    "nearly": "nearly ",
    "about": "about ",
    "under": "under ",
    "at_least": "at least ",
    "at_most": "at most ",
}


def lending_facts(facts: pd.DataFrame) -> pd.DataFrame:
    """The banks' lending figures of the source page as a table that keeps each figure's qualifier.

    ``facts`` is :func:`renostats.datasets.load_facts` output (or its ``banking`` topic). The column
    ``reads`` says the figure in words with its qualifier (``nearly 10 家``, ``more than 300 户``).
    """
    bank = facts[facts["topic"] == "banking"].copy()
    words = bank["qualifier"].map(_QUALIFIER_WORDS).fillna("")

    def amount(row) -> str:
        if row["kind"] == "money":
            return f"{row['value'] / 1e4:,.0f}万元"
        return f"{row['value']:,.0f} {row['unit']}"

    bank["reads"] = words + bank.apply(amount, axis=1)
    bank["bank"] = np.where(bank["metric"].str.startswith("psbc"), "邮储银行邵阳市分行", "交通银行邵东支行")
    return bank[
        ["bank", "place", "date", "metric", "text", "reads", "value", "qualifier", "low", "high", "note"]
    ].reset_index(drop=True)
