"""Indicator tables carry the series of their report, the one label the corpus gives (organ × level × region)."""

from __future__ import annotations

import pandas as pd
import pytest

import cppcc_nlp as cn
from cppcc_nlp.indicators.extract import empty_indicators


@pytest.fixture(scope="module")
def national_and_shanghai(shared_dir):
    corpus = cn.Corpus.from_path(
        [shared_dir / "gwr-national" / "national_2018.txt", shared_dir / "gwr-national" / "national_2019.txt"]
        + sorted((shared_dir / "gwr-shanghai").glob("provincial-shanghai_202[0-2].txt"))
    )
    return corpus, cn.indicators(corpus)


def test_indicators_and_chain_carry_the_corpus_series(national_and_shanghai):
    corpus, ind = national_and_shanghai
    series = corpus.documents.set_index("doc_id")["series"]
    assert "series" in ind.columns and (ind["series"] == ind["doc_id"].map(series)).all()
    assert set(ind["series"]) == {"国务院/national/全国", "上海市人民政府/provincial/上海市"}
    # Shanghai writes 全市生产总值 / 地区生产总值: its GDP statements are in Shanghai's series only
    gdp = ind[ind["text"].str.contains("生产总值")]
    assert set(gdp.loc[gdp["doc_id"].str.startswith("provincial"), "series"]) == {"上海市人民政府/provincial/上海市"}
    chain = cn.target_outcomes(ind)
    assert set(chain["series"]) == set(series)
    by_key = chain.set_index(["series", "indicator", "period"])
    # the national plan of 2019 has its target and no outcome: Shanghai's review of 2019 (全市生产总值增长6%)
    # is in Shanghai's series, never paired with the State Council's target
    national_2019 = by_key.loc[("国务院/national/全国", "国内生产总值增长", 2019)]
    assert national_2019["target_low"] == 6.0 and pd.isna(national_2019["outcome_value"])
    assert by_key.loc[("上海市人民政府/provincial/上海市", "地区生产总值增长", 2019), "outcome_value"] == 6.0
    assert "series" in empty_indicators().columns
