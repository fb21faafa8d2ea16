"""Bundled data: the reference facts, the synthetic demo ledgers, and the Excel templates.

The demo ledgers are synthetic and say so in their file names and title lines. They are calibrated to
the source page: Shuangqing's 267 communities in 11 towns and sub-districts with exactly 2,230
buildings, 29,681 households and 2,482,500 m²; 41 communities due in 2020, 19 of them urgent; the six
named communities; Beita's 24 large-scale enterprises reporting twice a day from 10 February to
31 March 2020; and a monthly outcome panel with a known, heterogeneous effect of renovation.
``make_demo_data(out_dir, seed)`` writes them byte for byte the same for the same seed.

Examples
--------
>>> facts = load_facts()
>>> facts.loc[facts["metric"] == "programme_households", "value"].item()
29681.0
>>> sorted(DEMO_FILES)
['enterprise_reports', 'outcomes', 'outcomes_truth', 'renovation']
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from renostats import _validate, paths
from renostats._clerk import (
    _SECTORS,
    _SUFFIXES,
    _UNITS_OF_WORK,
    _excel_date,
    _firm_names,
    _save_xlsx,
)
from renostats.errors import InputError, ParameterError

__all__ = [
    "CLERK_SEED",
    "DEMO_EFFECT",
    "DEMO_FILES",
    "DEMO_SEED",
    "FACT_COLUMNS",
    "demo_path",
    "find_ledger",
    "load_demo",
    "load_facts",
    "make_demo_data",
    "write_clerk_example",
    "write_templates",
]

#: File name of each demo ledger in ``data/demo``.
DEMO_FILES = {
    "renovation": "shuangqing_renovation_synthetic.xlsx",
    "enterprise_reports": "beita_enterprise_reports_synthetic.csv",
    "outcomes": "shuangqing_outcomes_synthetic.csv",
    "outcomes_truth": "shuangqing_outcomes_truth_synthetic.csv",
}
#: Seed of the committed demo data.
DEMO_SEED = 2020
#: Planted effect of renovation on drainage complaints per 100 households per month: a community
#: completed in year g has effect ``-DEMO_EFFECT[g] * min(1, (e + 1) / 12)`` e months after completion
#: (the effect builds up over the first year and differs by completion year).
DEMO_EFFECT = {2020: 1.2, 2021: 0.9, 2022: 0.6, 2023: 0.45}


def demo_dose_effect(per_household_wan: np.ndarray | float) -> np.ndarray:
    """Planted dose-response of the demo's second outcome, waterlogging complaints per 100 households.

    From the month of completion, a community whose renovation cost ``d`` 万元 (10,000 yuan) per
    household has ``-2.4 * log(1 + d)`` fewer waterlogging complaints per 100 households per month: the
    effect grows with the money spent, by less for each further 万元 (concave). The planted values are
    in the ``dose_effect`` column of the outcome truth file.
    """
    return -2.4 * np.log1p(np.asarray(per_household_wan, dtype=float))


FACT_COLUMNS: tuple[str, ...] = (
    "topic",
    "place",
    "date",
    "metric",
    "text",
    "value",
    "unit",
    "kind",
    "qualifier",
    "low",
    "high",
    "source",
    "note",
)
_FLOAT = ("value", "low", "high")


def load_facts(topic: str | None = None, data_dir: str | Path | None = None) -> pd.DataFrame:
    """The reference facts: the source page's figures and reported national figures.

    Parameters
    ----------
    topic : str, optional
        Keep only this topic: ``renovation``, ``recovery``, ``banking`` (the source page),
        ``national_renovation``, ``national_recovery`` (reported national figures; the recovery rates
        were announced as averages over firms) or ``provincial_recovery`` (Jiangsu, 28 February 2020,
        with its electricity what-if). ``data/facts/README.md`` gives each source.
    data_dir : path, optional
        Folder holding ``facts.csv``; defaults to the bundled ``data/facts``.

    Returns
    -------
    DataFrame
        Columns as in :data:`FACT_COLUMNS`; ``value``, ``low`` and ``high`` are floats in base units
        (yuan, m², fractions for percentages), text columns use pandas' string dtype.

    Raises
    ------
    FileNotFoundError
        If ``facts.csv`` is not in ``data_dir``.
    InputError
        If the file lacks a column or ``topic`` is unknown (both are ValueError).
    """
    folder = Path(data_dir) if data_dir is not None else paths.FACTS_DIR
    path = folder / "facts.csv"
    if not path.is_file():
        raise FileNotFoundError(f"no facts.csv in {folder}")
    dtypes = {c: "float64" if c in _FLOAT else "string" for c in FACT_COLUMNS}
    facts = pd.read_csv(path, dtype=dtypes, keep_default_na=False, na_values={c: [""] for c in _FLOAT})
    missing = [c for c in FACT_COLUMNS if c not in facts.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {missing}")
    facts = facts[list(FACT_COLUMNS)]
    if topic is not None:
        _validate.one_of(topic, sorted(facts["topic"].unique()), name="topic")
        facts = facts[facts["topic"] == topic].reset_index(drop=True)
    return facts


def demo_path(kind: str, data_dir: str | Path | None = None) -> Path:
    """Path of a demo ledger (``renovation``, ``enterprise_reports``, ``outcomes``, ``outcomes_truth``)."""
    if kind not in DEMO_FILES:
        raise ValueError(f"unknown demo file {kind!r}; expected one of {sorted(DEMO_FILES)}")
    return Path(data_dir or paths.DEMO_DIR) / DEMO_FILES[kind]


#: Words in a file name that mark the ledger kind it holds (English or Chinese).
LEDGER_NAME_WORDS = {
    "renovation": ("renovation", "改造"),
    "enterprise_reports": ("enterprise", "复工", "企业"),
    "outcomes": ("outcome", "面板", "投诉"),
}


def find_ledger(data_dir: str | Path, kind: str) -> Path:
    """The one ledger file of ``kind`` in ``data_dir``, found by the words in its name.

    A notebook's ``data_dir`` holds a district's ledgers; a file counts as the ``kind`` ledger when its
    name contains one of :data:`LEDGER_NAME_WORDS` (``enterprise``/``复工``/``企业`` for enterprise
    reports, ``renovation``/``改造`` for the renovation ledger, ``outcome``/``面板``/``投诉`` for the
    outcome panel) and it is .xlsx, .xls or .csv. Truth files of the demo data are left out.

    Raises
    ------
    renostats.errors.ParameterError
        When there is no such file or more than one, naming the folder and the files.

    Examples
    --------
    >>> find_ledger(paths.DEMO_DIR, "enterprise_reports").name
    'beita_enterprise_reports_synthetic.csv'
    """
    if kind not in LEDGER_NAME_WORDS:
        raise InputError(f"unknown ledger kind {kind!r}; expected one of {sorted(LEDGER_NAME_WORDS)}")
    folder = Path(data_dir)
    words = LEDGER_NAME_WORDS[kind]
    found = sorted(
        f
        for f in folder.iterdir()
        if f.suffix.lower() in (".xlsx", ".xls", ".csv")
        and any(w in f.name.lower() for w in words)
        and "truth" not in f.name
    )
    if len(found) == 1:
        return found[0]
    if not found:
        raise ParameterError(
            f"parameter data_dir: no {kind} ledger in '{folder}' (name the file with one of {', '.join(words)})"
        )
    raise ParameterError(
        f"parameter data_dir: several {kind} ledgers in '{folder}': {', '.join(f.name for f in found)}"
    )


def load_demo(kind: str, data_dir: str | Path | None = None):
    """Read a demo ledger through :func:`renostats.ledger.read_ledger` (a ``LedgerRead``).

    ``outcomes_truth`` is not a ledger: it comes back as a DataFrame (community, month, cohort, effect on
    drainage complaints, dose_effect on waterlogging complaints).
    """
    path = demo_path(kind, data_dir)
    if kind == "outcomes_truth":
        return pd.read_csv(path, parse_dates=["month"], encoding="utf-8-sig")
    from renostats.ledger import read_ledger

    return read_ledger(path, kind)


# --------------------------------------------------------------------------------------------------
# Demo data

STREETS = (
    "小江湖街道", "东风路街道", "汽车站街道", "龙须塘街道", "兴隆街道", "石桥街道",
    "爱莲街道", "桥头街道", "渡头桥镇", "火车站镇", "高崇山镇",
)  # fmt: skip
NAMED = {
    "供销社小区": "小江湖街道",
    "染料厂小区": "小江湖街道",
    "林化厂家属区": "东风路街道",
    "湘运家属区": "汽车站街道",
    "轴承厂家属区": "龙须塘街道",
    "洗衣厂家属区": "兴隆街道",
}
_PROGRAMME = {"communities": 267, "buildings": 2230, "households": 29681, "floor_area_m2": 2_482_500}
_FUNDING_HEADERS = ("中央补助", "地方配套", "专项债", "居民出资", "管线单位", "社会资本", "银行贷款")


def make_demo_data(out_dir: str | Path | None = None, seed: int = DEMO_SEED) -> dict[str, Path]:
    """Write the synthetic demo ledgers; the same seed gives byte-identical files.

    Parameters
    ----------
    out_dir : path, optional
        Folder to write into (default ``data/demo``); created if missing.
    seed : int
        Seed of the random generator.

    Returns
    -------
    dict
        Kind -> path written (see :data:`DEMO_FILES`).
    """
    out = Path(out_dir or paths.DEMO_DIR)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    communities = _demo_communities(rng)
    written = {
        "renovation": _write_renovation(communities, out / DEMO_FILES["renovation"], seed),
        "enterprise_reports": _write_enterprises(rng, out / DEMO_FILES["enterprise_reports"]),
    }
    outcomes, truth = _demo_outcomes(communities, rng)
    written["outcomes"] = _write_csv(
        outcomes, out / DEMO_FILES["outcomes"], "双清区小区月度排水投诉面板(合成示例数据,非真实数据)"
    )
    truth.to_csv(out / DEMO_FILES["outcomes_truth"], index=False, encoding="utf-8-sig", lineterminator="\n")
    written["outcomes_truth"] = out / DEMO_FILES["outcomes_truth"]
    return written


def _allocate(total: int, weights: np.ndarray, minimum: int = 0) -> np.ndarray:
    """Whole numbers proportional to ``weights`` that add up to ``total`` exactly (largest remainder)."""
    spare = total - minimum * len(weights)
    raw = weights / weights.sum() * spare
    whole = np.floor(raw).astype(np.int64)
    order = np.argsort(-(raw - whole), kind="stable")
    whole[order[: spare - whole.sum()]] += 1
    return whole + minimum


def _demo_communities(rng: np.random.Generator) -> pd.DataFrame:
    n = _PROGRAMME["communities"]
    names = list(NAMED)
    pool = [f"{u}{s}" for u in _UNITS_OF_WORK for s in _SUFFIXES]
    pool = [p for p in pool if p not in NAMED]
    names += [str(x) for x in rng.choice(pool, size=n - len(names), replace=False)]
    streets = [NAMED[c] for c in NAMED] + [str(x) for x in rng.choice(STREETS, size=n - len(NAMED))]
    size = rng.lognormal(0, 0.6, n)
    households = _allocate(_PROGRAMME["households"], size, minimum=12)
    buildings = _allocate(_PROGRAMME["buildings"], households * rng.uniform(0.7, 1.3, n), minimum=1)
    area = _allocate(_PROGRAMME["floor_area_m2"], households * rng.uniform(0.8, 1.2, n), minimum=600)
    frame = pd.DataFrame(
        {
            "community": names,
            "street": streets,
            "households": households,
            "buildings": buildings,
            "area": area,
        }
    )
    # 2020: 41 communities, 19 urgent (the six named among them); then two batches of 113
    year = np.array([2020] * 41 + [2021] * 113 + [2022] * 113)
    order = np.r_[np.arange(len(NAMED)), len(NAMED) + rng.permutation(n - len(NAMED))]
    frame = frame.iloc[order].reset_index(drop=True)
    frame["planned_year"] = year
    frame["urgent"] = False
    frame.loc[[0, 1, *range(6, 23)], "urgent"] = True  # 19 urgent: the two started first and 17 more
    frame["built_year"] = rng.integers(1962, 2000, n)
    grade = np.where(frame["urgent"], rng.choice(["C", "D"], n, p=[0.6, 0.4]), "")
    grade = np.where(~frame["urgent"] & (rng.random(n) < 0.12), "C", grade)
    frame["danger_grade"] = grade
    needs = rng.random((n, 5)) < np.array([0.55, 0.45, 0.6, 0.35, 0.7])
    needs[frame["urgent"].to_numpy(), :] |= rng.random((int(frame["urgent"].sum()), 5)) < 0.5
    for j, k in enumerate(("water", "power", "road", "gas", "drainage")):
        frame[f"need_{k}"] = needs[:, j]
    frame["willingness"] = np.round(np.clip(rng.beta(8, 2.2, n), 0.45, 1.0), 2)
    # timing: two started before 18 April 2020, the four named next; completion within about a year
    start = pd.to_datetime([f"{y}-03-01" for y in year]) + pd.to_timedelta(rng.integers(60, 240, n), "D")
    start = start.to_numpy().copy()
    start[0], start[1] = np.datetime64("2020-04-08"), np.datetime64("2020-04-13")
    for i in range(2, 6):
        start[i] = np.datetime64("2020-05-06") + np.timedelta64(7 * (i - 2), "D")
    duration = rng.integers(150, 420, n)
    completion = start + duration.astype("timedelta64[D]")
    late = (year == 2022) & (rng.random(n) < 0.22)  # delayed: not finished by the end of 2023
    completion = np.where(late, np.datetime64("NaT"), completion)
    unstarted = (year == 2022) & late & (rng.random(n) < 0.45)
    start = np.where(unstarted, np.datetime64("NaT"), start)
    frame["start_date"] = pd.to_datetime(start)
    frame["completion_date"] = pd.to_datetime(completion)
    frame["batch"] = frame["planned_year"].map({2020: "第一批", 2021: "第二批", 2022: "第三批"})
    # money in 万元 with two decimals; public money first, then what it brings in
    per_household = rng.uniform(1.2, 2.6, n)  # 万元 per household
    # one D-grade community also reinforces its dangerous buildings: several times the usual cost
    per_household[np.flatnonzero(frame["danger_grade"] == "D")[0]] *= 4.5
    public = np.round(frame["households"] * per_household * rng.uniform(0.55, 0.8, n), 2)
    street_effect = dict(zip(STREETS, rng.normal(0, 8, len(STREETS)), strict=True))
    # the floor never binds with these numbers, so the planted slope 0.45 is exactly what a regression targets
    private = 0.45 * public + frame["street"].map(street_effect) + rng.normal(0, 5, n) + 40
    private = np.round(np.maximum(private, 1.0), 2)
    shares_public = rng.dirichlet([6, 3, 1.5], n)
    shares_private = rng.dirichlet([1.5, 3, 2, 2], n)
    cents_public = np.array(
        [_allocate(int(round(t * 100)), w) for t, w in zip(public, shares_public, strict=True)]
    )
    cents_private = np.array(
        [_allocate(int(round(t * 100)), w) for t, w in zip(private, shares_private, strict=True)]
    )
    cents = np.hstack([cents_public, cents_private])
    for j, h in enumerate(_FUNDING_HEADERS):
        frame[h] = cents[:, j] / 100
    frame["investment"] = cents.sum(axis=1) / 100
    return frame


def _write_renovation(frame: pd.DataFrame, path: Path, seed: int = DEMO_SEED) -> Path:
    """The renovation demo ledger as an office lays it out (title lines, merged group headers, streets
    merged down their rows, a total row and a note).

    The source page's programme covers C-grade dangerous housing (城区C级危房), so the ledger holds no
    D-grade (whole-building danger) community: D-grade buildings are appraised for demolition and
    rebuilding, outside renovation; the generator's D draws are written as C (the costliest of them
    reinforces its C-grade buildings). Investment by content category (基础类 / 完善类 / 提升类, adding up
    to the total) and the physical outputs come from their own generator (``seed``, stream 1), so
    adding them left every other demo file as it was.
    """
    import openpyxl
    from openpyxl.styles import Alignment, Font

    frame = frame.assign(danger_grade=frame["danger_grade"].replace("D", "C"))
    frame = _renovation_content(frame, np.random.default_rng([seed, 1]))
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "改造台账"
    ws.append(["双清区老旧小区(城区C级危房)改造项目台账(合成示例数据,非真实数据)"])
    ws.append(["填报单位:双清区住房和城乡建设局(示例)", None, None, None, None, "填报日期:2023年12月31日"])
    top = [
        "序号", "街道", "小区名称", "建成年份", "楼栋数", "户数", "建筑面积(万平方米)", "危房等级",
        "是否急需改造", "批次", "计划年度", "开工日期", "竣工日期", "供水", "供电", "道路", "燃气", "排水",
        "改造意愿(%)", "总投资(万元)", "资金来源(万元)", None, None, None, None, None, None,
        "按改造内容分投资(万元)", None, None, *_OUTPUT_HEADERS,
    ]  # fmt: skip
    ws.append(top)
    ws.append([None] * 20 + list(_FUNDING_HEADERS) + list(_CONTENT_HEADERS))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(top))
    for col in [*range(1, 21), *range(31, 31 + len(_OUTPUT_HEADERS))]:
        ws.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
    ws.merge_cells(start_row=3, start_column=21, end_row=3, end_column=27)
    ws.merge_cells(start_row=3, start_column=28, end_row=3, end_column=30)
    yes_no = {True: "是", False: "否"}
    frame = frame.sort_values(
        ["street", "planned_year"],
        key=lambda s: s.map(STREETS.index) if s.name == "street" else s,
        kind="stable",
    ).reset_index(drop=True)
    first_row = 5
    outputs = ("pipelines_km", "elevators", "parking_spaces", "charging_points", "service_facilities")
    for i, r in frame.iterrows():
        built = f"{r.built_year}年" if i % 7 == 3 else int(r.built_year)
        buildings = f"{r.buildings}栋" if i == 17 else int(r.buildings)  # one cell written with its unit
        ws.append(
            [
                i + 1, r.street, r.community, built, buildings, int(r.households), r.area / 10_000,
                r.danger_grade or None, yes_no[bool(r.urgent)], r.batch, int(r.planned_year),
                _excel_date(r.start_date), _excel_date(r.completion_date),
                *(yes_no[bool(r[f"need_{k}"])] for k in ("water", "power", "road", "gas", "drainage")),
                round(r.willingness * 100), r.investment, *(r[h] for h in _FUNDING_HEADERS),
                *(r[h] for h in _CONTENT_HEADERS), *(r[k] for k in outputs),
            ]
        )  # fmt: skip
    # streets are merged down their rows, as offices lay ledgers out
    row = first_row
    for _street, group in frame.groupby("street", sort=False):
        if len(group) > 1:
            ws.merge_cells(start_row=row, start_column=2, end_row=row + len(group) - 1, end_column=2)
        row += len(group)
    total = ["合计", None, f"{len(frame)}个", None, int(frame.buildings.sum()), int(frame.households.sum()),
             frame.area.sum() / 10_000]  # fmt: skip
    ws.append(total + [None] * 12 + [round(frame.investment.sum(), 2)])
    ws.append(["注:本表为合成示例数据,按邵阳日报2020年4月报道的双清区改造规模校准,不代表任何真实小区。"])
    for cell in ws[3] + ws[4]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for c in ("L", "M"):
        for cell in ws[c][first_row - 1 :]:
            cell.number_format = "yyyy-mm-dd"
    ws.column_dimensions["C"].width = 16
    _save_xlsx(book, path)
    return path


_CONTENT_HEADERS = ("基础类", "完善类", "提升类")
_OUTPUT_HEADERS = ("改造管网长度(公里)", "加装电梯(部)", "新增停车位(个)", "充电桩(个)", "社区服务设施(个)")


def _renovation_content(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Investment split by content category (cents adding up to the total) and physical outputs."""
    n = len(frame)
    # every community does basic works; about 60% improvement works, 30% upgrading
    weights = rng.dirichlet([6.0, 2.5, 1.2], n)
    weights[:, 1] *= rng.random(n) < 0.6
    weights[:, 2] *= rng.random(n) < 0.3
    cents = np.array(
        [_allocate(int(round(t * 100)), w) for t, w in zip(frame["investment"], weights, strict=True)]
    )
    out = frame.copy()
    for j, h in enumerate(_CONTENT_HEADERS):
        out[h] = cents[:, j] / 100
    hh = frame["households"].to_numpy()
    improvement, upgrading = cents[:, 1] > 0, cents[:, 2] > 0
    out["pipelines_km"] = np.round(hh * rng.uniform(8, 20, n) / 1000, 2)
    out["elevators"] = np.where(improvement, rng.binomial(frame["buildings"].to_numpy(), 0.15), 0)
    out["parking_spaces"] = np.where(improvement, np.round(hh * rng.uniform(0.05, 0.25, n)), 0).astype(int)
    out["charging_points"] = np.round(out["parking_spaces"] * rng.uniform(0.1, 0.3, n)).astype(int)
    out["service_facilities"] = np.where(upgrading, 1 + rng.poisson(0.4, n), 0)
    return out


def _write_enterprises(rng: np.random.Generator, path: Path) -> Path:
    n_large, n_small = 24, 16
    n = n_large + n_small
    firms = pd.DataFrame(
        {
            "enterprise": [f"北塔{name}有限公司" for name in _firm_names(rng, n)],
            "sector": rng.choice(_SECTORS, n),
            "large_scale": [True] * n_large + [False] * n_small,
            "staff_total": np.r_[rng.integers(80, 900, n_large), rng.integers(12, 80, n_small)],
            "baseline_kwh": np.round(
                np.r_[rng.uniform(2000, 30000, n_large), rng.uniform(150, 1500, n_small)]
            ),
        }
    )
    # resumption day after 10 Feb; every large-scale firm back by 20 March; three small ones never
    resume = np.r_[rng.integers(0, 38, n_large), rng.integers(5, 60, n_small)]
    resume[n_large + np.array([2, 7, 11])] = 999
    days = pd.date_range("2020-02-10", "2020-03-31", freq="D")
    rows = []
    for day in pd.date_range("2019-12-01", "2019-12-31", freq="D"):
        for f in firms.itertuples():
            kwh = f.baseline_kwh * rng.uniform(0.9, 1.1)
            rows.append((f.enterprise, f.sector, f.large_scale, day, "16:00", True, f.staff_total, f.staff_total,
                         1.0, round(kwh)))  # fmt: skip
    for d, day in enumerate(days):
        for i, f in enumerate(firms.itertuples()):
            since = d - resume[i]
            resumed = since >= 0
            if resumed:
                staff_share = (
                    1.0
                    if (f.large_scale and day >= pd.Timestamp("2020-03-25"))
                    else min(1.0, 0.45 + 0.04 * since + rng.uniform(-0.05, 0.05))
                )
                capacity = min(0.95, 0.25 + 0.018 * since + rng.uniform(-0.04, 0.04))
            else:
                staff_share, capacity = rng.uniform(0.0, 0.08), 0.0
            on_duty = int(round(f.staff_total * max(staff_share, 0)))
            kwh = f.baseline_kwh * (0.05 + 0.95 * capacity) * rng.uniform(0.9, 1.1)
            for time in ("09:00", "16:00"):
                rows.append((f.enterprise, f.sector, f.large_scale, day, time, resumed, on_duty, f.staff_total,
                             round(capacity, 2), round(kwh)))  # fmt: skip
    frame = pd.DataFrame(
        rows,
        columns=["企业名称", "所属行业", "是否规上", "填报日期", "填报时间", "是否复工", "到岗人数", "职工总数",
                 "产能恢复率", "日用电量(千瓦时)"],
    )  # fmt: skip
    frame.insert(1, "所属区县", "北塔区")
    # realistic faults: a morning report corrected in the afternoon, missed days, a cell with its unit
    names = firms["enterprise"]
    fix = (frame["企业名称"] == names[3]) & (frame["填报日期"] == days[resume[3] + 1])
    morning = fix & (frame["填报时间"] == "09:00")
    frame.loc[morning, "是否复工"] = False
    frame.loc[morning, "到岗人数"] = 0
    gap2 = (frame["企业名称"] == names[5]) & frame["填报日期"].isin(days[20:22])
    gap4 = (frame["企业名称"] == names[8]) & frame["填报日期"].isin(days[30:34])
    frame = frame[~(gap2 | gap4)].reset_index(drop=True)
    frame["职工总数"] = frame["职工总数"].astype(object)
    first = frame.index[(frame["企业名称"] == names[0]) & (frame["填报日期"] == days[0])][0]
    frame.loc[first, "职工总数"] = f"{frame.loc[first, '职工总数']}人"
    frame["是否规上"] = frame["是否规上"].map({True: "是", False: "否"})
    frame["是否复工"] = frame["是否复工"].map({True: "是", False: "否"})
    frame["填报日期"] = frame["填报日期"].dt.strftime("%Y/%m/%d")
    frame["产能恢复率"] = (frame["产能恢复率"] * 100).round().astype(int).astype(str) + "%"
    return _write_csv(
        frame,
        path,
        "北塔区企业复工复产情况日报表(合成示例数据,非真实数据)",
        form="填报单位:北塔区驻企联络员(示例),一日两报告",
        encoding="gbk",
    )


def _demo_outcomes(communities: pd.DataFrame, rng: np.random.Generator):
    months = pd.date_range("2018-01-01", "2023-12-01", freq="MS")
    n, t = len(communities), len(months)
    # community level + a rainy-season cycle + a slow trend, all additive: parallel trends hold in levels
    base = rng.gamma(6.0, 0.35, n) + np.where(communities["need_drainage"], 0.6, 0.0)
    season = 0.7 * np.sin((months.month.to_numpy() - 3) / 12 * 2 * np.pi)
    trend = 0.01 * np.arange(t)
    rate = base[:, None] + season[None, :] + trend[None, :] + 0.8
    done = communities["completion_date"].dt.to_period("M").dt.to_timestamp()
    cohort = communities["completion_date"].dt.year
    e = (months.to_numpy()[None, :] - done.to_numpy()[:, None]) / np.timedelta64(1, "D") / 30.4375
    e = np.round(e)
    size = cohort.map(DEMO_EFFECT).to_numpy(dtype=float)
    effect = np.where(e >= 0, -size[:, None] * np.minimum(1.0, (e + 1) / 12), 0.0)
    effect = np.nan_to_num(effect, nan=0.0)
    expected = np.maximum(rate + effect, 0.05)
    households = communities["households"].to_numpy()
    complaints = rng.poisson(expected * households[:, None] / 100)
    panel = pd.DataFrame(
        {
            "小区名称": np.repeat(communities["community"].to_numpy(), t),
            "街道": np.repeat(communities["street"].to_numpy(), t),
            "月份": np.tile(months.strftime("%Y-%m"), n),
            "户数": np.repeat(households, t),
            "排水投诉": complaints.ravel(),
        }
    )
    panel["每百户排水投诉"] = np.round(panel["排水投诉"] / panel["户数"] * 100, 4)
    # a second outcome with a planted dose-response in the investment per household (drawn after the
    # first outcome, so the drainage numbers are those of the panel without it)
    base2 = rng.gamma(5.0, 0.4, n) + np.where(communities["need_drainage"], 0.8, 0.0)
    rate2 = base2[:, None] + 1.2 * np.maximum(season, 0.0)[None, :] + trend[None, :] + 4.0
    per_household = (communities["investment"] / communities["households"]).to_numpy(dtype=float)
    dose_effect = np.where(e >= 0, demo_dose_effect(per_household)[:, None], 0.0)
    dose_effect = np.nan_to_num(dose_effect, nan=0.0)
    panel["积水投诉"] = rng.poisson(np.maximum(rate2 + dose_effect, 0.05) * households[:, None] / 100).ravel()
    panel["每百户积水投诉"] = np.round(panel["积水投诉"] / panel["户数"] * 100, 4)
    truth = pd.DataFrame(
        {
            "community": np.repeat(communities["community"].to_numpy(), t),
            "month": np.tile(months.strftime("%Y-%m-%d"), n),
            "cohort": np.repeat(cohort.fillna(0).astype(int).to_numpy(), t),
            "effect": np.round((np.maximum(rate + effect, 0.05) - np.maximum(rate, 0.05)).ravel(), 6),
            "dose_effect": np.round(
                (np.maximum(rate2 + dose_effect, 0.05) - np.maximum(rate2, 0.05)).ravel(), 6
            ),
        }
    )
    return panel, truth


def _write_csv(
    frame: pd.DataFrame, path: Path, title: str, form: str | None = None, encoding="utf-8-sig"
) -> Path:
    buffer = io.StringIO()
    lines = csv.writer(buffer, lineterminator="\n")
    lines.writerow([title])
    if form:
        lines.writerow([form])
    frame.to_csv(buffer, index=False, lineterminator="\n")
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


# --------------------------------------------------------------------------------------------------
# Templates


def write_templates(out_dir: str | Path | None = None) -> dict[str, Path]:
    """Write an Excel template per ledger kind, with the Chinese headers and their units.

    Each workbook has the ledger sheet (title line, form line, header row) and a sheet 说明 describing
    every column: canonical name, header, type, unit, whether required, and what it holds.
    """
    import openpyxl
    from openpyxl.styles import Font

    from renostats.schemas import SCHEMAS

    out = Path(out_dir or paths.DATA_DIR / "templates")
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for kind, schema in SCHEMAS.items():
        book = openpyxl.Workbook()
        ws = book.active
        ws.title = "台账"
        ws.append([f"{schema.title}(模板)"])
        ws.append(["填报单位:", None, "填报日期:"])
        ws.append([_template_header(c) for c in schema.columns])
        for cell in ws[3]:
            cell.font = Font(bold=True)
        notes = book.create_sheet("说明")
        notes.append(
            ["列名(表头)", "canonical column", "type", "required", "also accepted headers", "description"]
        )
        for c in schema.columns:
            notes.append([_template_header(c), c.name, c.type, "是" if c.required else "否",
                          "、".join(c.aliases[1:]), c.description])  # fmt: skip
        path = out / f"{kind}_template.xlsx"
        _save_xlsx(book, path)
        written[kind] = path
    return written


def _template_header(col) -> str:
    unit = {"money": "元", "area": "平方米", "energy": "千瓦时", "length": "米"}.get(col.kind or "")
    if col.type == "share":
        unit = "%"
    return f"{col.header}({unit})" if unit else col.header


# --------------------------------------------------------------------------------------------------
# A district folder as a clerk fills the templates

CLERK_SEED = 2026


def write_clerk_example(
    out_dir: str | Path | None = None, district: str = "大祥区", seed: int = CLERK_SEED
) -> dict[str, Path]:
    """Fill the Excel templates (``data/templates``) for an imaginary district the way a clerk types.

    Synthetic data for trying the reports on a district that is not the demo's: 30 communities in 4
    streets (title and form lines, streets merged down their rows, percentages typed as 79, 79% or a
    cell formatted as a percentage, 是/否 answers, a 合计 row and a 注 row), 15 firms reporting twice a
    day (上午/下午) for a month with dates written in several forms and a baseline month of electricity
    before, and a monthly complaints panel (counts and households; the rate per 100 households is
    left for the reader to compute). The same arguments give byte-identical files.

    Returns
    -------
    dict
        Kind (``renovation``, ``enterprise_reports``, ``outcomes``) -> path written.
    """
    from renostats import _clerk  # the filling, kept apart so this module stays about bundled data

    out = Path(out_dir or paths.DATA_DIR / "examples" / "daxiang")
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    communities = _clerk.communities(rng)
    return {
        "renovation": _clerk.renovation(communities, district, out / "daxiang_renovation.xlsx"),
        "enterprise_reports": _clerk.enterprises(rng, district, out / "daxiang_enterprise_reports.xlsx"),
        "outcomes": _clerk.outcomes(communities, rng, district, out / "daxiang_outcomes.xlsx"),
    }


if __name__ == "__main__":  # make data
    for path in [*make_demo_data().values(), *write_templates().values()]:
        print(f"wrote {path}")
