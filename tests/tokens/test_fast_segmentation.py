"""The fast segmentation path (pkuseg's cut + the lexicon merge on character offsets) gives exactly what spaCy's
Doc path gives: ``[(text, offset, in_lexicon), ...]`` piece by piece.

The spaCy path is ``_doc_tokens(doc) for doc in pipe.pipe(pieces)``, the code segmentation ran before the fast
path; the fast path is ``segment_columns`` itself, read back piece by piece (:func:`_pieces`).  On the real
reports both read pkuseg's words from one memo (``cut`` is what spaCy's ``ChineseTokenizer`` calls, and it is
deterministic), so pkuseg runs once per piece: the comparison is of everything after the cut.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

import cppcc_nlp as cn
from cppcc_nlp import Corpus
from cppcc_nlp.tokens._parallel import _doc_tokens, fast_segmenter, segment_columns
from cppcc_nlp.tokens.components import MERGE_COMPONENT, LexiconMerger, doc_bounds, register_components
from cppcc_nlp.tokens.table import _chunks

from conftest import SHARED

EXTRA_EARLY = SHARED.parent / "corpora-extra" / "gwr-national-early"

EDGE_CASES = [
    "",
    "   ",
    "\u3000\u3000",
    "\n",
    "\r\n\t",
    # whitespace around a match
    " 两个确立 ",
    "\u3000两个确立\u3000",
    "\n两个确立\n",
    "坚决拥护两个确立  全过程人民民主",
    "两个确立\u3000\u3000全过程人民民主\n\n专门协商机构",
    "两个确立\xa0是",
    # whitespace inside a match (no match, the words stay apart)
    "两个 确立",
    "两个\u3000确立",
    "全过程 人民民主",
    "两个\n确立",
    "全过程人民 民主",
    # a quoted-only entry
    "“十五”计划",
    "十五届全国人大",
    "‘十五’",
    "《十五》",
    '"十五"',
    "“十五 ”",
    "“ 十五”",
    "“十五”",
    "十五",
    # an exclude string
    "创新发展理念",
    "新发展理念",
    "贯彻新发展理念，树立创新发展理念",
    "创新 发展理念",
    # at the start and the end of the text
    "两个确立",
    "两个确立是根本",
    "坚持两个确立",
    "全过程人民民主全过程人民民主",
    # traditional spellings
    "兩個確立",
    "堅決擁護“兩個確立”，發展全過程人民民主",
    "“十五”計劃",
    # mixed
    "2023年 GDP 增长5.2%，CPI 上涨0.2%",
    "a  b\tc  d ",
    "坚决拥护“两个确立”，做到“两个维护”，发展全过程人民民主，发挥专门协商机构作用。" * 40,
]


class MemoCut:
    """pkuseg's segmenter with ``cut`` remembered per text (everything else passed through)."""

    def __init__(self, seg):
        self._seg = seg
        self._memo: dict[str, list[str]] = {}

    def cut(self, text):
        words = self._memo.get(text)
        if words is None:
            words = self._memo[text] = self._seg.cut(text)
        return list(words)

    def __getattr__(self, name):
        return getattr(self._seg, name)


def _pieces(pipe, pieces, n_process=1):
    """``segment_columns`` read back piece by piece: ``[[(text, offset, in_lexicon), ...], ...]``."""
    seg = segment_columns(pipe, pieces, n_process=n_process)
    rows = list(zip([seg.words[w] for w in seg.word.tolist()], seg.offset.tolist(), seg.in_lexicon.tolist()))
    ends = np.cumsum(seg.count).tolist()
    return [rows[end - n : end] for end, n in zip(ends, seg.count.tolist())]


def spacy_path(pipe, pieces):
    return [_doc_tokens(doc) for doc in pipe.pipe(pieces, batch_size=64)]


def differences(pipe, pieces):
    fast = _pieces(pipe, pieces, n_process=1)
    slow = spacy_path(pipe, pieces)
    assert len(fast) == len(slow) == len(pieces)
    return [(piece, a, b) for piece, a, b in zip(pieces, fast, slow) if a != b]


@pytest.fixture(scope="module")
def pipe():
    return cn.nlp()


@pytest.fixture
def memo_pipe(pipe, monkeypatch):
    monkeypatch.setattr(pipe.tokenizer, "pkuseg_seg", MemoCut(pipe.tokenizer.pkuseg_seg))
    return pipe


def paragraph_pieces(pipe, folder):
    find = pipe.get_pipe(MERGE_COMPONENT).find
    corpus = Corpus.from_path(folder)
    return [piece for text in corpus.paragraphs["text"] for _, piece in _chunks(text, find=find)]


# ----------------------------------------------------------------------------------------------------------
# with the pkuseg model


@pytest.mark.slow
def test_the_default_pipeline_takes_the_fast_path(pipe):
    assert fast_segmenter(pipe) is not None
    merger = pipe.get_pipe(MERGE_COMPONENT)
    # the edge cases below exercise these rules of the bundled lexicon
    assert "十五" in merger.quoted_only
    assert "创新发展理念" in merger.exclude["新发展理念"]
    assert "兩個確立" in merger.entries


@pytest.mark.slow
def test_other_pipelines_keep_the_spacy_path(pipe):
    import spacy

    register_components()
    blank = spacy.blank("zh")  # character segmenter
    blank.add_pipe(MERGE_COMPONENT)
    assert fast_segmenter(blank) is None
    extra = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "pkuseg"}}})
    extra.tokenizer.pkuseg_seg = pipe.tokenizer.pkuseg_seg
    extra.add_pipe(MERGE_COMPONENT)
    extra.add_pipe("sentencizer")
    assert fast_segmenter(extra) is None
    assert _pieces(extra, ["两个确立"]) == [[("两个确立", 0, False)]]  # no entries: nothing merged


@pytest.mark.slow
def test_edge_cases_equal_the_spacy_path(pipe):
    assert differences(pipe, EDGE_CASES) == []


@pytest.mark.slow
def test_edge_cases_with_odd_entries_equal_the_spacy_path(pipe):
    """Entries the bundled lexicon cannot hold (whitespace inside or around, cuts inside pkuseg's words), so
    that the splits and the matches ``char_span`` refuses are exercised."""
    import spacy

    register_components()
    odd = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "pkuseg"}}})
    odd.tokenizer.pkuseg_seg = pipe.tokenizer.pkuseg_seg  # only read
    merger = odd.add_pipe(MERGE_COMPONENT)
    merger.set_entries(
        ["两个 确立", " 全过程", "民主 ", "主协", "民主协", "人民\u3000", "\u3000专门", "a b", "b  c", "十五", "协商"],
        quoted_only=["十五"],
        exclude={"协商": ["政治协商"]},
    )
    assert fast_segmenter(odd) is not None
    texts = [
        *EDGE_CASES,
        "两个 确立 全过程人民民主协商",
        "发展 全过程人民民主 协商",
        "人民\u3000\u3000专门协商机构",
        "a b  c",
        "a b c  b  c",
        "政治协商和民主协商",
    ]
    assert differences(odd, texts) == []


@pytest.mark.slow
def test_words_that_do_not_align_take_the_spacy_path(pipe):
    merger = pipe.get_pipe(MERGE_COMPONENT)
    assert merger.tokens_from_words("两个确立", ["两个", "确定"]) is None
    assert merger.tokens_from_words("两个确立", ["两个", "", "确立"]) is None
    assert merger.tokens_from_words("两个确立", ["两个", "确立"]) == [("两个确立", 0, True)]


@pytest.mark.slow
@pytest.mark.parametrize(
    "folder", [SHARED, EXTRA_EARLY], ids=["shared corpora", "national reports 1955-1988 (corpora-extra)"]
)
def test_every_paragraph_equals_the_spacy_path(memo_pipe, folder):
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent (the shared reference corpora beside the clone are needed)")
    pieces = paragraph_pieces(memo_pipe, folder)
    assert len(pieces) > 1000
    diff = differences(memo_pipe, pieces)
    assert not diff, f"{len(diff)} of {len(pieces)} pieces differ; the first: {diff[0]}"


@pytest.mark.slow
def test_workers_send_back_what_one_process_finds(memo_pipe):
    """``segment_columns`` with two forked workers (each turning its chunks into columns) gives, piece by
    piece, what the fast path gives in this process: the same words, offsets and lexicon flags, and no token
    for a piece of whitespace."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent (the shared reference corpora beside the clone are needed)")
    segment = fast_segmenter(memo_pipe)
    pieces = [*paragraph_pieces(memo_pipe, SHARED)[:1500], *EDGE_CASES]
    expected = [segment(piece) for piece in pieces]  # (also fills the memo the forked workers inherit)
    seg = segment_columns(memo_pipe, pieces, n_process=2)
    assert seg.count.tolist() == [len(toks) for toks in expected]
    assert seg.count[len(pieces) - len(EDGE_CASES) :].tolist()[:2] == [0, 0]  # "" and "   "
    assert len(seg.words) == len({text for toks in expected for text, _, _ in toks})
    assert _pieces(memo_pipe, pieces, n_process=2) == expected
    assert sum(in_lexicon for toks in expected for _, _, in_lexicon in toks) > 100


# ----------------------------------------------------------------------------------------------------------
# without the model: random words, random entries


def test_random_words_and_entries_equal_the_spacy_merger():
    """Random texts over a small alphabet (spaces, full-width spaces, newlines, quotes), random words (pkuseg's
    kind: whitespace dropped, pieces cut anywhere) and random entries (some with whitespace): the offset path
    equals a Doc built as ``ChineseTokenizer`` builds it and passed through the component."""
    import spacy
    from spacy.tokens import Doc
    from spacy.util import get_words_and_spaces

    register_components()
    vocab = spacy.blank("zh").vocab
    rng = random.Random(41)
    alphabet = "两个确立人民主“”  \u3000\n"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        words = []
        for chunk in text.split():
            while chunk:
                k = rng.randint(1, len(chunk))
                words.append(chunk[:k])
                chunk = chunk[k:]
        entries = set()
        for _ in range(rng.randint(0, 5)):
            entries.add("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4))))
        entries.discard("")
        entries = sorted(entries)
        merger = LexiconMerger(entries=entries)
        merger.set_entries(
            entries,
            quoted_only=[e for e in entries if rng.random() < 0.2],
            exclude={e: [e + "人"] for e in entries if rng.random() < 0.2},
        )
        expected = _doc_tokens(merger(Doc(vocab, *get_words_and_spaces(words, text))))
        assert merger.tokens_from_words(text, words) == expected, (text, words, entries)


def test_doc_bounds_equal_get_words_and_spaces():
    from spacy.util import get_words_and_spaces

    for words, text in [
        (["a", "b"], "a b"),
        (["a", "b"], "a  b"),
        (["a", "b"], " a\u3000b \n"),
        ([], ""),
        ([], "  "),
        (["a", " ", "b"], "a\tb"),
    ]:
        got, spaces = get_words_and_spaces(words, text)
        starts, pos = [], 0
        for word, space in zip(got, spaces):
            starts.append((pos, pos + len(word)))
            pos += len(word) + space
        assert doc_bounds(words, text) == starts
    assert doc_bounds(["a", "c"], "a b") is None
