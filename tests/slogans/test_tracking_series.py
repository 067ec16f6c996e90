"""Slogan tracking compares within a series (organ × level × region) by default, with the reports behind
each rate; pooling the series is an explicit ``series=None`` that warns."""

from __future__ import annotations

import pytest

from cppcc_nlp.corpus import series as series_module
from cppcc_nlp.errors import ParameterError
from cppcc_nlp.slogans.detection import detect_slogans
from cppcc_nlp.slogans.tracking import slogan_summary, track_slogans

NATIONAL = "国务院/national/全国"
SHANGHAI = "上海市人民政府/provincial/上海市"


@pytest.fixture(scope="module")
def shared_occ(shared_corpus):
    return detect_slogans(shared_corpus)


def test_each_series_on_its_own_rows_with_the_reports_behind_each_rate(shared_corpus, shared_occ):
    table = track_slogans(shared_occ, shared_corpus)
    docs = shared_corpus.documents
    assert set(table["series"]) == set(docs["series"])
    national = table[table["series"] == NATIONAL]
    assert set(national["level"]) == {"national"} and set(national["organ"]) == {"国务院"}
    # the national series speaks about 1999 (review in the 2000 report) to 2019 (plan in the 2019 report);
    # Shanghai's 2020 appears only in Shanghai's rows
    assert (national["period"].min(), national["period"].max()) == (1999, 2019)
    assert table.loc[table["series"] == SHANGHAI, "period"].min() == 2019
    # the reports behind a period: the plan in the report of that year and the review in the next one
    paras = shared_corpus.paragraphs
    for name, period in ((NATIONAL, 2010), (SHANGHAI, 2021), (NATIONAL, 2019)):
        behind = paras[(paras["series"] == name) & (paras["period"] == period)]["doc_id"].nunique()
        row = table[(table["series"] == name) & (table["period"] == period)].iloc[0]
        assert row["n_reports"] == behind
    assert table.loc[(table["series"] == NATIONAL) & (table["period"] == 2010), "n_reports"].iloc[0] == 2
    assert table.loc[(table["series"] == NATIONAL) & (table["period"] == 2019), "n_reports"].iloc[0] == 1
    # the counts are those of the text: 三个代表 is a national formulation, never in Shanghai's reports
    texts = {d.doc_id: d.text for d in shared_corpus.docs}
    in_text = sum(texts[d].count("三个代表") for d in docs.loc[docs["series"] == NATIONAL, "doc_id"])
    by_series = table[table["canonical"] == "三个代表"].groupby("series")["count"].sum()
    assert by_series[NATIONAL] == in_text > 20 and by_series[SHANGHAI] == 0
    row = table[(table["canonical"] == "三个代表") & (table["count"] > 0)].iloc[0]
    assert row["per_10k_chars"] == pytest.approx(row["count"] * 10_000 / row["n_chars"], abs=1e-4)


def test_one_series_pooled_series_and_a_typo(shared_corpus, shared_occ, monkeypatch):
    one = track_slogans(shared_occ, shared_corpus, by="year", series=SHANGHAI)
    assert set(one["series"]) == {SHANGHAI} and set(one["year"]) == {2020, 2021, 2022, 2023, 2024}
    monkeypatch.setattr(series_module, "_warned", set())
    with pytest.warns(UserWarning, match=r"mixes 3 series on one time axis"):
        pooled = track_slogans(shared_occ, shared_corpus, by="year", series=None)
    assert set(pooled["series"]) == {series_module.MIXED_SERIES} and pooled["level"].isna().all()
    # 2024: Shanghai's report and the county CPPCC report
    assert pooled.loc[pooled["year"] == 2024, "n_reports"].iloc[0] == 2
    assert pooled.groupby("canonical")["count"].sum().sum() == len(shared_occ)
    with pytest.raises(ParameterError, match=r"did you mean '上海市人民政府/provincial/上海市'"):
        track_slogans(shared_occ, shared_corpus, series="上海市人民政府/provincal/上海市")


def test_summary_has_one_row_per_slogan_and_series(shared_corpus, shared_occ):
    summary = slogan_summary(shared_occ, shared_corpus)
    assert not summary.duplicated(["canonical", "series"]).any()
    both = summary[summary["canonical"] == "高质量发展"].set_index("series")
    assert {NATIONAL, SHANGHAI} <= set(both.index)
    docs = shared_corpus.documents
    for name in (NATIONAL, SHANGHAI):
        own = shared_occ[shared_occ["doc_id"].isin(docs.loc[docs["series"] == name, "doc_id"])]
        assert both.loc[name, "n"] == (own["canonical"] == "高质量发展").sum()
    # within Shanghai's series (2019–2024) a national formulation cannot start before 2019
    assert summary.loc[summary["series"] == SHANGHAI, "first_year"].min() >= 2019
