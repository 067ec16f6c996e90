"""Reports the library was not built on (../shared/corpora-extra): national reports 1955–1988 and the 31
provincial reports of 2025 as .docx, read with their own names and under neutral ones (r000.txt …).

The answer keys are written by hand: tests/data/extra_metadata.csv (year, level, region, organ with the
evidence in the text) and tests/data/early_national_sections.csv (the top-level sections of the early reports).
"""

from __future__ import annotations

import csv
import shutil
import warnings

import pytest

from conftest import DATA, ROOT

EXTRA = ROOT.parent / "shared" / "corpora-extra"

pytestmark = pytest.mark.skipif(not EXTRA.is_dir(), reason=f"the extra corpora are not present at {EXTRA}")


def _key(name):
    with open(DATA / name, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _read(path):
    from cppcc_nlp.corpus.document import Document

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Document.from_file(path)


@pytest.fixture(scope="module")
def metadata_key():
    return _key("extra_metadata.csv")


@pytest.mark.slow
@pytest.mark.parametrize("naming", ["own", "neutral"])
def test_year_level_region_organ_from_the_text(metadata_key, tmp_path, naming):
    wrong = []
    for n, row in enumerate(metadata_key):
        path = EXTRA / row["file"]
        if naming == "neutral":  # no year, level or region left in the name: the text must give them
            path = shutil.copy(path, tmp_path / f"r{n:03d}{path.suffix}")
        doc = _read(path)
        got = (doc.meta["year"], doc.meta["level"], doc.meta["region"], doc.meta["organ"])
        want = (int(row["year"]), row["level"], row["region"], row["organ"])
        if got != want:
            wrong.append((row["file"], got, want))
    assert wrong == []


def test_text_evidence_is_named_in_meta_sources(tmp_path):
    doc = _read(shutil.copy(EXTRA / "gwr-provincial-2025-docx" / "2025年宁夏政府工作报告.docx", tmp_path / "r.docx"))
    assert doc.meta["region"] == "宁夏回族自治区" and doc.meta["speaker"] == "张雨浦"
    assert doc.meta["date"] == "2025-01-19"
    assert doc.meta_sources["year"] == "text:date-line"
    assert doc.meta_sources["region"] == "text:date-line"
    doc = _read(shutil.copy(EXTRA / "gwr-national-early" / "national_1958.txt", tmp_path / "r.txt"))
    assert (doc.meta["year"], doc.meta_sources["year"]) == (1958, "text:session")
    assert doc.meta["session"] == "第一届全国人民代表大会第五次会议"


def test_a_year_anywhere_in_the_file_name_is_a_fallback(tmp_path):
    from cppcc_nlp.io.metadata import year_from_filename

    assert year_from_filename("somesource_national_1955.txt") == 1955
    assert year_from_filename("2025年北京市政府工作报告.docx") == 2025
    assert year_from_filename("000_e661db7dabda7a33.txt") is None
    # a report whose text names no year at all: the file name's year is used, with its source
    text = "各位代表：\n现在，我代表县人民政府向大会报告工作。\n一、工作回顾\n成绩显著。"
    (tmp_path / "somesource_county_1999.txt").write_text(text, encoding="utf-8")
    doc = _read(tmp_path / "somesource_county_1999.txt")
    assert (doc.meta["year"], doc.meta_sources["year"]) == (1999, "file-name")
    (tmp_path / "r001.txt").write_text(text, encoding="utf-8")
    from cppcc_nlp import errors

    with pytest.raises(errors.MissingMetadataError, match="no delivery year"):
        _read(tmp_path / "r001.txt")


def test_file_name_and_text_disagreeing_is_a_warning_naming_both(tmp_path):
    from cppcc_nlp.corpus.document import Document

    path = tmp_path / "national_1957.txt"
    shutil.copy(EXTRA / "gwr-national-early" / "national_1958.txt", path)
    with pytest.warns(
        UserWarning,
        match=r"national_1957.txt: year 1957 from the file name, 1958 from the text "
        r"\(text:session\)",
    ):
        doc = Document.from_file(path)
    assert doc.meta["year"] == 1958


@pytest.fixture(scope="module")
def early():
    from cppcc_nlp import Corpus

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Corpus.from_path(EXTRA / "gwr-national-early")


@pytest.mark.slow
def test_top_level_sections_of_the_early_reports_match_the_key(early):
    key = _key("early_national_sections.csv")
    want = {(r["doc_id"], r["heading"]): (r["part"], int(r["period_start"]), int(r["period_end"])) for r in key}
    tops = early.sections[(early.sections.depth == 1) & ~early.sections.kind.isin(["preamble", "title"])]
    # depth 1 is the top level of each report: its headings are exactly the key's, in order
    for doc_id, rows in tops.groupby("doc_id"):
        assert rows.heading.tolist() == [r["heading"] for r in key if r["doc_id"] == doc_id], doc_id
    got = {(r.doc_id, r.heading): (r.part, r.period_start, r.period_end) for r in tops.itertuples()}
    # every row: part and span from the heading or, where the heading says nothing (a bare 一, 关于国内建设), the text
    wrong = {k: (got.get(k), want[k]) for k in want if got.get(k) != want[k]}
    assert wrong == {}
    assert len(want) == 33


def test_period_is_the_end_of_a_review_span_and_the_start_of_a_plan_span(early):
    secs = early.sections.set_index(["doc_id", "heading"])
    review = secs.loc[("national_1988", "过去五年国内工作的基本总结")]
    plan = secs.loc[("national_1988", "今后五年建设和改革的目标、方针和任务")]
    assert (review.period_start, review.period_end, review.period) == (1983, 1987, 1987)
    assert (plan.period_start, plan.period_end, plan.period) == (1988, 1992, 1988)
    sub = early.subset(period=1990)  # inside the 七五 plan (1986–1990) and the 1988 plan span
    assert set(sub.documents.doc_id) == {"national_1986", "national_1988"}
