"""Notebook 01 on another district's ledger: dates and plan years from the data, that district only, no crash
when no community has residents' consent, the stability check capped at the communities ranked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from renostats import report
from renostats.datasets import load_demo

VOTES = ["vote_turnout_owners", "vote_turnout_area", "vote_approval_owners", "vote_approval_area"]


def daxiang(folder: Path, willingness: float | None = None) -> pd.DataFrame:
    """30 demo communities moved to 大祥区's four streets and four years on, dates recorded up to 2025-11-30."""
    data = load_demo("renovation").data.drop(columns="source_row")
    rows = data.iloc[np.arange(0, 270, 9)].copy()
    rows["community"] = [f"大祥{i}小区" for i in range(len(rows))]
    rows["street"] = [["一街道", "二街道", "三街道", "四街道"][i % 4] for i in range(len(rows))]
    rows["planned_year"] = rows["planned_year"] + 4
    for col in ("start_date", "completion_date"):
        moved = rows[col] + pd.DateOffset(years=4)
        rows[col] = moved.where(moved <= "2025-11-30")
    if willingness is not None:
        rows["willingness"] = willingness
        rows[VOTES] = np.nan
    folder.mkdir()
    out = rows.assign(**{c: rows[c].dt.strftime("%Y-%m-%d") for c in ("start_date", "completion_date")})
    out.to_csv(folder / "大祥区老旧小区改造台账.csv", index=False)
    return rows


def run_01(tmp_path: Path, folder: Path, lang: str):
    result = report.run(
        ["01"], parameters={"data_dir": str(folder), "district": "大祥区", "lang": lang},
        out=tmp_path / "reports", progress=None,
    )  # fmt: skip
    assert result.ok, result.failures
    run = result.notebooks[0]
    return run, run.html.read_text(encoding="utf-8")


def test_01_dates_and_plan_years_come_from_the_district_ledger(tmp_path):
    rows = daxiang(tmp_path / "daxiang")
    run, page = run_01(tmp_path, tmp_path / "daxiang", "zh")
    # as_of: the latest start or completion in the ledger; completions by then counted by hand
    as_of = max(rows["start_date"].max(), rows["completion_date"].max())
    assert as_of == pd.Timestamp("2025-10-12")
    assert run.metrics["communities_completed"]["value"] == int((rows["completion_date"] <= as_of).sum()) == 4
    assert "大祥区" in page and "2025年10月12日" in page
    # the plan starts the year after as_of, not in the demo's 2022, and the page says why
    assert "年度计划按报告日期之后的2026—2027年编制" in page
    plan = pd.read_excel(run.html.with_suffix(".xlsx"), sheet_name="年度计划", engine="openpyxl")
    assert plan.iloc[:, 0].astype(str).tolist() == ["2026", "2027"]
    # 30 communities cannot fill a top 41: the check is capped and says so
    assert "top_k = 41超过参加排序的小区数(30个)" in page and "进入前41名" not in page
    # Shuangqing's programme (the source page) is not this district's
    assert "双清" not in page and "267" not in page


def test_01_without_any_consent_says_so_and_shows_the_rest(tmp_path):
    daxiang(tmp_path / "low", willingness=0.3)
    run, page = run_01(tmp_path, tmp_path / "low", "en")
    assert "No community passes the consent threshold" in page and "no plan can be drawn up" in page
    assert run.metrics["flagged_low_willingness"]["value"] == 30
    assert "plan_gap" not in run.metrics and "basic (基础类)" in page  # the rest of the page still shows
