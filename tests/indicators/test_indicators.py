"""Indicators on real text: national targets and outcomes 2000–2019, the 31 provincial 2025 GDP targets, the
sample's CPPCC counts, the target/outcome chain, promise alignment; plus the number reader and the names file."""

from __future__ import annotations

import re
import warnings

import pandas as pd
import pytest

import cppcc_nlp as cn
from cppcc_nlp.errors import LexiconError, ParameterError
from cppcc_nlp.indicators.chain import is_met
from cppcc_nlp.indicators.names import load_indicator_names
from cppcc_nlp.indicators.numbers import chinese_number, find_quantities, to_halfwidth

from conftest import DATA, SHARED

EXTRA = SHARED.parent / "corpora-extra"
FOUR = ["国内生产总值增长", "城镇新增就业", "居民消费价格涨幅", "赤字率"]


@pytest.fixture(scope="module")
def national():
    if not (SHARED / "gwr-national").is_dir():
        pytest.skip(f"the national reports are not present at {SHARED / 'gwr-national'}")
    corpus = cn.Corpus.from_path(SHARED / "gwr-national")
    return corpus, cn.indicators(corpus)


@pytest.fixture(scope="module")
def key():
    return pd.read_csv(DATA / "national_targets.csv")


# --- numbers ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("国内生产总值增长6%－6.5%", [(6.0, 6.5, "%", "")]),
        ("国内生产总值增长６％左右", [(6.0, 6.0, "%", "左右")]),
        ("全省地区生产总值增长5.0%—5.5%", [(5.0, 5.5, "%", "")]),
        ("国内生产总值达到99.1万亿元、增长6.1%", [(99.1, 99.1, "万亿元", ""), (6.1, 6.1, "%", "")]),
        ("国内生产总值达到74.4\n\n万亿元", [(74.4, 74.4, "万亿元", "")]),
        ("城镇新增就业人数不低于900万人", [(900.0, 900.0, "万人", "以上")]),
        ("服务业比重提高2.7个百分点", [(2.7, 2.7, "个百分点", "")]),
        ("共计捐款6万余元", [(6.0, 6.0, "万元", "余")]),
        ("召开常委会议四次，县委十五届二十二次全会，“两个确立”", [(4.0, 4.0, "次", "")]),
        ("2019年第3次会议，PM2.5浓度", []),
    ],
)
def test_find_quantities(text, expected):
    got = [(q.low, q.high, q.unit, q.qualifier) for q in find_quantities(text, units=["次", "元"])]
    assert got == expected


def test_baseline_and_chinese_numerals():
    qs = find_quantities("赤字率从去年的2.1%提高到2.3%")
    assert [q.baseline for q in qs] == [True, False]
    assert chinese_number("三十五") == 35 and chinese_number("一万二千") == 12000 and chinese_number("两百") == 200
    with pytest.raises(ValueError):
        chinese_number("三个")


def test_a_baseline_starts_in_the_clause_of_its_number_and_its_change_may_follow_a_comma():
    # national_1984: the change verb after a comma still makes 50% the starting point
    qs = find_quantities("国营建筑企业固定职工的比例，已由五十年代的５０％左右，上升到８０％以上")
    assert [(q.low, q.baseline) for q in qs] == [(50.0, True), (80.0, False)]
    # 从 in an earlier clause (the text is half-width there: its ，became ,) starts no baseline
    assert [q.baseline for q in find_quantities("从全局看，粮食产量增长2%，达到历史新高")] == [False]


def test_halfwidth_changes_only_full_width_digits_and_signs_one_for_one(national):
    full, half = "０１２３４５６７８９．％－～，", "0123456789.%-~,"
    assert to_halfwidth("增长６．５％－７％，约１０万～") == "增长6.5%-7%,约10万~"
    for doc in national[0].docs:  # real text: the ，of every sentence, ％ and －, full-width digits (2002)
        assert to_halfwidth(doc.text) == doc.text.translate(str.maketrans(full, half))


# --- the names file ----------------------------------------------------------------------------------------------


def test_bundled_names_are_valid():
    names = load_indicator_names()
    assert {"国内生产总值增长", "城镇新增就业", "居民消费价格涨幅", "赤字率", "提案", "立案", "社情民意信息"} <= set(
        names.indicators
    )
    assert names["居民消费价格涨幅"].direction == "ceiling"


@pytest.mark.parametrize(
    "body, line, words",
    [
        (
            "indicators:\n  - name: 甲\n    aliases: [甲]\n    units: [件]\n  - name: 乙\n    aliases: [乙]\n",
            5,
            "units",
        ),
        ("indicators:\n  - name: 甲\n    aliases: [甲]\n    units: [件]\n    colour: red\n", 5, "unknown key"),
        ("indicators:\n  - name: 甲\n    aliases: [甲]\n    units: [件]\n    level: county\n", 5, "level"),
        ("indicators:\n  - name: 甲\n    aliases: 甲: 乙\n", 3, "YAML"),
        ("colours: [red]\n", 1, "unknown key"),
    ],
)
def test_bad_names_file_is_refused_naming_the_line(tmp_path, body, line, words):
    path = tmp_path / "mine.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(LexiconError) as err:
        load_indicator_names(path)
    assert f"line {line}" in str(err.value) and words in str(err.value) and "mine.yaml" in str(err.value)


def test_user_names_extend_the_bundled_ones(tmp_path, sample_corpus):
    path = tmp_path / "mine.yaml"
    path.write_text("indicators:\n  - name: 党组会议\n    aliases: [党组会议]\n    units: [次]\n", encoding="utf-8")
    rows = cn.indicators(sample_corpus, names=path, indicator="党组会议")
    assert rows["value"].tolist() == [18.0]
    assert cn.indicators(sample_corpus, indicator="党组会议").empty


# --- indicators() on real text -------------------------------------------------------------------------------------


def test_offsets_quote_the_text(national):
    corpus, ind = national
    assert len(ind) > 1000
    for row in ind.sample(300, random_state=0).itertuples():
        assert corpus[row.doc_id].text[row.start : row.end] == row.text
        assert row.text in row.sentence
    assert set(ind["kind"]) == {"target", "outcome", "other"}


def test_the_corpus_table_is_the_tables_of_its_documents(national):
    # analyze reads (and keeps) each report on its own: the statements of a report never depend on another
    from cppcc_nlp.indicators.extract import concat_indicators

    corpus, ind = national
    names = load_indicator_names()
    by_document = concat_indicators(cn.indicators(cn.Corpus([doc]), names=names) for doc in corpus.docs)
    pd.testing.assert_frame_equal(by_document, ind)


def test_national_targets_and_outcomes_equal_the_hand_made_table(national, key):
    """Every target 2000–2019 and outcome 1999–2018 of the four indicators, and no other."""
    _, ind = national
    chain = cn.target_outcomes(ind)
    chain = chain[chain["indicator"].isin(FOUR) & (chain["series"] == "国务院/national/全国")]
    targets = chain[chain["target_low"].notna() & chain["period"].between(2000, 2019)]
    got = {
        (r.indicator, int(r.period), r.target_low, r.target_high, r.target_unit, r.target_qualifier or "")
        for r in targets.itertuples()
    }
    k = key[key["kind"] == "target"].fillna({"qualifier": ""})
    want = {(r.indicator, r.period, r.low, r.high, r.unit, r.qualifier) for r in k.itertuples()}
    assert got == want
    outcomes = chain[chain["outcome_value"].notna() & chain["period"].between(1999, 2018)]
    got = {
        (r.indicator, int(r.period), r.outcome_value, r.outcome_unit, r.outcome_doc_id) for r in outcomes.itertuples()
    }
    k = key[key["kind"] == "outcome"]
    want = {(r.indicator, r.period, r.low, r.unit, r.report) for r in k.itertuples()}
    assert got == want


def test_every_hand_made_row_is_a_statement(national, key):
    """Recall of indicators() itself: each row of the table is found with its values and sentence."""
    _, ind = national
    for r in key.itertuples():
        hits = ind[
            (ind["indicator"] == r.indicator)
            & (ind["period"] == r.period)
            & (ind["kind"] == r.kind)
            & (ind["doc_id"] == r.report)
            & (ind["low"] == r.low)
            & (ind["high"] == r.high)
        ]
        flat = hits["sentence"].str.replace(r"\s", "", regex=True)
        assert flat.str.contains(re.escape(re.sub(r"\s", "", r.text))).any(), r


def test_met_honours_the_qualifier_on_the_national_series(national):
    chain = cn.target_outcomes(national[1])
    nat = chain[chain["series"] == "国务院/national/全国"].set_index(["indicator", "period"])
    assert bool(nat.loc[("居民消费价格涨幅", 2007), "met"]) is False  # 3%以内, 4.8 reported
    assert bool(nat.loc[("国内生产总值增长", 2014), "met"]) is True  # 7.5%左右, 7.4 within 0.5
    assert bool(nat.loc[("城镇新增就业", 2018), "met"]) is True  # 1100万人以上, 1361
    strict = cn.target_outcomes(national[1], tolerance=0.05).set_index(["series", "indicator", "period"])
    assert bool(strict.loc[("国务院/national/全国", "国内生产总值增长", 2014), "met"]) is False
    assert pd.isna(nat.loc[("国内生产总值增长", 2019), "met"])


def test_met_of_every_pair_is_is_met_of_its_row(national):
    # the column is computed on whole columns at once: each row as the one-target rule gives it
    chain = cn.target_outcomes(national[1])
    directions = {n.name: n.direction for n in load_indicator_names()}
    expected = [
        is_met(
            r.target_low,
            r.target_high,
            r.target_qualifier,
            r.outcome_value,
            direction=directions.get(r.indicator),
            unit=r.target_unit,
        )
        if r.target_unit == r.outcome_unit
        else pd.NA
        for r in chain.itertuples()
    ]
    assert {True, False} <= set(chain["met"].dropna())
    pd.testing.assert_series_equal(chain["met"], pd.Series(expected, dtype="boolean", name="met"))


def test_is_met():
    assert is_met(5, 5, "左右", 4.5) and not is_met(5, 5, "左右", 4.4)
    assert is_met(6.5, 7, "", 6.7) and not is_met(900, 900, "以上", 899)
    assert is_met(3, 3, "以内", 3.0) and not is_met(3, 3, "左右", 3.6, direction="ceiling")
    assert is_met(900, 900, "", 850, unit="万人")  # within 10 % of the target
    assert pd.isna(is_met(5, 5, "左右", float("nan")))


def test_sample_cppcc_counts(sample_corpus):
    ind = cn.indicators(sample_corpus)
    counts = pd.read_csv(DATA / "cppcc_sample_counts.csv")
    flat = ind["sentence"].str.replace(r"\s", "", regex=True)
    for r in counts.itertuples():
        hit = ind[flat.str.contains(re.escape(r.text)) & (ind["value"] == r.value) & (ind["unit"] == r.unit)]
        assert not hit.empty, r
    named = ind.dropna(subset=["indicator"]).set_index("indicator")
    assert named.loc["提案", "value"] == 163 and named.loc["立案", "value"] == 142
    assert named.loc["立案率", "value"] == 87.1 and named.loc["社情民意信息", "value"] == 318
    assert (named.loc[["提案", "立案", "社情民意信息"], "kind"] == "outcome").all()


def test_provincial_2025_gdp_targets():
    folder = EXTRA / "gwr-provincial-2025-docx"
    if not folder.is_dir():
        pytest.skip(f"the provincial 2025 reports are not present at {folder}")
    corpus = cn.Corpus.from_path(folder)
    ind = cn.indicators(corpus, kind="target", indicator="地区生产总值增长")
    first = ind[ind["period"] == 2025].groupby("doc_id").first()
    key = pd.read_csv(DATA / "provincial_2025_gdp_targets.csv")
    assert len(key) == 31
    for r in key.itertuples():
        row = first.loc[r.file.removesuffix(".docx")]  # matched by file name: the region docvar may be NA
        assert (row["low"], row["high"], row["qualifier"]) == (
            r.low,
            r.high,
            "" if pd.isna(r.qualifier) else r.qualifier,
        ), r
        assert re.sub(r"\s", "", r.text) in re.sub(r"\s", "", row["sentence"])


# --- empty and bad input -----------------------------------------------------------------------------------------


def test_no_plan_review_pairs_gives_an_empty_table_and_a_warning(sample_corpus):
    with pytest.warns(UserWarning, match="target/outcome table is empty"):
        chain = cn.target_outcomes(cn.indicators(sample_corpus))
    assert chain.empty and "met" in chain.columns and "target_sentence" in chain.columns
    with pytest.warns(UserWarning, match="promises: no plan part has a later review"):
        p = cn.promises(sample_corpus)
    assert p.empty and list(p.columns)[:3] == ["doc_id", "year", "period"] and "score" in p.columns


def test_bad_parameters(sample_corpus):
    with pytest.raises(ParameterError, match="kind"):
        cn.indicators(sample_corpus, kind="goal")
    with pytest.raises(ParameterError, match="columns"):
        cn.target_outcomes(pd.DataFrame({"x": [1]}))
    with pytest.raises(ParameterError, match="year"):
        cn.promises(sample_corpus, year="2018")


def test_cli(sample_path, tmp_path, capsys):
    from cppcc_nlp.cli import main

    assert main(["indicators", str(sample_path), "--indicator", "提案", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "提案" in out and "163" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text("indicators:\n  - name: 甲\n", encoding="utf-8")
    assert main(["targets", str(sample_path), "--names", str(bad)]) == 2
    assert "line 2" in capsys.readouterr().err


# --- promises ------------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_promise_judgements_reproduce(national):
    """The 50 hand-judged pairs come out again, and the judged precision is what docs/indicators.md reports."""
    corpus, _ = national
    judged = pd.read_csv(DATA / "promise_judgements.csv")
    assert len(judged) == 50 and judged["correct"].isin([0, 1]).all()
    for year, group in judged.groupby("period"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            p = cn.promises(corpus, year=int(year)).set_index("sent_id")
        assert set(p["status"]) == {"reported", "not mentioned"}
        for r in group.itertuples():
            assert p.loc[r.plan_sent_id, "review_sent_id"] == r.review_sent_id
            assert p.loc[r.plan_sent_id, "score"] == pytest.approx(r.score, abs=1e-3)
            assert p.loc[r.plan_sent_id, "status"] == "reported"
    assert judged["correct"].mean() == pytest.approx(0.72)


def test_target_outcome_chart(national):
    import matplotlib

    matplotlib.use("Agg")
    from cppcc_nlp.output import plot

    chain = cn.target_outcomes(national[1])
    fig = plot.target_outcome_chart(chain, "国内生产总值增长")
    ax = fig.axes[0]
    assert len(ax.patches) >= 17  # one target band per year with a target (2003–2019)
    assert "国务院/national/全国" in ax.get_title()
    with pytest.raises(ParameterError, match="no rows for indicator"):
        plot.target_outcome_chart(chain, "不存在的指标")


def test_report_section_charts_the_indicators_with_most_paired_periods(national, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from cppcc_nlp.output import _sections

    ind = national[1]
    chain = cn.target_outcomes(ind)
    paired = chain[chain["target_low"].notna() & chain["outcome_value"].notna()]
    counts = paired.groupby(["series", "indicator"]).size().sort_values(ascending=False)
    eligible = counts[counts >= _sections.MIN_PAIRED_PERIODS]
    assert len(eligible) >= 3  # GDP growth, CPI, new urban jobs … in the national series
    every = _sections.indicator_section(ind, chain)
    assert len(every.figures) == len(eligible) and "Charts for the" not in every.text
    monkeypatch.setattr(_sections, "MAX_INDICATOR_CHARTS", 2)
    capped = _sections.indicator_section(ind, chain)
    assert list(capped.figures) == ["target_outcome_0", "target_outcome_1"]
    titles = [fig.axes[0].get_title() for fig in capped.figures.values()]
    assert all(name in " ".join(titles) for name in eligible.index.get_level_values("indicator")[:2])
    assert f"Charts for the 2 series and indicators with the most such periods, of {len(eligible)}" in capped.text
    for fig in [*every.figures.values(), *capped.figures.values()]:
        plt.close(fig)
