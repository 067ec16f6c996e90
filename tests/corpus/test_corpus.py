"""The Corpus: tables with the contract's columns, subset, kwic, iteration, folders with bad files."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pandas as pd
import pytest

from cppcc_nlp import Corpus, Document, errors

from conftest import DATA

_spec = importlib.util.spec_from_file_location("make_samples", DATA / "make_samples.py")
make_samples_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_samples_mod)

DOCVARS = ["doc_id", "year", "period", "part", "section_id"]


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    return make_samples_mod.make_samples(tmp_path_factory.mktemp("samples"))


def test_documents_table_has_the_contract_columns(sample_corpus):
    df = sample_corpus.documents
    assert list(df.columns) == [
        "doc_id",
        "path",
        "title",
        "organ",
        "level",
        "region",
        "session",
        "date",
        "year",
        "speaker",
        "abridged",
        "series",
        "n_chars",
        "n_sections",
        "n_paragraphs",
        "encoding",
        "format",
        "sha256",
    ]
    row = df.iloc[0]
    assert row.doc_id == "000_e661db7dabda7a33"
    assert (row.n_paragraphs, row.n_sections) == (37, 32)
    assert row.encoding == "utf-8" and row.format == "txt"
    assert df.year.dtype == "int64"


def test_tables_carry_the_docvars_on_every_row(sample_corpus):
    for name in ("sections", "paragraphs", "sentences"):
        df = getattr(sample_corpus, name)
        for col in DOCVARS + ["start", "end", "level", "region", "organ"]:
            assert col in df.columns, (name, col)
        assert str(df.period.dtype) == "Int64"
        assert (df.year == 2024).all() and (df.region == "阜新蒙古族自治县").all()
    paras = sample_corpus.paragraphs
    assert list(paras.columns[:8]) == ["doc_id", "para_id", "section_id", "part", "period", "start", "end", "text"]
    assert paras.groupby("part").size().to_dict() == {"review": 23, "plan": 10, "other": 4}
    assert set(paras[paras.part == "plan"].period) == {2025}
    sents = sample_corpus.sentences
    assert list(sents.columns[:9]) == [
        "doc_id",
        "para_id",
        "sent_id",
        "section_id",
        "part",
        "period",
        "start",
        "end",
        "text",
    ]


def test_paragraph_offsets_quote_the_text(sample_corpus):
    doc = sample_corpus["000_e661db7dabda7a33"]
    for row in sample_corpus.paragraphs.itertuples():
        assert doc.text[row.start : row.end] == row.text
    whole = [p for p in doc.paragraphs if p.text.startswith("——坚持党的领导，把牢正确政治方向。")]
    assert len(whole) == 1 and whole[0].text.endswith("推动党中央决策部署及省、市、县委工作要求在县政协落地见效。")


def test_iter_paragraphs_yields_every_paragraph(sample_corpus):
    items = list(sample_corpus.iter_paragraphs())
    assert len(items) == len(sample_corpus.paragraphs) == 37
    first = items[1]
    assert first.para_id == "000_e661db7dabda7a33/p0001" and first.part == "review" and first.period == 2024
    assert first.text.startswith("2024年，是全面贯彻落实党的二十大精神的关键之年")


def test_kwic_finds_every_occurrence_with_its_period(sample_corpus):
    hits = sample_corpus.kwic("两个确立", window=6)
    assert list(hits.columns) == [
        "doc_id",
        "year",
        "series",
        "period",
        "part",
        "section_id",
        "para_id",
        "start",
        "end",
        "left",
        "match",
        "right",
    ]
    assert hits.period.tolist() == [2024, 2025]
    assert hits.left.tolist() == ["到坚决拥护“", "，深刻领悟“"]
    doc = sample_corpus.docs[0]
    for row in hits.itertuples():
        assert doc.text[row.start : row.end] == "两个确立"
    rx = sample_corpus.kwic(r"“[^”]{2,4}政协”", regex=True)
    assert rx.match.tolist() == [
        "“同心政协”",
        "“有为政协”",
        "“亲民政协”",
        "“品质政协”",
        "“友好政协”",
        "“创新政协”",
        "“书香政协”",
    ]
    assert sample_corpus.kwic("不存在的词").empty
    with pytest.raises(errors.ParameterError, match="not a valid regular expression"):
        sample_corpus.kwic("(", regex=True)
    with pytest.raises(errors.ParameterError):
        sample_corpus.kwic("")


@pytest.mark.slow
def test_kwic_of_a_literal_finds_what_a_scan_of_every_paragraph_finds(shared_corpus):
    """A literal is looked up once over the corpus's joined text; the regex path scans each paragraph: the same
    rows, on the whole corpus and on a subset (whose paragraphs are restricted to a period)."""
    import re

    for corpus in (shared_corpus, shared_corpus.subset(period=2018)):
        for term in ("两个确立", "政协", "高质量发展", "国内生产总值", "。", "兩個確立"):
            literal = corpus.kwic(term, window=12)
            pd.testing.assert_frame_equal(literal, corpus.kwic(re.escape(term), window=12, regex=True), obj=term)
    assert len(shared_corpus.kwic("政协")) > 100 and len(shared_corpus.subset(period=2018).kwic("政协")) > 0


def test_subset_by_docvars(shared_corpus):
    assert len(shared_corpus) == 26
    assert len(shared_corpus.subset(level="national")) == 20
    assert shared_corpus.subset(region="上海市", year=[2023, 2024]).documents.doc_id.tolist() == [
        "provincial-shanghai_2023",
        "provincial-shanghai_2024",
    ]
    assert len(shared_corpus.subset(organ="政协常委会")) == 1
    with pytest.raises(errors.ParameterError, match="a year is an int"):
        shared_corpus.subset(year="2019")


@pytest.mark.slow
def test_subset_validates_values_and_takes_inclusive_ranges(shared_corpus):
    with pytest.raises(errors.ParameterError, match=r"'nationl' \(did you mean 'national'\?\)"):
        shared_corpus.subset(level="nationl")
    with pytest.raises(errors.ParameterError, match=r"did you mean '上海市'"):
        shared_corpus.subset(region="上海")
    with pytest.raises(errors.ParameterError, match="1990"):
        shared_corpus.subset(year=1990)
    with pytest.raises(errors.ParameterError, match="inclusive range"):
        shared_corpus.subset(year=(2014, 2016, 2018))
    # a tuple is an inclusive range, as is range(); a list is those years
    expected = [f"national_{y}" for y in range(2014, 2019)]
    assert shared_corpus.subset(year=(2014, 2018)).documents.doc_id.tolist() == expected
    assert shared_corpus.subset(year=range(2014, 2019)).documents.doc_id.tolist() == expected
    assert shared_corpus.subset(year=[2014, 2018]).documents.doc_id.tolist() == ["national_2014", "national_2018"]
    # a range reaching past the corpus is fine: it keeps what there is
    assert len(shared_corpus.subset(year=(2023, 2030))) == 3  # Shanghai 2023, 2024 and the county report of 2024
    # part= restricts the sections, as period= does
    review = shared_corpus.subset(year=2019, part="review")
    assert set(review.paragraphs.part) == {"review"} and len(review.paragraphs) < len(
        shared_corpus.subset(year=2019).paragraphs
    )
    assert len(shared_corpus.subset(series="国务院/national/全国")) == 20


@pytest.mark.slow
def test_every_table_carries_the_series(shared_corpus):
    expected = {"国务院/national/全国", "上海市人民政府/provincial/上海市", "政协常委会/county/阜新蒙古族自治县"}
    assert set(shared_corpus.documents.series) == expected
    for table in (
        shared_corpus.sections,
        shared_corpus.paragraphs,
        shared_corpus.sentences,
        shared_corpus.kwic("发展"),
    ):
        assert set(table.series) == expected and table.series.notna().all()
    by_doc = shared_corpus.documents.set_index("doc_id").series
    assert by_doc["national_2019"] == "国务院/national/全国"
    assert by_doc["provincial-shanghai_2024"] == "上海市人民政府/provincial/上海市"


@pytest.mark.slow
def test_tables_equal_one_row_per_record_with_its_docvars(shared_corpus):
    """The tables are built column by column; each equals the plain construction: one dict per record, the
    record's fields then the document's docvars (dtypes included)."""
    from cppcc_nlp.corpus.corpus import (
        DOCVARS,
        PARAGRAPH_COLUMNS,
        SECTION_COLUMNS,
        SENTENCE_COLUMNS,
        series_label,
    )

    for name, columns in (
        ("sections", SECTION_COLUMNS),
        ("paragraphs", PARAGRAPH_COLUMNS),
        ("sentences", SENTENCE_COLUMNS),
    ):
        rows = [
            {
                **{c: getattr(r, c) for c in columns},
                **{k: d.meta.get(k) for k in DOCVARS},
                "series": series_label(d.meta),
            }
            for d in shared_corpus
            for r in getattr(d, name)
        ]
        expected = pd.DataFrame(rows, columns=columns + list(DOCVARS))
        for col in ("period", "period_start", "period_end"):
            expected[col] = expected[col].astype("Int64")
        expected["year"] = expected["year"].astype("int64")
        for col in ("start", "end") + (("depth", "n_chars") if name == "sections" else ()):
            expected[col] = expected[col].astype("int64")
        assert len(expected) > 700, name
        pd.testing.assert_frame_equal(getattr(shared_corpus, name), expected, obj=name)


def test_subset_by_period_keeps_the_sections_about_that_year(shared_corpus):
    sub = shared_corpus.subset(period=2018)
    # national_2019 reviews 2018, national_2018 plans 2018; spans over 2018 come too: the 十三五 plan of
    # national_2016 (2016–2020) and the five-year review of national_2018 (2013–2017) does not
    docs = sub.documents.doc_id.tolist()
    assert {"national_2018", "national_2019", "national_2016"} <= set(docs)
    assert "national_2017" not in docs and "national_2012" not in docs
    parts = sub.paragraphs.groupby("doc_id").part.unique().to_dict()
    assert set(parts["national_2019"]) == {"review"}
    assert set(parts["national_2018"]) >= {"plan"}
    paras = sub.paragraphs
    assert ((paras.period_start <= 2018) & (2018 <= paras.period_end)).all()
    assert (paras[paras.doc_id.isin(["national_2018", "national_2019"])].period == 2018).all()
    sixteen = sub.sections[sub.sections.doc_id == "national_2016"]
    assert set(zip(sixteen.period_start, sixteen.period_end)) == {(2016, 2020)}


def test_folder_with_bad_files_skips_them_and_names_them(samples, tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in ("utf8.txt", "gbk.txt", "empty.txt", "binary.txt", "noyear.txt", "notes.rtf"):
        shutil.copy(samples[name], folder / name)
    (folder / "README.md").write_text("not a report", encoding="utf-8")
    with pytest.warns(UserWarning, match="skipped"):
        corpus = Corpus.from_path(folder)
    assert corpus.documents.doc_id.tolist() == ["gbk", "utf8"]
    skipped = {Path(p).name: message for p, message in corpus.problems}
    assert set(skipped) == {"empty.txt", "binary.txt", "noyear.txt", "notes.rtf"}
    assert "no delivery year" in skipped["noyear.txt"] and str(folder / "noyear.txt") in skipped["noyear.txt"]
    with pytest.raises(errors.ReportFileError):
        Corpus.from_path(folder, strict=True)


def test_a_manifest_beside_the_reports_fills_what_the_text_lacks(samples, tmp_path):
    folder = tmp_path / "with_manifest"
    folder.mkdir()
    shutil.copy(samples["noyear.txt"], folder / "report_a.txt")
    (folder / "manifest.csv").write_text("file,year,level,region\nreport_a.txt,2021,county,彰武县\n", encoding="utf-8")
    corpus = Corpus.from_path(folder)
    row = corpus.documents.iloc[0]
    assert (row.year, row.level, row.region, row.organ) == (2021, "county", "彰武县", "人民政府")
    other = tmp_path / "m.yaml"
    other.write_text("report_a.txt: {year: 2020}\n", encoding="utf-8")
    assert Corpus.from_path(folder, manifest=other).documents.year.tolist() == [2020]


def test_no_reports_and_missing_paths(tmp_path, samples):
    empty = tmp_path / "empty_folder"
    empty.mkdir()
    with pytest.raises(errors.NoReportsError, match="no readable report"):
        Corpus.from_path(empty)
    with pytest.raises(errors.ReportFileError, match="no such file"):
        Corpus.from_path(tmp_path / "absent")
    with pytest.raises(errors.MissingMetadataError, match="no delivery year"):
        Corpus.from_path(samples["noyear.txt"])


def test_same_stem_gets_a_suffix(samples, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    shutil.copy(samples["utf8.txt"], a / "report.txt")
    shutil.copy(samples["gbk.txt"], b / "report.txt")
    corpus = Corpus.from_path([a / "report.txt", b / "report.txt"])
    assert corpus.documents.doc_id.tolist() == ["report", "report-2"]
    assert corpus.paragraphs.para_id.iloc[-1] == "report-2/p0036"
    assert corpus["report-2"].sections[0].section_id == "report-2/s01"


def test_to_simplified_keeps_the_original(samples, sample_corpus):
    corpus = Corpus.from_path(samples["traditional.txt"], to_simplified=True)
    doc = corpus.docs[0]
    assert doc.text == sample_corpus.docs[0].text
    assert "報告" in doc.original_text and len(doc.original_text) == len(doc.text)
    assert doc.meta["region"] == "阜新蒙古族自治县"


def test_document_from_text_and_repr(sample_path):
    doc = Document.from_text(sample_path.read_text(encoding="utf-8"), path="county-阜新蒙古族自治县_2024.txt")
    assert doc.doc_id == "county-阜新蒙古族自治县_2024" and doc.layout == "wrapped"
    assert "year=2024" in repr(doc)
    assert isinstance(Corpus([doc]).documents, pd.DataFrame)


def test_from_texts_uses_the_name_as_the_file_name():
    corpus = Corpus.from_texts({"national_2019": "一、2018年工作回顾\n成绩显著。\n二、2019年主要任务\n一要学习。"})
    row = corpus.documents.iloc[0]
    assert (row.doc_id, row.year, row.level, row.region) == ("national_2019", 2019, "national", "全国")
    assert corpus.sections.period.tolist() == [2018, 2019, 2019]
    assert Corpus.from_texts(["2024年工作回顾\n好。"], meta={"text0": {"year": 2024}}).docs[0].meta["year"] == 2024
    with pytest.raises(errors.ParameterError):
        Corpus.from_texts("one string")


@pytest.mark.parametrize(
    "module",
    [
        "io.reading",
        "io.normalise",
        "io.structure",
        "io.metadata",
        "corpus.corpus",
        "corpus.store",
        "_cache",
        "corpus._document_cache",
    ],
)
def test_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"cppcc_nlp.{module}"), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_unconverted_traditional_report_keeps_its_sections_periods_and_docvars(samples, sample_corpus):
    # without to_simplified the text stays traditional (researchers quote it), but headings (回顧, 工作報告)
    # and the title block must still be read: the review section is about 2024, the plan about 2025
    doc = Corpus.from_path(samples["traditional.txt"]).docs[0]
    ref = sample_corpus.docs[0]
    assert "回顧" in doc.text and doc.original_text is None
    assert [(s.section_id, s.kind, s.part, s.period, s.start, s.end) for s in doc.sections] == [
        (s.section_id.replace(ref.doc_id, doc.doc_id), s.kind, s.part, s.period, s.start, s.end) for s in ref.sections
    ]
    assert doc.sections[0].heading == "2024年工作回顧"
    assert doc.text[doc.sections[0].heading_start : doc.sections[0].heading_end] == "2024年工作回顧"
    # docvars are grouping keys: in simplified characters, so a traditional report groups with the others
    for field in ("title", "date", "year", "session", "organ", "level", "region", "speaker", "abridged"):
        assert doc.meta[field] == ref.meta[field], field


def test_a_manifest_line_naming_no_report_in_its_folder_is_reported(sample_path, tmp_path):
    # a typo in a manifest's file name silently left that report with the text's docvars
    folder = tmp_path / "typo"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(sample_path, folder / "fx.txt")
    (folder / "sub" / "fx2.txt").write_bytes(sample_path.read_bytes() + b"\n")  # not a byte-identical copy
    (folder / "manifest.csv").write_text(
        "file,year,level,region\nfx.txt,2023,city,阜新市\nsub/fx2.txt,2022,,\nfx_2024.txt,2024,city,阜新市\n",
        encoding="utf-8",
    )
    with pytest.warns(UserWarning) as record:
        corpus = Corpus.from_path(folder)
    messages = [str(w.message) for w in record]
    assert messages == [
        f"{folder / 'manifest.csv'}: the line for 'fx_2024.txt' matches no report read from "
        f"{folder} (check the file name)"
    ]
    assert corpus.documents.set_index("doc_id").year.to_dict() == {"fx": 2023, "fx2": 2022}
    # a single file named from that folder: the other lines are not expected to match
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Corpus.from_path(folder / "fx.txt").documents.year.tolist() == [2024]


def test_a_file_named_twice_is_read_once_and_a_copy_is_flagged(sample_path, tmp_path):
    # a folder plus a file inside it (or the same folder twice) read the report twice: every count doubled
    folder = tmp_path / "reports"
    folder.mkdir()
    inside = folder / sample_path.name
    shutil.copy(sample_path, inside)
    corpus = Corpus.from_path([folder, inside, Path(str(folder) + "/.")])
    assert corpus.documents.doc_id.tolist() == ["000_e661db7dabda7a33"]
    assert len(corpus.kwic("两个确立")) == 2
    # a byte-identical copy elsewhere is a second document, with a warning naming both files
    copy = tmp_path / "copy_of_sample.txt"
    shutil.copy(sample_path, copy)
    with pytest.warns(UserWarning, match=rf"{copy}: the same bytes as {sample_path}"):
        corpus = Corpus.from_path([sample_path, copy])
    assert corpus.documents.doc_id.tolist() == ["000_e661db7dabda7a33", "copy_of_sample"]


def test_a_period_subset_counts_only_the_characters_it_keeps(sample_corpus):
    # n_sections and n_paragraphs followed subset(period=…) but n_chars stayed the whole report's (4957),
    # so rates per character over a period subset were too low
    full = sample_corpus.documents.iloc[0]
    assert full.n_chars == 4957 == sample_corpus.paragraphs.text.str.len().sum()
    plan = sample_corpus.subset(period=2025)
    row = plan.documents.iloc[0]
    assert (row.n_sections, row.n_paragraphs) == (9, 10)
    assert row.n_chars == plan.paragraphs.text.str.len().sum() == plan.sections.n_chars.sum()
    review = sample_corpus.subset(period=2024)
    assert review.documents.n_chars.iloc[0] + row.n_chars == full.n_chars


def test_kwic_finds_a_formulation_in_either_script(samples, sample_corpus):
    # a traditional report read without to_simplified gave no hit for 两个确立 (its text has 兩個確立), so a
    # mixed corpus silently lost those documents from every concordance
    corpus = Corpus([sample_corpus.docs[0], Corpus.from_path(samples["traditional.txt"]).docs[0]])
    for pattern, regex in (("两个确立", False), ("兩個確立", False), ("两个确[立]", True)):
        hits = corpus.kwic(pattern, window=4, regex=regex)
        assert hits.groupby("doc_id").size().to_dict() == {"000_e661db7dabda7a33": 2, "traditional": 2}
        for row in hits.itertuples():
            assert corpus[row.doc_id].text[row.start : row.end] == row.match
        assert sorted(hits["match"]) == ["两个确立", "两个确立", "兩個確立", "兩個確立"]
        assert hits[hits.doc_id == "traditional"]["left"].tolist() == ["決擁護“", "刻領悟“"]
