"""Sections, parts, periods, paragraphs and sentences on the sample and the shared reports."""

from __future__ import annotations

import re

import pytest

from cppcc_nlp.io.structure import heading_kind, parse_structure, split_sentences


@pytest.fixture(scope="module")
def sample_doc(sample_corpus):
    return sample_corpus.docs[0]


def test_sample_top_sections_review_2024_plan_2025(sample_doc):
    tops = [(s.heading, s.part, s.period) for s in sample_doc.sections if s.depth == 1]
    assert tops == [
        ("2024年工作回顾", "review", 2024),
        ("2025年工作安排", "plan", 2025),
        ("中国人民政治协商会议阜新蒙古族自治县第十五届委员会常务委员会工作报告", "other", 2024),
    ]


def test_sample_numbered_and_lead_sections(sample_doc):
    numbered = [s for s in sample_doc.sections if s.kind == "numbered"]
    assert [s.heading[:2] for s in numbered] == ["一、", "二、", "三、", "四、", "五、", "一、", "二、", "三、", "四、"]
    assert [s.part for s in numbered] == ["review"] * 5 + ["plan"] * 4
    assert numbered[0].heading == "一、把牢政治方向，在构建“同心政协”中夯实了思想基础"
    leads = [s for s in sample_doc.sections if s.kind == "lead"]
    assert leads[0].heading == "——坚持党的领导，把牢正确政治方向。"
    assert leads[-1].heading == "一要发挥政协党组的领导作用。"
    assert {s.depth for s in numbered} == {2} and {s.depth for s in leads} == {3}
    # no preamble: the text starts with a heading
    assert sample_doc.sections[0].section_id == "000_e661db7dabda7a33/s01"


def test_offsets_point_into_the_normalised_text(sample_doc):
    text = sample_doc.text
    for s in sample_doc.sections:
        assert text[s.heading_start : s.heading_end] == s.heading
        assert text[s.start : s.heading_start] == ""
    for p in sample_doc.paragraphs:
        assert text[p.start : p.end] == p.text
    for s in sample_doc.sentences:
        assert text[s.start : s.end] == s.text
    # sentences cover every character of their paragraph, in order
    by_para = {}
    for s in sample_doc.sentences:
        by_para.setdefault(s.para_id, []).append(s.text)
    for p in sample_doc.paragraphs:
        assert "".join(by_para[p.para_id]) == p.text


def test_ids_follow_the_contract(sample_doc):
    assert sample_doc.paragraphs[3].para_id == "000_e661db7dabda7a33/p0003"
    sent = [s for s in sample_doc.sentences if s.para_id.endswith("p0003")]
    assert [s.sent_id[-3:] for s in sent[:3]] == ["/00", "/01", "/02"]
    assert sent[0].text == "——坚持党的领导，把牢正确政治方向。"
    assert all(re.fullmatch(r".+/s\d{2}", s.section_id) for s in sample_doc.sections)


def test_title_block_is_its_own_section(sample_doc):
    title = sample_doc.sections[-1]
    assert title.kind == "title" and title.part == "other"
    paras = [p.text for p in sample_doc.paragraphs if p.section_id == title.section_id]
    assert paras[1:] == ["——2024年12月25日在政协阜新蒙古族自治县第十五届委员会第四次会议上", "陈忠民", "（摘要）"]


@pytest.mark.slow
def test_national_2019_review_2018_plan_2019(shared_corpus):
    secs = shared_corpus.sections
    top = secs[(secs.doc_id == "national_2019") & (secs.depth == 1)]
    assert top[["heading", "part", "period"]].values.tolist() == [
        ["一、2018年工作回顾", "review", 2018],
        ["二、2019年经济社会发展总体要求和政策取向", "plan", 2019],
        ["三、2019年政府工作任务", "plan", 2019],
    ]
    doc = shared_corpus["national_2019"]
    assert doc.sections[0].section_id == "national_2019/s00" and doc.sections[0].part == "other"
    leads = [s.heading for s in doc.sections if s.kind == "lead"]
    assert "——经济运行保持在合理区间。" in leads


@pytest.mark.slow
def test_every_shared_report_reviews_the_year_before_and_plans_its_year(shared_corpus):
    secs = shared_corpus.sections
    for doc in shared_corpus.docs:
        if doc.doc_id.startswith("000_"):
            continue
        year = doc.meta["year"]
        mine = secs[secs.doc_id == doc.doc_id]
        review = mine[mine.part == "review"]
        plan = mine[mine.part == "plan"]
        assert len(review) and len(plan), doc.doc_id
        assert set(review.period) == {year - 1}, doc.doc_id
        assert set(plan.period) == {year}, doc.doc_id
        # review comes first
        assert review.start.min() < plan.start.min()


@pytest.mark.slow
def test_single_part_heading_ranks_with_numbered_ones(shared_corpus):
    doc = shared_corpus["national_2002"]
    tops = [(s.heading, s.part, s.period) for s in doc.sections if s.depth == 1]
    assert tops[0] == ("首先报告２００１年的工作", "review", 2001)
    assert tops[1] == ("一、扩大和培育内需，促进经济较快增长", "plan", 2002)
    assert tops[-1] == ("结束语", "other", 2002)


@pytest.mark.slow
def test_run_in_sub_headings_in_shanghai(shared_corpus):
    doc = shared_corpus["provincial-shanghai_2022"]
    subs = [s.heading for s in doc.sections if s.kind == "sub"]
    assert subs[0] == "（一）毫不放松抓好疫情防控各项工作。"


def test_december_delivery_shifts_unwritten_periods():
    text = "一、过去一年工作回顾\n成绩显著。\n二、明年主要任务\n一要学习。"
    march = parse_structure(text, doc_id="d", year=2024, month=3)
    december = parse_structure(text, doc_id="d", year=2024, month=12)
    assert [(s.part, s.period) for s in march.sections if s.depth == 1] == [("review", 2023), ("plan", 2024)]
    assert [(s.part, s.period) for s in december.sections if s.depth == 1] == [("review", 2024), ("plan", 2025)]


def test_heading_kinds_and_sentences():
    assert heading_kind("（二）大力调整经济结构，夯实长远发展基础") == ("sub", 20)
    assert heading_kind("二是扎实打好三大攻坚战，重点任务取得积极进展。全年") == ("lead", 23)
    assert heading_kind("过去一年，我们……") is None
    p = "他说：“要团结。”我们同意！还有……"
    assert [p[a:b] for a, b in split_sentences(p)] == ["他说：“要团结。”", "我们同意！", "还有……"]


def test_empty_text_gives_empty_structure():
    s = parse_structure("", doc_id="x", year=2020)
    assert s.sections == [] and s.paragraphs == [] and s.sentences == []


def test_title_block_at_the_start_gives_the_same_report(sample_path):
    """Newspapers put the title block at the end (the sample) or at the start: both must read the same."""
    from cppcc_nlp import Document

    raw = sample_path.read_text(encoding="utf-8")
    lines = raw.rstrip("\n").split("\n")
    moved = "\n".join(lines[334:340]) + "\n\n" + "\n".join(lines[:333]) + "\n"
    doc = Document.from_text(moved, path="x.txt")
    ref = Document.from_text(raw, path="x.txt")
    assert [p.text for p in doc.paragraphs[4:]] == [p.text for p in ref.paragraphs[:-4]]
    assert [(s.heading, s.part, s.period) for s in doc.sections if s.depth == 1] == [
        ("2024年工作回顾", "review", 2024),
        ("2025年工作安排", "plan", 2025),
    ]
    assert doc.sections[0].section_id == "x/s00" and doc.sections[0].part == "other"
    for key in ("title", "organ", "level", "region", "session", "date", "year", "speaker", "abridged"):
        assert doc.meta[key] == ref.meta[key], key


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PIECES = st.sampled_from(
    [
        "一、2023年工作回顾",
        "二、2024年主要任务",
        "（一）加强党建",
        "——坚持团结。",
        "一要学习。",
        "2024年工作安排",
        "结束语",
        "过去一年，成绩显著。",
        "我们要努力奋斗！",
        "“两个确立”",
        "各位代表：",
        "——2024年1月5日在第十五届委员会第四次会议上",
        "陈忠民",
        "（摘要）",
        "政协",
        "\n",
        "。",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join), st.sampled_from([None, 3, 12]))
def test_structure_is_consistent_on_any_normalised_text(raw, month):
    from cppcc_nlp.io.normalise import normalise

    text = normalise(raw).text
    s = parse_structure(text, doc_id="d", year=2024, month=month)
    ids = {sec.section_id for sec in s.sections}
    assert len(ids) == len(s.sections)
    for p in s.paragraphs:
        assert text[p.start : p.end] == p.text and p.section_id in ids
        assert p.part in ("review", "plan", "other")
    for sec in s.sections:
        assert text[sec.heading_start : sec.heading_end] == sec.heading
        assert sec.period is None or 2022 <= sec.period <= 2025
    assert "".join(x.text for x in s.sentences) == text.replace("\n", "")


def test_trailing_title_block_with_a_people_congress_speaker_line():
    # the 主任 line was not a title line, so the whole block stayed inside the last plan section
    from cppcc_nlp.io.normalise import normalise

    text = normalise(
        "各位代表：\n现在，我代表常务委员会，向大会报告工作。\n一、2023年工作回顾\n过去一年成绩显著。\n"
        "二、2024年主要任务\n一要学习。\n上海市人民代表大会常务委员会工作报告\n"
        "——2024年1月23日在上海市第十六届人民代表大会第二次会议上\n上海市人大常委会主任　黄莉新\n"
    ).text
    s = parse_structure(text, doc_id="d", year=2024, month=1)
    assert [(x.heading, x.kind, x.part, x.period) for x in s.sections][-2:] == [
        ("一要学习。", "lead", "plan", 2024),
        ("上海市人民代表大会常务委员会工作报告", "title", "other", 2024),
    ]
    assert text[s.sections[-2].start : s.sections[-2].end] == "一要学习。"


@pytest.mark.parametrize(
    "month, tops",
    [
        (1, [("一、2023年主要工作", "review", 2023), ("二、2024年主要工作", "plan", 2024)]),
        (12, [("一、2023年主要工作", "review", 2023), ("二、2024年主要工作", "review", 2024)]),
    ],
)
def test_a_year_in_a_top_heading_without_review_or_plan_words_decides_the_part(month, tops):
    # "一、2023年主要工作 / 二、2024年主要工作" (a common CPPCC layout) were both part 'other', period 2024:
    # the review of 2023 counted as evidence about 2024
    text = "各位委员：\n一、2023年主要工作\n一年来成绩显著。\n二、2024年主要工作\n一要学习。"
    s = parse_structure(text, doc_id="d", year=2024, month=month)
    assert [(x.heading, x.part, x.period) for x in s.sections if x.depth == 1] == tops


def test_summary_and_intention_words_and_part_headings():
    s = parse_structure("一、2023年工作总结\n成绩显著。\n二、2024年工作打算\n一要学习。", doc_id="d", year=2024)
    assert [(x.part, x.period) for x in s.sections if x.depth == 1] == [("review", 2023), ("plan", 2024)]
    # 第一部分 / 第二部分 open numbered sections like 一、 / 二、
    s = parse_structure(
        "各位委员：\n第一部分2023年工作回顾\n一年来成绩显著。\n第二部分2024年工作安排\n一要学习。",
        doc_id="d",
        year=2024,
        month=1,
    )
    assert [(x.heading, x.kind, x.part, x.period) for x in s.sections if x.depth == 1] == [
        ("第一部分2023年工作回顾", "numbered", "review", 2023),
        ("第二部分2024年工作安排", "numbered", "plan", 2024),
    ]


def test_trailing_title_line_with_the_abridged_mark_opens_the_title_section():
    text = (
        "一、2023年工作回顾\n成绩显著。\n二、2024年主要任务\n一要学习。\n政府工作报告（摘要）\n"
        "——2024年1月23日在上海市第十六届人民代表大会第二次会议上\n上海市市长龚正"
    )
    s = parse_structure(text, doc_id="d", year=2024, month=1)
    assert [(x.heading, x.kind, x.part) for x in s.sections][-2:] == [
        ("一要学习。", "lead", "plan"),
        ("政府工作报告（摘要）", "title", "other"),
    ]


def _tops(s):
    return [(x.heading, x.part, x.period_start, x.period_end) for x in s.sections if x.depth == 1]


def test_bare_numeral_sections_are_read_from_their_text():
    # no words in the heading: the tense of the text decides; the programme the report is about gives the span
    text = (
        "各位代表：\n我向大会作关于一九五六年到一九六七年全国农业发展纲要的执行情况的报告。\n一\n"
        "纲要在一九五六年一月公布，到现在已经四年了，粮食产量已经增长了很多，取得了巨大的成就。\n二\n"
        "我们要继续努力，必须大力发展生产，争取提前实现纲要。\n三\n"
        "各位代表，我们建议大会通过这个纲要。"
    )
    s = parse_structure(text, doc_id="d", year=1960, month=4)
    assert _tops(s) == [("一", "review", 1956, 1959), ("二", "plan", 1960, 1967), ("三", "other", 1960, 1960)]


def test_spans_from_the_opening_of_a_section():
    text = (
        "一、伟大的转变\n从去年三月上一次会议闭幕到我们这次会议召开，已经一年零三个月了，成绩很大。\n"
        "二、全面实现六五计划的主要措施\n我们要在今后三年内全面实现第六个五年计划。\n"
        "三、国家在过渡时期的总任务\n总路线是一九五二年提出的。"
    )
    s = parse_structure(text, doc_id="d", year=1982, month=None)
    assert _tops(s) == [
        ("一、伟大的转变", "review", 1981, 1982),
        ("二、全面实现六五计划的主要措施", "plan", 1983, 1985),
        ("三、国家在过渡时期的总任务", "other", 1982, 1982),
    ]


def test_a_plan_section_that_opens_with_a_review_has_paragraph_spans():
    text = (
        "各位代表：\n关于国内建设\n一九八三年，农业生产获得了大丰收，工业已经稳步增长。\n"
        "一年来，各项事业取得了新的成就，人民生活得到了改善。\n"
        "在新的一年里，我们要继续艰苦奋斗，必须做好各项工作，争取更大的胜利。\n"
        "一、改革城市经济体制\n我们要坚决推进改革，必须调动企业的积极性，今后要扩大企业自主权，努力提高效益。\n"
        "结束语\n各位代表，让我们共同奋斗。"
    )
    s = parse_structure(text, doc_id="d", year=1984)
    top = s.sections[1]
    assert (top.heading, top.part, top.period, top.period_start, top.period_end) == (
        "关于国内建设",
        "plan",
        1984,
        1983,
        1984,
    )
    assert [(p.part, p.period_start, p.period_end) for p in s.paragraphs[2:5]] == [
        ("review", 1983, 1983),
        ("review", 1983, 1983),
        ("plan", 1984, 1984),
    ]
    assert [(x.heading, x.part, x.period) for x in s.sections[2:]] == [
        ("一、改革城市经济体制", "plan", 1984),
        ("结束语", "other", 1984),
    ]


@pytest.mark.slow
def test_a_heading_split_at_its_brackets_opens_its_top_level_section(shared_corpus):
    secs = shared_corpus.sections
    tops = secs[(secs.doc_id == "national_2006") & (secs.depth == 1)]
    assert tops.heading.tolist()[-1] == "三、关于《国民经济和社会发展第十一个五年规划纲要（草案）》的说明"
    third = tops.iloc[-1]
    assert (third.part, third.period_start, third.period_end) == ("plan", 2006, 2010)
    # 二、今年主要任务 is this year's, though its text speaks of the 十一五 plan (it was 2006–2010)
    second = tops.iloc[-2]
    assert (second.heading, second.period_start, second.period_end) == ("二、今年主要任务", 2006, 2006)
    # its （一）…（四） are its subsections at depth 2, no longer depth 3 under 二、今年主要任务
    subs = secs[(secs.doc_id == "national_2006") & (secs.start > third.start) & (secs.kind == "sub")]
    assert subs.heading.str.startswith("（").all() and set(subs.depth) == {2} and len(subs) == 4
