"""Bundled reference facts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from renostats.datasets import FACT_COLUMNS, load_facts
from renostats.errors import InputError


def test_facts_have_the_documented_columns_and_types():
    facts = load_facts()
    assert tuple(facts.columns) == FACT_COLUMNS
    assert facts["value"].dtype == "float64"
    assert pd.api.types.is_string_dtype(facts["metric"])
    assert not facts[["topic", "place", "date", "metric", "source"]].isna().any().any()


def test_source_page_totals():
    renovation = load_facts("renovation").set_index("metric")["value"]
    assert renovation["programme_communities"] == 267
    assert renovation["programme_buildings"] == 2230
    assert renovation["programme_households"] == 29681
    assert renovation["programme_floor_area"] == 2_482_500
    assert (renovation["due_communities"], renovation["urgent_communities"]) == (41, 19)


def test_bounds_follow_the_qualifier():
    facts = load_facts()
    exact = facts[facts["qualifier"] == "exact"]
    assert (exact["low"] == exact["value"]).all() and (exact["high"] == exact["value"]).all()
    over = facts[facts["qualifier"].isin(["over", "at_least"])]
    assert (over["low"] == over["value"]).all() and over["high"].isna().all()
    nearly = facts[facts["qualifier"] == "nearly"]
    assert (nearly["high"] == nearly["value"]).all() and nearly["low"].isna().all()
    percent = facts[facts["kind"] == "percent"]
    assert percent["value"].between(0, 1).all()


def test_beita_count_is_a_census_of_its_24_firms():
    recovery = load_facts("recovery").set_index("metric")
    assert recovery.loc["large_scale_enterprises", "value"] == 24
    assert "census" in recovery.loc["resumption_rate", "note"]
    assert recovery.loc["reports_per_day", "date"] == "2020-02-12"  # officers sent on 12 Feb
    assert "urged to fix" in recovery.loc["problems_found", "note"]


def test_jiangsu_electricity_figure_is_a_what_if_over_firms_of_all_sizes():
    jiangsu = load_facts("provincial_recovery").set_index("metric")
    assert set(jiangsu["place"]) == {"江苏省"} and set(jiangsu["date"]) == {"2020-02-28"}
    assert jiangsu["source"].str.contains("交汇点 2020-02-29").all()
    assert jiangsu.loc["large_scale_enterprises", "value"] == 44_500
    assert (jiangsu.loc["resumption_coverage", "value"], jiangsu.loc["staff_return_rate", "value"]) == (
        0.99,
        0.73,
    )
    share = (
        jiangsu.loc["electricity_hypothetical_enterprises", "value"]
        / jiangsu.loc["power_using_enterprises", "value"]
    )
    assert round(share, 3) == jiangsu.loc["electricity_hypothetical_share", "value"] == 0.477
    assert "what-if" in jiangsu.loc["electricity_hypothetical_enterprises", "note"]
    assert "all sizes" in jiangsu.loc["power_using_enterprises", "note"]
    notes = load_facts()["note"].fillna("")
    assert notes[notes.str.contains("electricity use")].str.contains("what-if").all()
    assert "electricity_rule_resumption_rate" not in set(load_facts()["metric"])


def test_national_figures_as_the_ministries_wrote_them():
    national = load_facts("national_renovation")
    completed = national[national["metric"] == "investment_completed"].set_index("date")
    assert completed.loc["2023", "qualifier"] == "nearly" and completed.loc["2023", "high"] == 2.4e11
    assert np.isnan(completed.loc["2023", "low"]) and completed.loc["2025", "value"] == 1.332e11
    assert "new_starts_investment" not in set(national["metric"])
    starts = national[national["metric"] == "new_starts_households"].set_index("date")["value"]
    assert starts["2019"] == 3_520_000
    recovery = load_facts("national_recovery")
    assert set(recovery["metric"]) == {"average_resumption_rate", "average_staff_return_rate"}
    assert recovery["note"].str.contains("average").all()


def test_one_row_per_figure():
    facts = load_facts()
    assert not facts.duplicated(["topic", "place", "date", "metric"]).any()


def test_unknown_topic_and_missing_file(tmp_path):
    with pytest.raises(InputError, match=r"topic must be one of .*'renovation'; got 'sport'"):
        load_facts("sport")
    with pytest.raises(FileNotFoundError, match=r"no facts\.csv"):
        load_facts(data_dir=tmp_path)


def test_demo_data_regenerates_byte_identical(tmp_path):
    from renostats import paths
    from renostats.datasets import DEMO_FILES, make_demo_data

    written = make_demo_data(tmp_path, seed=2020)
    assert set(written) == set(DEMO_FILES)
    for kind, path in written.items():
        committed = paths.DEMO_DIR / DEMO_FILES[kind]
        assert path.read_bytes() == committed.read_bytes(), f"{committed.name} differs from make_demo_data"


def test_demo_files_say_they_are_synthetic():
    from renostats.datasets import DEMO_FILES, demo_path

    assert all("synthetic" in name for name in DEMO_FILES.values())
    head = demo_path("enterprise_reports").read_bytes()[:200].decode("gbk", errors="ignore")
    assert "合成示例数据" in head


def test_outcome_truth_matches_the_documented_effect():
    from renostats.datasets import DEMO_EFFECT, load_demo

    truth = load_demo("outcomes_truth")
    treated = truth[truth["cohort"] > 0]
    # a year or more after completion the effect is the full cohort size (unless the floor binds)
    late = treated.groupby("cohort")["effect"].min()
    for cohort, size in DEMO_EFFECT.items():
        if cohort in late.index:
            assert late[cohort] == pytest.approx(-size, abs=0.05)
    assert (truth.loc[truth["cohort"] == 0, "effect"] == 0).all()


def test_templates_have_the_chinese_headers_and_read_as_empty_ledgers(tmp_path):
    from renostats.datasets import write_templates
    from renostats.ledger import read_ledger

    written = write_templates(tmp_path)
    for kind, path in written.items():
        read = read_ledger(path, kind)
        assert len(read.data) == 0
        assert read.source.header_rows == (3,)
    ren = read_ledger(written["renovation"], "renovation")
    assert ren.source.columns["floor_area_m2"] == "建筑面积(平方米)"
