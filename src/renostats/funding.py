"""Funding leverage: what each yuan of fiscal money brings in, and what renovation costs.

Conventions (MISSION.md): *leverage* is non-fiscal money per yuan of fiscal money; the *multiplier* is
total money per yuan of fiscal money (leverage + 1). Both are ratios of sums over communities, never
means of per-community ratios: a small community with a tiny subsidy would otherwise dominate. Whether
a yuan of subsidy *adds* money that would not have come anyway (crowding-in) is a causal question,
answered with the assumptions stated by :func:`crowding_in`.

Examples
--------
>>> df = pd.DataFrame({"community": ["a", "b"], "subsidy_central_yuan": [100.0, 10.0],
...                    "residents_yuan": [50.0, 20.0]})
>>> m = mobilisation(df, public=["subsidy_central_yuan"], private=["residents_yuan"], n_boot=0)
>>> m[["public_yuan", "private_yuan", "leverage", "multiplier"]]
         public_yuan  private_yuan  leverage  multiplier
overall        110.0          70.0  0.636364    1.636364
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from renostats.errors import FundingError
from renostats.schemas import FUNDING_PRIVATE, FUNDING_PUBLIC, adds_up

__all__ = [
    "CrowdingIn",
    "FundingError",
    "check_funding",
    "cost_distribution",
    "costs",
    "crowding_in",
    "lending_facts",
    "mobilisation",
]

#: Clusters below which cluster-robust errors are flagged as unreliable (Cameron and Miller 2015).
MIN_CLUSTERS = 20


def check_funding(
    df: pd.DataFrame,
    sources: Sequence[str],
    *,
    investment: str | None = "investment_yuan",
    tolerance: float = 0.01,
    name: str = "community",
) -> None:
    """Refuse missing source columns, negative amounts, and sources that do not add up to the investment.

    Raises
    ------
    FundingError
        Naming every community and column at fault.
    """
    missing = [c for c in sources if c not in df]
    if missing:
        raise FundingError(f"missing funding column(s) {missing}; the data have {list(df.columns)}")
    labels = df[name].astype(str) if name in df else df.index.astype(str)
    problems = []
    values = df[list(sources)].astype(float)
    for col in sources:
        bad = values[col] < 0
        problems += [f"{labels[i]}: {col} = {values.at[i, col]:,.0f} is negative" for i in df.index[bad]]
    if investment and investment in df:
        total = values.fillna(0).sum(axis=1)
        inv = df[investment].astype(float)
        for i in df.index[~adds_up(total, inv, tolerance) & inv.notna()]:
            problems.append(
                f"{labels[i]}: {' + '.join(sources)} = {total[i]:,.0f} but {investment} = {inv[i]:,.0f} "
                f"(beyond {tolerance:.0%})"
            )
    if problems:
        raise FundingError(f"{len(problems)} funding problem(s):\n  " + "\n  ".join(problems))


def mobilisation(
    df: pd.DataFrame,
    by: str | None = None,
    public: Sequence[str] | None = None,
    private: Sequence[str] | None = None,
    *,
    n_boot: int = 2000,
    alpha: float = 0.05,
    seed: int | None = 0,
    tolerance: float = 0.01,
) -> pd.DataFrame:
    """Money mobilised per yuan of fiscal money, per group and overall (the overall row last).

    Parameters
    ----------
    df : DataFrame
        One row per community with funding columns in yuan (a ``renovation`` ledger).
    by : str, optional
        Column to group by (``street``, ``batch``, ``planned_year``).
    public, private : list of str, optional
        Fiscal and non-fiscal sources. Defaults: public = central subsidy, local budget, special bonds;
        private = residents, utilities, social capital, banks. Counting state-owned utilities as public,
        as multilateral banks' rules would, is ``public=[..., "utilities_yuan"]`` and the matching
        ``private``.
    n_boot : int
        Bootstrap draws over communities (within each group) for the intervals of leverage and
        multiplier; 0 for none.
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    DataFrame
        Index: the groups, then ``overall``. Columns communities, public_yuan, private_yuan,
        total_yuan, leverage (private / public), multiplier (total / public), their interval bounds
        (leverage_low, leverage_high, multiplier_low, multiplier_high) and each source's share of the
        total (``share_<source>``).

    Notes
    -----
    Leverage and multiplier are **ratios of sums** over communities (sum of private money over sum of
    public money), not means of per-community ratios; the bootstrap resamples communities and recomputes
    the ratio of sums, so the interval describes the ratio that is reported.
    """
    public = list(public if public is not None else FUNDING_PUBLIC)
    private = list(private if private is not None else FUNDING_PRIVATE)
    overlap = set(public) & set(private)
    if overlap:
        raise FundingError(f"source(s) {sorted(overlap)} counted as both public and private")
    sources = public + private
    check_funding(
        df, sources, investment="investment_yuan" if "investment_yuan" in df else None, tolerance=tolerance
    )
    money = df[sources].astype(float).fillna(0.0)
    pub = money[public].sum(axis=1).to_numpy()
    priv = money[private].sum(axis=1).to_numpy()
    groups = [("overall", np.ones(len(df), dtype=bool))]
    if by is not None:
        if by not in df:
            raise FundingError(f"cannot group by {by!r}: no such column")
        keys = df[by].astype("string").fillna("(missing)")
        groups = [(k, (keys == k).to_numpy()) for k in sorted(keys.unique())] + groups
    rng = np.random.default_rng(seed)
    rows = {}
    for label, mask in groups:
        p, q = pub[mask], priv[mask]
        row = {
            "communities": int(mask.sum()),
            "public_yuan": p.sum(),
            "private_yuan": q.sum(),
            "total_yuan": p.sum() + q.sum(),
        }
        with np.errstate(invalid="ignore", divide="ignore"):
            row["leverage"] = row["private_yuan"] / row["public_yuan"]
            row["multiplier"] = row["total_yuan"] / row["public_yuan"]
            lo, hi = _bootstrap_ratio(q, p, n_boot, alpha, rng)
        row.update(leverage_low=lo, leverage_high=hi, multiplier_low=lo + 1, multiplier_high=hi + 1)
        totals = money.loc[mask, sources].sum()
        for s in sources:
            row[f"share_{s}"] = totals[s] / row["total_yuan"] if row["total_yuan"] else np.nan
        rows[label] = row
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = by or None
    return out


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
    to drop.

    Returns
    -------
    DataFrame
        The input's community, street and batch (where present) with investment_yuan,
        cost_per_household, cost_per_m2, and outlier (bool).
    """
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
    """Regression estimate of how much non-fiscal money a yuan of fiscal money brings in."""

    beta: float  # extra non-fiscal yuan per fiscal yuan
    se: float
    low: float
    high: float
    multiplier: float  # 1 + beta: total yuan per fiscal yuan, causally read
    multiplier_low: float
    multiplier_high: float
    n: int
    clusters: int
    alpha: float
    warning: str | None
    assumptions: str
    table: pd.DataFrame  # statsmodels' coefficient table for the fiscal term
    wild_low: float = np.nan  # wild cluster bootstrap-t interval (Webb weights), when asked for
    wild_high: float = np.nan

    def __str__(self) -> str:
        text = (
            f"each fiscal yuan comes with {self.beta:.2f} more non-fiscal yuan ({1 - self.alpha:.0%} interval "
            f"{self.low:.2f} to {self.high:.2f}; {self.n} communities in {self.clusters} clusters): a causal "
            f"multiplier of {self.multiplier:.2f} ({self.multiplier_low:.2f} to {self.multiplier_high:.2f})"
        )
        return text + (f"\nwarning: {self.warning}" if self.warning else "")


def crowding_in(
    df: pd.DataFrame,
    *,
    public: Sequence[str] | None = None,
    private: Sequence[str] | None = None,
    group: str = "street",
    time: str = "planned_year",
    cluster: str | None = None,
    alpha: float = 0.05,
    wild: int = 0,
    seed: int | None = 0,
) -> CrowdingIn:
    """Does fiscal money crowd non-fiscal money in? A fixed-effects regression with clustered errors.

    Fits ``private_yuan ~ public_yuan + C(group) + C(time)`` by OLS (statsmodels) with standard errors
    clustered by ``cluster`` (default: ``group``) and t critical values with clusters - 1 degrees of
    freedom. The coefficient on public money is the extra non-fiscal yuan per fiscal yuan; ``1 + beta``
    is the causal multiplier.

    The reading is causal only if, within a street and year, the subsidy a community receives is
    unrelated to what else drives its non-fiscal funding (no community-level confounding, such as
    richer residents attracting both more subsidy and more private money), and money from one
    community does not spill into another. A warning is set when there are fewer than
    :data:`MIN_CLUSTERS` clusters (cluster-robust errors are then too small) or too few communities.

    With few clusters, ``wild=999`` adds a wild cluster bootstrap-t interval (``wild_low``,
    ``wild_high``): residuals of the fixed-effects regression are flipped cluster by cluster with Webb's
    six-point weights (seeded), which keeps its coverage with a dozen clusters where the analytic
    interval does not (Cameron, Gelbach and Miller 2008; Webb 2023).
    """
    import statsmodels.formula.api as smf

    public = list(public if public is not None else FUNDING_PUBLIC)
    private = list(private if private is not None else FUNDING_PRIVATE)
    check_funding(df, public + private, investment=None)
    cluster = cluster or group
    for col in (group, time, cluster):
        if col not in df:
            raise FundingError(f"crowding_in needs column {col!r}")
    data = pd.DataFrame(
        {
            "private": df[private].astype(float).fillna(0).sum(axis=1) / 1e4,
            "public": df[public].astype(float).fillna(0).sum(axis=1) / 1e4,
            "g": df[group].astype(str),
            "t": df[time].astype(str),
            "c": df[cluster].astype(str),
        }
    ).dropna()
    clusters = data["c"].nunique()
    if clusters < 2 or len(data) < 10:
        raise FundingError(f"too little data for crowding-in: {len(data)} communities in {clusters} clusters")
    import warnings

    from statsmodels.tools.sm_exceptions import ValueWarning

    codes = pd.factorize(data["c"])[0]
    with warnings.catch_warnings():
        # the overall F test over fixed effects is rank deficient under clustering; it is not used here
        warnings.simplefilter("ignore", ValueWarning)
        fit = smf.ols("private ~ public + C(g) + C(t)", data=data).fit(
            cov_type="cluster", cov_kwds={"groups": codes}, use_t=True
        )
    beta, se = float(fit.params["public"]), float(fit.bse["public"])
    crit = stats.t.ppf(1 - alpha / 2, clusters - 1)
    low, high = beta - crit * se, beta + crit * se
    warning = None
    if clusters < MIN_CLUSTERS:
        warning = (
            f"only {clusters} clusters: cluster-robust standard errors are unreliable below about "
            f"{MIN_CLUSTERS}; prefer the wild cluster bootstrap interval (crowding_in(..., wild=999))"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ValueWarning)
        table = fit.summary2().tables[1].loc[["public"]]
    wild_low = wild_high = np.nan
    if wild:
        design = pd.get_dummies(data[["g", "t"]], drop_first=True, dtype=float)
        design.insert(0, "const", 1.0)
        wild_low, wild_high = _wild_cluster_t(
            data["private"].to_numpy(), data["public"].to_numpy(), design.to_numpy(), codes, wild, alpha, seed
        )
    assumptions = (
        "Read causally only if, within a street and year, how much subsidy a community gets is unrelated to "
        "what else brings it non-fiscal money (for example residents' incomes or a utility's own plans), and "
        "money for one community does not displace money for another."
    )
    return CrowdingIn(
        beta=beta, se=se, low=low, high=high, multiplier=1 + beta, multiplier_low=1 + low,
        multiplier_high=1 + high, n=int(fit.nobs), clusters=clusters, alpha=alpha, warning=warning,
        assumptions=assumptions, table=table, wild_low=wild_low, wild_high=wild_high,
    )  # fmt: skip


_WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])


def _wild_cluster_t(y, x, fe, clusters, draws, alpha, seed):
    """Wild cluster bootstrap-t interval for the slope on x after partialling out fixed effects ``fe``."""
    q, _ = np.linalg.qr(fe)
    yt = y - q @ (q.T @ y)
    xt = x - q @ (q.T @ x)
    sxx = xt @ xt
    beta = (xt @ yt) / sxx
    resid = yt - beta * xt
    g = clusters.max() + 1

    def se_of(res):  # CR1 standard error of the slope; res has draws in rows
        scores = np.zeros((res.shape[0], g))
        for c in range(g):
            m = clusters == c
            scores[:, c] = res[:, m] @ xt[m]
        n, k = len(y), fe.shape[1] + 1
        scale = g / (g - 1) * (n - 1) / (n - k)
        return np.sqrt(scale * (scores**2).sum(axis=1)) / sxx

    se = se_of(resid[None, :])[0]
    rng = np.random.default_rng(seed)
    weights = rng.choice(_WEBB, size=(draws, g))
    ystar = beta * xt[None, :] + resid[None, :] * weights[:, clusters]
    ystar = ystar - (ystar @ q) @ q.T
    bstar = (ystar @ xt) / sxx
    rstar = ystar - bstar[:, None] * xt[None, :]
    tstar = (bstar - beta) / se_of(rstar)
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
