"""How funding sources are classified: the named presets behind :mod:`renostats.funding`.

Every source of a renovation ledger sits in one of four piles: public, private, repayable (special bonds,
bank loans) or apart (utilities by default). Each preset names the document it follows. Analysis layer:
a private helper of ``funding``; imports only ``_validate``, ``errors`` and ``schemas``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import pandas as pd

from renostats import _validate
from renostats.errors import FundingError
from renostats.schemas import FUNDING_SOURCES, RENOVATION

_CENTRAL = ("subsidy_central_yuan", "subsidy_central_mof_yuan", "central_budget_investment_yuan")
_RESIDENTS = ("residents_yuan", "residents_direct_yuan", "maintenance_fund_yuan", "public_income_yuan")
_REPAYABLE = ("special_bond_yuan", "bank_loan_yuan")
_GUIDELINE = "国务院办公厅关于全面推进城镇老旧小区改造工作的指导意见 (国办发〔2020〕23号, 10 July 2020)"
_MDB = "MDB Methodology for Private Investment Mobilization: Reference Guide (multilateral development banks, 2018)"
_PAGE = "双清区统筹推进老旧小区(城区C级危房)改造项目 旧宅换新颜 未来皆可期 (邵阳日报, April 2020)"


def source_names(lang: str = "zh") -> dict[str, str]:
    """Display names of the funding columns: the Chinese template header (``lang="zh"``) or the
    canonical column name without ``_yuan`` (``"en"``), taken from the renovation schema."""
    _validate.one_of(lang, ("en", "zh"), name="lang")
    cols = [RENOVATION.column(c) for c in FUNDING_SOURCES]
    if lang == "zh":
        return {c.name: c.header for c in cols}
    return {c.name: c.name.removesuffix("_yuan").replace("_", " ") for c in cols}


@dataclass(frozen=True)
class Classification:
    """Which funding source plays which part in leverage.

    Every source column sits in at most one of four piles: ``public`` (the denominator: the money whose
    leverage is measured), ``private`` (money counted as mobilised: the numerator), ``repayable``
    (finance to be repaid, reported apart from money given) and ``apart`` (a source reported on its
    own, in neither pile). Columns a ledger does not hold are skipped.
    """

    name: str
    public: tuple[str, ...]
    private: tuple[str, ...]
    repayable: tuple[str, ...] = ()
    apart: tuple[str, ...] = ()
    source: str = ""  # the document the split follows, with its title and date
    description: str = ""

    def __post_init__(self) -> None:
        piles = (self.public, self.private, self.repayable, self.apart)
        seen: dict[str, int] = {}
        for pile in piles:
            for col in pile:
                seen[col] = seen.get(col, 0) + 1
        twice = sorted(c for c, k in seen.items() if k > 1)
        if twice:
            raise FundingError(
                f"source(s) {twice} counted in more than one pile of classification {self.name!r}"
            )
        if not self.public:
            raise FundingError(f"classification {self.name!r} has no public (denominator) source")

    @property
    def sources(self) -> tuple[str, ...]:
        """Every source column the classification names, public first."""
        return self.public + self.private + self.repayable + self.apart

    def within(self, df: pd.DataFrame) -> Classification:
        """The classification restricted to the source columns ``df`` holds with at least one amount."""
        held = {c for c in self.sources if c in df and df[c].notna().any()}
        if not held & set(self.public):
            raise FundingError(
                f"classification {self.name!r}: the data hold none of its public sources {list(self.public)}"
            )
        return replace(
            self,
            public=tuple(c for c in self.public if c in held),
            private=tuple(c for c in self.private if c in held),
            repayable=tuple(c for c in self.repayable if c in held),
            apart=tuple(c for c in self.apart if c in held),
        )


def _preset(name, public, private, repayable, apart, source, description) -> Classification:
    return Classification(
        name, tuple(public), tuple(private), tuple(repayable), tuple(apart), source, description
    )


#: The named classifications. ``fiscal`` is the default of :func:`mobilisation` and :func:`crowding_in`.
CLASSIFICATIONS: dict[str, Classification] = {
    c.name: c
    for c in (
        _preset(
            "fiscal",
            [*_CENTRAL, "subsidy_provincial_yuan", "subsidy_local_yuan"],
            [*_RESIDENTS, "work_unit_yuan", "social_capital_yuan"],
            _REPAYABLE,
            ["utilities_yuan"],
            _GUIDELINE,
            "Fiscal leverage: government money given (central, provincial, city and county budgets) against "
            "money given by residents (directly, from the maintenance fund, from public income), former "
            "work-unit owners and social capital. The guideline lists these as separate channels of a "
            "shared cost (政府与居民、社会力量合理共担), puts special bonds and bank loans under financing, "
            "and hands utility companies (专业经营单位) the assets they renew, so their money stands apart.",
        ),
        _preset(
            "subsidy",
            [*_CENTRAL, "subsidy_provincial_yuan"],
            ["subsidy_local_yuan", *_RESIDENTS, "work_unit_yuan", "social_capital_yuan"],
            _REPAYABLE,
            ["utilities_yuan"],
            f"{_PAGE}: 充分发挥补助资金的杠杆作用; {_GUIDELINE}: 中央给予资金补助, 省级人民政府相应做好资金支持",
            "Subsidy leverage (补助资金的杠杆作用): the subsidies that come from above (central and "
            "provincial) as the denominator; city and county budget money counts as mobilised by them. "
            "Where the ledger has no provincial column the denominator is the central subsidy alone.",
        ),
        _preset(
            "utilities_private",
            [*_CENTRAL, "subsidy_provincial_yuan", "subsidy_local_yuan"],
            [*_RESIDENTS, "work_unit_yuan", "utilities_yuan", "social_capital_yuan"],
            _REPAYABLE,
            [],
            f"{_GUIDELINE}: 推动专业经营单位履行社会责任, 出资参与小区改造",
            "As ``fiscal``, with utility companies' money counted as mobilised, the way the guideline "
            "groups them with social forces (社会力量).",
        ),
        _preset(
            "all_money",
            [*_CENTRAL, "subsidy_provincial_yuan", "subsidy_local_yuan", "special_bond_yuan"],
            [*_RESIDENTS, "work_unit_yuan", "utilities_yuan", "social_capital_yuan", "bank_loan_yuan"],
            [],
            [],
            _MDB,
            "Every yuan in one of two piles, as multilateral development banks count private finance "
            "mobilised: government money including special bonds (government borrowing) against all other "
            "money including bank loans. The synthetic demo ledger plants its crowding-in slope in this split.",
        ),
        _preset(
            "utilities_public",
            [
                *_CENTRAL,
                "subsidy_provincial_yuan",
                "subsidy_local_yuan",
                "special_bond_yuan",
                "utilities_yuan",
            ],
            [*_RESIDENTS, "work_unit_yuan", "social_capital_yuan", "bank_loan_yuan"],
            [],
            [],
            f"{_MDB}: money of state-owned enterprises counts as public",
            "As ``all_money``, with (mostly state-owned) utility companies' money counted as public.",
        ),
    )
}


def classification(
    name: str | Classification = "fiscal",
    public: Sequence[str] | None = None,
    private: Sequence[str] | None = None,
) -> Classification:
    """A preset of :data:`CLASSIFICATIONS` by name, or a custom one from ``public`` and ``private``
    lists (then named ``custom``; other sources are left out).

    The presets and the documents they follow:

    - ``fiscal`` (default): government money given (central, provincial, city and county) against money
      given by residents, former work units and social capital; special bonds and bank loans repayable;
      utility companies apart. 国务院办公厅关于全面推进城镇老旧小区改造工作的指导意见 (国办发〔2020〕23号,
      10 July 2020), which names each of these channels.
    - ``subsidy``: central and provincial subsidies against all other money given (补助资金的杠杆作用).
      Shaoyang Daily, 双清区统筹推进老旧小区(城区C级危房)改造项目 旧宅换新颜 未来皆可期 (April 2020), and
      the same guideline (中央给予资金补助, 省级人民政府相应做好资金支持).
    - ``utilities_private``: as ``fiscal`` with utilities mobilised (the guideline's 推动专业经营单位...出资).
    - ``all_money``: every yuan in two piles, special bonds public and bank loans private, as the
      multilateral development banks count mobilised finance (MDB Methodology for Private Investment
      Mobilization: Reference Guide, 2018). The demo ledger plants its crowding-in slope here.
    - ``utilities_public``: as ``all_money`` with (state-owned) utilities public (same guide).

    >>> classification("subsidy").repayable
    ('special_bond_yuan', 'bank_loan_yuan')
    """
    if public is not None or private is not None:
        if public is None or private is None:
            raise FundingError("give both public and private source lists, or neither (and a classification)")
        return Classification("custom", tuple(public), tuple(private), source="given by the caller")
    if isinstance(name, Classification):
        return name
    return CLASSIFICATIONS[_validate.one_of(name, tuple(CLASSIFICATIONS), name="classification")]
