"""A refresh of slogan detection (issue 11): one report added to a corpus whose documents' pieces are kept gives
the occurrences, tracking and summary of a detection from nothing, on ../shared/corpora (skipped when absent).

Leaving out provincial-shanghai_2022 and adding it back is the hard case: with it, slogans such as 浦江游览 and
美丽家园 are quoted in enough reports to be accepted, and their unquoted uses in the other reports, whose
pieces are read back, must be found too.  national_2005 accepts nothing new: only its own pieces are made.
"""

from __future__ import annotations

import pandas as pd
import pytest

from cppcc_nlp.corpus.corpus import Corpus
from cppcc_nlp.slogans.detection import detect_slogans
from cppcc_nlp.slogans.tracking import slogan_summary, track_slogans

from conftest import DocumentStores


@pytest.fixture(scope="module")
def cold(shared_corpus):
    return detect_slogans(shared_corpus)


@pytest.mark.parametrize("added", ["provincial-shanghai_2022", "national_2005"])
def test_a_refresh_gives_the_tables_of_a_detection_from_nothing(shared_corpus, cold, added):
    earlier = Corpus([doc for doc in shared_corpus.docs if doc.doc_id != added])
    stores = DocumentStores()
    before = detect_slogans(earlier, cache=stores)
    assert sorted(stores.written) == sorted(doc.doc_id for doc in earlier.docs)
    stores.written.clear()

    refreshed = detect_slogans(shared_corpus, cache=stores)

    pd.testing.assert_frame_equal(refreshed, cold)
    tracking = track_slogans(refreshed, shared_corpus)
    pd.testing.assert_frame_equal(tracking, track_slogans(cold, shared_corpus))
    summary = slogan_summary(refreshed, shared_corpus, table=tracking)  # (as analyze passes it)
    pd.testing.assert_frame_equal(summary, slogan_summary(cold, shared_corpus))
    assert added in stores.written  # the new report's pieces, and those of reports searched again
    new = set(cold["canonical"]) - set(before["canonical"])
    if added == "national_2005":
        assert stores.written == [added] and not new
    else:
        # slogans accepted thanks to the new report, found unquoted in the reports read back
        accepted = {"浦江游览", "美丽家园", "长阳秀带"}
        assert accepted <= new
        plain = cold[cold["canonical"].isin(accepted) & (cold["doc_id"] != added) & ~cold["quoted"]]
        assert set(plain["canonical"]) == accepted
        assert set(plain["doc_id"]) <= set(stores.written)  # those reports were searched again
        # a third run reads everything back and writes nothing
        stores.written.clear()
        pd.testing.assert_frame_equal(detect_slogans(shared_corpus, cache=stores), cold)
        assert stores.written == []


def test_pieces_kept_without_discovery_are_kept_apart(shared_corpus):
    stores = DocumentStores()
    detect_slogans(shared_corpus, cache=stores, discover=False)
    lexicon_only = detect_slogans(shared_corpus, cache=stores, discover=False)
    assert lexicon_only["in_lexicon"].all()
    pd.testing.assert_frame_equal(detect_slogans(shared_corpus, cache=stores), detect_slogans(shared_corpus))
