"""Keyness: G² and Log Ratio of terms, target vs reference, checked by hand on small tables, then 2016 vs
2000–2015 on the government work reports (slow)."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from scipy.stats import chi2_contingency

from cppcc_nlp.errors import ParameterError
from cppcc_nlp.terms.keyness import KEYNESS_COLUMNS, keyness, new_terms

from test_terms import make_table

Y2014 = ["推进 宏观 调控 ， 完善 宏观 调控 。", "加强 宏观 调控 ， 扩大 内需 。", "扩大 内需 ， 保持 稳定 。"]
Y2015 = ["创新 宏观 调控 ， 扩大 内需 。", "宏观 调控 有力 ， 扩大 内需 见效 。"]
Y2016 = [
    "推进 供给 侧 结构性 改革 ， 深化 供给 侧 结构性 改革 。",
    "坚持 供给 侧 结构性 改革 ， 宏观 调控 有效 。",
    "落实 供给 侧 结构性 改革 ， 稳定 发展 。",
]


@pytest.fixture(scope="module")
def years():
    return make_table([("national_2014", 2014, Y2014), ("national_2015", 2015, Y2015), ("national_2016", 2016, Y2016)])


def test_keyness_counts_and_g2_match_scipy(years):
    k = keyness(years, target=2016)
    assert list(k.columns) == KEYNESS_COLUMNS
    row = k.set_index("term").loc["供给侧结构性改革"]
    assert (row["target_freq"], row["reference_freq"]) == (4, 0)
    assert row["is_new"] and row["direction"] == "over"
    words = ~years["is_punct"]
    size_t = int((words & (years["year"] == 2016)).sum())
    size_r = int((words & (years["year"] < 2016)).sum())
    stat = chi2_contingency([[4, 0], [size_t - 4, size_r]], correction=False, lambda_="log-likelihood")[0]
    assert row["g2"] == pytest.approx(stat)
    assert row["log_ratio"] == pytest.approx(math.log2((4.5 / size_t) / (0.5 / size_r)))
    assert k.attrs["target_size"] == size_t and k.attrs["reference_size"] == size_r
    # 宏观调控: 5 times before, once in 2016: under-represented, signed negative
    macro = k.set_index("term").loc["宏观调控"]
    assert (macro["target_freq"], macro["reference_freq"]) == (1, 5)
    assert macro["g2"] < 0 and macro["direction"] == "under" and not macro["is_new"]
    assert k["g2"].is_monotonic_decreasing
    assert k["term"].iloc[0] == "供给侧结构性改革"
    assert (k["target"].iloc[0], k["reference"].iloc[0]) == ("year 2016", "year 2014–2015")


def test_package_attribute_calls_keyness_after_the_module_is_imported(years):
    import cppcc_nlp as cn
    import cppcc_nlp.terms.keyness  # noqa: F401  (binds the module on its room, not on cppcc_nlp)

    assert cn.keyness(years, target=2016)["term"].iloc[0] == "供给侧结构性改革"


def test_new_terms_listed_apart(years):
    new = new_terms(years, target=2016)
    assert new["term"].tolist() == ["供给侧结构性改革"]
    assert new_terms(years, target=2015).empty


def test_reference_and_target_lists_and_strings(years):
    k = keyness(years, target="2016", reference=[2014])
    row = k.set_index("term").loc["宏观调控"]
    assert (row["target_freq"], row["reference_freq"]) == (1, 3)
    k2 = keyness(years, target=[2015, 2016], reference=2014)
    assert k2.set_index("term").loc["扩大内需", "target_freq"] == 2
    by_doc = keyness(years, target="national_2016", by="doc_id")
    assert by_doc["reference"].iloc[0] == "every other doc_id"
    top = keyness(years, target=2016, top=1)
    assert len(top) == 2 and top["g2"].iloc[0] > 0 > top["g2"].iloc[-1]


def test_keyness_by_period_with_missing_periods(years):
    table = years.copy()
    table["period"] = table["year"].astype("Int64")
    table.loc[table["doc_id"] == "national_2014", "period"] = pd.NA
    k = keyness(table, target=2016, by="period")
    row = k.set_index("term").loc["宏观调控"]
    assert (row["target_freq"], row["reference_freq"]) == (1, 2)  # only the 2015 report is a reference
    assert k["reference"].iloc[0] == "period 2015"


def test_bad_targets_raise_parameter_error(years):
    with pytest.raises(ParameterError, match=r"target year=2030 is not in the corpus; its year values are 2014, 2015"):
        keyness(years, target=2030)
    with pytest.raises(ParameterError, match="no reference"):
        keyness(years, target=2014)
    with pytest.raises(ParameterError, match="both target and reference"):
        keyness(years, target=2016, reference=[2015, 2016])
    with pytest.raises(ParameterError, match="reference year=1999"):
        keyness(years, target=2016, reference=1999)
    with pytest.raises(ParameterError, match="not a column"):
        keyness(years, target=2016, by="province")
    with pytest.raises(ParameterError, match="not a number"):
        keyness(years, target="last year")
    with pytest.raises(ParameterError, match="top"):
        keyness(years, target=2016, top=0)


def test_all_stopword_target_gives_no_rows():
    table = make_table([("a", 2014, ["宏观 调控 。", "宏观 调控 。"]), ("b", 2015, ["我们 的 了 。"])])
    with pytest.warns(UserWarning):
        k = keyness(table, target=2015)
    assert k.empty or (k["target_freq"] == 0).all()


# --- 2016 against 2000–2015 on the government work reports (slow) ----------------------------------------------


@pytest.fixture(scope="module")
def national_until_2016(shared_dir, tmp_path_factory):
    import cppcc_nlp as cn

    corpus = cn.Corpus.from_path(shared_dir / "gwr-national", strict=True).subset(year=list(range(2000, 2017)))
    table = cn.tokens(corpus, cache_dir=tmp_path_factory.getbasetemp() / "terms_token_cache")
    return keyness(table, target=2016)


@pytest.mark.slow
def test_2016_keyness_puts_supply_side_reform_on_top(national_until_2016):
    k = national_until_2016
    top10 = k["term"].head(10).tolist()
    assert top10[0] == "供给侧结构性改革"
    row = k.set_index("term").loc["供给侧结构性改革"]
    assert row["is_new"] and row["reference_freq"] == 0 and row["target_freq"] >= 5 and row["p"] < 1e-5
    # other terms first used in 2016 (absent from 2000–2015), among the 30 most over-represented
    new_top = k[k["is_new"]].head(30)["term"].tolist()
    assert {"供给侧结构性改革", "去产能"} <= set(new_top) or {"供给侧结构性改革", "三严三实"} <= set(new_top)
    # the 2015 newcomers that 2016 keeps using (一带一路, 大众创业) are over-represented but not new
    assert not k.set_index("term").loc["一带一路", "is_new"]
    assert k.set_index("term").loc["一带一路", "g2"] > 10


@pytest.mark.slow
def test_cli_keyness(shared_dir, capsys):
    from cppcc_nlp.cli import main

    national = shared_dir / "gwr-national"
    paths = [str(national / f"national_{y}.txt") for y in (2014, 2015, 2016)]
    assert main(["keyness", *paths, "--target", "2016", "--top", "3", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["term"] == "供给侧结构性改革" and rows[0]["is_new"] is True
    assert main(["keyness", *paths, "--target", "2031"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: target year=2031 is not in the corpus")


@pytest.fixture(scope="module")
def shared_tokens(shared_dir):
    import cppcc_nlp as cn

    return cn.tokens(cn.Corpus.from_path(shared_dir))


@pytest.mark.slow
def test_keyness_compares_within_the_series_by_default(shared_tokens):
    county_words = {"阜新蒙古族自治县", "县政协", "全市生产总值", "中共上海市委"}
    k = keyness(shared_tokens, target=2019, top=20)
    assert k["target"].iloc[0] == "year 2019 (国务院/national/全国)" and k["reference"].iloc[0] == "year 2000–2018"
    assert not county_words & set(k.loc[k.g2 > 0, "term"])
    # a national year against everything after it, mixed: Shanghai's and the county's own words lead
    with pytest.warns(UserWarning, match="mixes 3 series"):
        mixed = keyness(shared_tokens, target=2024, series=None, top=20)
    assert "阜新蒙古族自治县" in set(mixed.loc[mixed.g2 > 0, "term"])
    # 2024 holds two series: the default refuses to guess
    with pytest.raises(ParameterError, match="several series"):
        keyness(shared_tokens, target=2024)
    # the county report has no earlier report in its series
    with pytest.raises(ParameterError, match="no reference"):
        keyness(shared_tokens, target=2024, series="政协常委会/county/阜新蒙古族自治县")


@pytest.mark.slow
def test_keyness_targets_ranges_series_and_filters(shared_tokens):
    ranged = keyness(shared_tokens, target=2019, reference=(2014, 2018), top=5)
    assert ranged["reference"].iloc[0] == "year 2014–2018"
    from cppcc_nlp.terms.variants import fold_variants

    # words of 2014–2018, with the variants folded over target and reference together (2019 writes the
    # one-token form 大众创业万众创新, so 大众创业、万众创新 of 2015–2018 becomes one word)
    both = fold_variants(
        shared_tokens[shared_tokens.year.between(2014, 2019) & (shared_tokens.series == "国务院/national/全国")]
    )
    assert ranged.attrs["reference_size"] == int((~both.is_punct & (both.year <= 2018)).sum())
    assert keyness(shared_tokens, target=2019, reference="2014-2018", top=5).equals(ranged)
    by_series = keyness(
        shared_tokens, target="上海市人民政府/provincial/上海市", reference="国务院/national/全国", top=20
    )
    assert "全市生产总值" in set(by_series.loc[by_series.g2 > 0, "term"]) or "全市" in " ".join(
        by_series.loc[by_series.g2 > 0, "term"]
    )
    level = keyness(shared_tokens, target="provincial", reference="national", by="level", series=None, top=5)
    assert level["target"].iloc[0] == "level provincial"
    filt = keyness(shared_tokens, target={"level": "national", "year": 2019}, reference={"year": (2016, 2018)}, top=5)
    assert filt.attrs["target_size"] == ranged.attrs["target_size"]
    with pytest.raises(ParameterError, match="did you mean 'national'"):
        keyness(shared_tokens, target="nationl", by="level")


@pytest.mark.slow
def test_variants_fold_to_one_term(shared_tokens):
    # 大众创业、万众创新 every year 2015–2018, 大众创业万众创新 in 2019: the same formulation, not new in 2019
    new = new_terms(shared_tokens, target=2019)
    assert "大众创业万众创新" not in set(new["term"])
    k = keyness(shared_tokens, target=2019, reference=(2015, 2018)).set_index("term")
    national = shared_tokens[shared_tokens.series == "国务院/national/全国"]
    text_2015_2018 = national[national.year.between(2015, 2018)]
    commas = int(
        (
            (text_2015_2018.token.shift(1) == "大众创业")
            & (text_2015_2018.token == "、")
            & (text_2015_2018.token.shift(-1) == "万众创新")
        ).sum()
    )
    assert commas >= 5 and k.loc["大众创业万众创新", "reference_freq"] == commas
