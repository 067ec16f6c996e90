"""Dictionaries: patterns, file formats, and counts that agree with str.count on the normalised text."""

from __future__ import annotations

import pytest

import cppcc_nlp as cn
from cppcc_nlp.dictionary.model import Dictionary, compile_pattern
from cppcc_nlp.errors import LexiconError, ParameterError

from conftest import needs_shared

GREEN = ["生态文明", "生态文明建设", "生态环境", "碳排放", "绿水青山", "高质量发展"]


def test_patterns_literal_wildcard_regex():
    assert compile_pattern("生态文明").findall("推进生态文明建设，生态文明") == ["生态文明", "生态文明"]
    assert compile_pattern("碳*").findall("碳达峰、碳中和，减碳") == ["碳达峰", "碳中和", "碳"]
    assert compile_pattern("re:自由贸易(试验区|港)").search("海南自由贸易港建设").group() == "自由贸易港"
    for bad in ("", "*", "*政协*", "re:(("):
        with pytest.raises(LexiconError):
            compile_pattern(bad)


def test_dictionary_from_yaml_csv_and_liwc(tmp_path):
    (tmp_path / "d.yaml").write_text("生态:\n  - 生态文明\n  - 碳*\n开放:\n  外资: [外商投资]\n", encoding="utf-8")
    d = Dictionary.from_file(tmp_path / "d.yaml")
    assert d.categories == ["生态", "开放.外资"]
    (tmp_path / "d.csv").write_text("category,pattern\n生态,生态文明\n生态,碳*\n", encoding="utf-8")
    assert Dictionary.from_file(tmp_path / "d.csv").to_frame().kind.tolist() == ["literal", "wildcard"]
    (tmp_path / "d.dic").write_text("%\n1\t生态\n2\t民生\n%\n生态文明\t1\n就业\t2\n绿色\t1 2\n", encoding="utf-8")
    liwc = Dictionary.from_file(tmp_path / "d.dic")
    assert liwc.to_frame().groupby("category").pattern.apply(list).to_dict() == {
        "民生": ["就业", "绿色"],
        "生态": ["生态文明", "绿色"],
    }


def test_bad_dictionary_files_name_file_and_line(tmp_path):
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text("category,pattern\n生态,生态文明\n生态\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"bad\.csv, line 3"):
        Dictionary.from_file(bad_csv)
    bad_dic = tmp_path / "bad.dic"
    bad_dic.write_text("%\n1\t生态\n%\n生态文明\t7\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"bad\.dic, line 4: unknown category id '7'"):
        Dictionary.from_file(bad_dic)
    (tmp_path / "x.txt").write_text("生态文明\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="unknown dictionary format"):
        Dictionary.from_file(tmp_path / "x.txt")
    with pytest.raises(LexiconError, match="no such dictionary file"):
        Dictionary.from_file(tmp_path / "missing.yaml")
    with pytest.raises(LexiconError, match="has no patterns"):
        Dictionary({"生态": []})


def test_counts_on_the_sample_match_str_count_and_kwic(sample_corpus):
    words = ["政协", "协商", "委员", "同心政协", "两个确立"]
    counts = cn.dictionary_counts(sample_corpus, {w: [w] for w in words}, by="document")
    text = sample_corpus.docs[0].text
    assert counts.set_index("category")["count"].to_dict() == {w: text.count(w) for w in words}
    assert counts.set_index("category").loc["两个确立", "count"] == len(sample_corpus.kwic("两个确立")) == 2


def test_a_category_counts_each_place_once(sample_corpus):
    # 同心政协 matches both patterns at the same place: counted once for the category, twice per pattern
    d = {"政协": ["同心政协", "同心*"]}
    by_cat = cn.dictionary_counts(sample_corpus, d, by="corpus")
    by_pat = cn.dictionary_counts(sample_corpus, d, by="corpus", per="pattern")
    text = sample_corpus.docs[0].text
    assert by_cat["count"].iloc[0] == text.count("同心")
    assert by_pat.set_index("pattern")["count"].to_dict() == {
        "同心政协": text.count("同心政协"),
        "同心*": text.count("同心"),
    }


def test_counts_by_period_rates_and_bad_by(sample_corpus):
    counts = cn.dictionary_counts(sample_corpus, {"委员": ["委员"]}, by="period")
    assert counts.period.tolist() == [2024, 2025]
    assert counts["count"].sum() == sample_corpus.docs[0].text.count("委员")
    row = counts.iloc[0]
    assert row.per_10k_chars == round(row["count"] / row.n_chars * 10_000, 4)
    with pytest.raises(ParameterError, match="not columns of the paragraph table"):
        cn.dictionary_counts(sample_corpus, {"委员": ["委员"]}, by="decade")


def test_matches_quote_the_text(sample_corpus):
    m = cn.dictionary_matches(sample_corpus, {"政协": ["*政协"]})
    doc = sample_corpus.docs[0]
    assert len(m) > 10 and all(doc.text[r.start : r.end] == r.match for r in m.itertuples())
    assert {"同心政协", "有为政协"} <= set(m.match)


@needs_shared
def test_green_word_list_equals_str_count_on_the_shared_corpora(shared_corpus):
    # nested words are counted inside longer ones (生态文明 inside 生态文明建设), as str.count counts them
    counts = cn.dictionary_counts(shared_corpus, {w: [w] for w in GREEN}, by="corpus")
    expected = {w: sum(d.text.count(w) for d in shared_corpus.docs) for w in GREEN}
    assert counts.set_index("category")["count"].to_dict() == expected
    assert expected["生态文明"] > expected["生态文明建设"] > 0


@needs_shared
def test_counts_by_level_and_year_cover_every_group(shared_corpus):
    counts = cn.dictionary_counts(
        shared_corpus, {"生产总值": ["国内生产总值", "全市生产总值"]}, by=["level", "year"], per="pattern"
    )
    wide = counts.pivot_table(index=["level", "year"], columns="pattern", values="count")
    assert wide.loc[("national", 2019), "国内生产总值"] > 0 and wide.loc[("national", 2019), "全市生产总值"] == 0
    assert wide.loc[("provincial", 2024), "全市生产总值"] > 0
    assert (counts.groupby(["level", "year"]).n_docs.first() >= 1).all()
