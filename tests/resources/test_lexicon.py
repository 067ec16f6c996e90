"""The domain lexicon: bundled files, user files, malformed files, versions (fast: no pkuseg model)."""

from __future__ import annotations

import re

import pytest

from cppcc_nlp.errors import CppccError, LexiconError
from cppcc_nlp.resources.lexicon import DOMAIN_TERMS, SLOGANS, load_lexicon, word_problem


def test_bundled_lexicon_holds_the_standing_formulations_and_slogans():
    lex = load_lexicon()
    for term in [
        "全过程人民民主",
        "专门协商机构",
        "习近平新时代中国特色社会主义思想",
        "社情民意信息",
        "委员工作站",
        "供给侧结构性改革",
        "高质量发展",
        "乡村振兴",
        "两个确立",
        "四个意识",
    ]:
        assert term in lex, term
    assert len(lex) == len(set(lex.entries)) == len(lex.records)
    assert list(lex.entries) == sorted(lex.entries)
    # every entry is a word: no whitespace or punctuation inside
    assert all(word_problem(e) is None for e in lex)
    assert str(DOMAIN_TERMS) in lex.sources


@pytest.mark.skipif(not SLOGANS.is_file(), reason="cppcc_nlp/data/slogans.yaml is absent")
def test_every_word_form_of_the_slogan_lexicon_is_an_entry():
    import yaml

    lex = load_lexicon()
    items = yaml.safe_load(SLOGANS.read_text(encoding="utf-8"))
    forms = {f.strip() for item in items for f in [item["canonical"], *(item.get("variants") or [])]}
    words = {f for f in forms if word_problem(f) is None}
    series = forms - words
    assert words and words <= set(lex.entries)
    # quoted series are set aside with a reason, not lost silently
    assert series == {t for t, _src, _why in lex.skipped}
    # series (X、Y), and 数据要素× (× is no word character): each set aside for its punctuation, named in the reason
    assert all(any(ch in t for ch in "、，,×") for t in series)
    assert all("punctuation" in why for _t, _src, why in lex.skipped)
    # the yaml's context rules reach the lexicon
    # the yaml's context rules reach the lexicon (a word also listed plainly in domain_terms.txt is plain)
    plain = set(load_lexicon(DOMAIN_TERMS, defaults=False).entries)
    flagged = {
        f.strip()
        for item in items
        if item.get("quoted_only")
        for f in [item["canonical"], *(item.get("variants") or [])]
    }
    assert (flagged & words) - plain == lex.quoted_only
    excluded = {item["canonical"] for item in items if item.get("exclude")}
    assert excluded == set(lex.exclude)


def test_user_file_extends_the_lexicon_and_changes_the_version(tmp_path):
    base = load_lexicon()
    extra = tmp_path / "mine.txt"
    extra.write_text("# my terms\n两市四区\n\n双进双促   # inline comment\n全过程人民民主\n", encoding="utf-8")
    lex = load_lexicon(extra)
    assert {"两市四区", "双进双促"} <= set(lex.entries)
    assert len(lex) == len(base) + 2  # 全过程人民民主 was already there
    assert lex.version != base.version
    assert lex.changed_entries(base) == {"两市四区", "双进双促"}
    row = lex.to_frame().set_index("term").loc["两市四区"]
    assert row["line"] == 2 and row["source"] == str(extra) and row["kind"] == "term"


def test_version_ignores_order_comments_and_duplicates(tmp_path):
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    a.write_text("甲乙丙\n丁戊己\n", encoding="utf-8")
    b.write_text("# same words, other order\n丁戊己\n甲乙丙\n甲乙丙\n", encoding="utf-8")
    la, lb = load_lexicon(a, defaults=False), load_lexicon(b, defaults=False)
    assert la.entries == lb.entries == ("丁戊己", "甲乙丙")
    assert la.version == lb.version
    assert re.fullmatch(r"[0-9a-f]{16}", la.version)


def test_edited_file_is_read_again(tmp_path):
    f = tmp_path / "t.txt"
    f.write_text("甲乙丙\n", encoding="utf-8")
    first = load_lexicon(f, defaults=False)
    f.write_text("甲乙丙\n丁戊己庚\n", encoding="utf-8")
    second = load_lexicon(f, defaults=False)
    assert first.entries == ("甲乙丙",)
    assert second.entries == ("丁戊己庚", "甲乙丙")


@pytest.mark.parametrize(
    "content, line, words",
    [
        ("协商议政\n两个 确立\n", 2, "whitespace"),
        ("协商议政\n\n# c\n把方向、管大局\n", 4, "punctuation '、'"),
        ("党\n", 1, "shorter than 2"),
        ("好" * 41 + "\n", 1, "longer than 40"),
        ("2024\n", 1, "only digits"),
        ("甲乙\x07丙\n", 1, "control character"),
    ],
)
def test_malformed_text_lexicon_names_file_and_line(tmp_path, content, line, words):
    f = tmp_path / "bad.txt"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(LexiconError) as info:
        load_lexicon(f)
    message = str(info.value)
    assert str(f) in message and f"line {line}" in message and words in message
    assert info.value.line == line and info.value.exit_status == 2


def test_non_utf8_lexicon_names_the_line(tmp_path):
    f = tmp_path / "gbk.txt"
    f.write_bytes("协商议政\n".encode("utf-8") + "专门协商机构\n".encode("gbk"))
    with pytest.raises(LexiconError, match=r"gbk\.txt, line 2: .*UTF-8"):
        load_lexicon(f)


def test_missing_lexicon_file(tmp_path):
    with pytest.raises(LexiconError, match="no such lexicon file"):
        load_lexicon(tmp_path / "absent.txt")


def test_yaml_user_lexicon(tmp_path):
    f = tmp_path / "local.yaml"
    f.write_text(
        "- canonical: 同心政协\n  variants: [同心 政协, 同心政协品牌]\n  kind: branded\n"
        "- canonical: 把方向、管大局、保落实\n  kind: series\n"
        "- canonical: 十五\n  quoted_only: true\n"
        "- canonical: 新发展理念\n  exclude: [创新发展理念]\n",
        encoding="utf-8",
    )
    lex = load_lexicon(f, defaults=False)
    assert lex.entries == ("十五", "同心政协", "同心政协品牌", "新发展理念")
    assert lex.quoted_only == {"十五"}
    assert lex.exclude == {"新发展理念": ("创新发展理念",)}
    assert {t for t, _, _ in lex.skipped} == {"同心 政协", "把方向、管大局、保落实"}
    assert lex.to_frame().set_index("term").loc["同心政协", "kind"] == "branded"


@pytest.mark.parametrize(
    "content, line, words",
    [
        ("- canonical: 同心政协\n- variants: [有为政协]\n", 2, "item 2 has no 'canonical'"),
        # the line of the key at fault, read with yaml.compose (the reader shared with the slogan lexicon)
        ("- canonical: 同心政协\n  variants: 7\n", 2, "'variants' must be a list"),
        ("- canonical: 同心政协\n\tkind: branded\n", 2, "not valid YAML"),
        # an impossible unquoted date fails inside the YAML loader (was a bare ValueError): the line of the value
        ("- canonical: 同心政协\n  first_year: 2099-13-01\n", 2, "not valid YAML (month must be in 1..12"),
    ],
)
def test_malformed_yaml_lexicon_names_file_and_line(tmp_path, content, line, words):
    f = tmp_path / "bad.yaml"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(LexiconError) as info:
        load_lexicon(f)
    assert str(f) in str(info.value) and words in str(info.value)
    assert info.value.line == line
    assert isinstance(info.value, CppccError)


def test_cli_lists_the_lexicon_and_reports_bad_files(tmp_path, capsys):
    from cppcc_nlp.cli import main

    f = tmp_path / "mine.txt"
    f.write_text("两市四区\n", encoding="utf-8")
    assert main(["lexicon", "--no-defaults", "--lexicon", str(f), "--format", "csv"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "term,n_chars,kind,quoted_only,exclude,source,line"
    assert out[1] == f"两市四区,4,term,False,,{f},1"
    bad = tmp_path / "bad.txt"
    bad.write_text("两市 四区\n", encoding="utf-8")
    assert main(["lexicon", "--lexicon", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and f"{bad}, line 1" in err


def test_save_lexicon_writes_loadable_words_and_says_what_it_left_out(tmp_path):
    import pandas as pd

    from cppcc_nlp.resources.lexicon import save_lexicon

    terms = pd.DataFrame(
        {
            "term": ["两市四区", "高质量发展", "把方向、管大局", "两市四区", "双进双促", "县"],
            "score": [6, 5, 4, 3, 2, 1],
        }
    )
    out = tmp_path / "grown.txt"
    report = save_lexicon(terms, out, comment="from extract_terms\nsecond line")
    assert report["written"].tolist() == [True, False, False, False, True, False]
    assert report["reason"].tolist()[1:4] == [
        "already in the bundled lexicon",
        "'把方向、管大局' contains the punctuation '、'; a lexicon entry must be a single word",
        "duplicate",
    ]
    assert out.read_text(encoding="utf-8").splitlines()[:2] == ["# from extract_terms", "# second line"]
    assert load_lexicon(out, defaults=False).entries == ("两市四区", "双进双促")
    assert save_lexicon(terms, out, top=2)["written"].tolist() == [True, False]
    assert save_lexicon(["高质量发展"], out, skip_known=False)["written"].tolist() == [True]


def test_save_lexicon_unwritable_path(tmp_path):
    from cppcc_nlp.errors import OutputError
    from cppcc_nlp.resources.lexicon import save_lexicon

    with pytest.raises(OutputError, match="cannot write the lexicon"):
        save_lexicon(["两市四区"], tmp_path / "no" / "such" / "dir" / "x.txt")


def test_lexicon_coverage_refuses_what_is_not_a_token_table(sample_corpus):
    # a Corpus or the paragraphs table was an AttributeError/KeyError traceback
    from cppcc_nlp.errors import InputError
    from cppcc_nlp.resources.lexicon import lexicon_coverage

    with pytest.raises(InputError, match=r"lexicon_coverage\(\) needs the token table.*not Corpus"):
        lexicon_coverage(sample_corpus)
    with pytest.raises(InputError, match=r"lacks the column\(s\) 'token', 'in_lexicon'"):
        lexicon_coverage(sample_corpus.paragraphs)
    # the four columns it needs are enough: an empty table counts every entry 0 times
    table = sample_corpus.paragraphs.iloc[:0][["doc_id", "year"]].assign(token=[], in_lexicon=[])
    assert lexicon_coverage(table)["freq"].sum() == 0


# ---------------------------------------------------------------------- one reader for both lexicons

_GOOD = {
    "good.yaml": "- canonical: 同心政协\n  variants: [同心政协品牌]\n  kind: branded\n  since: 2023\n"
    "- canonical: 两市四区\n  kind: numbered\n  quoted_only: true\n",
    "good.csv": "canonical,variants,kind,expansion,since,note\n两市四区,两市、四区,numbered,,2023,阜新市\n"
    "同心政协,同心政协品牌,branded,,,\n",
}
_BAD = {
    "kind.yaml": "- canonical: 同心政协\n  kind: brandd\n",
    "key.yaml": "- canonical: 同心政协\n  kind: branded\n- canonical: 有为政协\n  kid: branded\n",
    "since.yaml": "- canonical: 同心政协\n  kind: branded\n  since: 二〇二三\n",
    "quotes.yaml": "- canonical: “同心政协”\n  kind: branded\n",
    "twice.yaml": "- canonical: 同心政协\n  kind: branded\n- canonical: 同心政协\n  kind: branded\n",
    "indent.yaml": "- canonical: 同心政协\n kind: branded\n",
    "nolist.yaml": "canonical: 同心政协\n",
    "wrapped.yaml": "slogans:\n  - canonical: 同心政协\n    kind: branded\n",
    "nocanonical.yaml": "- kind: branded\n",
    "variants.yaml": "- canonical: 同心政协\n  kind: branded\n  variants: 7\n",
    "date.yaml": "- canonical: 同心政协\n  kind: branded\n  since: 2099-13-01\n",
    "short.yaml": "- canonical: 党\n  kind: standing\n",
    "kind.csv": "canonical,kind\n同心政协,branded\n有为政协,bogus\n",
    "column.csv": "canonical,kind,colour\n同心政协,branded,red\n",
    "noheader.csv": "同心政协\n两市四区\n",
    "fields.csv": "canonical,kind\n同心政协,branded,red\n",
}


def _both(path):
    """What load_lexicon and load_slogan_lexicon make of ``path``: ("ok", forms) or ("error", line, message)."""
    from cppcc_nlp.resources.slogan_lexicon import load_slogan_lexicon

    out = []
    for load in (
        lambda: set(load_lexicon(path, defaults=False)),
        lambda: {f for e in load_slogan_lexicon(path, include_default=False) for f in (e.canonical, *e.variants)},
    ):
        try:
            out.append(("ok", load()))
        except LexiconError as exc:
            out.append(("error", exc.line, str(exc)))
    return out


@pytest.mark.parametrize("name", sorted(_GOOD))
def test_good_file_is_accepted_by_both_lexicons(tmp_path, name):
    path = tmp_path / name
    path.write_text(_GOOD[name], encoding="utf-8")
    (term, terms), (slogan, forms) = _both(path)
    assert term == slogan == "ok"
    # the term lexicon keeps the forms that are words; 两市、四区 is a series, matched by the slogan detector only
    assert terms == {f for f in forms if word_problem(f) is None} == {"同心政协", "同心政协品牌", "两市四区"}


@pytest.mark.parametrize("name", sorted(_BAD))
def test_bad_file_is_refused_by_both_lexicons_with_the_same_message(tmp_path, name):
    path = tmp_path / name
    path.write_text(_BAD[name], encoding="utf-8")
    term, slogan = _both(path)
    assert term[0] == "error", term
    assert term == slogan
    assert term[2].startswith(f"{path}, line ") or term[1] is None


def test_missing_and_non_utf8_files_get_the_same_message_from_both(tmp_path):
    gbk = tmp_path / "gbk.yaml"
    gbk.write_bytes("- canonical: 同心政协\n".encode("utf-8") + "  note: 阜新县\n".encode("gbk"))
    for path, line in ((tmp_path / "absent.yaml", None), (gbk, 2)):
        term, slogan = _both(path)
        assert term == slogan and term[:2] == ("error", line)


def test_kind_is_optional_for_a_term_lexicon_only(tmp_path):
    path = tmp_path / "nokind.yaml"
    path.write_text("- canonical: 同心政协\n  kind: branded\n- canonical: 两市四区\n  since: 2023\n", encoding="utf-8")
    (term, terms), (slogan, line, message) = _both(path)
    assert term == "ok" and terms == {"同心政协", "两市四区"}
    assert load_lexicon(path, defaults=False).to_frame().set_index("term")["kind"].to_dict() == {
        "两市四区": "slogan",
        "同心政协": "branded",
    }
    assert slogan == "error" and line == 3 and "item 2 ('两市四区') has no 'kind'" in message


def test_bundled_slogans_have_exact_lines_in_both_lexicons():
    from cppcc_nlp.resources.slogan_lexicon import DEFAULT_LEXICON, load_slogan_lexicon

    lines = {
        m.group(1).strip(): n
        for n, text in enumerate(DEFAULT_LEXICON.read_text(encoding="utf-8").splitlines(), start=1)
        if (m := re.match(r"- canonical: (.+)$", text))
    }
    slogans = load_slogan_lexicon()
    assert len(lines) == len(slogans) >= 120
    assert {e.canonical: e.line for e in slogans} == lines
    records = {r.term: r.line for r in load_lexicon(SLOGANS, defaults=False).records}
    assert records["两个确立"] == lines["两个确立"] and records["新质生产力"] == lines["新质生产力"]
