"""Stop words and the shared token filters (fast: no pkuseg model)."""

from __future__ import annotations

import pytest

from cppcc_nlp.errors import LexiconError
from cppcc_nlp.resources.lexicon import load_lexicon
from cppcc_nlp.resources.stopwords import (
    boilerplate,
    filter_tokens,
    is_num_text,
    is_punct_text,
    load_stopwords,
    stopword_table,
    stopwords,
)


def test_function_words_and_boilerplate_are_separate_lists():
    stop, bp = stopwords(), boilerplate()
    assert {"的", "和", "在", "对", "我们", "以及"} <= stop
    assert {"坚持", "推进", "加强", "深化", "落实", "切实"} <= bp
    assert "坚持" not in stop and "的" not in bp
    # no policy word is a stop word
    assert not stop & set(load_lexicon().entries)
    assert not bp & set(load_lexicon().entries)
    table = stopword_table()
    assert list(table.columns) == ["word", "kind"]
    assert len(table) == len(stop) + len(bp) and set(table["kind"]) == {"stop", "boilerplate"}


@pytest.mark.parametrize("token", ["18", "87.1%", "6万", "2024年", "十五", "两", "１２", "3.5个百分点", "1,000"])
def test_numbers(token):
    assert is_num_text(token)


@pytest.mark.parametrize("token", ["两个确立", "政协", "第一", "AB", "", "18次会议"])
def test_not_numbers(token):
    assert not is_num_text(token)


@pytest.mark.parametrize(
    "token, expected",
    [
        ("，", True),
        ("——", True),
        ("“", True),
        ("（", True),
        ("%", True),
        ("政协", False),
        ("AB", False),
        ("", False),
        ("+", True),
    ],
)
def test_punctuation(token, expected):
    assert is_punct_text(token) is expected


def test_filter_options_are_explicit_and_independent():
    toks = ["坚持", "以", "习近平新时代中国特色社会主义思想", "为", "指导", "，", "召开", "18", "次", "会议"]
    assert filter_tokens(toks) == ["坚持", "习近平新时代中国特色社会主义思想", "指导", "召开", "会议"]
    assert filter_tokens(toks, keep_boilerplate=False) == ["习近平新时代中国特色社会主义思想", "指导", "召开", "会议"]
    assert filter_tokens(toks, drop_stop=False) == [
        "坚持",
        "以",
        "习近平新时代中国特色社会主义思想",
        "为",
        "指导",
        "召开",
        "次",
        "会议",
    ]
    assert filter_tokens(toks, drop_num=False, drop_punct=False) == [
        "坚持",
        "习近平新时代中国特色社会主义思想",
        "指导",
        "，",
        "召开",
        "18",
        "会议",
    ]
    # words listed in keep survive every filter
    assert filter_tokens(["十五", "的"], keep=["十五"]) == ["十五"]


def test_user_stopwords_from_words_and_files(tmp_path):
    f = tmp_path / "mine.txt"
    f.write_text("# local\n县委\n政协\n", encoding="utf-8")
    words = load_stopwords([f, "我县"])
    assert {"县委", "政协", "我县", "的"} <= words
    assert load_stopwords(["我县"], include_default=False) == {"我县"}
    bad = tmp_path / "bad.txt"
    bad.write_text("县委\n政 协\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"bad\.txt, line 2"):
        load_stopwords(bad)


def test_filter_tokens_refuses_a_plain_string():
    # a string was filtered character by character: "坚持以习近平…为指导" gave ['坚', '持', '习', …]
    from cppcc_nlp.errors import InputError

    with pytest.raises(
        InputError, match=r"filter_tokens\(\) needs a list of tokens, not the string '坚持以人民为中心'"
    ):
        filter_tokens("坚持以人民为中心")
    with pytest.raises(InputError, match=r"keep='两个确立'"):
        filter_tokens(["两个确立"], keep="两个确立")
    assert filter_tokens(["坚持", "以", "人民", "为", "中心"]) == ["坚持", "人民", "中心"]
