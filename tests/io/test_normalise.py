"""Layout repair on the three real layouts, and the no-character-lost invariant (hypothesis)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cppcc_nlp import errors
from cppcc_nlp.io.normalise import detect_layout, find_clutter, normalise


def nonws(text: str) -> str:
    return re.sub(r"\s+", "", text)


def cut(text: str, removed) -> str:
    out, pos = [], 0
    for r in removed:
        assert text[r.start : r.end] == r.text
        out.append(text[pos : r.start])
        pos = r.end
    return "".join(out) + text[pos:]


def assert_invariant(raw: str, result) -> None:
    assert nonws(result.text) == nonws(cut(raw, result.removed))


@pytest.fixture(scope="module")
def sample_raw(sample_path):
    return sample_path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sample_norm(sample_raw):
    return normalise(sample_raw)


@pytest.fixture(scope="module")
def shared_texts(shared_dir):
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(shared_dir.rglob("*.txt"))}


# -- the sample: newspaper columns -----------------------------------------------------------------------------


def test_sample_is_wrapped_and_every_paragraph_whole(sample_raw, sample_norm):
    assert sample_norm.layout == "wrapped"
    paras = sample_norm.paragraphs
    assert len(paras) == 37
    lines = sample_raw.split("\n")
    # lines 24-38 of the file are one paragraph: ——坚持党的领导，把牢正确政治方向。…落地见效。
    whole = nonws("".join(lines[23:38]))
    assert whole.startswith("——坚持党的领导，把牢正确政治方向。") and whole.endswith("落地见效。")
    assert whole in paras
    # the plan preamble spans two column breaks (lines 233-255)
    assert nonws("".join(lines[232:255])) in paras
    assert paras[0] == "2024年工作回顾" and paras[23] == "2025年工作安排"
    assert paras[2] == "一、把牢政治方向，在构建“同心政协”中夯实了思想基础"
    assert paras[-4:] == [
        "中国人民政治协商会议阜新蒙古族自治县第十五届委员会常务委员会工作报告",
        "——2024年12月25日在政协阜新蒙古族自治县第十五届委员会第四次会议上",
        "陈忠民",
        "（摘要）",
    ]


def test_sample_no_word_broken_by_a_line_break(sample_raw, sample_norm):
    flat = nonws(sample_raw)
    for word in (
        "二十大精神",
        "政协",
        "全面振兴新突破三年行动",
        "两个维护",
        "民心路",
        "十五五",
        "政治协商",
        "国之大者",
        "发挥人民政协专门协商机构作用",
        "担当和政协作为",
    ):
        assert sample_norm.text.count(word) == flat.count(word) > 0, word
    # body paragraphs end a sentence; the others are headings or the title block
    for para in sample_norm.paragraphs:
        if not re.match(r"^(?:\d{4}年工作|[一二三四五]、|中国人民政治协商会议|——2024|陈忠民|（摘要）)", para):
            assert para[-1] in "。！？”", para


def test_spaces_inside_numbers_are_dropped(sample_norm):
    assert "志愿服务8次、“办实事”活动6次" in sample_norm.text
    assert "委员60余人次" in sample_norm.text


def test_sample_keeps_every_character(sample_raw, sample_norm):
    assert sample_norm.removed == []
    assert_invariant(sample_raw, sample_norm)


# -- the shared corpora ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_layouts_detected_on_every_shared_file(shared_texts):
    for stem, text in shared_texts.items():
        expected = "wrapped" if stem.startswith("000_") else "spaced" if "shanghai" in stem else "lines"
        assert detect_layout(text) == expected, stem


@pytest.mark.slow
def test_invariant_on_every_shared_file(shared_texts):
    for _stem, text in shared_texts.items():
        result = normalise(text)
        assert_invariant(text, result)
        assert "\n\n" not in result.text and result.text == result.text.strip()


@pytest.mark.slow
def test_stray_breaks_in_one_paragraph_per_line_reports(shared_texts):
    n2017 = normalise(shared_texts["national_2017"]).paragraphs
    assert n2017[0] == "政府工作报告"
    assert any(p.startswith("——经济运行缓中趋稳、稳中向好。国内生产总值达到74.4万亿元，增长6.7%") for p in n2017)
    assert any(p.startswith("党的十八届六中全会正式明确习近平总书记的核心地位") for p in n2017)
    n2000 = normalise(shared_texts["national_2000"]).text
    assert "修订了《会计法》" in n2000 or "《会计法》" in n2000
    assert "\n一是发行1000亿元长期国债" in n2000
    n2019 = normalise(shared_texts["national_2019"]).text
    assert "细颗粒物（PM2.5）浓度继续下降" in n2019


@pytest.mark.slow
def test_shanghai_space_runs_split_paragraphs_and_clutter_is_reported(shared_texts):
    result = normalise(shared_texts["provincial-shanghai_2024"])
    assert result.layout == "spaced"
    kinds = {(r.kind, r.text) for r in result.removed}
    assert ("source-note", "（来源：解放日报）") in kinds
    assert ("page-marker", "（上接第4版）") in kinds
    assert ("page-marker", "下转7版") in kinds
    assert "“上海标准”和“上海品牌”。" in result.paragraphs[51]
    assert not result.text.endswith("（来源：解放日报）")
    assert result.text.endswith("努力为中国式现代化建设作出新贡献！")
    assert "一、2023年工作回顾" in result.paragraphs
    assert "二、2024年主要任务" in result.paragraphs
    assert "PM 2.5" in normalise(shared_texts["provincial-shanghai_2023"]).text  # kept between ASCII


@pytest.mark.slow
def test_wikisource_debris_is_reported(shared_texts):
    result = normalise(shared_texts["national_2007"])
    assert [r.text for r in result.removed] == ["'", "'", "粗体文字"]
    assert "——改革开放进一步深化。" in result.paragraphs


# -- unit cases -----------------------------------------------------------------------------------------------


def test_layout_can_be_forced_and_bad_values_are_refused():
    assert normalise("甲乙\n丙丁。", layout="lines").layout == "lines"
    with pytest.raises(errors.ParameterError, match="unknown layout"):
        normalise("甲", layout="columns")
    with pytest.raises(errors.ParameterError):
        normalise(b"bytes")


def test_find_clutter_only_at_the_end_for_source_notes():
    text = "（来源：新华社）开头不算。\n结尾算。（来源：解放日报）\n"
    removed = find_clutter(text)
    assert [(r.kind, r.text, r.line) for r in removed] == [("source-note", "（来源：解放日报）", 2)]


# -- hypothesis: the invariant over generated texts, and re-wrapping real paragraphs ---------------------------

_ALPHABET = st.sampled_from(
    list("政协委员会议工作报告县市二十大精神一二三四五")
    + list("。，、；：！？“”《》（）——…")
    + ["\n", "\n\n", " ", "\u3000", "  ", "\u2003", "\r\n", "\r"]
    + [
        "（来源：解放日报）",
        "（上接第4版）",
        "'",
        "粗体文字",
        "一、",
        "（一）",
        "——",
        "2024年工作回顾",
        "PM",
        "2.5",
        "8 次",
        "一是",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ALPHABET, max_size=120).map("".join), st.sampled_from([None, "wrapped", "lines", "spaced"]))
def test_invariant_on_generated_text(raw, layout):
    result = normalise(raw, layout=layout)
    assert_invariant(raw, result)
    assert "\n\n" not in result.text


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_rewrapped_sample_comes_back_whole(sample_norm, data):
    """Hard-wrap the real paragraphs at a random column width (12-40), with or without first-line indentation
    and blank lines between paragraphs, add column-break blank lines inside them: normalise must give back the
    same paragraphs."""
    width = data.draw(st.integers(min_value=12, max_value=40), label="width")
    indent = data.draw(st.booleans(), label="indent")
    blank_between = data.draw(st.booleans(), label="blank lines between paragraphs")
    body = sample_norm.paragraphs[:33]  # the title block lines are longer than any column
    lines = []
    for para in body:
        para = ("\u3000\u3000" + para) if indent else para
        chunks = [para[i : i + width] for i in range(0, len(para), width)]
        for k, chunk in enumerate(chunks):
            lines.append(chunk)
            last = k == len(chunks) - 1
            if not last and chunk[-1] not in "。！？；：”" and data.draw(st.integers(0, 9), label="gap") == 0:
                lines.append("")  # a column break inside the paragraph
        if blank_between:
            lines.append("")
    raw = "\n".join(lines)
    result = normalise(raw)
    assert result.layout == "wrapped"
    assert_invariant(raw, result)
    assert result.paragraphs == body


def _perturbed_slices(texts):
    """Random slices of real reports with whitespace (spaces, breaks, blank lines, ideographic spaces) injected."""

    @st.composite
    def build(draw):
        text = draw(st.sampled_from(texts))
        a = draw(st.integers(0, max(len(text) - 1, 0)))
        b = draw(st.integers(a, min(len(text), a + 3000)))
        piece = list(text[a:b])
        for _ in range(draw(st.integers(0, 25))):
            pos = draw(st.integers(0, len(piece)))
            piece.insert(pos, draw(st.sampled_from(["\n", "\n\n", " ", "\u3000\u3000", "  ", "\r\n", "\t"])))
        return "".join(piece)

    return build()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_invariant_on_real_sample_slices(sample_raw, data):
    raw = data.draw(_perturbed_slices([sample_raw]), label="raw")
    result = normalise(raw)
    assert nonws(result.text) == nonws(cut(raw, result.removed))


@pytest.mark.slow
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_invariant_on_real_shared_slices(shared_texts, data):
    raw = data.draw(_perturbed_slices(list(shared_texts.values())), label="raw")
    result = normalise(raw)
    assert nonws(result.text) == nonws(cut(raw, result.removed))
    # clutter is only what the library names
    assert all(r.kind in ("source-note", "page-marker", "wiki-markup") for r in result.removed)


def test_package_level_normalise_is_callable_even_after_the_submodule_is_imported():
    import cppcc_nlp
    import cppcc_nlp.io.normalise  # noqa: F401  (imports the submodule, which Python binds on its package)

    assert cppcc_nlp.normalise("政府工作报\n告\n\n各位代表：").text == "政府工作报告\n各位代表："


def test_web_clutter_is_cut_and_reported_and_spaced_digits_are_joined():
    raw = (
        "2025年云南省政府工作报告来源：北京日报\n——2025年1月18日在云南省第十四届人民代表大会第三次会议上\n"
        "时间：2026-02-02\n各位代表：\n1 9 9 3年，经济增长8 次。本报记者张三摄\n【打印】"
    )
    out = normalise(raw)
    assert out.text.split("\n")[0] == "2025年云南省政府工作报告"
    assert "1993年，经济增长8次。" in out.text
    assert [r.text for r in out.removed if r.kind == "web-clutter"] == [
        "来源：北京日报",
        "时间：2026-02-02",
        "本报记者张三摄",
        "【打印】",
    ]
    # nothing else is lost: the text plus what was removed holds every non-whitespace character
    kept = "".join(out.text.split()) + "".join(r.text for r in out.removed)
    assert sorted(kept.replace(" ", "")) == sorted("".join(raw.split()))


def test_a_source_word_inside_the_body_is_kept():
    body = (
        "一、2024年工作回顾\n"
        + "经济运行稳中向好。" * 100
        + "资金来源：财政拨款和社会投资，主要来源：企业。"
        + "成绩显著。" * 200
    )
    out = normalise(body)
    assert "资金来源：财政拨款" in out.text and "主要来源：企业" in out.text
    assert out.removed == []


def test_a_heading_split_at_its_brackets_is_not_glued_to_the_next_paragraph(shared_texts):
    # national_2006: "三、关于《" / title / "》的说明" / blank / "党的十六届五中全会…" came out as one paragraph, so
    # the third top-level section was lost inside the second
    paras = normalise(shared_texts["national_2006"]).text.split("\n")
    assert "三、关于《国民经济和社会发展第十一个五年规划纲要（草案）》的说明" in paras
    assert not [p for p in paras if p.startswith("三、关于《") and len(p) > 40]
    text = normalise("二、关于《\n某某纲要（草案）\n》的说明\n\n党的全会提出了目标。\n").text
    assert text.split("\n") == ["二、关于《某某纲要（草案）》的说明", "党的全会提出了目标。"]
    # a blank line inside the brackets does not end the heading
    assert normalise("一、关于《\n\n会计法\n》\n").text == "一、关于《会计法》"


def test_display_width_counts_ascii_characters_as_half_a_cell():
    from cppcc_nlp.io.normalise import _width

    assert _width("一二 ab\u3000\n") == 3.5  # trailing (full-width) space not counted
    assert _width("é\U00020000x") == 2.5  # any non-ASCII character is a whole cell
    assert _width("\u3000\u3000两个确立") == 6.0  # indentation counts
    assert _width("") == 0.0
