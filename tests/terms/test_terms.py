"""Term extraction: candidate rules on hand-made token tables (fast), then real reports (slow).

The hand-made tables have the columns of ``cppcc_nlp.tokens()`` and tokens as pkuseg cuts them; the slow tests
run the real pipeline on the bundled sample report and on ../shared/corpora/gwr-national.
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from cppcc_nlp.errors import EmptyCorpusError, InputError, ParameterError
from cppcc_nlp.terms.candidates import term_candidates
from cppcc_nlp.terms.counts import OCCURRENCE_COLUMNS, term_frequencies, term_occurrences
from cppcc_nlp.terms.ranking import TERM_COLUMNS, extract_terms, term_tfidf
from cppcc_nlp.tokens.table import as_token_table

from conftest import DATA

PUNCT = set("，。、；：？！“”（）《》——")
STOP = {"的", "了", "和", "在", "是", "我们", "等", "对"}


def make_table(docs, lexicon=()):
    """A token table from ``[(doc_id, year, [sentence, …]), …]``, each sentence a space-separated token string."""
    rows = []
    for doc_id, year, sentences in docs:
        for s, sentence in enumerate(sentences):
            para = f"{doc_id}/p{s:04d}"
            for i, tok in enumerate(sentence.split()):
                rows.append(
                    {
                        "doc_id": doc_id,
                        "para_id": para,
                        "section_id": f"{doc_id}/s00",
                        "year": year,
                        "period": year,
                        "part": "other",
                        "i": i,
                        "sent": 0,
                        "token": tok,
                        "start": 0,
                        "end": 0,
                        "is_punct": tok in PUNCT,
                        "is_stop": tok in STOP,
                        "is_num": bool(re.fullmatch(r"[0-9.%]+", tok)),
                        "in_lexicon": tok in lexicon,
                    }
                )
    return pd.DataFrame(rows)


# Sentences as pkuseg cuts them; 委员 工作站 and 社情 民意 信息 recur with varied neighbours.
REPORT_A = [
    "发挥 委员 工作站 作用 ， 形成 社情 民意 信息 318 期 。",
    "依托 委员 工作站 开展 活动 ， 报送 社情 民意 信息 ， 推进 高 质量 发展 。",
    "建好 委员 工作站 ， 用好 社情 民意 信息 ， 实现 高 质量 发展 。",
    "加强 委员 工作站 建设 ， 提高 社情 民意 信息 质量 ， 推动 高 质量 发展 。",
    "我们 的 工作 取得 了 新 进展 。",
]
REPORT_B = [
    "推进 供给 侧 结构性 改革 ， 深化 供给 侧 结构性 改革 ， 推动 高 质量 发展 。",
    "坚持 供给 侧 结构性 改革 ， 实现 高 质量 发展 ， 委员 工作站 覆盖 全县 。",
]


@pytest.fixture(scope="module")
def small():
    return make_table([("cppcc_2023", 2023, REPORT_A), ("cppcc_2024", 2024, REPORT_B)])


# --- candidates and ranking on hand-made tables (fast) ---------------------------------------------------------


def test_whole_terms_come_out_and_fragments_do_not(small):
    terms = extract_terms(small)
    assert list(terms.columns) == TERM_COLUMNS
    found = set(terms["term"])
    assert {"委员工作站", "社情民意信息", "高质量发展", "供给侧结构性改革"} <= found
    scores = dict(zip(terms["term"], terms["score"]))
    # 社情民意 never occurs without 信息; 供给侧结构性 never without 改革: fragments score 0
    assert scores.get("社情民意", 0.0) == 0.0
    assert scores.get("供给侧结构性", 0.0) == 0.0
    assert scores["社情民意信息"] > 0 and scores["供给侧结构性改革"] > 0
    row = terms.set_index("term").loc["委员工作站"]
    assert (row["freq"], row["doc_freq"], row["first_year"], row["last_year"]) == (5, 2, 2023, 2024)


def test_candidates_never_cross_punctuation_nor_start_or_end_with_function_words(small):
    cands = term_candidates(small, min_freq=1)
    for term in cands["term"]:
        assert "，" not in term and "。" not in term
    assert not any(t.startswith(("的", "我们", "加强", "推进", "推动")) for t in cands["term"])
    assert not any(t.endswith(("的", "了", "取得")) for t in cands["term"])
    # a number never sits at an edge (318期), and figures are not terms
    assert not any(re.search(r"\d", t) for t in cands["term"])
    # "工作站开展" crosses no punctuation but 开展 may not end a term
    assert "委员工作站开展" not in set(cands["term"])


def test_tokens_joined_into_the_term_string(small):
    cands = term_candidates(small)
    row = cands.set_index("term").loc["供给侧结构性改革"]
    assert row["tokens"] == ("供给", "侧", "结构性", "改革")
    assert (row["n_tokens"], row["n_chars"], row["freq"]) == (4, 8, 3)
    assert row["right_entropy"] == pytest.approx(1.584962, abs=1e-5)  # three boundary occurrences


def test_same_string_from_two_segmentations_is_one_term():
    table = make_table(
        [("d", 2020, ["建好 政协委员 队伍 。", "政协 委员 履职 。", "服务 政协委员 。", "联系 政协 委员 。"])]
    )
    terms = extract_terms(table)
    rows = terms[terms["term"] == "政协委员"]
    assert len(rows) == 1 and rows["freq"].iloc[0] == 4


def test_by_year_columns_sum_to_freq(small):
    terms = extract_terms(small, by_year=True)
    assert [c for c in terms.columns if isinstance(c, int)] == [2023, 2024]
    assert (terms[2023] + terms[2024] == terms["freq"]).all()
    row = terms.set_index("term").loc["高质量发展"]
    assert (row[2023], row[2024]) == (3, 2)


def test_top_and_rank_by(small):
    top = extract_terms(small, top=2)
    assert len(top) == 2 and top["score"].is_monotonic_decreasing
    by_freq = extract_terms(small, rank_by="freq")
    assert by_freq["freq"].is_monotonic_decreasing
    by_cvalue = extract_terms(small, rank_by="cvalue")
    assert by_cvalue["score"].tolist() == by_cvalue["cvalue"].tolist()


def test_tail_of_one_dominant_longer_term_is_discounted():
    # 设施 建设 follows 基础 in 4 of 5 uses: it is the tail of 基础设施建设, ranked by its one other use only
    table = make_table(
        [
            (
                "d",
                2024,
                [
                    "推进 基础 设施 建设 。",
                    "加快 基础 设施 建设 ， 扩大 投资 。",
                    "完善 基础 设施 建设 规划 。",
                    "支持 基础 设施 建设 项目 。",
                    "水利 设施 建设 ， 稳定 就业 。",
                ],
            )
        ]
    )
    cands = term_candidates(table).set_index("term")
    assert cands.loc["设施建设", "nested_share"] == pytest.approx(4 / 5)
    assert cands.loc["基础设施建设", "nested_share"] == 0.0
    terms = extract_terms(table).set_index("term")["score"]
    assert terms["基础设施建设"] > terms.get("设施建设", 0.0)
    # a right extension does not discount: a term used as a modifier (最低生活保障|制度) stays a term
    table = make_table(
        [
            (
                "d",
                2024,
                ["完善 最低 生活 保障 制度 。", "健全 最低 生活 保障 制度 ， 扩大 覆盖 。", "落实 最低 生活 保障 。"],
            )
        ]
    )
    assert term_candidates(table).set_index("term").loc["最低生活保障", "nested_share"] == 0.0


def test_words_the_corpus_never_ends_a_phrase_with_do_not_end_a_term():
    # 国际 is followed by a head in all of its 24 uses (建设 国际 经济 、 金融 … 中心): 建设国际 is cut before
    # its head; 国际经济 ends with a word that closes phrases and stays
    heads = ["经济", "金融", "航运", "贸易"]
    sentences = [f"建设 国际 {heads[k % 4]} 中心 。" for k in range(12)] + [
        f"国际 {heads[k % 4]} 合作 ， 推动 {heads[k % 4]} 。" for k in range(12)
    ]
    cands = term_candidates(make_table([("shanghai_2020", 2020, sentences)]), min_freq=2)
    assert not any(t.endswith("国际") for t in cands["term"])
    assert "国际经济" in set(cands["term"])
    # below BOUND_MIN_COUNT uses the corpus says too little and the rule stays silent
    few = term_candidates(make_table([("d", 2020, sentences[:6])]), min_freq=2)
    assert "建设国际" in set(few["term"])


def test_specificity_decides_between_equally_frequent_terms_of_one_report():
    # 委员 工作站 and 调查 研究 are said equally often with the same neighbours; in a single report general
    # language is the only contrast: the everyday words of 调查研究 put it below the CPPCC term
    sentences = []
    for verb in ("建好", "用好", "依托", "完善"):
        sentences += [f"{verb} 委员 工作站 ， 服务 群众 。", f"{verb} 调查 研究 ， 服务 群众 。"]
    one = make_table([("county_2024", 2024, sentences)])
    terms = extract_terms(one).set_index("term")
    assert terms.loc["委员工作站", "score"] > terms.loc["调查研究", "score"]
    assert terms.loc["委员工作站", "specificity"] >= 8.0 > terms.loc["调查研究", "specificity"]
    # the factor is clip(specificity / 8, 0, 1): 1 for 委员工作站, about 0.61 for 调查研究
    flat = extract_terms(one, specificity_scale=1e-9).set_index("term")["score"]
    factor = min(1.0, terms.loc["调查研究", "specificity"] / 8)
    assert terms.loc["调查研究", "score"] == pytest.approx(flat["调查研究"] * factor)
    assert terms.loc["委员工作站", "score"] == pytest.approx(flat["委员工作站"])
    # with 8 reports its weight is 1/8: the factor becomes factor ** (1/8)
    many = make_table([(f"county_{2017 + k}", 2017 + k, [sentences[k]]) for k in range(8)])
    spread = extract_terms(many).set_index("term")["score"]
    spread_flat = extract_terms(many, specificity_scale=1e-9).set_index("term")["score"]
    assert spread["调查研究"] == pytest.approx(spread_flat["调查研究"] * factor ** (1 / 8))


def test_specificity_column_and_ranking(small):
    terms = extract_terms(small).set_index("term")
    # built from words general text rarely uses, against a phrase of everyday words
    assert terms.loc["社情民意信息", "specificity"] > terms.loc["高质量发展", "specificity"]
    by_spec = extract_terms(small, rank_by="specificity")
    assert by_spec["score"].tolist() == by_spec["specificity"].tolist()


def _years_with_one_burst():
    # 12 years that each say 稳定 就业 岗位 (with varied neighbours); 2016 alone says 供给 侧 结构性 改革, four times
    verbs = ["推动", "实现", "坚持", "促进"]
    docs = []
    for k, year in enumerate(range(2010, 2022)):
        sents = [f"{verbs[(k + j) % 4]} 高 质量 发展 ， {verbs[j % 4]} 深化 改革 开放 。" for j in range(4)]
        sents += [f"{verbs[j % 4]} 民生 保障 ， 稳定 就业 岗位 。" for j in range(3)]
        if year == 2016:
            sents += [
                f"{v} 供给 侧 结构性 改革 ， {t} 。"
                for v, t in zip(verbs, ["去 产能", "降 成本", "补 短板", "去 杠杆"])
            ]
        docs.append((f"national_{year}", year, sents))
    return make_table(docs)


def test_a_term_of_one_year_has_its_burst_there_and_is_lifted():
    table = _years_with_one_burst()
    terms = extract_terms(table).set_index("term")
    row = terms.loc["供给侧结构性改革"]
    assert (row["peak_year"], row["year_rank"], row["first_year"], row["last_year"]) == (2016, 1, 2016, 2016)
    # G² of 4 uses in 2016 against none in the 11 other years
    assert row["burst"] > 10.83
    # terms every year says have no burst
    assert terms.loc["稳定就业岗位", "burst"] == 0 and pd.isna(terms.loc["稳定就业岗位", "peak_year"])
    # without the per-year view the score is the plain one; with it, at least position ceil(1 × 12 / 0.5) = 24
    # of the plain list, here past the end: the plain score stays
    plain = extract_terms(table, year_share=0).set_index("term")["score"]
    assert row["score"] >= plain["供给侧结构性改革"]
    lifted = extract_terms(table, year_share=12).set_index("term")["score"]  # position 1: the top score
    assert lifted["供给侧结构性改革"] == pytest.approx(plain.max())
    with pytest.raises(ParameterError, match="year_share"):
        extract_terms(table, year_share=-1)


def test_a_part_never_said_apart_from_its_whole_is_folded_into_it():
    # the lexicon entry 二十届历次全会 is always followed by 精神: the list keeps the whole only
    sents = [
        f"{v} 二十届历次全会 精神 ， {w} 工作 。"
        for v, w in [("学习", "推动"), ("贯彻", "做好"), ("落实", "改进"), ("领会", "加强")]
    ]
    table = make_table([("d", 2024, sents)], lexicon={"二十届历次全会"})
    cands = term_candidates(table).set_index("term")
    assert cands.loc["二十届历次全会", "enclosed_share"] == 1.0
    terms = set(extract_terms(table)["term"])
    assert "二十届历次全会精神" in terms and "二十届历次全会" not in terms
    # said once apart, it is a term of its own again
    apart = make_table([("d", 2024, sents + ["召开 二十届历次全会 。"])], lexicon={"二十届历次全会"})
    assert "二十届历次全会" in set(extract_terms(apart)["term"])


def test_lexicon_entries_kept_when_seen_once():
    table = make_table(
        [("d", 2024, ["形成 社情民意信息 318 期 。", "委员 工作站 建设 。", "委员 工作站 活动 。"])],
        lexicon={"社情民意信息"},
    )
    terms = extract_terms(table)
    assert "社情民意信息" in set(terms["term"])
    plain = make_table([("d", 2024, ["形成 社情民意信息 318 期 。", "委员 工作站 建设 。", "委员 工作站 活动 。"])])
    assert "社情民意信息" not in set(extract_terms(plain)["term"])


def test_exclude_genre_phrases():
    table = make_table([("d", 2024, ["各位代表 ： 人民群众 满意 。", "人民群众 支持 。", "各位代表 好 。"])])
    with pytest.warns(UserWarning, match="no term candidate"):
        assert "人民群众" not in set(extract_terms(table)["term"])
    assert "人民群众" in set(extract_terms(table, exclude=())["term"])


def test_term_frequencies_and_tfidf(small):
    freq = term_frequencies(small, ["高质量发展", "社情民意信息", "不存在的词"])
    assert list(freq.columns) == ["term", "year", "freq", "n_tokens", "n_chars", "per_10k_chars"]
    # the rate is per 10,000 characters of the year's text (tokens' characters, punctuation included)
    y23 = small[small.year == 2023]
    chars = int(y23.token.str.len().sum())
    row = freq[(freq.term == "高质量发展") & (freq.year == 2023)].iloc[0]
    assert row.n_chars == chars and row.per_10k_chars == pytest.approx(3 / chars * 10_000)
    got = {(t, y): f for t, y, f in zip(freq["term"], freq["year"], freq["freq"])}
    assert got[("高质量发展", 2023)] == 3 and got[("高质量发展", 2024)] == 2
    assert got[("社情民意信息", 2023)] == 4 and got[("社情民意信息", 2024)] == 0
    assert got[("不存在的词", 2023)] == 0
    view = term_tfidf(small, top=3)
    assert list(view.columns) == ["doc_id", "year", "rank", "term", "tf", "doc_freq", "tfidf"]
    first_b = view[view["doc_id"] == "cppcc_2024"].iloc[0]
    assert first_b["term"] == "供给侧结构性改革" and first_b["doc_freq"] == 1


def test_term_occurrences_carry_docvars(small):
    occ = term_occurrences(small, ["社情民意信息", "供给侧结构性改革", "不存在的词"])
    assert list(occ.columns) == OCCURRENCE_COLUMNS
    assert occ.groupby(["term", "year"]).size().to_dict() == {("供给侧结构性改革", 2024): 3, ("社情民意信息", 2023): 4}
    assert set(occ["section_id"]) == {"cppcc_2023/s00", "cppcc_2024/s00"}
    assert occ.loc[occ["term"] == "供给侧结构性改革", "para_id"].tolist() == ["cppcc_2024/p0000"] * 2 + [
        "cppcc_2024/p0001"
    ]
    # only whole tokens: 民意信息 is inside 社情民意信息 but 信息 alone is not asked for
    assert term_occurrences(small, "民意信息")["term"].tolist() == ["民意信息"] * 4
    assert len(term_occurrences(small, "意信")) == 0
    top = term_occurrences(small, top=2)
    assert set(top["term"]) == set(extract_terms(small, top=2)["term"])
    with pytest.raises(ParameterError, match="empty"):
        term_occurrences(small, [""])


# --- bad input ---------------------------------------------------------------------------------------------------


def test_empty_and_malformed_input():
    with pytest.raises(EmptyCorpusError, match="empty"):
        extract_terms(
            make_table([]).reindex(
                columns=["doc_id", "para_id", "sent", "token", "is_punct", "is_stop", "is_num", "year"]
            )
        )
    with pytest.raises(InputError, match="lacks the column"):
        extract_terms(pd.DataFrame({"token": ["改革"]}))
    with pytest.raises(InputError, match="expected a Corpus"):
        extract_terms(["改革"])


def test_single_short_report():
    # two sentences: the term said twice is found, with its year; said once, nothing is (and a warning says why)
    twice = make_table([("county_2024", 2024, ["建好 委员 工作站 。", "用好 委员 工作站 ， 服务 群众 。"])])
    terms = extract_terms(twice)
    assert terms["term"].tolist() == ["委员工作站"]
    assert (terms["freq"].iloc[0], terms["doc_freq"].iloc[0], terms["first_year"].iloc[0]) == (2, 1, 2024)
    once = make_table([("county_2024", 2024, ["建好 委员 工作站 。"])])
    with pytest.warns(UserWarning, match="lower min_freq"):
        assert extract_terms(once).empty
    # with min_freq=1 the longest run wins (C-value gives its parts nothing); boundaries seen once are not judged
    assert any("委员工作站" in t for t in extract_terms(once, min_freq=1)["term"])


def test_all_stopword_text_gives_empty_result_with_columns():
    table = make_table([("d", 2024, ["我们 的 了 和 。", "我们 的 了 和 。", "123 ， 456 。"])])
    with pytest.warns(UserWarning, match="no term candidate"):
        terms = extract_terms(table)
    assert terms.empty and list(terms.columns) == TERM_COLUMNS


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"top": 0}, "top"),
        ({"max_len": 0}, "max_len"),
        ({"min_freq": -1}, "min_freq"),
        ({"rank_by": "magic"}, "rank_by"),
        ({"pmi_scale": 0}, "pmi_scale"),
        ({"entropy_floor": -1}, "entropy_floor"),
        ({"min_chars": 5, "max_chars": 3}, "max_chars"),
        ({"specificity_scale": 0}, "specificity_scale"),
    ],
)
def test_bad_parameters(small, kwargs, word):
    with pytest.raises(ParameterError, match=word):
        extract_terms(small, **kwargs)


def test_token_table_accepts_a_corpus_without_documents():
    class EmptyCorpus:
        documents = pd.DataFrame()
        docs = []

        def __len__(self):
            return 0

    with pytest.raises(EmptyCorpusError, match="no documents"):
        as_token_table(EmptyCorpus())


# --- real reports (pkuseg model; slow) ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_terms(sample_corpus):
    return extract_terms(sample_corpus)


@pytest.mark.slow
def test_sample_top30_holds_the_cppcc_vocabulary(sample_terms):
    top30 = sample_terms["term"].head(30).tolist()
    assert "政协委员" in top30
    assert any("委员工作站" in t for t in top30)
    assert "全面振兴新突破三年行动" in top30
    # 社情民意信息 occurs once in this report (形成社情民意信息318期); the general-language specificity factor
    # (its words are rare in general text) lifts it into the top 30 (measured rank 27), above general phrases
    assert "社情民意信息" in top30


# fragments observed in development runs on the sample report (before the edge rules): each starts or ends
# inside a word or a clause
SAMPLE_FORBIDDEN = [
    "振兴新突破三年行动",
    "突破三年行动",
    "全面振兴新突破",
    "政协委员积极",
    "政协委员积极参与",
    "委员工作站作用",
    "发挥政协党组",
    "持续打造",
    "夺取全面振兴新突破三年行动",
    "全面贯彻落实党的二十大精神",
    "习近平总书记关于东北",
    "赋能乡村振兴的建议",
    "篇调研报告",
    "政协工作取得",
    "社情民意",
]


@pytest.mark.slow
def test_sample_occurrences_quote_the_text(sample_corpus):
    occ = term_occurrences(sample_corpus, ["委员工作站", "政协委员", "全面振兴新突破三年行动"])
    doc = sample_corpus.docs[0]
    assert len(occ) >= 15
    assert all(doc.text[s:e] == t for s, e, t in zip(occ["start"], occ["end"], occ["term"]))
    # the plan section speaks about 2025, the review about 2024
    assert set(occ["period"].dropna()) == {2024, 2025}
    assert set(occ["part"]) >= {"review", "plan"}


@pytest.mark.slow
def test_sample_top30_has_no_fragment(sample_terms):
    top30 = sample_terms["term"].head(30).tolist()
    assert not [t for t in top30 if t in SAMPLE_FORBIDDEN]
    for term in top30:
        assert not term.startswith(("的", "和", "在", "对", "把", "加强", "推进", "发挥", "持续")), term
        assert not term.endswith(("的", "和", "取得", "参与", "作用")), term


@pytest.mark.slow
def test_cli_terms_json(sample_path, capsys):
    from cppcc_nlp.cli import main

    assert main(["terms", str(sample_path), "--top", "5", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 5 and "政协委员" in [r["term"] for r in rows]
    assert all(r["freq"] >= 2 for r in rows) and rows[0]["score"] >= rows[-1]["score"]
    assert main(["terms", str(sample_path), "--occurrences", "委员工作站", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ",".join(OCCURRENCE_COLUMNS) and len(lines) >= 3 and lines[1].endswith(",委员工作站")
    assert main(["terms", str(sample_path), "--top", "0"]) == 2
    assert "Error: --top 0" in capsys.readouterr().err


# --- gwr-national: recall@200, precision@50, baselines (shared corpus; slow) -----------------------------------


@pytest.fixture(scope="module")
def national_tokens(shared_dir, tmp_path_factory):
    import cppcc_nlp as cn

    corpus = cn.Corpus.from_path(shared_dir / "gwr-national", strict=True)
    cache = tmp_path_factory.getbasetemp() / "terms_token_cache"
    return corpus, cn.tokens(corpus, cache_dir=cache)


def test_the_per_year_sizes_of_the_folded_table_are_those_of_fold_variants(national_tokens):
    """folded_group_sizes (the per-year table of the main job) gives group_sizes and group_chars of the folded
    table without building it, on the national reports: folds into one token (大众创业、万众创新 →
    大众创业万众创新) and commas dropped alone."""
    from cppcc_nlp.terms.counts import folded_group_sizes, group_chars, group_sizes
    from cppcc_nlp.terms.variants import fold_plan, fold_variants

    table = national_tokens[1]
    drop, merged = fold_plan(table)[:2]
    assert len(merged) > 0 and drop.sum() > 2 * len(merged)  # both kinds of fold happen
    folded = fold_variants(table)
    assert len(folded) == len(table) - drop.sum()
    for by in ("year", "period", "doc_id"):
        sizes, chars = folded_group_sizes(table, by)
        pd.testing.assert_series_equal(sizes, group_sizes(folded, by))
        pd.testing.assert_series_equal(chars, group_chars(folded, by))
        assert (chars <= group_chars(table, by)).all()  # the dropped commas' characters


@pytest.fixture(scope="module")
def national_terms(national_tokens):
    return extract_terms(national_tokens[1])


@pytest.fixture(scope="module")
def expected_terms():
    return pd.read_csv(DATA / "terms_gwr_national_expected.csv")


def recall_at(ranking, expected, k=200):
    """Share of expected terms found in the first k, whole or inside a longer whole form (科教兴国战略)."""
    top = list(ranking)[:k]
    return sum(any(e in t for t in top) for e in expected) / len(expected)


@pytest.mark.slow
def test_expected_terms_fixture_is_sound(expected_terms, shared_dir):
    assert len(expected_terms) == 60 and expected_terms["term"].is_unique
    text = "".join(p.read_text(encoding="utf-8") for p in sorted((shared_dir / "gwr-national").glob("*.txt")))
    for term, freq in zip(expected_terms["term"], expected_terms["freq"]):
        assert text.count(term) == freq >= 5, term


@pytest.mark.slow
def test_national_recall_at_200_beats_jieba_baselines(national_terms, national_tokens, expected_terms):
    import logging

    import jieba
    import jieba.analyse

    from cppcc_nlp.resources.lexicon import load_lexicon

    jieba.setLogLevel(logging.WARNING)
    corpus = national_tokens[0]
    text = "\n".join(doc.text for doc in corpus.docs)
    ours = recall_at(national_terms["term"], expected_terms["term"])
    tfidf_kw = recall_at(jieba.analyse.extract_tags(text, topK=200), expected_terms["term"])
    textrank_kw = recall_at(jieba.analyse.textrank(text, topK=200), expected_terms["term"])
    # measured 0.850 with the bundled lexicon (docs/terms.md), exactly the aim and no margin, so the guard
    # leaves room for lexicon edits (1 term = 0.017); the expected terms that are no lexicon entry: 0.632
    assert ours >= 0.8, ours
    lexicon = set(load_lexicon().entries)
    outside = [e for e in expected_terms["term"] if e not in lexicon]
    # 15 since the lexicon grew to 661 entries; measured 10 of 15 (0.667), the guard one term lower
    assert len(outside) == 15 and recall_at(national_terms["term"], outside) >= 0.6
    assert ours > tfidf_kw + 0.5 and ours > textrank_kw + 0.5


@pytest.mark.slow
def test_national_precision_at_50_by_hand_judgement(national_terms):
    judged = pd.read_csv(DATA / "terms_gwr_national_judged.csv").set_index("term")["is_term"]
    top50 = national_terms["term"].head(50).tolist()
    unjudged = [t for t in top50 if t not in judged.index]
    assert not unjudged, f"judge these in tests/data/terms_gwr_national_judged.csv: {unjudged}"
    precision = sum(judged[t] for t in top50) / 50
    assert precision >= 0.9, precision


@pytest.mark.slow
def test_national_top50_has_no_dominated_fragment(national_terms):
    # 经济社会 (inside 经济社会发展 173 of 211 times) and 设施建设 (inside 基础设施建设) topped the ranking before
    top50 = national_terms["term"].head(50).tolist()
    assert "经济社会" not in top50 and "设施建设" not in top50
    assert "经济社会发展" in top50 and any("基础设施" in t for t in top50)


@pytest.mark.slow
def test_national_terms_carry_years(national_terms):
    row = national_terms.set_index("term").loc["供给侧结构性改革"]
    assert (row["first_year"], row["last_year"]) == (2016, 2019)
    assert row["doc_freq"] == 4


@pytest.mark.slow
def test_a_term_of_one_year_ranks_in_the_top_300_by_its_keyness_that_year(national_terms, national_tokens):
    # 抗击非典 is said in the 2004 report only (3 times): over the 20 years its C-value is small and the plain
    # score puts it near rank 1800; its keyness in 2004 against the other years is high (G² 18.6, the 2nd
    # highest of the year), and the per-year view lifts the 2nd of a year to position 2 × 20 / 0.2 = 200
    ranked = national_terms.reset_index(drop=True)
    row = ranked.set_index("term").loc["抗击非典"]
    assert (row["first_year"], row["last_year"], row["peak_year"]) == (2004, 2004, 2004)
    assert row["burst"] > 15 and row["year_rank"] <= 2
    assert ranked.index[ranked["term"] == "抗击非典"][0] < 300
    plain = extract_terms(national_tokens[1], year_share=0).reset_index(drop=True)
    assert plain.index[plain["term"] == "抗击非典"][0] > 1000


# --- second level: Shanghai 2020–2024 and the 31 provincial reports of 2025 (shared corpora; slow) --------------


def _fixture_recall(tokens, fixture):
    from cppcc_nlp.resources.lexicon import load_lexicon

    expected = pd.read_csv(DATA / fixture)
    lexicon = set(load_lexicon().entries)
    # the in_lexicon column is the current lexicon's
    assert expected["in_lexicon"].tolist() == [int(t in lexicon) for t in expected["term"]]
    ranking = extract_terms(tokens)["term"]
    outside = expected.loc[expected["in_lexicon"] == 0, "term"]
    return recall_at(ranking, expected["term"]), recall_at(ranking, outside), len(outside)


@pytest.mark.slow
def test_shanghai_recall_at_200(shared_dir):
    import cppcc_nlp as cn

    corpus = cn.Corpus.from_path(shared_dir / "gwr-shanghai", strict=True)
    tokens = cn.tokens(corpus)
    assert sorted(tokens["year"].unique()) == [2020, 2021, 2022, 2023, 2024]
    recall, outside, n_outside = _fixture_recall(tokens, "terms_shanghai_expected.csv")
    # measured 25/60 (0.417) and 17/50 outside the lexicon (0.340), 22/60 and 14/50 before numbered shorthands
    # were joined (terms/shorthands.py: 五个中心, 四大功能, 两旧一村); the guards are one term lower.  The misses
    # left are one-report programmes and names ranked below 200
    assert n_outside == 50
    assert recall >= 24 / 60 - 1e-9, recall
    assert outside >= 16 / 50 - 1e-9, outside


@pytest.mark.slow
def test_provincial_2025_recall_at_200():
    import cppcc_nlp as cn

    folder = DATA.parents[2] / "shared" / "corpora-extra" / "gwr-provincial-2025-docx"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent")
    corpus = cn.Corpus.from_path(folder)
    assert len(corpus) == 31
    recall, outside, n_outside = _fixture_recall(cn.tokens(corpus), "terms_provincial2025_expected.csv")
    # measured 18/60 (0.300) and 2/29 outside the lexicon (0.069), before the year-based idf 15/60 (0.250);
    # the guards are one term lower
    assert n_outside == 29
    assert recall >= 17 / 60 - 1e-9, recall
    assert outside >= 1 / 29 - 1e-9, outside
