"""The document-feature matrix: counts equal the token table's, docvars ride along, save/load round-trips."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout

import numpy as np
import pytest
import scipy.io

import cppcc_nlp as cn
from cppcc_nlp.cli import main
from cppcc_nlp.errors import ParameterError

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sample_tokens(sample_corpus):
    return cn.tokens(sample_corpus)


def test_token_dfm_counts_equal_the_filtered_token_lists(sample_corpus, sample_tokens):
    m = cn.dfm(sample_corpus, unit="section", features="tokens", tokens=sample_tokens)
    lists = cn.token_lists(sample_tokens, unit="section")
    assert m.matrix.shape == (len(sample_corpus.sections), len(m.features))
    assert m.ids == sample_corpus.sections.section_id.tolist()
    j = m.features.index("协商")
    for i, sid in enumerate(m.ids):
        assert m.matrix[i, j] == lists.get(sid, []).count("协商")
    assert m.matrix.sum() == sum(len(v) for v in lists)
    assert {"year", "period", "part", "level"} <= set(m.docvars.columns)


def test_save_round_trips_through_matrix_market(sample_corpus, sample_tokens, tmp_path):
    m = cn.dfm(sample_corpus, unit="paragraph", tokens=sample_tokens)
    m.save(tmp_path / "dfm")
    back = scipy.io.mmread(str(tmp_path / "dfm" / "matrix.mtx")).tocsr()
    assert (back != m.matrix).nnz == 0
    again = cn.DFM.load(tmp_path / "dfm")
    assert again.features == m.features and again.unit == "paragraph"
    assert again.docvars.para_id.tolist() == m.ids
    df = again.to_pandas(sparse=False)
    assert df.loc[m.ids[0]].sum() == m.matrix[0].sum()


def test_dictionary_dfm_agrees_with_dictionary_counts(sample_corpus):
    d = {"协商": ["协商*"], "委员": ["委员"]}
    m = cn.dfm(sample_corpus, unit="section", features=d)
    counts = cn.dictionary_counts(sample_corpus, d, by="section")
    wide = counts.pivot_table(index="section_id", columns="category", values="count").reindex(m.ids)
    assert np.array_equal(m.matrix.toarray(), wide[m.features].to_numpy())
    with pytest.raises(ParameterError, match="unit="):
        cn.dfm(sample_corpus, unit="chapter")


def test_cli_dfm_and_dict(sample_path, tmp_path):
    (tmp_path / "d.yaml").write_text("政协: [\"*政协\"]\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["dfm", str(sample_path), "--out", str(tmp_path / "m"), "--features", str(tmp_path / "d.yaml")])
    assert code == 0 and (tmp_path / "m" / "matrix.mtx").is_file()
    written = scipy.io.mmread(str(tmp_path / "m" / "matrix.mtx")).toarray()
    counts = cn.dictionary_counts(cn.Corpus.from_path(sample_path), tmp_path / "d.yaml")
    assert written.tolist() == [[counts["count"].iloc[0]]] and written[0, 0] > 50
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(io.StringIO()):
        code = main(["dict", str(tmp_path / "d.yaml"), str(sample_path), "--by", "period", "--format", "csv"])
    assert code == 0 and out.getvalue().splitlines()[0] == "period,category,count,n_chars,per_10k_chars,n_docs"
    err = io.StringIO()
    with redirect_stdout(io.StringIO()), redirect_stderr(err):
        code = main(["dict", str(tmp_path / "missing.yaml"), str(sample_path)])
    assert code == 2 and "missing.yaml" in err.getvalue()
