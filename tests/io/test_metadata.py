"""Docvars from the text, the file name and manifests."""

from __future__ import annotations

import pytest

from cppcc_nlp import errors
from cppcc_nlp.io.metadata import extract_metadata, level_of_region, parse_filename, read_manifest, resolve_metadata


def test_sample_metadata_comes_from_its_title_block(sample_corpus):
    meta = sample_corpus.docs[0].meta
    assert meta["level"] == "county"
    assert meta["region"] == "阜新蒙古族自治县"
    assert meta["organ"] == "政协常委会"
    assert meta["date"] == "2024-12-25"
    assert meta["year"] == 2024
    assert meta["speaker"] == "陈忠民"
    assert meta["abridged"] is True
    assert meta["session"] == "第十五届委员会第四次会议"
    assert meta["title"] == "中国人民政治协商会议阜新蒙古族自治县第十五届委员会常务委员会工作报告"


@pytest.mark.slow
def test_every_shared_file_gets_its_year_right(shared_corpus, shared_dir):
    docs = shared_corpus.documents.set_index("doc_id")
    assert len(docs) == len(list(shared_dir.rglob("*.txt")))
    for doc_id, row in docs.iterrows():
        if doc_id.startswith("000_"):
            assert row.year == 2024
        else:
            assert row.year == int(doc_id[-4:]), doc_id


@pytest.mark.slow
def test_shared_levels_regions_organs(shared_corpus):
    docs = shared_corpus.documents.set_index("doc_id")
    for doc_id, row in docs.iterrows():
        if doc_id.startswith("national"):
            assert (row.level, row.region, row.organ) == ("national", "全国", "国务院")
        elif doc_id.startswith("provincial-shanghai"):
            assert (row.level, row.region, row.organ) == ("provincial", "上海市", "人民政府")
    assert docs.loc["national_2017", "date"] == "2017-03-05"
    assert docs.loc["national_2017", "speaker"] == "李克强"
    assert docs.loc["national_2017", "session"] == "第十二届全国人民代表大会第五次会议"
    assert docs.loc["provincial-shanghai_2020", "speaker"] == "应勇"
    assert docs.loc["provincial-shanghai_2022", "speaker"] == "龚正"
    assert docs.loc["provincial-shanghai_2023", "title"] == "上海市政府工作报告"
    assert not docs.loc["national_2019", "abridged"]


def test_file_name_rule():
    assert parse_filename("national_2019.txt") == {"level": "national", "year": 2019, "region": "全国"}
    assert parse_filename("a/provincial-shanghai_2024.txt") == {"level": "provincial", "year": 2024, "region": "上海市"}
    assert parse_filename("county-阜新蒙古族自治县_2023.docx") == {
        "level": "county",
        "year": 2023,
        "region": "阜新蒙古族自治县",
    }
    assert parse_filename("000_e661db7dabda7a33.txt") == {}
    assert parse_filename("report_2019.txt") == {}


def test_levels_from_region_names():
    assert level_of_region("阜新蒙古族自治县") == "county"
    assert level_of_region("阜新市") == "city"
    assert level_of_region("上海市") == "provincial"
    assert level_of_region("辽宁省") == "provincial"
    assert level_of_region("内蒙古自治区") == "provincial"
    assert level_of_region("阜新市海州区") == "county"
    assert level_of_region("全国") == "national"


def test_text_beats_file_name_and_manifest_beats_text():
    text_meta = extract_metadata("各位代表：\n现在，我代表上海市人民政府，向大会报告工作。")
    assert text_meta["region"] == "上海市" and text_meta["organ"] == "人民政府"
    meta = resolve_metadata(text_meta, "provincial-xx_2021.txt")
    assert (meta["region"], meta["year"], meta["level"]) == ("上海市", 2021, "provincial")
    meta = resolve_metadata(text_meta, "provincial-xx_2021.txt", {"year": 2022, "region": "浦东新区"})
    assert (meta["region"], meta["year"]) == ("浦东新区", 2022)


def test_manifest_csv_and_yaml(tmp_path):
    csv_path = tmp_path / "manifest.csv"
    csv_path.write_text(
        "file,year,level,region,abridged,date\na.txt,2023,city,阜新市,yes,2023-01-12\nsub/b.txt,,county,,,\n",
        encoding="utf-8",
    )
    entries = read_manifest(csv_path)
    assert entries["a.txt"] == {
        "year": 2023,
        "level": "city",
        "region": "阜新市",
        "abridged": True,
        "date": "2023-01-12",
    }
    assert entries["sub/b.txt"] == {"level": "county"}
    yml = tmp_path / "manifest.yaml"
    yml.write_text("national_2019.txt: {year: 2019, level: national}\n", encoding="utf-8")
    assert read_manifest(yml) == {"national_2019.txt": {"year": 2019, "level": "national"}}
    yml2 = tmp_path / "m.yml"
    yml2.write_text("- file: x.txt\n  organ: 政协常委会\n", encoding="utf-8")
    assert read_manifest(yml2) == {"x.txt": {"organ": "政协常委会"}}


@pytest.mark.parametrize(
    "name, content, words",
    [
        ("manifest.csv", "name,year\na.txt,2020\n", "no 'file' column"),
        ("manifest.csv", "file,year\na.txt,twenty\n", "line 2: year 'twenty' is not a number"),
        ("manifest.csv", "file,level\na.txt,village\n", "line 2: level 'village' unknown"),
        ("manifest.csv", "file,colour\na.txt,red\n", "unknown field 'colour'"),
        ("manifest.csv", "file,date\na.txt,25/12/2024\n", "is not YYYY-MM-DD"),
        ("manifest.yaml", "a.txt: [1, 2\n", "invalid YAML"),
        ("manifest.yaml", "- year: 2020\n", "entry 1: not a mapping with a 'file' key"),
        # YAML reads an unquoted 2023-13-01 as a date and fails inside the loader (was a bare ValueError)
        ("manifest.yaml", "a.txt: {year: 2023, date: 2023-13-01}\n", "invalid YAML (month must be in 1..12)"),
        ("manifest.csv", "file,date\na.txt,2024-13-45\n", "line 2: date '2024-13-45' is not a calendar date"),
        ("manifest.json", "{}", "unsupported manifest type"),
    ],
)
def test_bad_manifests_name_the_file_and_the_line(tmp_path, name, content, words):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(errors.ManifestError) as info:
        read_manifest(path)
    assert str(path) in str(info.value) and words in str(info.value)


@pytest.mark.parametrize(
    "block, organ, region, level, session, speaker",
    [
        # the sample's county form names the term inside the title
        (
            "中国人民政治协商会议阜新蒙古族自治县第十五届委员会常务委员会工作报告\n"
            "——2024年12月25日在政协阜新蒙古族自治县第十五届委员会第四次会议上\n陈忠民",
            "政协常委会",
            "阜新蒙古族自治县",
            "county",
            "第十五届委员会第四次会议",
            "陈忠民",
        ),
        # provincial and national titles do not (Shanghai 2024, national 2024): they were left with no organ,
        # region or level
        (
            "中国人民政治协商会议上海市委员会常务委员会工作报告\n——2024年1月21日在政协上海市第十四届委员会第二次会议上\n胡文容",
            "政协常委会",
            "上海市",
            "provincial",
            "第十四届委员会第二次会议",
            "胡文容",
        ),
        (
            "中国人民政治协商会议全国委员会常务委员会工作报告\n——2024年3月4日在政协第十四届全国委员会第二次会议上\n王沪宁",
            "政协常委会",
            "全国",
            "national",
            "第十四届全国委员会第二次会议",
            "王沪宁",
        ),
        (
            "政协阜新市委员会常务委员会工作报告\n——2024年1月8日在政协第十二届阜新市委员会第三次会议上\n李四",
            "政协常委会",
            "阜新市",
            "city",
            "第十二届阜新市委员会第三次会议",
            "李四",
        ),
    ],
)
def test_cppcc_title_blocks_at_every_level(block, organ, region, level, session, speaker):
    for text in (
        block + "\n各位委员：\n现在，我代表常务委员会，向大会报告工作。",
        "各位委员：\n现在，我代表常务委员会，向大会报告工作。\n" + block,
    ):  # title block first or last
        meta = extract_metadata(text)
        assert (meta.get("organ"), meta.get("region"), meta.get("level")) == (organ, region, level)
        assert (meta["session"], meta["speaker"], meta["year"]) == (session, speaker, 2024)


@pytest.mark.parametrize(
    "block, region, level, speaker",
    [
        (
            "上海市人民代表大会常务委员会工作报告\n——2024年1月23日在上海市第十六届人民代表大会第二次会议上\n"
            "上海市人大常委会主任　黄莉新",
            "上海市",
            "provincial",
            "黄莉新",
        ),
        (
            "全国人民代表大会常务委员会工作报告\n——2024年3月8日在第十四届全国人民代表大会第二次会议上\n"
            "全国人民代表大会常务委员会委员长　赵乐际",
            "全国",
            "national",
            "赵乐际",
        ),
    ],
)
def test_people_congress_standing_committee_title_blocks(block, region, level, speaker):
    # the organ was found, but the region, level and speaker (主任, 委员长) were not
    meta = extract_metadata(block + "\n各位代表：\n现在，我代表常务委员会，向大会报告工作。")
    assert (meta["organ"], meta.get("region"), meta.get("level")) == ("人大常委会", region, level)
    assert (meta.get("speaker"), meta["date"][:4]) == (speaker, "2024")


def test_abridged_mark_at_the_end_of_the_title_line():
    # newspapers print "政府工作报告（摘要）" on one line: the title was missed and abridged was False
    meta = extract_metadata(
        "政府工作报告（摘要）\n——2024年1月23日在上海市第十六届人民代表大会第二次会议上\n上海市市长龚正\n"
        "各位代表：\n现在，我代表上海市人民政府，向大会报告工作。"
    )
    assert (meta["title"], meta["abridged"], meta["organ"], meta["region"]) == (
        "政府工作报告",
        True,
        "人民政府",
        "上海市",
    )
    meta = extract_metadata(
        "各位委员：\n一年来成绩显著。\n中国人民政治协商会议阜新蒙古族自治县第十五届委员会常务委员会工作报告(摘要)\n"
        "——2024年12月25日在政协阜新蒙古族自治县第十五届委员会第四次会议上\n陈忠民"
    )
    assert meta["title"] == "中国人民政治协商会议阜新蒙古族自治县第十五届委员会常务委员会工作报告"
    assert (meta["abridged"], meta["region"], meta["speaker"]) == (True, "阜新蒙古族自治县", "陈忠民")
