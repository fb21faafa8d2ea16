"""What each ledger kind holds: canonical columns, their types and ranges, and the Chinese headers
district offices write for them, declared once per kind.

Canonical names are English snake_case with the unit in the name (``floor_area_m2``,
``investment_yuan``). Validation of a read ledger goes through pandera: :func:`pandera_schema` turns a
:class:`LedgerSchema` into a ``pandera.DataFrameSchema`` whose failures :mod:`renostats.ledger`
reports cell by cell.

Examples
--------
>>> schema = SCHEMAS["renovation"]
>>> schema.column("floor_area_m2").kind
'area'
>>> schema.match_header("建筑面积")
'floor_area_m2'
>>> schema.match_header("居民出资")
'residents_yuan'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

__all__ = [
    "FUNDING_OPTIONAL",
    "FUNDING_PARTS",
    "FUNDING_PRIVATE",
    "FUNDING_PUBLIC",
    "FUNDING_SOURCES",
    "SCHEMAS",
    "Column",
    "LedgerSchema",
    "normalise_header",
    "pandera_schema",
    "split_header_unit",
]

#: Column types: text, int and float (quantities), share (a fraction in [0, 1]), date, bool,
#: grade (A-D), time (time of day of a report, HH:MM).
TYPES = ("text", "int", "float", "share", "date", "bool", "grade", "time")


@dataclass(frozen=True)
class Column:
    """One canonical column of a ledger kind."""

    name: str
    type: str
    aliases: tuple[str, ...]
    kind: str | None = None  # quantity kind the cells must have (money, area, count, percent ...)
    required: bool = True
    min: float | None = None
    max: float | None = None
    description: str = ""

    @property
    def header(self) -> str:
        """The Chinese header written in templates (the first alias)."""
        return self.aliases[0]


@dataclass(frozen=True)
class LedgerSchema:
    """The declaration of one ledger kind."""

    kind: str
    title: str
    columns: tuple[Column, ...]
    unique: tuple[str, ...]
    description: str = ""
    _index: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for col in self.columns:
            for alias in (col.name, *col.aliases):
                self._index.setdefault(normalise_header(alias), col.name)

    def column(self, name: str) -> Column:
        """The column called ``name``."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"ledger kind {self.kind!r} has no column {name!r}")

    @property
    def names(self) -> list[str]:
        """Canonical column names, in declaration order."""
        return [c.name for c in self.columns]

    def match_header(self, header: str) -> str | None:
        """The canonical column a header (without its unit) stands for, or None."""
        return self._index.get(normalise_header(header))


def normalise_header(text: str) -> str:
    """Header text compared loosely: NFKC, no spaces, line breaks, asterisks or trailing colons."""
    return re.sub(r"[\s*:：]", "", unicodedata.normalize("NFKC", str(text))).lower()


_UNIT_IN_HEADER = re.compile(r"^(?P<base>.*?)[(\[【（](?P<unit>[^)\]】）]*)[)\]】）]\s*$")


def split_header_unit(header: str) -> tuple[str, str | None]:
    """``"建筑面积(万平方米)"`` -> ``("建筑面积", "万平方米")``; no brackets -> ``(header, None)``."""
    text = unicodedata.normalize("NFKC", str(header)).strip()
    m = _UNIT_IN_HEADER.match(text)
    if not m:
        return text, None
    return m.group("base").strip(), m.group("unit").strip()


def _money(name: str, *aliases: str, required: bool = False, description: str = "") -> Column:
    return Column(name, "float", aliases, kind="money", required=required, min=0, description=description)


FUNDING_PUBLIC = ("subsidy_central_yuan", "subsidy_local_yuan", "special_bond_yuan")
FUNDING_PRIVATE = ("residents_yuan", "utilities_yuan", "social_capital_yuan", "bank_loan_yuan")
#: Optional finer sources a ledger may hold (see :mod:`renostats.funding` for how each is classified).
FUNDING_OPTIONAL = (
    "subsidy_central_mof_yuan",  # 中央财政城镇保障性安居工程补助资金 (MOF), part of subsidy_central_yuan
    "central_budget_investment_yuan",  # 中央预算内投资 (NDRC), part of subsidy_central_yuan
    "subsidy_provincial_yuan",  # 省级补助; subsidy_local_yuan then holds city and county money only
    "residents_direct_yuan",  # residents paying directly, part of residents_yuan
    "maintenance_fund_yuan",  # 住宅专项维修资金 used, part of residents_yuan
    "public_income_yuan",  # 小区公共收益 given up, part of residents_yuan
    "work_unit_yuan",  # 原产权单位: the former work-unit owner of the housing
)
#: Sources a ledger may give either as one total or as its parts (never both differently).
FUNDING_PARTS = {
    "subsidy_central_yuan": ("subsidy_central_mof_yuan", "central_budget_investment_yuan"),
    "residents_yuan": ("residents_direct_yuan", "maintenance_fund_yuan", "public_income_yuan"),
}
FUNDING_SOURCES = FUNDING_PUBLIC + FUNDING_PRIVATE + FUNDING_OPTIONAL

_NEEDS = {
    "water": ("供水改造需求", "供水需求", "供水", "给水"),
    "power": ("供电改造需求", "供电需求", "供电", "电力"),
    "road": ("道路改造需求", "道路需求", "道路"),
    "gas": ("燃气改造需求", "燃气需求", "燃气", "供气"),
    "drainage": ("排水改造需求", "排水需求", "排水", "雨污分流"),
}

RENOVATION = LedgerSchema(
    kind="renovation",
    title="老旧小区改造项目台账",
    description="one row per community in the renovation programme",
    unique=("community", "street"),
    columns=(
        Column("community", "text", ("小区名称", "小区", "项目名称", "改造小区"), description="community"),
        Column("street", "text", ("街道", "所属街道", "镇(街道)", "乡镇街道", "街道(镇)"), description="sub-district"),
        Column("built_year", "int", ("建成年份", "建成年代", "建设年代", "竣工年份"), kind="number",
               required=False, min=1900, max=2030, description="year the community was built"),
        Column("buildings", "int", ("楼栋数", "栋数", "幢数", "楼栋"), kind="count", min=0),
        Column("households", "int", ("户数", "居民户数", "住户数", "涉及户数"), kind="count", min=0),
        Column("floor_area_m2", "float", ("建筑面积", "总建筑面积", "改造面积"), kind="area", min=0,
               description="floor area in m²"),
        Column("danger_grade", "grade", ("危房等级", "房屋安全等级", "安全等级"), required=False,
               description="housing safety grade A (safe) to D (dangerous)"),
        Column("urgent", "bool", ("是否急需改造", "急需改造", "是否急需"), required=False,
               description="listed as urgently needing renovation"),
        Column("batch", "text", ("批次", "改造批次"), required=False),
        Column("planned_year", "int", ("计划年度", "计划改造年度", "改造年度", "计划年份"), kind="number",
               required=False, min=2000, max=2050),
        Column("start_date", "date", ("开工日期", "开工时间", "实际开工日期"), required=False),
        Column("completion_date", "date", ("竣工日期", "完工日期", "完工时间", "竣工时间"), required=False),
        # complaints can fall when a property manager arrives and handles problems in-house (a rival explanation)
        Column("property_management_date", "date", ("物业进驻日期", "物业服务进驻日期", "引入物业日期"),
               required=False, description="date a property management service took over the community"),
        *(
            Column(f"need_{k}", "share", v, kind="percent", required=False, min=0, max=1,
                   description=f"need for {k} works, 0 (none) to 1 (urgent); 是/否 read as 1/0")
            for k, v in _NEEDS.items()
        ),
        Column("willingness", "share", ("改造意愿", "居民同意率", "同意改造比例", "意愿比例"), kind="percent",
               required=False, min=0, max=1, description="share of households agreeing to renovation"),
        # an owners' vote under the Civil Code's article 278 (see renovation.ConsentRule)
        Column("vote_turnout_owners", "share", ("参与表决人数比例", "参与表决业主人数占比", "参与表决户数比例"),
               kind="percent", required=False, min=0, max=1, description="share of owners who voted"),
        Column("vote_turnout_area", "share", ("参与表决面积比例", "参与表决专有面积占比"), kind="percent",
               required=False, min=0, max=1, description="share of the exclusive floor area whose owners voted"),
        Column("vote_approval_owners", "share", ("同意人数比例", "同意业主人数占比", "同意户数比例"),
               kind="percent", required=False, min=0, max=1, description="share of the voting owners agreeing"),
        Column("vote_approval_area", "share", ("同意面积比例", "同意专有面积占比"), kind="percent", required=False,
               min=0, max=1, description="share of the voting owners' exclusive area agreeing"),
        # content categories (国办发〔2020〕23号) and the physical outputs ministries headline
        _money("investment_basic_yuan", "基础类", "基础类投资", "基础类改造投资",
               description="investment in basic works (基础类: pipes, power, roads, gas, roofs, safety)"),
        _money("investment_improvement_yuan", "完善类", "完善类投资", "完善类改造投资",
               description="investment in improvement works (完善类: lifts, parking, charging, energy saving)"),
        _money("investment_upgrading_yuan", "提升类", "提升类投资", "提升类改造投资",
               description="investment in upgrading works (提升类: elderly and child care, community services)"),
        Column("pipelines_m", "float", ("改造管网长度", "改造管线长度", "管网改造长度", "更新改造管网"),
               kind="length", required=False, min=0,
               description="pipelines renewed (water, drainage, gas, power, heating), metres; 公里 in the header reads km"),
        Column("elevators", "int", ("加装电梯", "加装电梯数", "加装电梯数量"), kind="count", required=False,
               min=0, description="lifts installed in existing buildings"),
        Column("parking_spaces", "int", ("停车位", "新增停车位", "增设停车位"), kind="count", required=False,
               min=0, description="parking spaces added"),
        Column("charging_points", "int", ("充电桩", "新增充电桩", "充电设施"), kind="count", required=False,
               min=0, description="charging points added (cars and e-bikes)"),
        Column("service_facilities", "int", ("社区服务设施", "新增社区服务设施", "养老托育等服务设施"),
               kind="count", required=False, min=0,
               description="community service facilities added (elderly care, child care, clinics, shops)"),
        _money("investment_yuan", "总投资", "投资额", "改造投资", "估算投资", required=True),
        _money("subsidy_central_yuan", "中央补助", "中央补助资金"),
        _money("subsidy_central_mof_yuan", "中央财政补助", "中央财政补助资金", "中央财政城镇保障性安居工程补助资金",
               "安居工程补助资金", description="central subsidy through the Ministry of Finance"),
        _money("central_budget_investment_yuan", "中央预算内投资", "中央预算内投资资金",
               description="central budget investment through the NDRC"),
        _money("subsidy_provincial_yuan", "省级补助", "省级补助资金", "省级财政补助", "省级奖补资金"),
        _money("subsidy_local_yuan", "地方配套", "地方财政", "地方配套资金", "省市县配套"),
        _money("special_bond_yuan", "专项债", "专项债券", "地方政府专项债"),
        _money("residents_yuan", "居民出资", "居民自筹"),
        _money("residents_direct_yuan", "居民直接出资", "居民个人出资"),
        _money("maintenance_fund_yuan", "住宅专项维修资金", "专项维修资金", "维修资金", "使用维修资金"),
        _money("public_income_yuan", "公共收益", "小区公共收益", "让渡公共收益"),
        _money("work_unit_yuan", "原产权单位", "原产权单位出资", "原产权单位支持"),
        _money("utilities_yuan", "管线单位", "管线单位出资", "专营单位出资", "专业经营单位"),
        _money("social_capital_yuan", "社会资本", "社会资本投入"),
        _money("bank_loan_yuan", "银行贷款", "金融机构贷款", "贷款"),
    ),
)  # fmt: skip

ENTERPRISE_REPORTS = LedgerSchema(
    kind="enterprise_reports",
    title="企业复工复产情况日报表",
    description="one row per enterprise report (liaison officers report twice a day)",
    unique=("enterprise", "date", "report_time"),
    columns=(
        Column("enterprise", "text", ("企业名称", "企业", "单位名称")),
        Column("district", "text", ("所属区县", "区县", "所属区", "辖区")),
        Column("sector", "text", ("所属行业", "行业", "行业类别"), required=False),
        Column("large_scale", "bool", ("是否规上", "规模以上", "是否规模以上"), description="规模以上工业企业"),
        Column("date", "date", ("填报日期", "日期", "报告日期")),
        Column("report_time", "time", ("填报时间", "报告时间", "时段"),
               description="time of day; 上午 09:00, 下午 15:00, 晚上 20:00"),
        Column("resumed", "bool", ("是否复工", "复工", "已复工")),
        Column("staff_on_duty", "int", ("到岗人数", "在岗人数", "返岗人数"), kind="count", min=0),
        Column("staff_total", "int", ("职工总数", "员工总数", "职工人数", "员工人数"), kind="count", min=0),
        Column("capacity_share", "share", ("产能恢复率", "产能利用率", "产能恢复", "达产率"), kind="percent",
               required=False, min=0, max=1),
        Column("electricity_kwh", "float", ("日用电量", "用电量"), kind="energy", required=False, min=0,
               description="electricity used that day, kWh"),
    ),
)  # fmt: skip

OUTCOMES = LedgerSchema(
    kind="outcomes",
    title="小区月度指标面板",
    description="community x month panel of an outcome",
    unique=("community", "month"),
    columns=(
        Column("community", "text", ("小区名称", "小区")),
        Column("street", "text", ("街道", "所属街道"), required=False),
        Column("month", "date", ("月份", "统计月份", "年月")),
        Column("households", "int", ("户数", "居民户数"), kind="count", required=False, min=0),
        Column("drainage_complaints", "int", ("排水投诉", "排水投诉件数", "下水道投诉"), kind="count", min=0),
        Column("complaints_per_100hh", "float", ("每百户排水投诉", "排水投诉率"), kind="number",
               required=False, min=0, description="drainage complaints per 100 households in the month"),
        Column("waterlogging_complaints", "int", ("积水投诉",), kind="count", required=False, min=0),
        Column("waterlogging_per_100hh", "float", ("每百户积水投诉",), kind="number", required=False, min=0,
               description="waterlogging complaints per 100 households in the month"),
    ),
)  # fmt: skip

SCHEMAS: dict[str, LedgerSchema] = {s.kind: s for s in (RENOVATION, ENTERPRISE_REPORTS, OUTCOMES)}


def pandera_schema(
    schema: LedgerSchema, funding_tolerance: float = 0.01, required: Iterable[str] | None = None
):
    """The pandera ``DataFrameSchema`` that validates a canonical ledger of this kind.

    Types and ranges per column, uniqueness of the key columns, and the cross-column rules: dates in
    order (completion not before start), staff on duty not above staff total, and funding sources
    adding up to the investment within ``funding_tolerance`` (relative) where any source is given.
    ``required`` names the columns that may hold no missing value (by default those the kind marks
    as required); an analysis that needs fewer columns passes its own list.
    """
    import pandera.pandas as pa

    dtypes = {
        "text": pa.String,
        "int": "Int64",
        "float": float,
        "share": float,
        "date": "datetime64[ns]",
        "bool": "boolean",
        "grade": pa.String,
        "time": pa.String,
    }
    needed = {c.name for c in schema.columns if c.required} if required is None else set(required)
    columns = {}
    for col in schema.columns:
        checks = []
        if col.min is not None:
            checks.append(pa.Check.ge(col.min, error=f"at least {col.min:g}"))
        if col.max is not None:
            checks.append(pa.Check.le(col.max, error=f"at most {col.max:g}"))
        if col.type == "grade":
            checks.append(
                pa.Check(lambda s: s.isna() | s.isin(list("ABCD")), element_wise=False, error="a grade A-D")
            )
        columns[col.name] = pa.Column(
            dtypes[col.type], checks=checks, nullable=col.name not in needed, required=False, coerce=False
        )
    frame_checks = [
        pa.Check(fn, error=error, name=name)
        for name, _column, error, fn in frame_rules(schema, funding_tolerance)
    ]
    return pa.DataFrameSchema(
        columns,
        checks=frame_checks,
        unique=list(schema.unique),
        report_duplicates="all",
        strict=False,
        name=schema.kind,
    )


def frame_rules(schema: LedgerSchema, funding_tolerance: float = 0.01):
    """Cross-column rules of a ledger kind: (name, column a failure is reported under, message, test).

    Each test takes the canonical DataFrame and returns a boolean Series, True where the row passes.
    """
    names = set(schema.names)
    rules = []
    if {"start_date", "completion_date"} <= names:
        rules.append(
            ("dates_in_order", "completion_date", "a date not before start_date",
             _when_present(("start_date", "completion_date"),
                           lambda df: ~(df["completion_date"] < df["start_date"])))
        )  # fmt: skip
    if {"staff_on_duty", "staff_total"} <= names:
        rules.append(
            ("staff_within_total", "staff_on_duty", "staff_on_duty not above staff_total",
             _when_present(("staff_on_duty", "staff_total"),
                           lambda df: ~(df["staff_on_duty"] > df["staff_total"]).fillna(False)))
        )  # fmt: skip
    if set(FUNDING_SOURCES) <= names:
        rules.append(
            ("funding_adds_up", "investment_yuan",
             f"the funding sources to add up to it within {funding_tolerance:.0%}",
             lambda df: funding_gap_ok(df, funding_tolerance))
        )  # fmt: skip
    return rules


def _when_present(columns, test):
    """``test`` where the frame has all ``columns``; a rule about absent columns passes every row."""

    def check(df: pd.DataFrame) -> pd.Series:
        if not set(columns) <= set(df.columns):
            return pd.Series(True, index=df.index)
        return test(df)

    return check


def funding_gap_ok(df: pd.DataFrame, tolerance: float = 0.01) -> pd.Series:
    """Rows whose funding sources add up to ``investment_yuan`` within ``tolerance`` (relative), or
    that give no source at all."""
    present = [c for c in FUNDING_SOURCES if c in df]
    if not present or "investment_yuan" not in df:
        return pd.Series(True, index=df.index)
    given = df[present].notna().any(axis=1)
    return ~given | adds_up(funding_total(df), df["investment_yuan"], tolerance)


def funding_total(df: pd.DataFrame) -> pd.Series:
    """All funding of each row, counting a source given by its parts (:data:`FUNDING_PARTS`) once:
    the parts where any part is given, the source's own total otherwise."""
    money = df[[c for c in FUNDING_SOURCES if c in df]].astype(float)
    for total, parts in FUNDING_PARTS.items():
        have = [p for p in parts if p in money]
        if total in money and have:
            split = money[have].notna().any(axis=1)
            money[total] = money[total].where(~split)
    return money.fillna(0).sum(axis=1)


def adds_up(total: pd.Series, investment: pd.Series, tolerance: float = 0.01) -> pd.Series:
    """The one rule for funding sources against the investment: equal within ``tolerance`` (relative)
    plus one yuan of rounding. Missing investment compares as not adding up."""
    return (total - investment).abs() <= tolerance * investment.abs() + 1.0
