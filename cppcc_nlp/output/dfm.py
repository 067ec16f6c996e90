"""The document-feature matrix (DFM): counts of features per unit, with the docvars of every unit, ready for
scikit-learn, pandas or R (quanteda's ``dfm``).

Examples
--------
>>> m = cn.dfm(corpus, unit="document", features="tokens")        # doctest: +SKIP
>>> m.matrix.shape, m.features[:3]                                # doctest: +SKIP
>>> m.save("dfm/")          # matrix.mtx (Matrix Market), features.txt, docvars.csv   # doctest: +SKIP

In R::

    library(Matrix); library(quanteda)
    m <- readMM("dfm/matrix.mtx"); colnames(m) <- readLines("dfm/features.txt", encoding = "UTF-8")
    d <- as.dfm(m); docvars(d) <- read.csv("dfm/docvars.csv", encoding = "UTF-8")
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cppcc_nlp.dictionary import Dictionary, dictionary_matches
from cppcc_nlp.dictionary.model import as_dictionary
from cppcc_nlp.errors import OutputError, ParameterError
from cppcc_nlp.terms.counts import term_occurrences
from cppcc_nlp.tokens.inputs import as_corpus
from cppcc_nlp.tokens.table import token_lists
from cppcc_nlp.tokens.table import tokens as make_tokens

if TYPE_CHECKING:
    import scipy.sparse as sp

UNITS = {"document": "doc_id", "section": "section_id", "paragraph": "para_id"}
MATRIX_FILE, FEATURES_FILE, DOCVARS_FILE = "matrix.mtx", "features.txt", "docvars.csv"


@dataclass
class DFM:
    """A document-feature matrix.

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix
        Units × features, integer counts.
    features : list of str
        Column names (tokens, terms or dictionary categories).
    docvars : DataFrame
        One row per unit, in matrix row order: the unit id first, then its docvars.
    unit : str
        ``document``, ``section`` or ``paragraph``.
    """

    matrix: sp.csr_matrix
    features: list
    docvars: pd.DataFrame
    unit: str = "document"

    def __repr__(self) -> str:
        return (
            f"<DFM {self.matrix.shape[0]} {self.unit}s × {self.matrix.shape[1]} features, {self.matrix.nnz} non-zero>"
        )

    @property
    def ids(self) -> list[str]:
        """The unit ids, in row order."""
        return self.docvars[UNITS[self.unit]].tolist()

    def to_pandas(self, *, sparse: bool = True) -> pd.DataFrame:
        """A DataFrame indexed by unit id, one column per feature (pandas sparse columns unless ``sparse=False``)."""
        if sparse:
            df = pd.DataFrame.sparse.from_spmatrix(self.matrix, index=self.ids, columns=self.features)
        else:
            df = pd.DataFrame(self.matrix.toarray(), index=self.ids, columns=self.features)
        df.index.name = UNITS[self.unit]
        return df

    def to_sklearn(self) -> sp.csr_matrix:
        """The matrix as scikit-learn estimators take it (CSR, units × features); names in :attr:`features`."""
        return self.matrix.tocsr()

    def save(self, folder) -> Path:
        """Write ``matrix.mtx`` (Matrix Market), ``features.txt`` (UTF-8, one per line) and ``docvars.csv``."""
        import scipy.io

        folder = Path(folder)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            scipy.io.mmwrite(str(folder / MATRIX_FILE), self.matrix, field="integer")
            (folder / FEATURES_FILE).write_text("".join(f"{f}\n" for f in self.features), encoding="utf-8")
            self.docvars.to_csv(folder / DOCVARS_FILE, index=False)
        except OSError as exc:
            raise OutputError(f"{folder}: cannot write the DFM there ({exc.strerror or exc})") from exc
        return folder

    @classmethod
    def load(cls, folder, *, unit: str | None = None) -> "DFM":
        """Read a DFM written by :meth:`save`."""
        import scipy.io
        import scipy.sparse as sp

        folder = Path(folder)
        matrix = sp.csr_matrix(scipy.io.mmread(str(folder / MATRIX_FILE))).astype("int64")
        features = (folder / FEATURES_FILE).read_text(encoding="utf-8").splitlines()
        docvars = pd.read_csv(folder / DOCVARS_FILE)
        if unit is None:
            unit = next((u for u, col in UNITS.items() if docvars.columns[0] == col), "document")
        return cls(matrix, features, docvars, unit)


def _unit_docvars(corpus, unit: str) -> pd.DataFrame:
    if unit == "document":
        return corpus.documents.drop(columns=["path", "encoding", "format", "sha256"], errors="ignore")
    if unit == "section":
        df = corpus.sections
        return df[["section_id"] + [c for c in df.columns if c != "section_id"]]
    df = corpus.paragraphs.drop(columns=["text"])
    return df[["para_id"] + [c for c in df.columns if c != "para_id"]]


def _from_pairs(ids: list, pairs: pd.DataFrame, key: str, feature: str, features: list | None = None):
    """A CSR matrix from (unit id, feature) rows, one count per row."""
    import scipy.sparse as sp  # (here: ``import cppcc_nlp`` and the command line need no SciPy)

    features = features if features is not None else sorted(pairs[feature].unique())
    col = {f: j for j, f in enumerate(features)}
    row = {u: i for i, u in enumerate(ids)}
    pairs = pairs[pairs[feature].isin(col) & pairs[key].isin(row)]
    data = np.ones(len(pairs), dtype="int64")
    m = sp.coo_matrix(
        (data, (pairs[key].map(row).to_numpy(), pairs[feature].map(col).to_numpy())), shape=(len(ids), len(features))
    ).tocsr()
    m.sum_duplicates()
    return m, features


def dfm(
    corpus,
    *,
    unit: str = "document",
    features="tokens",
    tokens: pd.DataFrame | None = None,
    drop_stop: bool = True,
    drop_punct: bool = True,
    drop_num: bool = True,
    top_terms: int = 500,
) -> DFM:
    """Build a document-feature matrix.

    Parameters
    ----------
    corpus : Corpus
    unit : {"document", "section", "paragraph"}
    features : "tokens", "terms", or a Dictionary (dict or file path)
        ``tokens``: the token table filtered by the shared stop-word rules; ``terms``: occurrences of the
        ``top_terms`` terms of :func:`~cppcc_nlp.terms.extract_terms`; a dictionary: its categories, counted on
        the text (every place once per category, as :func:`~cppcc_nlp.dictionary_counts`).
    tokens : DataFrame, optional
        The token table of ``corpus`` when you already have it (saves segmenting again).

    Returns
    -------
    DFM
    """
    if unit not in UNITS:
        raise ParameterError(f"unit={unit!r}: choose one of {sorted(UNITS)}")
    key = UNITS[unit]
    corpus = as_corpus(corpus, what="building a document-feature matrix")
    docvars = _unit_docvars(corpus, unit).reset_index(drop=True)
    ids = docvars[key].tolist()
    if isinstance(features, str) and features == "tokens":
        table = tokens if tokens is not None else make_tokens(corpus)
        lists = token_lists(table, unit=unit, drop_stop=drop_stop, drop_punct=drop_punct, drop_num=drop_num)
        pairs = pd.DataFrame(
            {
                key: np.repeat(lists.index.to_numpy(), lists.str.len().to_numpy()),
                "feature": [t for toks in lists for t in toks],
            }
        )
        matrix, names = _from_pairs(ids, pairs, key, "feature")
    elif isinstance(features, str) and features == "terms":
        occ = term_occurrences(tokens if tokens is not None else corpus, top=top_terms)
        matrix, names = _from_pairs(ids, occ.rename(columns={"term": "feature"}), key, "feature")
    elif isinstance(features, (Dictionary, dict)) or (isinstance(features, (str, Path)) and Path(features).suffix):
        d = as_dictionary(features)
        hits = dictionary_matches(corpus, d).drop_duplicates(["doc_id", "start", "category"])
        matrix, names = _from_pairs(ids, hits.rename(columns={"category": "feature"}), key, "feature", d.categories)
    else:
        raise ParameterError(f"features={features!r}: choose 'tokens', 'terms' or a dictionary")
    return DFM(matrix, list(names), docvars, unit)
