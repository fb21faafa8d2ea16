"""Notebook 02 on another district's data: a panel of complaint counts only, few communities per cohort."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from renostats import periods, report
from renostats.datasets import find_ledger, load_demo
from renostats.did import aggregate, att_gt
from renostats.ledger import read_ledger
from renostats.paths import DEMO_DIR


def daxiang(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """40 demo communities as a clerk's panel: counts of drainage complaints, no households, no rates."""
    panel = load_demo("outcomes").data
    ledger = read_ledger(find_ledger(DEMO_DIR, "renovation"), "renovation").data
    panel = panel[panel["community"].isin(sorted(panel["community"].unique())[:40])]
    folder.mkdir()
    typed = pd.DataFrame({"小区名称": panel["community"], "月份": panel["month"].dt.strftime("%Y-%m"),
                          "排水投诉": panel["drainage_complaints"]})  # fmt: skip
    typed.to_csv(folder / "大祥区小区排水投诉.csv", index=False)
    shutil.copy(find_ledger(DEMO_DIR, "renovation"), folder / "大祥区改造台账.xlsx")
    return panel, ledger


def test_02_computes_the_rate_from_households_and_warns_on_few_communities(tmp_path):
    panel, ledger = daxiang(tmp_path / "daxiang")
    result = report.run(
        ["02"], parameters={"data_dir": str(tmp_path / "daxiang"), "district": "大祥区", "lang": "zh"},
        out=tmp_path / "reports", progress=None,
    )  # fmt: skip
    assert result.ok, result.failures
    run = result.notebooks[0]
    # the rate by hand: 100 x complaints / the ledger's households, averaged by quarter
    households = panel["community"].map(ledger.set_index("community")["households"])
    rate = panel.assign(y=panel["drainage_complaints"] / households * 100)
    data = periods.by_period(rate, "month", "quarter", ["community"], ["y"])
    cohort = periods.period_start(ledger.set_index("community")["completion_date"], "quarter")
    data["cohort"] = data["community"].map(cohort)
    data.loc[data["cohort"] > data["period"].max(), "cohort"] = pd.NaT
    treated = data.groupby("community")["cohort"].first().notna().sum()
    assert run.metrics["treated_communities"]["value"] == treated
    simple = aggregate(att_gt(data, "y", "period", "community", "cohort", control="notyet"), "simple").overall
    assert abs(run.metrics["att_simple"]["value"] - simple.att) < 1e-4
    page = run.html.read_text(encoding="utf-8")
    assert "大祥区" in page and "面板中没有complaints_per_100hh" in page and "每百户月均排水投诉" in page
    # cohorts of one community: a caution on the page; a yearly cohort too thin for a dose-response curve is named
    assert "提示:已改造小区" in page and "跳过剂量—反应分析" in page
    assert "Warning" not in page and "DiDError" not in page
