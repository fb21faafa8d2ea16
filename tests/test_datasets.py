"""Bundled reference facts."""

from __future__ import annotations

import pandas as pd
import pytest

from renostats.datasets import FACT_COLUMNS, load_facts


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


def test_one_row_per_figure():
    facts = load_facts()
    assert not facts.duplicated(["topic", "place", "date", "metric"]).any()


def test_unknown_topic_and_missing_file(tmp_path):
    with pytest.raises(ValueError, match="unknown topic 'sport'"):
        load_facts("sport")
    with pytest.raises(FileNotFoundError, match=r"no facts\.csv"):
        load_facts(data_dir=tmp_path)
