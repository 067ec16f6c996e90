"""Topic trends are computed within each series by default (one row per topic and series); pooling the series
is an explicit ``series=None`` that warns."""

from __future__ import annotations

import pandas as pd
import pytest

from cppcc_nlp.corpus import series as series_module
from cppcc_nlp.errors import ParameterError
from cppcc_nlp.topics.model import TopicModel

NATIONAL = "国务院/national/全国"
SHANGHAI = "上海市人民政府/provincial/上海市"


@pytest.fixture(scope="module")
def shared_model(shared_corpus):
    from cppcc_nlp import tokens

    return TopicModel(n_topics=8, random_state=0).fit(shared_corpus, tokens=tokens(shared_corpus))


@pytest.mark.slow
def test_trends_per_series_on_the_shared_corpora(shared_corpus, shared_model, monkeypatch):
    model = shared_model
    trends = model.trends("period", min_chars=1000)
    assert set(trends["series"]) == set(shared_corpus.documents["series"])
    assert not trends.duplicated(["series", "topic_id"]).any()
    dt = model.doc_topics_[model.doc_topics_["dominant_topic"].notna()]
    for name in (NATIONAL, SHANGHAI):
        chars = dt[dt["series"] == name].groupby("period")["n_chars"].sum()
        rows = trends[trends["series"] == name]
        assert (rows["n_groups"] == int((chars >= 1000).sum())).all()
        assert (rows["first"] == int(chars[chars >= 1000].index.min())).all()
        assert (rows["last"] == int(chars[chars >= 1000].index.max())).all()
    assert trends.loc[trends["series"] == NATIONAL, "last"].max() == 2019  # the national series ends in 2019
    # the county report alone: one or two periods, no trend
    county = trends[trends["series"].str.contains("county")]
    assert set(county["trend"]) == {"undetermined"}
    # one series by name gives that series' rows, the same as in the full table
    one = model.trends("period", series=SHANGHAI, min_chars=1000)
    pd.testing.assert_frame_equal(one, trends[trends["series"] == SHANGHAI].reset_index(drop=True), check_dtype=False)
    # pooled: one year axis 1999–2025 over every source, with a warning
    monkeypatch.setattr(series_module, "_warned", set())
    with pytest.warns(UserWarning, match="mixes 3 series"):
        pooled = model.trends("period", series=None, min_chars=1000)
    assert set(pooled["series"]) == {series_module.MIXED_SERIES}
    assert (pooled["first"] == 1999).all() and (pooled["last"] == 2025).all()
    with pytest.raises(ParameterError, match="did you mean"):
        model.trends("period", series="国务院/national/全过")
