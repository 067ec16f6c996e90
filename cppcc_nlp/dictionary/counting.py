"""Counting a :class:`~cppcc_nlp.dictionary.Dictionary` in a corpus: every match, and counts by any grouping.

Counts are made **on the text** by default: every occurrence of a pattern is counted, nested ones included, as
``str.count`` would count it on the normalised text (生态文明 is counted inside 生态文明建设).  A category counts
each place in the text once, however many of its patterns match there.  ``mode="tokens"`` counts whole tokens
instead (quanteda's ``tokens_lookup``): a pattern must match a token entirely, so 生态文明 is not counted
inside the token 生态文明建设.

Rates are per 10,000 characters of the text behind them (``per_10k_chars``, newlines excluded), the same base
as :func:`~cppcc_nlp.slogans.track_slogans`.

Examples
--------
>>> d = cn.Dictionary({"生态": ["生态文明", "绿水青山"]})
>>> cn.dictionary_counts(corpus, d, by="year")                       # doctest: +SKIP
   year category  count  n_chars  per_10k_chars  n_docs
"""

from __future__ import annotations

import pandas as pd

from cppcc_nlp.dictionary.model import as_dictionary
from cppcc_nlp.errors import ParameterError
from cppcc_nlp.io.structure import simplified_view
from cppcc_nlp.tokens.inputs import as_corpus
from cppcc_nlp.tokens.table import tokens as make_tokens

#: columns of :func:`dictionary_matches`
MATCH_COLUMNS = [
    "doc_id",
    "year",
    "period",
    "part",
    "section_id",
    "para_id",
    "start",
    "end",
    "category",
    "pattern",
    "match",
    "level",
    "region",
    "organ",
]
#: grouping shortcuts of :func:`dictionary_counts` (else ``by`` names columns of the paragraph table)
BY = {
    "document": ["doc_id", "year", "level", "region", "organ"],
    "section": ["doc_id", "section_id", "year", "period", "part"],
    "paragraph": ["doc_id", "para_id", "section_id", "year", "period", "part"],
    "corpus": [],
}
MODES = ("text", "tokens")


def dictionary_matches(corpus, dictionary, *, mode: str = "text") -> pd.DataFrame:
    """Every match of every pattern: one row per (place, pattern), with offsets into ``Document.text``.

    Parameters
    ----------
    corpus : Corpus
    dictionary : Dictionary, dict or path of a YAML/CSV/LIWC file
    mode : {"text", "tokens"}
        Match on the text (every occurrence, nested ones included) or on whole tokens.

    Returns
    -------
    DataFrame
        doc_id, year, period, part, section_id, para_id, start, end, category, pattern, match, level, region,
        organ; ``corpus[doc_id].text[start:end] == match``.
    """
    dictionary = as_dictionary(dictionary)
    corpus = as_corpus(corpus, what="counting a dictionary")
    if mode not in MODES:
        raise ParameterError(f"mode={mode!r}: choose 'text' or 'tokens'")
    rows = []
    if mode == "text":
        for doc in corpus.docs:
            view = simplified_view(doc.text)
            docvars = {k: doc.meta.get(k) for k in ("year", "level", "region", "organ")}
            for p in doc.paragraphs:
                searched = view[p.start : p.end]
                for pat in dictionary.patterns:
                    for m in pat.regex.finditer(searched):
                        if m.end() == m.start():
                            continue
                        rows.append(
                            {
                                "doc_id": doc.doc_id,
                                "period": p.period,
                                "part": p.part,
                                "section_id": p.section_id,
                                "para_id": p.para_id,
                                "start": p.start + m.start(),
                                "end": p.start + m.end(),
                                "category": pat.category,
                                "pattern": pat.source,
                                "match": p.text[m.start() : m.end()],
                                **docvars,
                            }
                        )
    else:
        table = make_tokens(corpus)
        docs = {d.doc_id: d for d in corpus.docs}
        for pat in dictionary.patterns:
            hit = table["token"].map(lambda t, rx=pat.regex: rx.fullmatch(simplified_view(t)) is not None)
            for row in table[hit.to_numpy()].itertuples(index=False):
                meta = docs[row.doc_id].meta
                rows.append(
                    {
                        "doc_id": row.doc_id,
                        "period": row.period,
                        "part": row.part,
                        "section_id": row.section_id,
                        "para_id": row.para_id,
                        "start": row.start,
                        "end": row.end,
                        "category": pat.category,
                        "pattern": pat.source,
                        "match": row.token,
                        **{k: meta.get(k) for k in ("year", "level", "region", "organ")},
                    }
                )
    df = pd.DataFrame(rows, columns=MATCH_COLUMNS)
    df = df.sort_values(["doc_id", "start", "category", "pattern"], kind="stable").reset_index(drop=True)
    df["period"] = df["period"].astype("Int64")
    for col in ("year", "start", "end"):
        df[col] = df[col].astype("int64")
    return df


def dictionary_counts(
    corpus, dictionary, *, by="document", per: str = "category", mode: str = "text", wide: bool = False
) -> pd.DataFrame:
    """Counts of each dictionary category (or pattern) per group, with the text size behind each count.

    Parameters
    ----------
    corpus : Corpus
    dictionary : Dictionary, dict or path of a YAML/CSV/LIWC file
    by : str or list of str
        ``"document"`` (default), ``"section"``, ``"paragraph"``, ``"corpus"``, or columns of
        ``corpus.paragraphs`` such as ``"year"``, ``"period"``, ``["level", "year"]``.
    per : {"category", "pattern"}
        Count categories (each place once per category) or each pattern separately.
    mode : {"text", "tokens"}
        See the module docstring.
    wide : bool
        One column per category (counts) instead of the tidy long table.

    Returns
    -------
    DataFrame
        <by columns>, category [, pattern], count, n_chars, per_10k_chars, n_docs — every group × every
        category, zeros included.

    Examples
    --------
    >>> cn.dictionary_counts(corpus, {"生态": ["生态文明"]}, by=["level", "year"])   # doctest: +SKIP
    """
    dictionary = as_dictionary(dictionary)
    corpus = as_corpus(corpus, what="counting a dictionary")
    if per not in ("category", "pattern"):
        raise ParameterError(f"per={per!r}: choose 'category' or 'pattern'")
    paras = corpus.paragraphs
    keys = BY[by] if isinstance(by, str) and by in BY else ([by] if isinstance(by, str) else list(by))
    unknown = [k for k in keys if k not in paras.columns]
    if unknown:
        raise ParameterError(
            f"by={by!r}: {unknown} are not columns of the paragraph table; choose from "
            f"{sorted(BY)} or {sorted(paras.columns.drop('text'))}"
        )
    matches = dictionary_matches(corpus, dictionary, mode=mode)
    items = (
        dictionary.categories
        if per == "category"
        else list(dict.fromkeys((p.category, p.source) for p in dictionary.patterns))
    )
    item_cols = ["category"] if per == "category" else ["category", "pattern"]
    if per == "category":  # a place counts once per category
        matches = matches.drop_duplicates(["doc_id", "start", "category"])
    # group keys of each match come from its paragraph
    para_keys = paras[["para_id"] + [k for k in keys if k != "para_id"]].drop_duplicates("para_id")
    sizes = paras.assign(n_chars=paras["text"].str.replace("\n", "", regex=False).str.len())
    group = keys if keys else None
    if group:
        size = sizes.groupby(group, dropna=False).agg(n_chars=("n_chars", "sum"), n_docs=("doc_id", "nunique"))
        size = size.reset_index()
    else:
        size = pd.DataFrame({"n_chars": [int(sizes["n_chars"].sum())], "n_docs": [sizes["doc_id"].nunique()]})
    grid_items = pd.DataFrame(items if per == "pattern" else [(c,) for c in items], columns=item_cols)
    grid = size.merge(grid_items, how="cross")
    if len(matches):
        m = matches.merge(para_keys, on="para_id", how="left", suffixes=("_m", ""))
        counted = m.groupby((group or []) + item_cols, dropna=False).size().rename("count").reset_index()
        out = grid.merge(counted, on=(group or []) + item_cols, how="left")
    else:
        out = grid.assign(count=0)
    out["count"] = out["count"].fillna(0).astype("int64")
    out["per_10k_chars"] = (out["count"] / out["n_chars"].where(out["n_chars"] > 0) * 10_000).round(4)
    out = out[(group or []) + item_cols + ["count", "n_chars", "per_10k_chars", "n_docs"]]
    if wide:
        out = out.pivot_table(index=group or None, columns=item_cols, values="count", fill_value=0)
        out.columns = [c if isinstance(c, str) else "/".join(c) for c in out.columns]
        out = out.reset_index() if group else out
    return out.reset_index(drop=True) if not wide else out
