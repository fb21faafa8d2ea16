"""Notebook 04 on another district's ledger: dates from the data, no baseline rows, that district only."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from renostats import report
from renostats.datasets import load_demo

HEADERS = {"enterprise": "企业名称", "district": "所属区县", "sector": "所属行业", "large_scale": "是否规上",
           "date": "填报日期", "report_time": "填报时间", "resumed": "是否复工", "staff_on_duty": "到岗人数",
           "staff_total": "职工总数", "capacity_share": "产能恢复率", "electricity_kwh": "日用电量(千瓦时)"}  # fmt: skip


def daxiang(folder: Path) -> pd.DataFrame:
    """Seven demo firms moved to 大祥区 and to 2026: a month of reports, no baseline rows, 1-2 firms a sector."""
    data = load_demo("enterprise_reports").data
    firms = sorted(data.loc[data["large_scale"], "enterprise"].unique())[:7]
    rows = data[data["enterprise"].isin(firms) & data["date"].between("2020-02-10", "2020-03-11")]
    rows = rows.assign(
        district="大祥区",
        enterprise=rows["enterprise"].str.replace("北塔", "大祥"),
        date=rows["date"] + (pd.Timestamp("2026-02-24") - pd.Timestamp("2020-02-10")),
    )
    out = rows[list(HEADERS)].assign(
        large_scale=rows["large_scale"].map({True: "是", False: "否"}),
        resumed=rows["resumed"].map({True: "是", False: "否"}),
        date=rows["date"].dt.strftime("%Y-%m-%d"),
    )
    folder.mkdir()
    out.rename(columns=HEADERS).to_csv(folder / "大祥区企业复工日报.csv", index=False)
    return rows


def test_04_on_a_district_without_baseline_rows(tmp_path):
    rows = daxiang(tmp_path / "daxiang")
    result = report.run(
        ["04"], parameters={"data_dir": str(tmp_path / "daxiang"), "district": "大祥区", "lang": "zh"},
        out=tmp_path / "reports", progress=None,
    )  # fmt: skip
    assert result.ok, result.failures
    run = result.notebooks[0]
    # as_of from the data: the last report day; the count on it by hand (latest report of the day)
    last = rows[rows["date"] == rows["date"].max()].sort_values("report_time").groupby("enterprise").last()
    assert rows["date"].max() == pd.Timestamp("2026-03-26")
    assert run.metrics["resumed_share"]["value"] == round(last["resumed"].mean(), 4)
    assert run.metrics["firms_in_scope"]["value"] == 7 and run.metrics["resumed_census"]["value"] is True
    # no baseline electricity: the output proxy is said to need baseline rows and nothing non-finite is recorded
    assert "electricity_vs_baseline" not in run.metrics
    page = run.html.read_text(encoding="utf-8")
    assert "大祥区" in page and "需要基期数据" in page and "2026年3月26日" in page
    # Beita's claim is not audited; the national figures appear only as a dated reference
    assert "北塔" not in page and "公布的100" not in page and "全国数字仅作背景" in page
    # 1-2 firms per sector: no log-rank reading
    assert "不报告 log-rank 检验" in page and "log-rank p" not in page
