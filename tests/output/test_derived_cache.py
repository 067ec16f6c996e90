"""Keys of the derived-results cache on real reports (the shared corpora)."""

from __future__ import annotations

import copy

import pandas as pd
import pytest

from cppcc_nlp._cache import CacheWarning
from cppcc_nlp.corpus.corpus import Corpus
from cppcc_nlp.indicators.extract import concat_indicators, indicators
from cppcc_nlp.output.derived_cache import DerivedCache, concat_frames, document_fingerprints


def test_a_document_keeps_its_key_when_others_are_added_and_loses_it_when_it_changes(shared_corpus):
    keys = document_fingerprints(shared_corpus, "indicators-of-document", False)
    assert list(keys) == [d.doc_id for d in shared_corpus.docs] and len(set(keys.values())) == len(keys)
    first = shared_corpus.docs[:5]
    assert document_fingerprints(Corpus(first), "indicators-of-document", False) == {
        d.doc_id: keys[d.doc_id] for d in first
    }
    assert (
        document_fingerprints(Corpus(first), "indicators-of-document", True)[first[0].doc_id] != keys[first[0].doc_id]
    )
    changed = copy.deepcopy(first[0])
    changed.meta["region"] = "江苏省"  # a docvar every row carries
    assert (
        document_fingerprints(Corpus([changed]), "indicators-of-document", False)[changed.doc_id]
        != keys[changed.doc_id]
    )


def test_concat_frames_reads_the_stored_tables_as_one_and_makes_a_damaged_one_again(shared_corpus, tmp_path):
    docs = shared_corpus.docs[:6]
    keys = list(document_fingerprints(Corpus(docs), "indicators-of-document", False).values())
    made = []

    def make(i):
        made.append(i)
        return indicators(Corpus([docs[i]]))

    cold = concat_frames(tmp_path, keys, "indicators", make)
    assert made == list(range(len(docs)))
    one_by_one = [DerivedCache(tmp_path, key).frame("indicators") for key in keys]
    pd.testing.assert_frame_equal(cold, pd.concat(one_by_one, ignore_index=True))
    pd.testing.assert_frame_equal(concat_indicators([cold]), indicators(Corpus(docs)))
    # one Arrow chunk per column, not one per report: later takes and filters, and storing it again, stay fast
    assert {cold[c].array._pa_array.num_chunks for c in cold.columns if hasattr(cold[c].array, "_pa_array")} == {1}
    stored = DerivedCache(tmp_path, "all").put_frame("indicators", cold)
    assert stored is None and DerivedCache(tmp_path, "all").table("indicators").column("doc_id").num_chunks == 1

    made.clear()
    pd.testing.assert_frame_equal(concat_frames(tmp_path, keys, "indicators", make), cold)
    assert made == []  # all read back

    entry = next(tmp_path.glob(f"derived/{keys[2]}-indicators.*"))
    damaged = bytearray(entry.read_bytes())
    damaged[-10] ^= 0xFF
    entry.write_bytes(bytes(damaged))
    with pytest.warns(CacheWarning, match="does not match its SHA-256"):
        again = concat_frames(tmp_path, keys, "indicators", make)
    assert made == [2]
    pd.testing.assert_frame_equal(again, cold)


def test_a_model_kept_from_the_file_it_was_saved_to_is_the_model_saved_anew(tmp_path):
    import pandas as pd

    from cppcc_nlp.output.derived_cache import DerivedCache
    from cppcc_nlp.topics.model import TopicModel

    units = pd.DataFrame(
        {"para_id": [f"p{i}" for i in range(12)], "tokens": [["政协", "协商", "委员"], ["经济", "增长", "投资"]] * 6}
    )
    model = TopicModel(n_topics=2, random_state=0, max_df=1.0).fit(units)
    cache = DerivedCache(tmp_path, "key")
    cache.put_model(model, "anew")
    cache.put_model(model, "from-file", saved=model.save(tmp_path / "model.zip"))
    assert (tmp_path / "derived" / "key-anew.zip").read_bytes() == (
        tmp_path / "derived" / "key-from-file.zip"
    ).read_bytes()
    pd.testing.assert_frame_equal(cache.model("from-file").topics_, model.topics_)


def test_the_last_fit_is_found_for_its_corpus_with_reports_added_up_to_the_fold_in_limit(shared_corpus, tmp_path):
    """``remember_fit`` / ``previous_fit`` on the shared corpora's documents: the model is found for the corpus it
    was fitted on with reports added, at most ``FOLD_IN_GROWTH`` more characters; not for the same corpus, a
    larger growth, or a corpus without one of its reports.  A new record replaces the model file of the last."""
    from types import SimpleNamespace

    from cppcc_nlp.output import derived_cache
    from cppcc_nlp.topics.model import TopicModel

    units = pd.DataFrame(
        {"para_id": [f"p{i}" for i in range(12)], "tokens": [["政协", "协商", "委员"], ["经济", "增长", "投资"]] * 6}
    )
    model = TopicModel(n_topics=2, random_state=0, max_df=1.0).fit(units)
    docs = shared_corpus.documents.sort_values("n_chars", ascending=False).reset_index(drop=True)

    def corpus(rows):
        return SimpleNamespace(documents=docs.iloc[rows].reset_index(drop=True))

    base, small = list(range(1, len(docs))), len(docs) - 1  # every report but the longest; the shortest
    fitted = docs["n_chars"].iloc[base[:-1]].sum()
    assert docs["n_chars"].iloc[small] <= derived_cache.FOLD_IN_GROWTH * fitted < docs["n_chars"].iloc[0]
    cache = DerivedCache(tmp_path, "unused")
    cache.remember_fit("params", corpus(base[:-1]), model)  # fitted without the shortest report
    first = sorted(p.name for p in cache.folder.glob("fit-params-*.zip"))
    found = cache.previous_fit("params", corpus(base))  # the shortest added: folded in
    assert found is not None
    pd.testing.assert_frame_equal(found.topics_, model.topics_)  # (with its tables, which fold_in needs)
    assert cache.previous_fit("params", corpus(base[:-1])) is None  # nothing added
    assert cache.previous_fit("params", corpus([0, *base])) is None  # the longest added too: past the limit
    assert cache.previous_fit("params", corpus(base[1:])) is None  # a report of the fit missing
    assert cache.previous_fit("other", corpus(base)) is None  # other parameters
    cache.remember_fit("params", corpus(base), model)
    second = sorted(p.name for p in cache.folder.glob("fit-params-*.zip"))
    assert len(first) == len(second) == 1 and first != second  # the record's model replaced
