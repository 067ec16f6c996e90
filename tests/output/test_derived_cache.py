"""Keys of the derived-results cache on real reports (the shared corpora)."""

from __future__ import annotations

import copy

from cppcc_nlp.corpus.corpus import Corpus
from cppcc_nlp.output.derived_cache import document_fingerprints


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
