"""models/topic_model.zip: the topic model of the bundled corpus loads and applies to a report (models/README.md)."""

from __future__ import annotations

import pytest

from conftest import BUNDLED, ROOT

pytestmark = pytest.mark.slow

MODEL = ROOT / "models" / "topic_model.zip"


def test_the_bundled_model_loads_and_transforms_a_report():
    import cppcc_nlp as cn

    model = cn.TopicModel.load(MODEL)
    assert model.n_topics_ == len(model.topics_) >= 2
    report = cn.Corpus.from_path(BUNDLED / "gwr-shanghai" / "provincial-shanghai_2024.txt")
    weights = model.transform(report)
    # one row per paragraph of the report, the columns of the fitted model's unit table
    assert list(weights.columns) == list(model.doc_topics_.columns)
    assert set(weights["doc_id"]) == {"provincial-shanghai_2024"}
    assert len(weights) == len(report.paragraphs)
    # the report was part of the fit: its paragraphs get the topics they got in the fit
    fitted = model.doc_topics_[model.doc_topics_["doc_id"] == "provincial-shanghai_2024"]
    topic_col = next(c for c in ("dominant_topic", "topic_id", "topic") if c in weights.columns)
    agree = (weights[topic_col].to_numpy() == fitted[topic_col].to_numpy()).mean()
    assert agree > 0.9
