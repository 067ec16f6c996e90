"""The units of a topic model (``_units.collect_units``) against a plain pandas reference: the former groupby code,
kept here to show that the array version gives the same units, token lists and formula sentences."""

from __future__ import annotations

import pandas as pd
import pytest

from cppcc_nlp.resources.formulae import Formulae, load_formulae
from cppcc_nlp.tokens.table import token_lists
from cppcc_nlp.topics._units import UNITS, collect_units, formula_sentences

from conftest import DocumentStores

OPTIONS = {"keep_boilerplate": False}


def reference_token_lists(table: pd.DataFrame, key: str) -> pd.Series:
    """``token_lists(table, keep_boilerplate=False)`` of the units in column ``key``, as a groupby with a list per
    group."""
    from cppcc_nlp.resources.stopwords import boilerplate

    ids = table[key]
    mask = ~(table["is_stop"] | table["is_punct"] | table["is_num"]).to_numpy(dtype=bool)
    mask &= ~(table["token"].isin(boilerplate()).to_numpy() & ~table["in_lexicon"].to_numpy(dtype=bool))
    grouped = table["token"][mask].groupby(ids[mask], sort=False).agg(list).reindex(pd.unique(ids))
    return grouped.apply(lambda v: v if isinstance(v, list) else [])


def reference_formula_sentences(table: pd.DataFrame, formulae: Formulae) -> pd.DataFrame:
    """Each sentence's tokens joined by a groupby, then matched."""
    text = table.groupby(["doc_id", "para_id", "sent"], sort=False)["token"].agg("".join).reset_index(name="text")
    found = text[text["text"].map(formulae.is_formula).astype(bool)].reset_index(drop=True)
    return found.astype({c: "str" for c in ("doc_id", "para_id")})


def reference_units(table: pd.DataFrame, unit: str, ids, formulae: Formulae) -> tuple[list, list | None]:
    """Token lists of ``ids`` and (other units than paragraphs) of the paragraphs, formulae left out."""
    dropped = reference_formula_sentences(table, formulae)
    keys = pd.MultiIndex.from_frame(dropped[["para_id", "sent"]])
    table = table[~pd.MultiIndex.from_frame(table[["para_id", "sent"]]).isin(keys)]
    mapping = reference_token_lists(table, UNITS[unit]).to_dict()
    lists = [[t for t in mapping.get(i, []) if t not in formulae.words] for i in ids]
    if unit == "paragraph":
        return lists, None
    return lists, [[t for t in toks if t not in formulae.words] for toks in reference_token_lists(table, "para_id")]


@pytest.fixture(scope="module", params=[True, False], ids=["compact", "full"])
def shared_tokens(request, shared_corpus):
    from cppcc_nlp import tokens

    return tokens(shared_corpus, compact=request.param)


@pytest.mark.slow
@pytest.mark.parametrize("unit", list(UNITS))
def test_real_units_are_those_of_the_reference(shared_corpus, shared_tokens, unit):
    formulae = load_formulae()
    units = collect_units(shared_corpus, unit, OPTIONS, shared_tokens, formulae)
    ids = units.meta[UNITS[unit]].tolist()
    lists, paragraphs = reference_units(shared_tokens, unit, ids, formulae)
    assert len(ids) == len(set(ids)) == len(getattr(shared_corpus, f"{unit}s" if unit != "document" else "documents"))
    assert units.tokens == lists
    assert units.reference == (lists if paragraphs is None else paragraphs)
    if unit == "paragraph":
        assert units.texts == shared_corpus.paragraphs["text"].astype(str).tolist()
    pd.testing.assert_frame_equal(units.dropped, reference_formula_sentences(shared_tokens, formulae))
    assert len(units.dropped) > 100  # the openings, thanks and title blocks of 26 reports
    # a token table gives the same token lists
    assert collect_units(shared_tokens, unit, OPTIONS, formulae=formulae).tokens == lists


@pytest.mark.slow
@pytest.mark.parametrize("unit", ["paragraph", "sentence", "section", "document"])
def test_real_token_lists_are_those_of_the_reference(shared_tokens, unit):
    table = shared_tokens.assign(
        sent_id=shared_tokens["para_id"].astype(str) + "/" + shared_tokens["sent"].map("{:02d}".format)
    )
    expected = reference_token_lists(table, {**UNITS, "sentence": "sent_id"}[unit]).rename("tokens")
    pd.testing.assert_series_equal(token_lists(shared_tokens, unit=unit, **OPTIONS), expected)


@pytest.mark.slow
def test_real_no_formula_matched_gives_an_empty_table_of_the_same_columns(shared_tokens):
    never = Formulae(("这句话不在任何报告里",))
    pd.testing.assert_frame_equal(
        formula_sentences(shared_tokens, never), reference_formula_sentences(shared_tokens, never)
    )


@pytest.mark.slow
@pytest.mark.parametrize("unit", list(UNITS))
def test_real_units_kept_by_document_are_those_of_the_whole_table(shared_corpus, shared_tokens, unit):
    """A cache filled on the corpus without its last report, then read for the whole corpus (a refresh): the
    units, token lists, paragraphs and formula sentences of a computation from nothing; only the new report's
    units are computed."""
    from cppcc_nlp import Corpus

    formulae = load_formulae()
    cold = collect_units(shared_corpus, unit, OPTIONS, shared_tokens, formulae)
    earlier = Corpus(shared_corpus.docs[:-1])
    cache = DocumentStores()
    before = collect_units(
        earlier, unit, OPTIONS, shared_tokens[shared_tokens["doc_id"] != shared_corpus.docs[-1].doc_id], formulae, cache
    )
    assert len(cache.written) == len(earlier.docs)
    assert before.tokens == cold.tokens[: len(before.tokens)]  # (the last report's units come last)
    cache.written.clear()
    refreshed = collect_units(shared_corpus, unit, OPTIONS, shared_tokens, formulae, cache)
    assert cache.written == [shared_corpus.docs[-1].doc_id]
    again = collect_units(shared_corpus, unit, OPTIONS, shared_tokens, formulae, cache)
    for units in (refreshed, again):
        pd.testing.assert_frame_equal(units.meta, cold.meta)
        assert units.tokens == cold.tokens
        assert units.reference == cold.reference
        assert units.texts == cold.texts
        pd.testing.assert_frame_equal(units.dropped, cold.dropped)
    # another unit or other token options are other entries
    collect_units(shared_corpus, unit, {"keep_boilerplate": True}, shared_tokens, formulae, cache)
    assert len(cache.written) == 1 + len(shared_corpus.docs)
