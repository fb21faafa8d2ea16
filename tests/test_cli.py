"""``renostats check`` as a clerk reads it: what was read per column, grouped errors, no knock-on
errors, no Python reprs, the clerk's own headers, and the messages in Chinese with ``--lang zh``."""

from __future__ import annotations

import re

from renostats import cli

HEADER = "企业名称,所属区县,所属行业,是否规上,填报日期,填报时间,是否复工,到岗人数,职工总数,产能恢复率(%)"


def _csv(tmp_path, name, lines):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _reports(dates):
    rows = []
    for d in dates:
        for half in ("上午", "下午"):
            rows.append(f"甲公司,大祥区,建材,是,{d},{half},是,8,12,79")
    return rows


def test_clean_read_shows_each_column_as_read(tmp_path, capsys):
    lines = [HEADER, *_reports(["2026-02-24", "2026/2/25", "2026年2月26日"])]
    lines[1] = lines[1].replace(",79", ",79%")  # 79% typed under a (%) header is 79%, not 0.79%
    assert cli.main(["check", str(_csv(tmp_path, "e.csv", lines)), "--kind", "enterprise_reports"]) == 0
    out = capsys.readouterr().out
    # hand count: 6 reports; shares shown as percentages; dates as the clerk writes them back
    assert "产能恢复率(%) -> capacity_share: 6 cells, min 79%, median 79%, max 79%; unit % (x0.01)" in out
    assert "填报日期 -> date: 6 cells, min 2026-02-24, median 2026-02-25, max 2026-02-26" in out
    assert "到岗人数 -> staff_on_duty: 6 cells, min 8, median 8, max 8" in out
    assert "是否规上 -> large_scale: 6 cells (是 6, 否 0)" in out


def test_repeated_errors_are_grouped_with_an_example_and_no_knock_on_repeats(tmp_path, capsys):
    days = [f"2月{d}日" for d in range(10, 20)]  # no year: 20 cells, and every key then reads alike
    path = _csv(tmp_path, "e.csv", [HEADER, *_reports(days)])
    assert cli.main(["check", str(path), "--kind", "enterprise_reports"]) == 1
    err = capsys.readouterr().err
    assert "e.csv: 20 cells in 填报日期, e.g. row 2: '2月10日'; expected a date with its year" in err
    assert "add the year" in err
    assert "repeats" not in err  # the unreadable dates are not also reported as repeated rows
    assert len(err.strip().splitlines()) == 2  # the head line and one grouped line


def test_messages_use_dates_and_the_clerks_headers_not_python_reprs(tmp_path, capsys):
    path = _csv(
        tmp_path,
        "r.csv",
        ["小区名称,街道,户数,楼栋数,建筑面积(平方米),总投资(元),开工日期,竣工日期",
         "甲小区,城西街道,10,1,800,100,2025-03-01,2025-02-01",
         "乙小区,城西街道,12,1,900,100,2025-03-01,在建"],
    )  # fmt: skip
    assert cli.main(["check", str(path), "--kind", "renovation"]) == 1
    err = capsys.readouterr().err
    assert "row 2, column 竣工日期: 2025-02-01; expected a date not before 开工日期 (2025-03-01)" in err
    assert (
        "row 3, column 竣工日期: '在建'; expected a date; leave the cell blank while the works are under way"
        in err
    )
    assert not re.search(r"Timestamp|datetime|start_date|np\.|nan", err)


def test_check_speaks_chinese_with_lang_zh(tmp_path, capsys):
    days = [f"2月{d}日" for d in range(10, 12)]
    lines = [HEADER, *_reports(days)]
    path = _csv(tmp_path, "e.csv", lines)
    assert cli.main(["check", str(path), "--kind", "enterprise_reports", "--lang", "zh"]) == 1
    err = capsys.readouterr().err
    assert "e.csv:4 个单元格有问题" in err
    assert "填报日期 列有 4 个单元格有误,例如第 2 行:'2月10日';应为带年份的日期" in err
    assert "expected" not in err
    good = _csv(tmp_path, "g.csv", [HEADER, *_reports(["2026-02-24"])])
    assert cli.main(["check", str(good), "--kind", "enterprise_reports", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "g.csv:读取 2 行" in out and "产能恢复率(%) -> capacity_share: 2 个, 最小 79%" in out
    assert cli.main(["check", str(good), "--kind", "enterprise_reports", "--lang", "fr"]) == 2
