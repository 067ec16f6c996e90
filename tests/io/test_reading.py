"""Reading report files: encodings detected from the bytes, .docx/.pdf/.html, OpenCC, bad input."""

from __future__ import annotations

import hashlib
import importlib.util

import pytest

from cppcc_nlp import errors
from cppcc_nlp.io.normalise import normalise
from cppcc_nlp.io.reading import decode_bytes, read_report, to_simplified_text

from conftest import DATA

_spec = importlib.util.spec_from_file_location("make_samples", DATA / "make_samples.py")
make_samples_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_samples_mod)


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    return make_samples_mod.make_samples(tmp_path_factory.mktemp("samples"))


@pytest.fixture(scope="module")
def reference(sample_path):
    return normalise(sample_path.read_text(encoding="utf-8")).text


@pytest.mark.parametrize(
    "name, encoding",
    [
        ("utf8.txt", "utf-8"),
        ("utf8_bom.txt", "utf-8-sig"),
        ("utf16le_bom.txt", "utf-16-le"),
        ("utf16le_nobom.txt", "utf-16-le"),
        ("utf16be_nobom.txt", "utf-16-be"),
        ("gb18030.txt", "gb18030"),
        ("gbk.txt", "gb18030"),
        ("gbk_as.docx.txt", "gb18030"),
    ],
)
def test_encodings_are_detected_and_give_the_same_text(samples, reference, name, encoding):
    raw = read_report(samples[name])
    assert raw.encoding == encoding
    assert raw.format == "txt"
    assert "\ufeff" not in raw.text
    assert normalise(raw.text).text == reference


def test_sha256_is_the_hash_of_the_file_bytes(samples):
    raw = read_report(samples["gbk.txt"])
    assert raw.sha256 == hashlib.sha256(samples["gbk.txt"].read_bytes()).hexdigest()


def test_docx_paragraphs_come_out_as_the_report(samples, reference):
    raw = read_report(samples["report.docx"])
    assert raw.format == "docx"
    assert normalise(raw.text).text == reference


def test_html_page_loses_its_clutter_and_keeps_the_report(samples, reference):
    raw = read_report(samples["page.html"])
    assert raw.format == "html" and raw.encoding == "gb18030"
    for clutter in ("首页", "要闻", "广告", "相关新闻", "县政协常委会工作报告"):
        assert clutter not in raw.text
    assert normalise(raw.text).text == reference


def test_pdf_text_layer_is_read_and_rewrapped(samples, reference):
    raw = read_report(samples["report.pdf"])
    norm = normalise(raw.text)
    assert raw.format == "pdf"
    assert norm.layout == "wrapped"
    assert norm.paragraphs == reference.split("\n")[:6]


def test_traditional_is_converted_on_request_keeping_the_original(samples, reference):
    plain = read_report(samples["traditional.txt"])
    assert "報告" in plain.text and plain.original_text is None
    converted = read_report(samples["traditional.txt"], to_simplified=True)
    assert "報告" in converted.original_text
    assert normalise(converted.text).text == reference
    assert to_simplified_text("國務院政府工作報告") == "国务院政府工作报告"


@pytest.mark.parametrize(
    "name, error, words",
    [
        ("empty.txt", errors.EmptyFileError, "empty"),
        ("blank.txt", errors.EmptyFileError, "empty"),
        ("binary.txt", errors.BinaryFileError, "binary"),
        ("undecodable.txt", errors.DecodingError, "undecodable bytes"),
        ("notes.rtf", errors.UnsupportedFormatError, "unsupported file type '.rtf'"),
        ("scan.pdf", errors.NoTextLayerError, "no text layer"),
        ("fake.docx", errors.BinaryFileError, "not a valid .docx"),
    ],
)
def test_bad_files_raise_typed_errors_naming_the_file(samples, name, error, words):
    with pytest.raises(error) as info:
        read_report(samples[name])
    message = str(info.value)
    assert str(samples[name]) in message
    assert words in message
    assert info.value.exit_status == 2
    assert "(" in message  # every message carries a hint of what to do


def test_missing_file_is_a_report_file_error(tmp_path):
    with pytest.raises(errors.ReportFileError, match="no such file"):
        read_report(tmp_path / "absent.txt")


def test_decode_bytes_prefers_utf8_and_falls_back_to_gb18030():
    text = "阜新蒙古族自治县政协"
    assert decode_bytes(text.encode("utf-8")) == (text, "utf-8")
    assert decode_bytes(text.encode("gb18030")) == (text, "gb18030")
    assert decode_bytes(text.encode("utf-16-le")) == (text, "utf-16-le")


def test_docx_tables_stay_in_document_order(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("一、2023年工作回顾")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "立案率", "87.1%"
    document.add_paragraph("二、2024年主要任务")
    document.save(tmp_path / "t.docx")
    assert read_report(tmp_path / "t.docx").text == "一、2023年工作回顾\n\n立案率\t87.1%\n\n二、2024年主要任务"


def test_html_line_breaks_inside_a_paragraph_are_not_paragraph_ends(tmp_path):
    page = tmp_path / "t.html"
    page.write_text(
        "<html><body><p>各位代表：<br>现在，我代表<br/>县人民政府报告工作。</p><p>一、2023年工作回顾</p></body></html>",
        encoding="utf-8",
    )
    raw = read_report(page)
    assert normalise(raw.text).paragraphs == ["各位代表：", "现在，我代表县人民政府报告工作。", "一、2023年工作回顾"]


def test_gb18030_four_byte_characters_outside_gbk():
    text = "刘䶮与𠀀：阜新蒙古族自治县政协常委会工作报告"  # U+4DAE and U+20000 are not in GBK
    data = text.encode("gb18030")
    with pytest.raises(UnicodeEncodeError):
        text.encode("gbk")
    assert decode_bytes(data) == (text, "gb18030")


def test_html_page_clutter_by_tag_and_class_is_dropped(tmp_path):
    page = tmp_path / "gov.html"
    page.write_text(
        "<html><body><div class='top-menu'>首页 政务公开</div><div id='breadcrumb'>当前位置</div>"
        "<div class='pages_content'><p>各位代表：</p><p>现在，我代表县人民政府报告工作。</p></div>"
        "<div class='share-bar'>分享到</div><footer>版权所有 ICP备</footer></body></html>",
        encoding="utf-8",
    )
    assert normalise(read_report(page).text).paragraphs == ["各位代表：", "现在，我代表县人民政府报告工作。"]


def test_big5_traditional_report_is_not_read_as_gb18030_mojibake(sample_path, tmp_path):
    # Big5 bytes decode as GB18030 without an error, into private-use and rare characters (34 % of them
    # on the sample): that text was accepted as "reading as Chinese"
    import opencc

    simplified = sample_path.read_text(encoding="utf-8")[:4000]  # Big5 lacks a character further on (礴)
    traditional = opencc.OpenCC("s2tw").convert(simplified)  # Taiwan forms: 為, not 爲 (not in Big5)
    path = tmp_path / "county-阜新_2024.txt"
    path.write_bytes(traditional.encode("big5"))
    raw = read_report(path)
    assert raw.encoding == "big5"
    assert raw.text == traditional and "2024 年工作回顧" in raw.text[:20]
    assert to_simplified_text(raw.text) == simplified
    # GBK stays GB18030, also for traditional characters written in GBK
    path.write_bytes(traditional.encode("gbk"))
    assert read_report(path).encoding == "gb18030" and read_report(path).text == traditional


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_real_reports_in_utf16_without_bom_are_read(shared_dir, encoding):
    # a report full of 一 (U+4E00) and ideographic spaces (U+3000) has NUL bytes on both sides: the byte order
    # is decided by decoding, not by counting NULs (50 of these 52 failed as binary before)
    failed = []
    for path in sorted(shared_dir.glob("*/*.txt")):
        text = path.read_text(encoding="utf-8")
        out, used = decode_bytes(text.encode(encoding), path)
        if (out, used) != (text, encoding):
            failed.append(path.name)
    assert failed == []
