"""How a district clerk fills the Excel templates: the synthetic 大祥区 behind ``datasets.write_clerk_example``.

Title and form lines, streets merged down their rows, percentages typed three ways, 是/否 answers, 合计 and
注 rows, dates in several hand-written forms. Also the small writing helpers the demo data shares (workbook saving,
Excel dates, firm names). Data layer: a private helper behind :mod:`renostats.datasets`; it imports
nothing from it.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from renostats import paths

_UNITS_OF_WORK = (
    "纺织厂", "化肥厂", "机械厂", "粮食局", "电业局", "水泥厂", "印刷厂", "造纸厂", "氮肥厂", "木材公司",
    "百货公司", "五金公司", "建筑公司", "运输公司", "食品厂", "酒厂", "砖瓦厂", "农机厂", "棉纺厂",
    "冶炼厂", "汽修厂", "电机厂", "塑料厂", "玻璃厂", "陶瓷厂", "药材公司", "物资局", "邮电局", "卫生局",
    "教育局", "税务局", "商业局", "交通局", "水利局", "林业局", "外贸公司", "烟草公司", "供电局", "煤建公司",
    "二轻局", "搬运公司", "缝纫厂", "皮革厂", "糖厂", "油脂厂", "化工厂",
)  # fmt: skip


_SUFFIXES = ("宿舍", "家属区", "小区", "生活区", "院", "新村", "宿舍区")


_SECTORS = ("机械制造", "食品加工", "医药", "建材", "纺织服装", "电子信息")


def _excel_date(value) -> dt.date | None:
    return None if pd.isna(value) else value.date()


def _firm_names(rng: np.random.Generator, n: int) -> list[str]:
    first = list("恒宏鑫华湘资邵远新盛泰益隆达永安丰瑞嘉中")
    second = list("源通宝利祥顺兴光明德和信诚康华发昌")
    trade = ("机械", "食品", "制药", "建材", "纺织", "电子", "化工", "包装")
    seen: list[str] = []
    while len(seen) < n:
        name = rng.choice(first) + rng.choice(second) + rng.choice(trade)
        if name not in seen:
            seen.append(str(name))
    return seen


def _save_xlsx(book, path: Path) -> None:
    """Save a workbook so that the same content gives the same bytes: fixed document dates and zip
    entry times."""
    fixed = dt.datetime(2020, 1, 1)
    book.properties.creator = "renostats"
    book.properties.created = fixed
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>2020-01-01T00:00:00Z\g<2>",
                    data,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, data)
    path.write_bytes(out.getvalue())


_CLERK_STREETS = ("城西街道", "城南街道", "中心路街道", "学院路街道")


_CLERK_FIRMS = 15


def communities(rng: np.random.Generator) -> pd.DataFrame:
    n = 30
    street = np.repeat(_CLERK_STREETS, [9, 8, 7, 6])
    names = [
        f"{u}{s}"
        for u, s in zip(rng.choice(_UNITS_OF_WORK, n, replace=False), rng.choice(_SUFFIXES, n), strict=True)
    ]
    households = rng.integers(60, 420, n)
    planned = np.sort(rng.choice([2024, 2025, 2026], n, p=[0.35, 0.4, 0.25]))
    rng.shuffle(planned)
    start = [
        pd.Timestamp(f"{y}-03-01") + pd.Timedelta(days=int(d)) if y < 2026 else pd.NaT
        for y, d in zip(planned, rng.integers(0, 200, n), strict=True)
    ]
    done = [
        s + pd.Timedelta(days=int(d))
        if s is not pd.NaT and s + pd.Timedelta(days=int(d)) < pd.Timestamp("2026-01-01")
        else pd.NaT
        for s, d in zip(start, rng.integers(120, 300, n), strict=True)
    ]
    investment = np.round(households * rng.uniform(1.2, 2.4, n), 1) * 10_000  # yuan, whole thousands
    central = np.round(investment * rng.uniform(0.35, 0.5, n), -3)
    residents = np.round(investment * rng.uniform(0.02, 0.08, n), -3)
    return pd.DataFrame(
        {
            "community": names,
            "street": street,
            "built_year": rng.integers(1978, 2000, n),
            "buildings": np.maximum(1, households // rng.integers(24, 48, n)),
            "households": households,
            "floor_area_m2": np.round(households * rng.uniform(55, 85, n)),
            "urgent": rng.random(n) < 0.3,
            "planned_year": planned,
            "start_date": start,
            "completion_date": done,
            **{f"need_{k}": rng.random(n) < p for k, p in (("water", 0.6), ("power", 0.4), ("road", 0.5),
                                                          ("gas", 0.3), ("drainage", 0.5))},
            "willingness": rng.integers(62, 99, n),  # percent, as typed
            "investment_yuan": investment,
            "subsidy_central_yuan": central,
            "residents_yuan": residents,
            "subsidy_local_yuan": investment - central - residents,
        }
    )  # fmt: skip


def _book(kind: str, title: str, form: str):
    """The template of ``kind`` with its title and form lines filled; (book, sheet, header -> column)."""
    import openpyxl

    book = openpyxl.load_workbook(paths.DATA_DIR / "templates" / f"{kind}_template.xlsx")
    ws = book["台账"]
    ws["A1"] = title
    ws["A2"] = form
    ws["C2"] = None
    columns = {cell.value: cell.column for cell in ws[3] if cell.value}
    return book, ws, columns


def renovation(frame: pd.DataFrame, district: str, path: Path) -> Path:
    book, ws, col = _book(
        "renovation", f"{district}老旧小区改造项目台账(合成示例数据,非真实数据)",
        f"填报单位:{district}住房和城乡建设局(示例)    填报日期:2025年12月31日",
    )  # fmt: skip
    yes_no = {True: "是", False: "否"}
    for i, r in enumerate(frame.itertuples(index=False)):
        row = 4 + i
        cells = {
            "小区名称": r.community, "街道": r.street, "建成年份": f"{r.built_year}年" if i % 5 == 2 else int(r.built_year),
            "楼栋数": int(r.buildings), "户数": f"{r.households}户" if i == 7 else int(r.households),
            "建筑面积(平方米)": float(r.floor_area_m2), "是否急需改造": yes_no[bool(r.urgent)],
            "批次": f"第{int(r.planned_year) - 2023}批", "计划年度": f"{r.planned_year}年度" if i % 4 == 1 else int(r.planned_year),
            "开工日期": _excel_date(r.start_date) if i % 3 else (None if pd.isna(r.start_date) else f"{r.start_date:%Y.%m.%d}"),
            "竣工日期": _excel_date(r.completion_date),
            **{f"{h}改造需求(%)": yes_no[bool(getattr(r, f"need_{k}"))] for k, h in
               (("water", "供水"), ("power", "供电"), ("road", "道路"), ("gas", "燃气"), ("drainage", "排水"))},
            "总投资(元)": f"{r.investment_yuan / 10_000:g}万" if i % 6 == 4 else float(r.investment_yuan),
            "中央补助(元)": float(r.subsidy_central_yuan), "地方配套(元)": float(r.subsidy_local_yuan),
            "居民出资(元)": float(r.residents_yuan),
        }  # fmt: skip
        for header, value in cells.items():
            ws.cell(row, col[header], value)
        # 改造意愿(%): typed as 79, as the text 79%, or as a cell formatted as a percentage
        cell = ws.cell(row, col["改造意愿(%)"])
        if i % 3 == 0:
            cell.value = int(r.willingness)
        elif i % 3 == 1:
            cell.value = f"{r.willingness}%"
        else:
            cell.value = r.willingness / 100
            cell.number_format = "0%"
        for header in ("开工日期", "竣工日期"):
            if isinstance(ws.cell(row, col[header]).value, dt.date):
                ws.cell(row, col[header]).number_format = "yyyy-mm-dd"
    row = 4
    for _street, group in frame.groupby("street", sort=False):
        ws.merge_cells(
            start_row=row, start_column=col["街道"], end_row=row + len(group) - 1, end_column=col["街道"]
        )
        row += len(group)
    ws.cell(row, 1, "合计")
    ws.cell(row, col["户数"], int(frame["households"].sum()))
    ws.cell(row, col["总投资(元)"], float(frame["investment_yuan"].sum()))
    ws.cell(row + 1, 1, "注:合成示例数据,不代表任何真实小区;2026年度小区尚未开工。")
    _save_xlsx(book, path)
    return path


def enterprises(rng: np.random.Generator, district: str, path: Path) -> Path:
    book, ws, _ = _book(
        "enterprise_reports", f"{district}企业复工复产情况日报表(合成示例数据,非真实数据)",
        f"填报单位:{district}驻企联络员(示例),一日两报",
    )  # fmt: skip
    n = _CLERK_FIRMS
    large = np.arange(n) < 10
    names = [f"大祥{name}有限公司" for name in _firm_names(rng, n)]
    sectors = rng.choice(_SECTORS[:4], n)
    staff = np.where(large, rng.integers(80, 600, n), rng.integers(10, 60, n))
    base_kwh = np.round(np.where(large, rng.uniform(2000, 20000, n), rng.uniform(150, 1200, n)))
    resume = rng.integers(0, 25, n)
    resume[[12, 14]] = 999  # two small firms not back within the month
    days = pd.date_range("2026-02-24", "2026-03-25", freq="D")
    row = 4

    def date_cell(day: pd.Timestamp, k: int):
        return (
            day.date(),
            f"{day.year}/{day.month}/{day.day}",
            f"{day.year}年{day.month}月{day.day}日",
            f"{day:%Y-%m-%d}",
        )[k % 4]

    for k, day in enumerate(pd.date_range("2026-01-01", "2026-01-31", freq="D")):
        for i in range(n):
            kwh = round(base_kwh[i] * rng.uniform(0.9, 1.1))
            values = (names[i], district, sectors[i], "是" if large[i] else "否", date_cell(day, k), "下午", "是",
                      int(staff[i]), int(staff[i]), "100%", kwh)  # fmt: skip
            for j, v in enumerate(values, start=1):
                ws.cell(row, j, v)
            row += 1
    for d, day in enumerate(days):
        for i in range(n):
            since = d - resume[i]
            back = since >= 0
            share = min(1.0, 0.4 + 0.05 * since + rng.uniform(-0.05, 0.05)) if back else rng.uniform(0, 0.05)
            capacity = min(0.95, 0.3 + 0.025 * since + rng.uniform(-0.04, 0.04)) if back else 0.0
            kwh = round(base_kwh[i] * (0.05 + 0.95 * capacity) * rng.uniform(0.9, 1.1))
            for half in ("上午", "下午"):
                values = (names[i], district, sectors[i], "是" if large[i] else "否", date_cell(day, d + i),
                          half, "是" if back else "否", int(round(staff[i] * share)), int(staff[i]),
                          f"{round(capacity * 100)}%", kwh)  # fmt: skip
                for j, v in enumerate(values, start=1):
                    ws.cell(row, j, v)
                if isinstance(values[4], dt.date):
                    ws.cell(row, 5).number_format = "yyyy-mm-dd"
                row += 1
    ws.cell(row, 1, "填表人:联络员(示例)")
    _save_xlsx(book, path)
    return path


def outcomes(frame: pd.DataFrame, rng: np.random.Generator, district: str, path: Path) -> Path:
    book, ws, _ = _book(
        "outcomes",
        f"{district}小区月度排水投诉面板(合成示例数据,非真实数据)",
        f"填报单位:{district}12345热线(示例)",
    )
    months = pd.date_range("2023-01-01", "2025-12-01", freq="MS")
    row = 4
    for r in frame.itertuples(index=False):
        rate = rng.uniform(0.6, 1.6)  # complaints per 100 households a month before renovation
        for m in months:
            done = r.completion_date is not pd.NaT and m > r.completion_date
            mean = (
                r.households / 100 * rate * (0.55 if done else 1.0) * (1.3 if m.month in (5, 6, 7) else 1.0)
            )
            values = (
                r.community,
                r.street,
                f"{m.year}年{m.month}月",
                int(r.households),
                int(rng.poisson(mean)),
            )
            for j, v in enumerate(values, start=1):
                ws.cell(row, j, v)
            row += 1
    ws.cell(row, 1, "注:合成示例数据;每百户排水投诉由户数计算。")
    _save_xlsx(book, path)
    return path
