"""The token pipeline on real reports: whole lexicon tokens, offsets, cache, filters, bad input.

Everything here needs the pkuseg model, so it is all marked slow; the pipeline and the token tables are built
once per module.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import cppcc_nlp as cn

# the modules (cppcc_nlp.tokens is the function)
from cppcc_nlp._cache import CacheWarning
from cppcc_nlp.errors import InputError, LexiconError, ModelError, ParameterError
from cppcc_nlp.resources.lexicon import load_lexicon
from cppcc_nlp.tokens._token_cache import text_hash
from cppcc_nlp.tokens.components import MERGE_COMPONENT, LexiconMerger, register_components
from cppcc_nlp.tokens.pipeline import default_model_dir
from cppcc_nlp.tokens.table import TOKEN_COLUMNS, token_lists

from conftest import DATA, SAMPLE

tokens_module = importlib.import_module("cppcc_nlp.tokens.pipeline")
table_module = importlib.import_module("cppcc_nlp.tokens.table")

pytestmark = pytest.mark.slow

WHOLE = ["两个确立", "四个意识", "全过程人民民主", "专门协商机构", "习近平新时代中国特色社会主义思想"]
OPEN_Q, CLOSE_Q = "“‘「『\"'《", "”’」』\"'》"


@pytest.fixture(scope="module")
def pipe():
    return cn.nlp()


@pytest.fixture(scope="module")
def cache_root(tmp_path_factory):
    return tmp_path_factory.mktemp("token-cache")


@pytest.fixture(scope="module")
def sample_tokens(pipe, sample_corpus, cache_root):
    return cn.tokens(sample_corpus, nlp=pipe, cache_dir=cache_root)


@pytest.fixture(scope="module")
def shared_tokens(pipe, shared_corpus, tmp_path_factory):
    return cn.tokens(shared_corpus, nlp=pipe, cache_dir=tmp_path_factory.mktemp("shared-cache"))


def counting(monkeypatch, pipe):
    """Count calls of the pkuseg segmenter behind ``pipe``."""
    seg = pipe.tokenizer.pkuseg_seg
    calls = []
    original = seg.cut

    def cut(text):
        calls.append(text)
        return original(text)

    monkeypatch.setattr(seg, "cut", cut)
    return calls


def lexicon_violations(text: str, table: pd.DataFrame, lex) -> tuple[list, set]:
    """Occurrences of lexicon entries in ``text`` that are not one token, and the entries found whole.

    Computed independently of the merge component: every occurrence of every entry (str.find) must be a token
    of its own, unless a lexicon token overlapping it won (one that starts earlier, or at the same place and is
    longer: leftmost, longest), or the entry is quoted-only and stands outside quotes, or the occurrence lies
    inside one of its exclusion strings.
    """
    spans = set(zip(table["start"], table["end"]))
    lex_tokens = table.loc[table["in_lexicon"], ["start", "end"]].to_numpy().tolist()
    bad, whole = [], set()
    for entry in lex.entries:
        at = text.find(entry)
        while at >= 0:
            end = at + len(entry)
            if entry in lex.quoted_only and not (
                at > 0 and text[at - 1] in OPEN_Q and end < len(text) and text[end] in CLOSE_Q
            ):
                pass
            elif (at, end) in spans:
                whole.add(entry)
            elif any(text.find(x, max(0, at - len(x)), end + len(x)) >= 0 for x in lex.exclude.get(entry, ())):
                pass
            else:
                rivals = [(s, e) for s, e in lex_tokens if s < end and at < e]
                if not any(s < at or (s == at and e > end) for s, e in rivals):
                    bad.append((entry, at, text[max(0, at - 5) : end + 5]))
            at = text.find(entry, at + 1)
    return bad, whole


# ---------------------------------------------------------------------------------------------------------
# the pipeline


def test_pipeline_is_pkuseg_with_the_merge_component(pipe):
    assert pipe.lang == "zh" and pipe.tokenizer.segmenter == "pkuseg"
    assert pipe.pipe_names == [MERGE_COMPONENT]
    meta = pipe.meta["cppcc_nlp"]
    assert meta["lexicon_version"] == load_lexicon().version
    assert Path(meta["pkuseg_model"]) == default_model_dir().resolve()
    assert cn.nlp() is pipe  # cached per arguments


def test_formulations_whole_where_raw_pkuseg_splits_them(pipe):
    text = "做到坚决拥护“两个确立”，自觉增强“四个意识”，发展全过程人民民主，发挥专门协商机构作用"
    raw = pipe.tokenizer.pkuseg_seg.cut  # has the user dictionary; compare with a plain segmenter below
    doc = pipe(text)
    assert [t.text for t in doc] == [
        "做到",
        "坚决",
        "拥护",
        "“",
        "两个确立",
        "”",
        "，",
        "自觉",
        "增强",
        "“",
        "四个意识",
        "”",
        "，",
        "发展",
        "全过程人民民主",
        "，",
        "发挥",
        "专门协商机构",
        "作用",
    ]
    assert [t.text for t in doc if t._.in_lexicon] == ["两个确立", "四个意识", "全过程人民民主", "专门协商机构"]
    plain = tokens_module._copy_segmenter(tokens_module._SEGMENTERS[str(default_model_dir().resolve())])
    assert plain.cut("拥护两个确立") == ["拥护", "两", "个", "确立"]  # what the lexicon repairs
    assert raw("拥护两个确立") == ["拥护", "两个确立"]


def test_merge_component_splits_and_merges_across_any_tokenizer():
    import spacy

    nlp = spacy.blank("zh")  # character segmenter: every entry spans several tokens
    register_components()
    merger = nlp.add_pipe(MERGE_COMPONENT)
    merger.set_entries(
        ["政协委员", "委员工作站", "协商", "十五", "新发展理念"],
        "v-test",
        quoted_only=["十五"],
        exclude={"新发展理念": ["创新发展理念"]},
    )
    doc = nlp("县政协委员工作站开展“十五”协商，十五届，贯彻新发展理念和创新发展理念")
    words = [t.text for t in doc]
    # leftmost wins over a later overlapping entry (政协委员 vs 委员工作站), quoted-only only inside quotes,
    # nothing inside an exclusion string
    assert "政协委员" in words and "委员工作站" not in words
    assert words.count("十五") == 1 and doc[words.index("十五") - 1].text == "“"
    assert words.count("新发展理念") == 1 and "创" in words
    assert doc._.lexicon_version == "v-test"
    assert [t.text for t in doc if t._.in_lexicon] == ["政协委员", "十五", "协商", "新发展理念"]
    # longest at the same start wins
    merger.set_entries(["全过程", "全过程人民民主"])
    assert [t.text for t in nlp("发展全过程人民民主")][-1] == "全过程人民民主"


def test_merge_component_splits_a_token_straddling_an_entry(pipe):
    # pkuseg gives 审议县 / 政协; a user entry 县政协 must cut 审议县 and merge 县 + 政协
    merger = LexiconMerger(entries=["县政协"])
    doc = pipe.make_doc("审议县政协年度协商工作计划")
    assert [t.text for t in doc][:2] == ["审议县", "政协"]
    doc = merger(doc)
    assert [t.text for t in doc][:3] == ["审议", "县政协", "年度"]
    assert doc[1]._.in_lexicon and doc.text == "审议县政协年度协商工作计划"


def test_merge_component_round_trips_to_disk(tmp_path):
    a = LexiconMerger(entries=["十五", "新发展理念"])
    a.set_entries(a.entries, "v1", quoted_only=["十五"], exclude={"新发展理念": ["创新发展理念"]})
    a.to_disk(tmp_path / "m")
    b = LexiconMerger().from_disk(tmp_path / "m")
    assert (b.entries, b.version, b.quoted_only, b.exclude) == (a.entries, a.version, a.quoted_only, a.exclude)
    text = "“十五”计划，十五届，创新发展理念，新发展理念"
    assert b.find(text) == a.find(text) == [(1, 3), (18, 23)]


def test_user_lexicon_shares_the_loaded_model(pipe, tmp_path):
    f = tmp_path / "mine.txt"
    f.write_text("两市四区\n", encoding="utf-8")
    mine = cn.nlp(lexicon=[f])
    assert mine is not pipe and mine.meta["cppcc_nlp"]["lexicon_version"] != pipe.meta["cppcc_nlp"]["lexicon_version"]
    assert mine.tokenizer.pkuseg_seg.model is pipe.tokenizer.pkuseg_seg.model  # ~1 GB loaded once
    assert "两市四区" in [t.text for t in mine("打造两市四区")]
    assert "两市四区" not in [t.text for t in pipe("打造两市四区")]  # the default pipeline is untouched


# ---------------------------------------------------------------------------------------------------------
# the token table on the sample report


def test_token_table_columns_and_docvars(sample_tokens, sample_corpus):
    t = sample_tokens
    assert list(t.columns) == TOKEN_COLUMNS
    paras = sample_corpus.paragraphs
    assert set(t["para_id"]) == set(paras.loc[paras["text"].str.strip() != "", "para_id"])
    merged = t.merge(paras[["para_id", "section_id", "year", "period", "part"]], on="para_id", suffixes=("", "_p"))
    for col in ("section_id", "year", "period", "part"):
        assert (merged[col] == merged[f"{col}_p"]).all(), col
    assert set(t["year"]) == {2024} and set(t["period"].dropna()) == {2024, 2025}
    # i counts tokens within each paragraph, in text order
    assert (t.groupby("para_id")["i"].apply(lambda s: list(s) == list(range(len(s))))).all()
    assert (t.groupby("para_id")["start"].apply(lambda s: s.is_monotonic_increasing)).all()


def test_offsets_point_into_the_normalised_text(sample_tokens, sample_corpus):
    doc = sample_corpus.docs[0]
    quoted = [doc.text[s:e] for s, e in zip(sample_tokens["start"], sample_tokens["end"])]
    assert quoted == sample_tokens["token"].tolist()
    # no non-space character of the paragraphs is lost
    for para in sample_corpus.paragraphs.itertuples():
        got = "".join(sample_tokens.loc[sample_tokens["para_id"] == para.para_id, "token"])
        assert got == "".join(para.text.split())


def test_whole_token_guarantee_in_the_sample(sample_tokens, sample_corpus):
    doc = sample_corpus.docs[0]
    for term in WHOLE:
        n = doc.text.count(term)
        assert n >= 1, term
        assert (sample_tokens["token"] == term).sum() == n, term
    lex = load_lexicon()
    bad, whole = lexicon_violations(doc.text, sample_tokens, lex)
    assert bad == []
    assert set(WHOLE) <= whole and len(whole) >= 40
    assert set(sample_tokens.loc[sample_tokens["in_lexicon"], "token"]) == whole


def test_flags_on_real_tokens(sample_tokens):
    t = sample_tokens.set_index("token")

    def flags(tok):
        return tuple(bool(x) for x in t.loc[[tok], ["is_punct", "is_stop", "is_num", "in_lexicon"]].iloc[0])

    assert flags("，") == (True, False, False, False)
    assert flags("的") == (False, True, False, False)
    assert flags("18") == (False, False, True, False)
    assert flags("十四五") == (False, False, False, True)  # a lexicon entry is never a number
    assert flags("两个确立") == (False, False, False, True)
    assert flags("政协") == (False, False, False, False)


def test_sentence_index_matches_the_corpus_sentences(sample_tokens, sample_corpus):
    sents = sample_corpus.sentences
    t = sample_tokens
    sent_ids = t["para_id"] + "/" + t["sent"].map("{:02d}".format)
    assert set(sent_ids) <= set(sents["sent_id"])
    bounds = sents.set_index("sent_id")[["start", "end"]]
    joined = bounds.loc[sent_ids]
    assert (t["start"].to_numpy() >= joined["start"].to_numpy()).all()
    assert (t["end"].to_numpy() <= joined["end"].to_numpy()).all()


def test_token_lists_units_and_filters(sample_tokens, sample_corpus):
    paras = token_lists(sample_tokens)
    assert paras.name == "tokens" and paras.index.name == "para_id"
    assert list(paras.index) == list(pd.unique(sample_tokens["para_id"]))
    sents = token_lists(sample_tokens, unit="sentence")
    assert set(sents.index) <= set(sample_corpus.sentences["sent_id"])
    assert token_lists(sample_tokens, unit="section").index.name == "section_id"
    docs = token_lists(sample_tokens, unit="document")
    assert list(docs.index) == [sample_corpus.docs[0].doc_id]
    words = docs.iloc[0]
    assert "的" not in words and "，" not in words and "18" not in words
    assert "坚持" in words and words.count("两个确立") == 2
    lean = token_lists(sample_tokens, unit="document", keep_boilerplate=False).iloc[0]
    assert "坚持" not in lean and "推进" not in lean and lean.count("两个确立") == 2
    assert len(lean) < len(words)
    everything = token_lists(sample_tokens, unit="document", drop_stop=False, drop_punct=False, drop_num=False)
    assert everything.iloc[0] == sample_tokens["token"].tolist()
    # the same lists from the corpus directly
    assert token_lists(sample_corpus, nlp=cn.nlp(), cache=False).equals(paras)


def test_parallel_equals_serial(pipe, sample_corpus, monkeypatch):
    one = cn.tokens(sample_corpus, nlp=pipe, cache=False)
    calls = counting(monkeypatch, pipe)
    two = cn.tokens(sample_corpus, nlp=pipe, cache=False, n_process=2)
    pd.testing.assert_frame_equal(one, two)
    assert calls == []  # the parent segmented nothing: forked workers did, sharing its loaded model


def test_chunks_for_workers_keep_order_and_stay_bounded(sample_corpus):
    from cppcc_nlp.tokens._parallel import CHUNK_CHARS, CHUNKS_PER_WORKER, chunked

    pieces = sample_corpus.paragraphs["text"].tolist()
    chunks = chunked(pieces, 2)
    assert [p for chunk in chunks for p in chunk] == pieces
    assert CHUNKS_PER_WORKER <= len(chunks) <= 2 * CHUNKS_PER_WORKER  # about sixteen per worker (37 pieces: 19)
    big = pieces * 200  # a large corpus: chunks are cut by characters, not only by count
    chunks = chunked(big, 2)
    assert [p for chunk in chunks for p in chunk] == big
    assert max(sum(map(len, c)) for c in chunks) <= CHUNK_CHARS < sum(map(len, big)) // 8
    assert chunked(["两个确立" * 50_000], 2) == [["两个确立" * 50_000]]  # one piece over the limit: alone


def test_jobs_on_two_reports_equal_one_process(pipe, shared_dir):
    paths = sorted((shared_dir / "gwr-national").glob("national_201[89].txt"))
    if len(paths) < 2:
        pytest.skip("national_2018/2019 are absent from the shared corpora")
    corpus = cn.Corpus.from_path(paths)
    one = cn.tokens(corpus, nlp=pipe, cache=False)
    pd.testing.assert_frame_equal(one, cn.tokens(corpus, nlp=pipe, cache=False, n_process=2))
    pd.testing.assert_frame_equal(one, cn.tokens(corpus, nlp=pipe, cache=False, n_process=-1))


def test_compact_table_holds_the_same_values_in_a_third_of_the_memory(shared_corpus):
    """``compact=True``: the per-paragraph columns as categoricals; every value, row and other column the same."""
    from cppcc_nlp.tokens.table import COMPACT_COLUMNS

    plain = cn.tokens(shared_corpus)  # (the test run's token cache: nothing segmented)
    compact = cn.tokens(shared_corpus, compact=True)
    assert all(isinstance(compact[c].dtype, pd.CategoricalDtype) for c in COMPACT_COLUMNS)
    pd.testing.assert_frame_equal(compact.astype({c: plain[c].dtype for c in COMPACT_COLUMNS}), plain)
    assert compact.memory_usage(deep=True).sum() < 0.4 * plain.memory_usage(deep=True).sum()


def test_isolated_segmentation_gives_the_same_table_and_never_loads_the_model_here(pipe, sample_corpus, tmp_path):
    """``tokens(isolate=True)`` in a fresh process: the model is loaded in a forked child only, whose workers
    segment; the table is the one segmented here.  A second call reads the cache without any model."""
    script = f"""
import importlib, sys
from cppcc_nlp import Corpus
from cppcc_nlp.tokens.table import tokens
pipeline = importlib.import_module("cppcc_nlp.tokens.pipeline")
corpus = Corpus.from_path({str(SAMPLE)!r})
table = tokens(corpus, cache_dir=sys.argv[2], isolate=True, n_process=2)
again = tokens(corpus, cache_dir=sys.argv[2], isolate=True)
assert not pipeline._NLP_CACHE, "the model was loaded in this process"
assert again.equals(table)
table.to_pickle(sys.argv[1])
"""
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "t.pkl"), str(tmp_path / "cache")], check=True)
    pd.testing.assert_frame_equal(pd.read_pickle(tmp_path / "t.pkl"), cn.tokens(sample_corpus, nlp=pipe, cache=False))


def test_a_preloaded_segmenter_segments_as_the_pipeline_does_and_is_stopped_when_not_needed(
    pipe, sample_corpus, tmp_path
):
    """analyze starts the segmenter's child before reading: it segments what is sent later exactly as the loaded
    pipeline does, and tokens() stops one it does not need (everything cached)."""
    from cppcc_nlp.tokens._token_cache import text_hash
    from cppcc_nlp.tokens.table import PreloadedSegmenter, _segment

    texts = {text_hash(t): t for t in sample_corpus.paragraphs["text"].head(40)}
    segmenter = PreloadedSegmenter()
    assert segmenter.running
    got = segmenter.segment(texts, n_process=1, batch_size=64)
    assert got.num_rows > 1000 and not segmenter.running and segmenter.loaded
    assert got.equals(_segment(pipe, texts, n_process=1, batch_size=64))
    cn.tokens(sample_corpus, cache_dir=tmp_path)  # (fills the cache)
    idle = PreloadedSegmenter()
    table = cn.tokens(sample_corpus, cache_dir=tmp_path, isolate=True, segmenter=idle)
    assert not idle.running  # nothing to segment: stopped
    pd.testing.assert_frame_equal(table, cn.tokens(sample_corpus, cache_dir=tmp_path))


def _frozen_count(_):
    import gc

    return gc.get_freeze_count()


def test_a_child_inherits_the_parents_objects_frozen_and_the_parent_does_not():
    """The child's collections skip what it inherited (its freeze count holds the parent's objects); the parent
    is unfrozen again, unless it had frozen objects of its own."""
    import gc

    from cppcc_nlp._fork import run_in_fork

    assert gc.get_freeze_count() == 0
    assert run_in_fork(_frozen_count, None) > 1000
    assert gc.get_freeze_count() == 0
    gc.freeze()
    try:
        assert run_in_fork(_frozen_count, None) > 1000
        assert gc.get_freeze_count() > 1000  # the caller's own freeze is left in place (objects may die meanwhile)
    finally:
        gc.unfreeze()


def test_a_forked_child_returns_its_answer_or_its_error():
    from cppcc_nlp.tokens._parallel import run_in_fork

    assert run_in_fork(sum, [1, 2, 3]) == 6
    with pytest.raises(ValueError, match="invalid literal"):
        run_in_fork(int, "两个确立")
    with pytest.raises(ChildProcessError, match="exit code 3"):  # killed, out of memory: no answer
        run_in_fork(os._exit, 3)


def test_the_parent_works_meanwhile_while_the_child_computes():
    from cppcc_nlp._fork import run_in_fork

    done = []
    assert run_in_fork(sum, [1, 2, 3], meanwhile=lambda: done.append(True)) == 6
    assert done == [True]
    with pytest.raises(KeyboardInterrupt):  # an interrupted parent stops the child and says so
        run_in_fork(sum, [1, 2], meanwhile=lambda: _raise(KeyboardInterrupt()))


def _raise(error):
    raise error


def test_the_package_errors_come_back_from_a_child_as_themselves():
    from cppcc_nlp._fork import run_in_fork
    from cppcc_nlp.errors import DecodingError, LexiconError

    with pytest.raises(DecodingError, match=r"a\.txt: not GB18030 \(convert it\)") as caught:
        run_in_fork(_raise, DecodingError("a.txt", "not GB18030", "convert it"))
    assert caught.value.problem == "not GB18030" and caught.value.path.name == "a.txt"
    with pytest.raises(LexiconError, match="terms.yaml, line 3: bad") as caught:
        run_in_fork(_raise, LexiconError("terms.yaml", 3, "bad"))
    assert caught.value.line == 3


# ---------------------------------------------------------------------------------------------------------
# the cache


def test_second_run_does_no_segmentation(pipe, sample_corpus, tmp_path, monkeypatch):
    calls = counting(monkeypatch, pipe)
    first = cn.tokens(sample_corpus, nlp=pipe, cache_dir=tmp_path)
    n_paras = sample_corpus.paragraphs["text"].str.strip().ne("").sum()
    assert len(calls) == n_paras > 30
    assert list((tmp_path / "tokens").rglob("part-*.parquet"))
    calls.clear()
    second = cn.tokens(sample_corpus, nlp=pipe, cache_dir=tmp_path)
    assert calls == []
    pd.testing.assert_frame_equal(first, second)
    # without the cache, everything is segmented again
    cn.tokens(sample_corpus, nlp=pipe, cache=False)
    assert len(calls) == n_paras


def test_a_table_read_partly_from_the_cache_equals_one_segmented_anew(pipe, sample_corpus, shanghai_2020, tmp_path):
    """A refresh: the cache holds one report's paragraphs; another report, and a third repeating paragraphs of
    the first, are segmented.  The table assembled from both kinds of rows is the one segmented in one go
    without the cache; a repeated paragraph has the same tokens, with offsets and sentences of its own."""
    first = sample_corpus.docs[0]
    lines = first.text.split("\n")[3:12]
    copy = cn.Document.from_text(
        "\n".join(["2026年工作安排", *lines, "新的一年，我们要再接再厉。"]), path="county-阜新_2026.txt"
    )
    corpus = cn.Corpus([first, shanghai_2020.docs[0], copy])
    cn.tokens(cn.Corpus([first]), nlp=pipe, cache_dir=tmp_path)
    for compact in (False, True):
        table = cn.tokens(corpus, nlp=pipe, cache_dir=tmp_path, compact=compact)
        pd.testing.assert_frame_equal(table, cn.tokens(corpus, nlp=pipe, cache=False, compact=compact))
    tokens_of = table.groupby(table["para_id"].astype(str), sort=False)["token"].agg(list)
    paras = corpus.paragraphs
    shared = paras[paras["doc_id"] == copy.doc_id].merge(paras[paras["doc_id"] == first.doc_id], on="text")
    assert len(shared) >= 5
    for mine, theirs in zip(shared["para_id_x"], shared["para_id_y"]):
        assert tokens_of[mine] == tokens_of[theirs]
    rows = table[table["doc_id"] == copy.doc_id]
    assert [copy.text[s:e] for s, e in zip(rows["start"], rows["end"])] == rows["token"].tolist()


def test_the_cache_names_the_paragraphs_it_holds_before_building_their_rows(
    pipe, sample_corpus, shanghai_2020, tmp_path
):
    """``TokenCache.scan`` says which paragraphs are cached (so that the others go to the segmenter first), and
    its ``rows`` are then those of ``lookup``: the same rows and the same word codes, in the same order."""
    from cppcc_nlp.tokens._token_cache import TokenCache
    from cppcc_nlp.tokens.pipeline import pipeline_version

    cn.tokens(sample_corpus, nlp=pipe, cache_dir=tmp_path)
    corpus = cn.Corpus([*sample_corpus.docs, shanghai_2020.docs[0]])
    texts = {}
    for text in corpus.paragraphs["text"].tolist():
        if text.strip():
            texts.setdefault(text_hash(text), text)
    cached = {text_hash(t) for t in sample_corpus.paragraphs["text"].tolist() if t.strip()}
    store, lex = TokenCache(tmp_path, pipeline_version()), load_lexicon(None)
    scan = store.scan(texts, lex)
    assert [list(texts)[n] for n in scan.found] == [h for h in texts if h in cached]
    assert 30 < len(scan.found) < len(texts)
    words, expected_words = {}, {}
    rows, expected = scan.rows(words), store.lookup(texts, lex, expected_words)
    assert list(words) == list(expected_words) and len(words) > 500
    for name in ("text", "i", "word", "start", "end", "is_punct", "in_lexicon"):
        assert getattr(rows, name).tolist() == getattr(expected, name).tolist(), name
    assert set(rows.text.tolist()) == set(scan.found.tolist())


def test_codes_of_maps_chunks_sharing_a_dictionary_as_it_maps_each_value(sample_tokens):
    """A Parquet row group read in batches gives chunks that share one dictionary: mapped once, each row gets
    the code its own value has; chunks with dictionaries of their own are mapped each on its own."""
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    from cppcc_nlp.tokens._token_cache import codes_of

    words = sample_tokens["token"].astype(str).tolist()
    n = len(words) // 4
    assert n > 500
    buffer = io.BytesIO()
    pq.write_table(pa.table({"token": words[: 2 * n]}), buffer, row_group_size=n + n // 2)
    column = pq.read_table(io.BytesIO(buffer.getvalue()), read_dictionary=["token"])["token"].chunk(0)
    shared = pa.chunked_array([column.slice(0, n // 2), column.slice(n // 2)])
    assert shared.chunk(0).dictionary.equals(shared.chunk(1).dictionary)
    chunks = [pa.array(words[a : a + n]).dictionary_encode().cast(shared.type) for a in (2 * n, 3 * n)]
    for chunked in (shared, pa.chunked_array(chunks), pa.chunked_array([*shared.chunks, *chunks])):
        values = [str(v) for v in chunked.cast(pa.string()).to_pylist()]
        codes: dict = {}
        assert codes_of(chunked, codes, add=True).tolist() == [codes[v] for v in values]
        assert list(codes) == list(dict.fromkeys(values))  # (codes in the order of first use)
        some = dict(list(codes.items())[::2])
        assert codes_of(chunked, some, add=False).tolist() == [some.get(v, -1) for v in values]


def test_lexicon_change_invalidates_only_paragraphs_with_changed_entries(pipe, sample_corpus, tmp_path, monkeypatch):
    cn.tokens(sample_corpus, nlp=pipe, cache_dir=tmp_path)
    f = tmp_path / "mine.txt"
    f.write_text("两市四区\n委员之家\n", encoding="utf-8")
    mine = cn.nlp(lexicon=[f])
    paras = sample_corpus.paragraphs
    touched = paras["text"].str.contains("两市四区|委员之家")
    assert 0 < touched.sum() < len(paras) // 4
    calls = counting(monkeypatch, mine)
    table = cn.tokens(sample_corpus, nlp=mine, cache_dir=tmp_path)
    assert sorted(calls) == sorted(paras.loc[touched, "text"])
    assert (table["token"] == "两市四区").sum() == sample_corpus.docs[0].text.count("两市四区")
    # back to the first lexicon: all of it is still cached
    calls_default = counting(monkeypatch, pipe)
    cn.tokens(sample_corpus, nlp=pipe, cache_dir=tmp_path)
    assert calls_default == []


def test_damaged_cache_part_is_ignored_with_a_warning(pipe, sample_corpus, tmp_path, monkeypatch):
    cn.tokens(sample_corpus, nlp=pipe, cache_dir=tmp_path)
    for part in (tmp_path / "tokens").rglob("part-*.parquet"):
        part.write_bytes(b"not parquet")
    calls = counting(monkeypatch, pipe)
    with pytest.warns(CacheWarning, match="no cache header"):
        table = cn.tokens(sample_corpus, nlp=pipe, cache_dir=tmp_path)
    assert len(calls) > 30 and len(table) > 2000


@pytest.fixture(scope="module")
def shanghai_2020(shared_dir):
    path = shared_dir / "gwr-shanghai" / "provincial-shanghai_2020.txt"
    if not path.is_file():
        pytest.skip(f"{path} is absent (the shared corpora are needed)")
    return cn.Corpus.from_path(path)


def _only_part(root: Path) -> Path:
    parts = list((root / "tokens").rglob("part-*.parquet"))
    assert len(parts) == 1
    return parts[0]


def test_a_flipped_bit_in_a_cache_part_is_caught_and_rebuilt(pipe, shanghai_2020, tmp_path, monkeypatch):
    # issue 12: one flipped bit in a plain Parquet part turned 集群 into 培育 without a word
    first = cn.tokens(shanghai_2020, nlp=pipe, cache_dir=tmp_path)
    assert (first["token"] == "集群").sum() > 0
    part = _only_part(tmp_path)
    raw = bytearray(part.read_bytes())
    at = raw.find("集群".encode())
    at = at + 5 if at > 0 else len(raw) // 2  # the last byte of 群 where stored plainly
    raw[at] ^= 0x01
    part.write_bytes(bytes(raw))
    calls = counting(monkeypatch, pipe)
    with pytest.warns(CacheWarning, match="SHA-256"):
        again = cn.tokens(shanghai_2020, nlp=pipe, cache_dir=tmp_path)
    assert len(calls) == shanghai_2020.paragraphs["text"].str.strip().ne("").sum()
    pd.testing.assert_frame_equal(first, again)
    # the damaged part was deleted and replaced by a sound one: a third run segments nothing
    calls.clear()
    pd.testing.assert_frame_equal(first, cn.tokens(shanghai_2020, nlp=pipe, cache_dir=tmp_path))
    assert calls == []


def test_a_cache_part_with_rows_removed_is_caught_and_rebuilt(pipe, shanghai_2020, tmp_path, monkeypatch):
    import io

    import pyarrow.parquet as pq

    first = cn.tokens(shanghai_2020, nlp=pipe, cache_dir=tmp_path)
    part = _only_part(tmp_path)
    raw = part.read_bytes()
    header, payload = raw[: raw.index(b"\n") + 1], raw[raw.index(b"\n") + 1 :]
    rows = pq.read_table(io.BytesIO(payload)).to_pandas()
    buffer = io.BytesIO()
    rows.iloc[: len(rows) * 6 // 7].to_parquet(buffer, index=False)  # a readable Parquet file, rows cut off
    part.write_bytes(header + buffer.getvalue())
    with pytest.warns(CacheWarning, match="bytes of content instead of|SHA-256"):
        again = cn.tokens(shanghai_2020, nlp=pipe, cache_dir=tmp_path)
    assert len(again) == len(first)
    pd.testing.assert_frame_equal(first, again)


def test_plain_parts_of_the_older_layout_are_never_read(pipe, shanghai_2020, tmp_path):
    from cppcc_nlp.tokens._token_cache import CACHE_LAYOUT, TokenCache

    cn.tokens(shanghai_2020, nlp=pipe, cache_dir=tmp_path)
    cache = TokenCache(tmp_path, pipe.meta["cppcc_nlp"]["pipeline_version"])
    assert CACHE_LAYOUT >= 2 and _only_part(tmp_path).parent == cache.folder
    assert cache.folder.name != hashlib.sha256(pipe.meta["cppcc_nlp"]["pipeline_version"].encode()).hexdigest()[:16]


def test_default_cache_location_follows_the_environment(pipe, tmp_path, monkeypatch):
    monkeypatch.setenv("CPPCC_NLP_CACHE", str(tmp_path))
    cn.tokens("坚决拥护“两个确立”", nlp=pipe)
    assert list((tmp_path / "tokens").rglob("part-*.parquet"))


# ---------------------------------------------------------------------------------------------------------
# bad input


def test_empty_punctuation_and_latin_paragraphs(pipe):
    assert cn.tokens("", nlp=pipe, cache=False).empty
    assert list(cn.tokens(" \u3000\n", nlp=pipe, cache=False).columns) == TOKEN_COLUMNS
    punct = cn.tokens("，。！？——“”", nlp=pipe, cache=False)
    assert "".join(punct["token"]) == "，。！？——“”" and punct["is_punct"].all()
    latin = cn.tokens("GDP growth 6.5% and the AB role", nlp=pipe, cache=False)
    assert {"GDP", "growth", "AB"} <= set(latin["token"])
    assert latin.loc[latin["token"] == "6.5%", "is_num"].all()
    text = "GDP growth 6.5% and the AB role"
    assert all(text[s:e] == tok for s, e, tok in zip(latin["start"], latin["end"], latin["token"]))


def test_a_one_megabyte_paragraph(pipe, sample_corpus, tmp_path):
    body = "".join(sample_corpus.paragraphs["text"])
    text = body * (1_000_000 // len(body.encode("utf-8")) + 1)
    assert len(text.encode("utf-8")) >= 1_000_000
    table = cn.tokens(text, nlp=pipe, cache_dir=tmp_path)
    assert table["end"].max() == len(text) or text[table["end"].max() :].strip() == ""
    assert all(text[s:e] == tok for s, e, tok in zip(table["start"], table["end"], table["token"]))
    reps = len(text) // len(body)
    for term in WHOLE:
        assert (table["token"] == term).sum() >= body.count(term) * reps, term
    assert table["i"].tolist() == list(range(len(table)))


def test_long_paragraph_pieces_never_cut_an_entry():
    entry = "习近平新时代中国特色社会主义思想"
    text = ("坚持以" + entry + "为指导") * 2000  # no sentence end, no space, no comma: hard cuts
    merger = LexiconMerger(entries=[entry])
    for limit in (997, 1000, 1013):
        pieces = table_module._chunks(text, limit=limit, find=merger.find)
        assert len(pieces) > 40
        assert "".join(p for _, p in pieces) == text
        assert all(len(p) <= limit for _, p in pieces)
        assert all(text[o : o + len(p)] == p for o, p in pieces)
        cuts = {o for o, _ in pieces}
        assert not any(s < c < e for s, e in merger.find(text) for c in cuts)
        assert sum(p.count(entry) for _, p in pieces) == 2000
    # without the matcher a hard cut does fall inside an entry, which is what the matcher prevents
    blind = {o for o, _ in table_module._chunks(text, limit=1000)}
    assert any(s < c < e for s, e in merger.find(text) for c in blind)


def test_missing_model_folder(tmp_path, monkeypatch):
    with pytest.raises(ModelError, match=r"no pkuseg model folder here.*pip install --no-build-isolation pkuseg"):
        cn.nlp(pkuseg_model=tmp_path / "absent")
    monkeypatch.setenv("CPPCC_NLP_PKUSEG_MODEL", str(tmp_path / "absent"))
    with pytest.raises(ModelError, match="absent"):
        cn.nlp()


def test_corrupt_model_folder(tmp_path):
    (tmp_path / "features.pkl").write_bytes(b"\x80\x04garbage")
    (tmp_path / "weights.npz").write_bytes(b"PK\x03\x04garbage")
    with pytest.raises(ModelError, match=r"cannot be loaded.*corrupt.*pip install"):
        cn.nlp(pkuseg_model=tmp_path)
    (tmp_path / "weights.npz").unlink()
    with pytest.raises(ModelError, match="weights.npz"):
        cn.nlp(pkuseg_model=tmp_path)


def test_pkuseg_not_installed(monkeypatch):
    monkeypatch.delenv("CPPCC_NLP_PKUSEG_MODEL", raising=False)
    monkeypatch.setattr(tokens_module.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModelError, match=r"pip install numpy cython setuptools wheel"):
        default_model_dir()


def test_malformed_user_lexicon(tmp_path):
    f = tmp_path / "bad.txt"
    f.write_text("两市四区\n双进 双促\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"bad\.txt, line 2"):
        cn.nlp(lexicon=[f])


def test_bad_arguments(pipe):
    with pytest.raises(InputError, match="needs a Corpus"):
        cn.tokens(42, nlp=pipe)
    with pytest.raises(InputError, match="lacks the columns"):
        cn.tokens(pd.DataFrame({"text": ["政协"]}), nlp=pipe)
    with pytest.raises(ParameterError, match="n_process=0"):
        cn.tokens("政协", nlp=pipe, n_process=0)
    with pytest.raises(ParameterError, match="unit='word'"):
        token_lists(cn.tokens("政协", nlp=pipe, cache=False), unit="word")


def test_text_hash_is_the_content_key():
    assert text_hash("政协") == text_hash("政协") != text_hash("政协 ")
    assert len(text_hash("")) == 32


# ---------------------------------------------------------------------------------------------------------
# CLI


def test_cli_tokens(sample_path, tmp_path, monkeypatch, capsys):
    from cppcc_nlp.cli import main

    monkeypatch.setenv("CPPCC_NLP_CACHE", str(tmp_path))
    assert main(["tokens", str(sample_path), "--format", "csv"]) == 0
    out = pd.read_csv(__import__("io").StringIO(capsys.readouterr().out))
    assert list(out.columns) == TOKEN_COLUMNS and (out["token"] == "两个确立").sum() == 2
    assert main(["tokens", str(sample_path), "--unit", "section", "--drop-boilerplate", "--format", "json"]) == 0
    rows = pd.read_json(__import__("io").StringIO(capsys.readouterr().out))
    assert list(rows.columns) == ["section_id", "n_tokens", "tokens"] and rows["n_tokens"].sum() > 1000
    assert main(["tokens", str(sample_path), "--pkuseg-model", str(tmp_path / "none")]) == 1
    assert capsys.readouterr().err.startswith("Error: ")


# ---------------------------------------------------------------------------------------------------------
# the shared corpora


def test_shared_corpora_offsets_and_whole_tokens(shared_tokens, shared_corpus):
    lex = load_lexicon()
    found = set()
    for doc in shared_corpus.docs:
        t = shared_tokens[shared_tokens["doc_id"] == doc.doc_id]
        assert len(t) > 1000, doc.doc_id
        assert all(doc.text[s:e] == tok for s, e, tok in zip(t["start"], t["end"], t["token"])), doc.doc_id
        bad, whole = lexicon_violations(doc.text, t, lex)
        assert bad == [], doc.doc_id
        found |= whole
    assert len(found) >= 200  # most of the lexicon occurs somewhere and comes out whole
    assert {"供给侧结构性改革", "高质量发展", "乡村振兴", "全过程人民民主"} <= found


# ---------------------------------------------------------------------------------------------------------
# segmentation quality on the hand-annotated gold sentences


def _gold():
    import json

    path = DATA / "segmentation_gold.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_gold_sentences_come_from_the_shared_corpora(shared_corpus):
    gold = _gold()
    assert len(gold) == 200 and len({(g["doc_id"], g["sentence"]) for g in gold}) == 200
    lex = load_lexicon()
    terms = [t for g in gold for t in g["terms"]]
    for g in gold:
        # whitespace aside: layout repair may put a line break between a heading and its glued paragraph
        assert re.sub(r"\s", "", g["sentence"]) in re.sub(r"\s", "", shared_corpus[g["doc_id"]].text), g["n"]
        assert all(t in g["sentence"] for t in g["terms"]), g["n"]
    assert len(terms) > 400
    # the gold is what a reader marks, not the lexicon: most gold terms are not lexicon entries
    assert sum(t not in lex for t in terms) > 0.7 * len(terms)
    assert len({g["doc_id"] for g in gold}) == len(shared_corpus)


def test_gold_terms_whole_more_often_than_raw_pkuseg(pipe):
    gold = _gold()
    lex = load_lexicon()
    raw = tokens_module._copy_segmenter(tokens_module._SEGMENTERS[str(default_model_dir().resolve())])

    def share(words_of, in_lexicon):
        whole = total = 0
        for g in gold:
            s = g["sentence"]
            spans, pos = set(), 0
            for w in words_of(s):
                pos = s.find(w, pos)
                spans.add((pos, pos + len(w)))
                pos += len(w)
            for term in g["terms"]:
                if (term in lex) != in_lexicon:
                    continue
                at = s.find(term)
                while at >= 0:
                    total += 1
                    # whole: a token of its own, or inside one token that is a longer lexicon entry
                    # (基本养老保险 holds 养老保险, 大众创业万众创新 holds 大众创业: longest entry first)
                    whole += (at, at + len(term)) in spans or any(
                        a <= at and at + len(term) <= b and (b - a) > len(term) and s[a:b] in lex for a, b in spans
                    )
                    at = s.find(term, at + 1)
        return whole / total

    def ours(s):
        return [t.text for t in pipe(s)]

    assert share(ours, True) >= 0.95 > 0.3 > share(raw.cut, True)
    # outside the lexicon the pipeline is pkuseg itself: no better, and no worse
    assert share(ours, False) == pytest.approx(share(raw.cut, False), abs=0.01)


# ---------------------------------------------------------------------------------------------------------
# property: any mix of Chinese, Latin, digits, punctuation and spaces


def test_offsets_and_characters_survive_any_text(pipe):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    pieces = st.sampled_from(
        [
            "两个确立",
            "全过程人民民主",
            "政协",
            "委员",
            "工作站",
            "十五",
            "“",
            "”",
            "，",
            "。",
            " ",
            "\u3000",
            "\n",
            "AB",
            "GDP",
            "2024",
            "年",
            "87.1%",
            "——",
            "审议县",
            "的",
            "+",
        ]
    )

    @settings(max_examples=60, deadline=None, derandomize=True)
    @given(st.lists(pieces, max_size=30).map("".join))
    def check(text):
        t = cn.tokens(text, nlp=pipe, cache=False)
        assert all(text[s:e] == tok for s, e, tok in zip(t["start"], t["end"], t["token"]))
        assert "".join(t["token"]) == "".join(text.split())
        assert t["i"].tolist() == list(range(len(t)))
        assert not t["token"].str.contains(r"\s").any()

    check()


@pytest.mark.parametrize(
    "module",
    [
        "tokens.pipeline",
        "tokens.components",
        "tokens.table",
        "tokens.inputs",
        "resources.lexicon",
        "resources.stopwords",
    ],
)
def test_docstring_examples_run(module, pipe):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"cppcc_nlp.{module}"), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted >= 3


def test_traditional_spellings_are_kept_whole_too(pipe, sample_corpus):
    # the sample report written in traditional characters (OpenCC s2t), read without conversion
    import opencc

    from cppcc_nlp.io.reading import to_simplified_text

    simplified = sample_corpus.docs[0].text
    traditional = opencc.OpenCC("s2t").convert(simplified)
    assert to_simplified_text(traditional).count("两个确立") == simplified.count("两个确立")
    t = cn.tokens(traditional, nlp=pipe, cache=False)
    assert (t["token"] == "兩個確立").sum() == simplified.count("两个确立") == 2
    assert (t["token"] == "習近平新時代中國特色社會主義思想").sum() == 3
    assert t["in_lexicon"].sum() == (
        sample_corpus_tokens_in_lexicon := cn.tokens(simplified, nlp=pipe, cache=False)["in_lexicon"].sum()
    )
    assert sample_corpus_tokens_in_lexicon > 80
    # context rules follow: “十五” quoted only, 創新發展理念 is not 新發展理念
    doc = pipe("“十五”計劃，十五屆，創新發展理念，新發展理念")
    assert [(x.text, x.idx) for x in doc if x._.in_lexicon] == [("十五", 1), ("新發展理念", 18)]


def test_lexicon_coverage_counts_entry_tokens(sample_tokens, sample_path, tmp_path, monkeypatch, capsys):
    from cppcc_nlp.resources.lexicon import lexicon_coverage

    lex = load_lexicon()
    cov = lexicon_coverage(sample_tokens, lex)
    assert list(cov.columns) == ["term", "kind", "freq", "n_docs", "first_year", "last_year"]
    assert len(cov) == len(lex) and cov["freq"].is_monotonic_decreasing
    row = cov.set_index("term").loc["两个确立"]
    assert (row["freq"], row["n_docs"], row["first_year"], row["last_year"], row["kind"]) == (
        2,
        1,
        2024,
        2024,
        "numbered",
    )
    assert cov["freq"].sum() == sample_tokens["in_lexicon"].sum()
    assert cov.set_index("term").loc["供给侧结构性改革", "freq"] == 0
    # traditional spellings count for their entry
    trad = sample_tokens.assign(token=sample_tokens["token"].replace({"两个确立": "兩個確立"}))
    assert lexicon_coverage(trad, lex).set_index("term").loc["两个确立", "freq"] == 2

    from cppcc_nlp.cli import main

    monkeypatch.setenv("CPPCC_NLP_CACHE", str(tmp_path))
    assert main(["lexicon", str(sample_path), "--format", "csv"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "term,kind,freq,n_docs,first_year,last_year"
    assert "两个确立,numbered,2,1,2024,2024" in out
