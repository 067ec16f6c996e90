"""Write the five notebooks under notebooks/ from the cell lists below (then execute them to store outputs).

    python tools/build_notebooks.py && python tools/run_notebooks.py

The notebooks are thin glue over the library: each opens with what it shows and a ``parameters`` cell
(papermill style: ``CORPUS`` defaults to the bundled ``corpora/``), then calls library functions and figures.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"

PARAMETERS = '''# Parameters: the corpus to read (a folder of reports, or one file). Papermill/run_notebooks can override it.
CORPUS = "../corpora"'''

SETUP = '''import warnings
import pandas as pd
import cppcc_nlp as cn
from cppcc_nlp import plot

warnings.simplefilter("ignore", UserWarning)   # skipped files and one-year caveats are shown in tables below
pd.set_option("display.max_colwidth", 80)
corpus = cn.Corpus.from_path(CORPUS)
years = sorted(corpus.documents["year"].unique())
print(f"{len(corpus)} report(s), {corpus.documents['n_chars'].sum():,} characters, years {years[0]}–{years[-1]}")'''

NOTEBOOK_CELLS = {
    "01_corpus.ipynb": [
        ("md", """# 01 · The corpus: what is in it, how a report is built, which year each part speaks about

This notebook reads a folder of work reports (政协常委会工作报告, 政府工作报告) into a `Corpus` and shows
what the library found in each file: the metadata read from the text (organ, level, region, session, date,
speaker, abridged), the structure (sections, headings, paragraphs) and the **period** of each section: the
review part speaks about the reviewed year, the plan part about the planned year."""),
        ("params", PARAMETERS),
        ("code", SETUP),
        ("md", "## Documents and their metadata"),
        ("code", 'corpus.documents[["doc_id", "title", "organ", "level", "region", "session", "date", "year", '
                 '"speaker", "abridged", "n_chars", "n_sections", "n_paragraphs"]]'),
        ("code", "plot.corpus_overview(corpus.documents);"),
        ("md", "## The structure of one report: sections, parts and periods\n\nThe latest report of the corpus."),
        ("code", '''latest = corpus.documents.sort_values(["year", "doc_id"]).iloc[-1]["doc_id"]
corpus.sections.query("doc_id == @latest")[["section_id", "heading", "depth", "part", "period", "n_chars"]]'''),
        ("code", '''corpus.paragraphs.groupby(["year", "part"]).size().unstack(fill_value=0)'''),
        ("md", "## Paragraphs come out whole\n\nThe first paragraphs of the latest report, as repaired from the file's layout."),
        ("code", '''for row in corpus.paragraphs.query("doc_id == @latest").head(4).itertuples():
    print(row.para_id, row.part, row.period, "|", row.text[:120], "…" if len(row.text) > 120 else "")'''),
        ("md", "## Concordance (KWIC)\n\nEvery use of a word with its context, as quanteda's `kwic`."),
        ("code", '''corpus.kwic("协商", window=12).head(10)'''),
    ],
    "02_slogans.ipynb": [
        ("md", """# 02 · Slogans (提法): which, how often, where, and how they rise and fade

Slogans are found by the curated lexicon of standing formulations (两个确立, 四个意识, 全过程人民民主 …) and
by **discovery** of slogans in no lexicon: quoted phrases, number-led formulations (两个X, 十四五), quoted
series, families sharing a head (同心政协, 有为政协 …). Titles, event names, labels and letter codes are
rejected. Rates are per 10,000 characters of the text that speaks about each year (period)."""),
        ("params", PARAMETERS),
        ("code", SETUP),
        ("code", '''occ = cn.detect_slogans(corpus)
print(f"{len(occ)} occurrences of {occ['canonical'].nunique()} slogans")
occ.groupby(["kind", "in_lexicon"])["canonical"].nunique().unstack(fill_value=0)'''),
        ("md", "## The slogans, most frequent first"),
        ("code", '''from cppcc_nlp.slogans import slogan_summary, slogan_families, slogan_cooccurrence, slogan_concordance
summary = slogan_summary(occ, corpus, by="period")
summary.head(25)'''),
        ("md", "## Timeline: slogans × years"),
        ("code", '''tracking = cn.track_slogans(occ, corpus, by="period")
plot.slogan_timeline(tracking, year="period", value="rate_per_10k");'''),
        ("md", "## Lifecycle of the most used slogans (needs more than one year)"),
        ("code", '''if tracking["period"].nunique() > 1:
    plot.slogan_lifecycle(tracking, summary["canonical"].head(4).tolist(), year="period", value="rate_per_10k")
else:
    print("One period only: add more years of reports to see lifecycles.")'''),
        ("md", "## Families and co-occurrence"),
        ("code", '''slogan_families(occ)'''),
        ("code", '''slogan_cooccurrence(occ, corpus).head(15)'''),
        ("md", "## Concordance of the most frequent discovered slogan"),
        ("code", '''found = summary[~summary["in_lexicon"]]
slogan = (found if len(found) else summary)["canonical"].iloc[0]
print(slogan)
slogan_concordance(corpus, slogan, window=15).head(10)'''),
        ("md", "## What was rejected, and why\n\nQuoted strings that are not slogans (titles, events, labels …)."),
        ("code", '''from cppcc_nlp.slogans import slogan_candidates
cands = slogan_candidates(corpus)
cands.loc[cands["decision"] == "rejected", ["candidate", "rule", "n_quoted", "sentence"]].head(15)'''),
    ],
    "03_terms.ipynb": [
        ("md", """# 03 · Terms: the vocabulary of policy, ranked, per year, and what is new

Multi-word terms come from token sequences inside sentences (the token pipeline keeps formulations whole),
ranked by C-value (nested terms) weighted by cohesion (PMI) and open boundaries (branching entropy). Keyness
compares the latest year with the earlier ones (G², log ratio), as quanteda's `textstat_keyness`. The jieba
keyword extractors are shown beside ours as baselines."""),
        ("params", PARAMETERS),
        ("code", SETUP),
        ("code", '''tok = cn.tokens(corpus)          # cached: a second run does no segmentation
terms = cn.extract_terms(tok, top=200)
terms.head(30)'''),
        ("md", "## Trends of the top terms (needs more than one year)"),
        ("code", '''from cppcc_nlp.terms import term_frequencies
per_year = term_frequencies(tok, terms["term"].head(8).tolist(), by="year")
if per_year["year"].nunique() > 1:
    plot.term_trends(per_year, terms["term"].head(6).tolist(), value="per_10k_chars")
else:
    print("One year only: add more reports to see trends.")'''),
        ("md", "## Keyness of the latest year against the earlier years"),
        ("code", '''if len(years) > 1:
    key = cn.keyness(tok, target=years[-1], by="year")
    plot.keyness_bars(key, score="g2", effect="log_ratio", target_label=str(years[-1]),
                      reference_label=f"{years[0]}–{years[-2]}")
    display(key[key["is_new"]].head(15)[["term", "target_freq", "g2", "log_ratio"]])
else:
    print(f"Keyness needs two years or more; this corpus has {years[0]} only.")'''),
        ("md", "## Baselines: jieba.analyse TF-IDF and TextRank on the same texts"),
        ("code", '''from cppcc_nlp.terms.baselines import jieba_keywords
pd.DataFrame({"ours": terms["term"].head(20).tolist(),
              "jieba TF-IDF": jieba_keywords(corpus, method="tfidf", top=20),
              "jieba TextRank": jieba_keywords(corpus, method="textrank", top=20)})'''),
    ],
    "04_topics.ipynb": [
        ("md", """# 04 · Topics: labelled themes of paragraphs and how each theme's share moves across years

A topic model (NMF on TF-IDF of paragraph tokens, with the domain vocabulary kept whole) clusters paragraphs
into themes. The number of topics is chosen by NPMI coherence; each theme is labelled by its most distinctive
terms and shown with its most representative paragraphs; its share of the text is followed over the years."""),
        ("params", PARAMETERS),
        ("code", SETUP),
        ("code", '''tok = cn.tokens(corpus)
model = cn.TopicModel(random_state=0).fit(corpus, tokens=tok)
plot.coherence_by_k(model.coherence_, score="coherence", chosen=model.n_topics_);'''),
        ("md", "## The themes"),
        ("code", '''model.topics_[["topic_id", "label", "top_terms", "share", "n_units", "coherence"]]'''),
        ("md", "## Most representative paragraphs"),
        ("code", '''model.representative(n=1)'''),
        ("md", "## Shares over the years"),
        ("code", '''shares = model.shares(by="year")
cols = [c for c in shares.columns if str(c).startswith("topic_")]
labels = {f"topic_{r.topic_id}": f"{r.topic_id}: {r.label}" for r in model.topics_.itertuples()}
if len(shares) > 1:
    plot.topic_shares(shares.set_index("year")[cols], labels=labels)
shares.rename(columns=labels)'''),
        ("code", '''model.trends(by="period") if corpus.paragraphs["period"].nunique() > 1 else "one period only"'''),
        ("md", "## The theme of each section"),
        ("code", '''model.section_topics_[["doc_id", "period", "part", "heading", "dominant_label"]].head(20)'''),
    ],
    "05_targets.ipynb": [
        ("md", """# 05 · Targets and outcomes: what a report planned, and what the next one said was done

**Question.** Work reports are a chain: the plan part of year N's report sets targets (国内生产总值增长6%－6.5%,
城镇新增就业1100万人以上, 居民消费价格涨幅3%左右) and promises; the review part of year N+1's report gives the
outcome. Were the targets met, and which promises does the next report speak of again? CPPCC reports count their
own work (提案163件, 社情民意信息318期) the same way.

**Method.** `cn.indicators` reads every number with its unit, qualifier and indicator name (from the
documented `indicators.yaml`); `cn.target_outcomes` puts the target of each period beside the next report's
outcome and judges `met` honouring the qualifier; `cn.promises` aligns plan task sentences with review sentences
by TF-IDF over the project's tokens. Set `CORPUS` to consecutive reports of one series (e.g.
`../../shared/corpora/gwr-national`) to see the chain; on the bundled single report the chain is empty."""),
        ("params", PARAMETERS),
        ("code", SETUP),
        ("md", "## Every quantitative statement\n\nNamed indicators first; unnamed numbers keep the words before them."),
        ("code", '''ind = cn.indicators(corpus)
print(ind["kind"].value_counts().to_dict(), "|", ind["indicator"].notna().sum(), "named of", len(ind))
ind.dropna(subset=["indicator"])[["doc_id", "period", "kind", "indicator", "value", "unit", "qualifier", "text"]].head(15)'''),
        ("code", '''ind.dropna(subset=["indicator"]).pivot_table(index="indicator", columns="period", values="value",
                                             aggfunc="first").head(20)'''),
        ("md", "## Target beside outcome"),
        ("code", '''chain = cn.target_outcomes(ind)
chain[["series", "indicator", "period", "target_low", "target_high", "target_qualifier", "outcome_value", "met"]].head(30)'''),
        ("code", '''paired = chain.dropna(subset=["target_low", "outcome_value"])
for name in paired["indicator"].value_counts().index[:3]:
    plot.target_outcome_chart(chain, name)
paired.groupby("indicator")["met"].agg(["count", "mean"]).rename(columns={"count": "pairs", "mean": "share met"})'''),
        ("md", "## Promises of the plan, and what the next review says of them"),
        ("code", '''plan_years = sorted(corpus.sentences.query("part == 'plan'")["period"].dropna().unique())
review_years = set(corpus.sentences.query("part == 'review' and year > period")["period"].dropna())
years_with_both = [y for y in plan_years if y in review_years]
if years_with_both:
    p = cn.promises(corpus, year=int(years_with_both[-1]))
    print(p["status"].value_counts().to_dict())
    display(p.sort_values("score", ascending=False)[["sentence", "review_sentence", "score", "shared_terms"]].head(10))
else:
    print("no plan with a later review in this corpus: give consecutive reports of one series")'''),
        ("md", """## Interpretation and caveats

* A target row is the first target statement of the period; an outcome row the first outcome statement of the
  next report. `met` is a reading of the figures, not an audit: revised statistics, and targets restated
  (\u201c比预期目标高\u201d) are not followed.
* Five-year figures (年均, 五年累计, \u201c十三五\u201d targets) are `other`, never a year's target or outcome.
* Promise alignment finds the review sentence that speaks of the same thing (precision 0.72 on 50 judged
  national pairs, docs/indicators.md); it cannot tell whether the promise was kept."""),
    ],
}


def build(name: str, cells) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for kind, source in cells:
        if kind == "md":
            nb.cells.append(nbformat.v4.new_markdown_cell(source))
        elif kind == "params":
            nb.cells.append(nbformat.v4.new_code_cell(source, metadata={"tags": ["parameters"]}))
        else:
            nb.cells.append(nbformat.v4.new_code_cell(source))
    return nb


def main() -> int:
    NOTEBOOKS.mkdir(exist_ok=True)
    for name, cells in NOTEBOOK_CELLS.items():
        nbformat.write(build(name, cells), NOTEBOOKS / name)
        print(NOTEBOOKS / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
