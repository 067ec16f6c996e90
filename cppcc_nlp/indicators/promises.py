"""``promises(corpus, year=N)``: the plan's task sentences of year N, each beside the review sentence of year
N+1 that speaks most of the same thing.

A *task sentence* is a plan-part sentence about year N that commits to an action (要…, 加快…, 推进…, 出台…,
实施…; see :data:`TASK_WORDS`).  Its candidates are the review-part sentences about year N in the later reports
of the same series (organ, level, region).  Both are compared by TF-IDF cosine over the project's tokens
(:func:`cppcc_nlp.tokens`, stop words, punctuation, numbers and the boilerplate verbs 推进/加强/坚持… left out,
so two sentences match on what they are about, not on how reports speak).  The best candidate is kept with its
score and the content words the two share; ``status`` is ``reported`` when the score reaches ``threshold``,
``not mentioned`` otherwise.

What it can tell: which commitments the next report speaks of again, with the sentence to read.  What it cannot
tell: whether the promise was *kept*; a review sentence on the same subject may report partial progress or a
different measure, and a promise reported in other words (a synonym, a number instead of a name) is missed.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd

from cppcc_nlp.corpus.series import row_series
from cppcc_nlp.errors import ParameterError
from cppcc_nlp.tokens import token_lists, tokens

COLUMNS = [
    "doc_id",
    "year",
    "period",
    "section_id",
    "para_id",
    "sent_id",
    "start",
    "end",
    "sentence",
    "series",
    "review_doc_id",
    "review_year",
    "review_section_id",
    "review_sent_id",
    "review_start",
    "review_end",
    "review_sentence",
    "score",
    "shared_terms",
    "status",
]
#: verbs that make a plan sentence a commitment
TASK_WORDS = (
    "要",
    "加快",
    "推进",
    "出台",
    "实施",
    "推动",
    "深化",
    "加强",
    "完善",
    "建立",
    "健全",
    "扩大",
    "促进",
    "落实",
    "制定",
    "启动",
    "开展",
    "支持",
    "鼓励",
    "继续",
    "提高",
    "降低",
    "力争",
    "确保",
    "着力",
    "全面",
)
_TASK = re.compile("|".join(TASK_WORDS))
MIN_CHARS = 12


def empty_promises() -> pd.DataFrame:
    """The result table with no rows and the right columns."""
    df = pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS})
    for c in ("year", "start", "end", "review_start", "review_end"):
        df[c] = df[c].astype("Int64")
    df["period"] = df["period"].astype("Int64")
    df["score"] = df["score"].astype("float64")
    return df


def is_task(sentence: str) -> bool:
    """Whether a plan sentence commits to an action (``要加快推进…``), not merely describes."""
    return len(sentence.strip()) >= MIN_CHARS and bool(_TASK.search(sentence))


def promises(
    corpus, *, year: int | None = None, threshold: float = 0.2, token_table: pd.DataFrame | None = None, **tokens_kwargs
) -> pd.DataFrame:
    """Plan task sentences of year ``year`` aligned with the next report's review sentences about that year.

    Parameters
    ----------
    corpus : Corpus
    year : int, optional
        The planned year N (the plan part of the report delivered in N, the review part of N+1).  Default:
        every year with both.
    threshold : float
        The TF-IDF cosine from which a promise counts as ``reported`` (0.2 by default; see docs/indicators.md
        for the precision measured at it).
    token_table : DataFrame, optional
        ``cn.tokens(corpus)`` if you have it already; otherwise the two reports are segmented (cached).
    **tokens_kwargs
        Passed to :func:`cppcc_nlp.tokens` (``nlp=``, ``cache_dir=``).

    Returns
    -------
    DataFrame
        One row per task sentence: doc_id, year, period, section_id, para_id, sent_id, start, end, sentence,
        series, review_doc_id, review_year, review_section_id, review_sent_id, review_start, review_end,
        review_sentence, score (cosine 0–1), shared_terms (the shared content words, the rarest first),
        status (``reported`` / ``not mentioned``).  Empty, with a warning, when no plan has a later review.

    Examples
    --------
    >>> p = cn.promises(corpus, year=2018)                                   # doctest: +SKIP
    >>> p.query("status == 'reported'")[["sentence", "review_sentence", "score"]].head()
    """
    if year is not None and (isinstance(year, bool) or not isinstance(year, (int, np.integer))):
        raise ParameterError(f"promises(year={year!r}): a year is an int such as 2018")
    if not 0 <= threshold <= 1:
        raise ParameterError(f"threshold must lie in [0, 1], got {threshold}")
    sents = corpus.sentences.copy()
    if sents.empty:
        return _none("the corpus has no sentences")
    sents["series"] = row_series(sents)
    plan = sents[(sents["part"] == "plan") & sents["period"].notna() & (sents["period"] == sents["year"])]
    review = sents[(sents["part"] == "review") & sents["period"].notna() & (sents["year"] > sents["period"])]
    if year is not None:
        plan = plan[plan["period"] == year]
        review = review[review["period"] == year]
    pairs = sorted(
        set(zip(plan["series"], plan["period"].astype(int))) & set(zip(review["series"], review["period"].astype(int)))
    )
    if not pairs:
        what = f"for {year}" if year is not None else "in these reports"
        return _none(
            f"no plan part has a later review of the same series {what} (give the report of year N "
            "and the report of N+1)"
        )
    plan = plan[plan["text"].map(is_task)]
    docs = sorted(set(plan["doc_id"]) | set(review["doc_id"]))
    if token_table is None:
        token_table = tokens(corpus.subset(doc_id=docs), **tokens_kwargs)
    lists = token_lists(token_table[token_table["doc_id"].isin(docs)], unit="sentence", keep_boilerplate=False)
    rows = []
    for series, period in pairs:
        p = plan[(plan["series"] == series) & (plan["period"] == period)]
        r = review[(review["series"] == series) & (review["period"] == period)]
        r = r[r["year"] == r["year"].min()]  # the next report
        if p.empty or r.empty:
            continue
        rows.extend(_align(p, r, lists, threshold))
    if not rows:
        return _none("no task sentences in the plan parts")
    df = pd.DataFrame(rows, columns=COLUMNS)
    for c in ("year", "start", "end", "review_start", "review_end"):
        df[c] = df[c].astype("Int64")
    df["period"] = df["period"].astype("Int64")
    return df


def _none(message: str) -> pd.DataFrame:
    warnings.warn(f"promises: {message}; the table is empty", stacklevel=3)
    return empty_promises()


def _align(plan: pd.DataFrame, review: pd.DataFrame, lists: pd.Series, threshold: float) -> list[dict]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs_p = [lists.get(s, []) for s in plan["sent_id"]]
    docs_r = [lists.get(s, []) for s in review["sent_id"]]
    vec = TfidfVectorizer(analyzer=lambda toks: toks, norm="l2", sublinear_tf=True)
    try:
        matrix = vec.fit_transform(docs_p + docs_r)
    except ValueError:  # no tokens at all
        return []
    idf = dict(zip(vec.get_feature_names_out(), vec.idf_))
    mp, mr = matrix[: len(docs_p)], matrix[len(docs_p) :]
    sims = (mp @ mr.T).toarray()
    out = []
    for i, p in enumerate(plan.itertuples(index=False)):
        j = int(sims[i].argmax())
        score = float(sims[i, j])
        r = review.iloc[j]
        shared = sorted(set(docs_p[i]) & set(docs_r[j]), key=lambda t: (-idf.get(t, 0), t))
        out.append(
            {
                "doc_id": p.doc_id,
                "year": p.year,
                "period": p.period,
                "section_id": p.section_id,
                "para_id": p.para_id,
                "sent_id": p.sent_id,
                "start": p.start,
                "end": p.end,
                "sentence": p.text,
                "series": p.series,
                "review_doc_id": r["doc_id"],
                "review_year": r["year"],
                "review_section_id": r["section_id"],
                "review_sent_id": r["sent_id"],
                "review_start": r["start"],
                "review_end": r["end"],
                "review_sentence": r["text"],
                "score": round(score, 4),
                "shared_terms": "、".join(shared[:8]),
                "status": "reported" if score >= threshold else "not mentioned",
            }
        )
    return out
