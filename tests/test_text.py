"""The shared character classes and OpenCC converters of cppcc_nlp._text (fast: no pkuseg model)."""

from __future__ import annotations

import re

import pytest

from cppcc_nlp import _text
from cppcc_nlp._text import (
    CN_NUMERALS,
    DIGITS,
    FULLWIDTH_DIGITS,
    QUOTE_PAIRS,
    TITLE_PAIRS,
    s2t_converter,
    simplified_view,
    t2s_converter,
    to_simplified_text,
    to_traditional_text,
)


def test_digit_class_and_full_width_table():
    found = re.findall(rf"[{DIGITS}]+", "２０２４年增长5.2%，第１４个五年规划")
    assert found == ["２０２４", "5", "2", "１４"]
    assert "２０２４年，第１４届".translate(FULLWIDTH_DIGITS) == "2024年，第14届"
    assert re.fullmatch(rf"第[{CN_NUMERALS}]+届", "第十四届") and not re.fullmatch(rf"[{CN_NUMERALS}]+", "十四五年")


def test_quote_and_title_pairs_close_what_they_open():
    assert QUOTE_PAIRS["“"] == "”" and QUOTE_PAIRS["「"] == "」" and QUOTE_PAIRS['"'] == '"'
    assert TITLE_PAIRS["《"] == "》"
    assert not set(QUOTE_PAIRS) & set(TITLE_PAIRS)


def test_converters_are_built_once():
    assert t2s_converter() is t2s_converter() and s2t_converter() is s2t_converter()
    assert to_simplified_text("國務院政府工作報告") == "国务院政府工作报告"
    assert to_traditional_text("两个确立") == "兩個確立"


def test_simplified_view_keeps_offsets_and_falls_back_to_the_text(monkeypatch):
    assert simplified_view("2024年工作回顧\n工作報告") == "2024年工作回顾\n工作报告"
    assert simplified_view("已是简体") == "已是简体"

    class Growing:  # a conversion that changes the length of a line must not be used
        def convert(self, text):
            return text.replace("報", "报告")

    monkeypatch.setattr(_text, "t2s_converter", lambda: Growing())
    assert simplified_view("工作報告") == "工作報告"


def test_simplified_view_of_a_real_report_round_trips(shared_dir):
    path = shared_dir / "gwr-national" / "national_2019.txt"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    text = path.read_text(encoding="utf-8")
    traditional = to_traditional_text(text)
    view = simplified_view(traditional)
    assert view != traditional
    assert [len(x) for x in view.split("\n")] == [len(x) for x in text.split("\n")]
    same = sum(a == b for a, b in zip(view, text)) / len(text)
    assert same > 0.999, same
