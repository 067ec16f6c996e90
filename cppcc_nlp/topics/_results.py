"""The result tables of a topic model: topics and their terms, the unit table, shares per group, trends,
section topics, representative units, and the matching of two models' topics.

Each function takes the fitted state it needs as arguments; :class:`~cppcc_nlp.topics.model.TopicModel` calls
them and documents them.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from cppcc_nlp.errors import ParameterError
from cppcc_nlp.topics._factorise import normalise_rows, top_term_ids
from cppcc_nlp.topics._units import STANDARD, UNITS

LABEL_TERMS = 3
RELEVANCE_LAMBDA = 0.6
TOPIC_COLUMNS = ["topic_id", "label", "top_terms", "weights", "share", "n_units", "coherence"]
SECTION_COLUMNS = [
    "doc_id",
    "year",
    "period",
    "part",
    "section_id",
    "heading",
    "n_chars",
    "dominant_topic",
    "dominant_label",
    "dominant_weight",
]


def topic_columns(k: int) -> list[str]:
    """``topic_0 … topic_{k-1}``."""
    return [f"topic_{t}" for t in range(k)]


def topic_tables(
    components: np.ndarray, term_prob: np.ndarray, vocabulary: list, top_n: int, coherence: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``topics_`` (without ``share, n_units``) and ``terms_`` of a topic-term matrix whose rows sum to 1.

    A topic's label is its three most distinctive terms by relevance ``λ·log p(w|t) + (1-λ)·log(p(w|t)/p(w))``,
    λ = 0.6 (Sievert & Shirley 2014), among its 30 heaviest terms.
    """
    comp = components
    top = top_term_ids(comp, top_n)
    with np.errstate(divide="ignore"):
        relevance = RELEVANCE_LAMBDA * np.log(comp) + (1 - RELEVANCE_LAMBDA) * np.log(comp / term_prob[None, :])
    rows, labels, top_terms, weights = [], [], [], []
    for t in range(comp.shape[0]):
        # label: most distinctive among the topic's 30 heaviest terms (relevance ranks rare terms too high)
        pool = np.argsort(-comp[t], kind="stable")[: max(30, top_n)]
        pool = pool[comp[t, pool] > 0]
        order = pool[np.argsort(-relevance[t, pool], kind="stable")]
        labels.append("·".join(vocabulary[j] for j in order[:LABEL_TERMS]))
        top_terms.append(" ".join(vocabulary[j] for j in top[t]))
        weights.append(" ".join(f"{comp[t, j]:.4f}" for j in top[t]))
        for rank, j in enumerate(top[t], start=1):
            rows.append((t, rank, vocabulary[j], float(comp[t, j]), float(relevance[t, j])))
    terms = pd.DataFrame(rows, columns=["topic_id", "rank", "term", "weight", "relevance"])
    topics = pd.DataFrame(
        {
            "topic_id": np.arange(comp.shape[0]),
            "label": labels,
            "top_terms": top_terms,
            "weights": weights,
            "coherence": coherence["coherence"].to_numpy(),
        }
    )
    return topics, terms


def unit_table(meta: pd.DataFrame, unit: str, n_terms: np.ndarray, weights: np.ndarray, labels) -> pd.DataFrame:
    """``doc_topics_``: the units' docvars, ``n_chars, n_terms`` (each unit's vocabulary tokens: the row sums of
    its counts), dominant topic and topic distribution."""
    theta = normalise_rows(weights)
    has = theta.sum(axis=1) > 0
    dominant = pd.array(np.where(has, theta.argmax(axis=1), 0), dtype="Int64")
    dominant[~has] = pd.NA
    labels = np.asarray(labels)
    meta = meta.copy()
    id_col = UNITS[unit]
    front = [id_col] + [c for c in STANDARD if c != id_col and c in meta]
    meta = meta[front + [c for c in meta.columns if c not in front and c != "n_chars"] + ["n_chars"]]
    meta["n_terms"] = np.asarray(n_terms).astype(int)
    meta["dominant_topic"] = dominant
    meta["dominant_label"] = [labels[d] if h else None for d, h in zip(theta.argmax(axis=1), has)]
    meta["dominant_weight"] = np.where(has, theta.max(axis=1), np.nan)
    topic_cols = pd.DataFrame(theta, columns=topic_columns(theta.shape[1]))
    return pd.concat([meta.reset_index(drop=True), topic_cols], axis=1)


def with_shares(topics: pd.DataFrame, doc_topics: pd.DataFrame, k: int) -> pd.DataFrame:
    """``topics`` with each topic's share of all text and the number of units it dominates."""
    theta = doc_topics[topic_columns(k)].to_numpy()
    chars = doc_topics["n_chars"].to_numpy(dtype=float)
    mass = (theta * chars[:, None]).sum(axis=0)
    topics = topics.copy()
    topics["share"] = mass / mass.sum() if mass.sum() > 0 else 0.0
    counts = doc_topics["dominant_topic"].value_counts()
    topics["n_units"] = [int(counts.get(t, 0)) for t in topics["topic_id"]]
    return topics[TOPIC_COLUMNS]


def shares(doc_topics: pd.DataFrame, by, *, k: int, unit: str, topics: pd.DataFrame, wide: bool = True) -> pd.DataFrame:
    """Each topic's share of the text of each group (see :meth:`TopicModel.shares`)."""
    dt = doc_topics
    keys = [by] if isinstance(by, str) else list(by)
    missing = [key for key in keys if key not in dt.columns]
    if missing:
        raise ParameterError(
            f"by={by!r}: no column {missing[0]!r} in the unit table; group by one of "
            f"{', '.join(c for c in dt.columns if not c.startswith('topic_'))}"
        )
    cols = topic_columns(k)
    valid = dt["dominant_topic"].notna()
    missing_key = dt[keys].isna().any(axis=1) & valid
    if missing_key.any():
        bad = [key for key in keys if dt.loc[valid, key].isna().any()][0]
        if missing_key.sum() == valid.sum():
            raise ParameterError(
                f"by={by!r}: column {bad!r} is missing for every {unit} (with "
                f"unit={unit!r}; period is only known per paragraph or section)"
            )
        warnings.warn(
            f"shares by {by!r}: {int(missing_key.sum())} {unit}(s) with no {bad!r} left out "
            f"({int(dt.loc[missing_key, 'n_chars'].sum())} characters)",
            UserWarning,
            stacklevel=3,
        )
        valid &= ~missing_key
    sub = dt.loc[valid, keys + cols + ["n_chars"]].copy()
    mass = sub[cols].to_numpy() * sub["n_chars"].to_numpy(dtype=float)[:, None]
    mass = pd.DataFrame(mass, columns=cols)
    for key in keys:
        mass[key] = sub[key].to_numpy()
    grouped = mass.groupby(keys, sort=True)
    total = grouped[cols].sum()
    out = total.div(total.sum(axis=1).replace(0, np.nan), axis=0)
    out.insert(0, "n_chars", sub.groupby(keys, sort=True)["n_chars"].sum().to_numpy())
    out.insert(0, "n_units", sub.groupby(keys, sort=True).size().to_numpy())
    out = out.reset_index()
    if wide:
        return out
    long = out.melt(id_vars=keys + ["n_units", "n_chars"], value_vars=cols, var_name="topic_id", value_name="share")
    long["topic_id"] = long["topic_id"].str.slice(6).astype(int)
    long["label"] = long["topic_id"].map(dict(zip(topics["topic_id"], topics["label"])))
    return long.sort_values(keys + ["topic_id"]).reset_index(drop=True)[
        keys + ["topic_id", "label", "share", "n_units", "n_chars"]
    ]


TREND_COLUMNS = [
    "topic_id",
    "label",
    "n_groups",
    "first",
    "last",
    "share_first",
    "share_last",
    "mean_share",
    "slope",
    "tau",
    "p_value",
    "trend",
]


def trends(table: pd.DataFrame, by: str, *, topics: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Kendall's τ and the Theil–Sen slope of each topic's share over the groups of a wide shares ``table``
    (see :meth:`TopicModel.trends`).  A table with a ``series`` column (``shares(by=["series", by])``) gets
    the trends of each series apart, with the ``series`` and ``n_reports`` (when the table has it) first."""
    if "series" not in table.columns:
        return _trends_one(table, by, topics=topics, alpha=alpha)
    parts = []
    for name, group in table.groupby("series", sort=False):
        one = _trends_one(group.sort_values(by).reset_index(drop=True), by, topics=topics, alpha=alpha)
        one.insert(0, "series", name)
        parts.append(one)
    if not parts:
        return pd.DataFrame(columns=["series", *TREND_COLUMNS])
    return pd.concat(parts, ignore_index=True)


def _trends_one(table: pd.DataFrame, by: str, *, topics: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """:func:`trends` over the groups of one table (one series, or all pooled)."""
    from scipy.stats import kendalltau, theilslopes

    try:
        x = table[by].astype(float).to_numpy()
    except (TypeError, ValueError):
        raise ParameterError(f"by={by!r}: trends need a numeric docvar such as 'year' or 'period'") from None
    rows = []
    for t, label in zip(topics["topic_id"], topics["label"]):
        y = table[f"topic_{t}"].to_numpy(dtype=float)
        n = len(y)
        if n < 3:
            slope, tau, p, trend = np.nan, np.nan, np.nan, "undetermined"
        else:
            slope = float(theilslopes(y, x)[0])
            res = kendalltau(x, y)
            tau, p = float(res.statistic), float(res.pvalue)
            if np.isnan(tau):
                trend = "stable"
            elif p < alpha:
                trend = "rising" if tau > 0 else "fading"
            else:
                trend = "stable"
        rows.append(
            (
                t,
                label,
                n,
                x[0] if n else np.nan,
                x[-1] if n else np.nan,
                y[0] if n else np.nan,
                y[-1] if n else np.nan,
                float(y.mean()) if n else np.nan,
                slope,
                tau,
                p,
                trend,
            )
        )
    out = pd.DataFrame(rows, columns=TREND_COLUMNS)
    for col in ("first", "last"):
        out[col] = out[col].astype("Int64")
    return out


def section_topics(doc_topics: pd.DataFrame, *, k: int, labels, headings: dict) -> pd.DataFrame:
    """One row per section: the topic distribution of its units' text (``section_topics_``)."""
    dt = doc_topics
    cols = topic_columns(k)
    valid = dt[dt["dominant_topic"].notna() & dt["section_id"].notna()]
    if valid.empty:
        return pd.DataFrame(columns=SECTION_COLUMNS + cols)
    mass = valid[cols].to_numpy() * valid["n_chars"].to_numpy(dtype=float)[:, None]
    frame = pd.DataFrame(mass, columns=cols)
    frame["section_id"] = valid["section_id"].to_numpy()
    summed = frame.groupby("section_id", sort=False)[cols].sum()
    theta = normalise_rows(summed.to_numpy())
    first = valid.groupby("section_id", sort=False)[
        [c for c in ("doc_id", "year", "period", "part") if c in valid]
    ].first()
    out = first.reset_index()
    out["heading"] = out["section_id"].map(headings) if headings else None
    out["n_chars"] = valid.groupby("section_id", sort=False)["n_chars"].sum().to_numpy()
    out["dominant_topic"] = pd.array(theta.argmax(axis=1), dtype="Int64")
    out["dominant_label"] = np.asarray(labels)[theta.argmax(axis=1)]
    out["dominant_weight"] = theta.max(axis=1)
    out = pd.concat([out, pd.DataFrame(theta, columns=cols)], axis=1)
    front = [c for c in ("doc_id", "year", "period", "part", "section_id", "heading") if c in out]
    return out[front + [c for c in out.columns if c not in front]]


def section_topics_wide(table: pd.DataFrame, topics: pd.DataFrame) -> pd.DataFrame:
    """One row per topic, one column per document (by year): the headings of the sections it dominates."""
    order = table.sort_values(["year", "doc_id"])["doc_id"].drop_duplicates().tolist()
    text = table.assign(
        heading=table["heading"].fillna(table["section_id"]) if "heading" in table else table["section_id"]
    )
    cells = text.groupby(["dominant_topic", "doc_id"])["heading"].agg(lambda s: " | ".join(map(str, s)))
    wide_table = cells.unstack("doc_id").reindex(columns=order)
    wide_table = wide_table.reindex(topics["topic_id"]).reset_index().rename(columns={"dominant_topic": "topic_id"})
    wide_table.columns.name = None
    wide_table.insert(1, "label", topics["label"].to_numpy())
    return wide_table


def representative(
    doc_topics: pd.DataFrame, ids: list, *, unit: str, labels, raw_weights, texts: dict, n: int, min_terms: int
) -> pd.DataFrame:
    """The ``n`` units most devoted to each topic of ``ids`` (see :meth:`TopicModel.representative`)."""
    dt = doc_topics
    id_col = UNITS[unit]
    long_enough = dt["n_terms"] >= min(min_terms, int(dt["n_terms"].median()))
    rows = []
    for t in ids:
        cand = dt[long_enough & dt["dominant_topic"].notna()]
        score = cand[f"topic_{t}"].to_numpy()
        raw = (
            raw_weights[cand.index.to_numpy(), t]
            if raw_weights is not None and len(raw_weights) == len(dt)
            else np.zeros(len(cand))
        )
        order = np.lexsort((-raw, -score))[:n]
        for rank, pos in enumerate(order, start=1):
            row = cand.iloc[pos]
            rows.append(
                (
                    t,
                    labels[t],
                    rank,
                    row[id_col],
                    row["doc_id"],
                    row["year"],
                    row["period"],
                    row["section_id"],
                    float(score[pos]),
                    texts.get(row[id_col]),
                )
            )
    out = pd.DataFrame(
        rows, columns=["topic_id", "label", "rank", "_unit", "doc_id", "year", "period", "section_id", "weight", "text"]
    )
    if id_col in out.columns:  # unit is a document or a section: its id is already a column
        return out.drop(columns="_unit")
    return out.rename(columns={"_unit": id_col})


def match_topics(a: np.ndarray, b: np.ndarray) -> pd.DataFrame:
    """Match the topics of two models one-to-one by cosine similarity of their topic-term vectors.

    Parameters
    ----------
    a, b : arrays of shape (k_a, n_terms) and (k_b, n_terms) over the same vocabulary (e.g. two models'
        ``components_``).

    Returns
    -------
    pandas.DataFrame
        ``topic_a, topic_b, cosine``: the assignment maximising total similarity (Hungarian algorithm,
        :func:`scipy.optimize.linear_sum_assignment`), one row per matched pair (min(k_a, k_b) rows).

    Examples
    --------
    >>> a = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]])
    >>> match_topics(a, a[::-1])[["topic_a", "topic_b"]].to_numpy().tolist()
    [[0, 1], [1, 0]]
    """
    from scipy.optimize import linear_sum_assignment

    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ParameterError(f"topic-term matrices must share a vocabulary: got shapes {a.shape} and {b.shape}")
    na = np.linalg.norm(a, axis=1, keepdims=True)
    nb = np.linalg.norm(b, axis=1, keepdims=True)
    sim = (a / np.where(na > 0, na, 1)) @ (b / np.where(nb > 0, nb, 1)).T
    rows, cols = linear_sum_assignment(-sim)
    return pd.DataFrame({"topic_a": rows, "topic_b": cols, "cosine": sim[rows, cols]})
