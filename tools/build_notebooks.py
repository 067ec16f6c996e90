"""Write the six notebooks under notebooks/ from the cell lists below (then execute them to store outputs).

    python tools/build_notebooks.py && python tools/run_notebooks.py

The notebooks present findings: each opens with a research question and a ``parameters`` cell (papermill
style: ``CORPUS`` defaults to the bundled ``corpora/``, the 26 reports of three series), shows the analysis
by series (organ/level/region), states what the outputs show in sentences computed from them, and ends with
caveats.  Warnings are shown, not silenced.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"

PARAMETERS = '''# Parameters: the corpus to read (a folder of reports, or one file). Papermill/run_notebooks can override it.
CORPUS = "../corpora"'''

SETUP = '''import pandas as pd
import cppcc_nlp as cn
from cppcc_nlp import plot

pd.set_option("display.max_colwidth", 80)
corpus = cn.Corpus.from_path(CORPUS)          # warnings (skipped files, caveats) are shown below, not silenced
years = sorted(corpus.documents["year"].unique())
docs = corpus.documents
# a series is one organ at one level in one region (the series docvar of every table): comparisons over
# time stay within one
series_of = dict(zip(docs["doc_id"], docs["series"]))
print(f"{len(corpus)} report(s), {docs['n_chars'].sum():,} characters, years {years[0]}–{years[-1]}, "
      f"{docs['series'].nunique()} series")
docs.groupby("series").agg(reports=("doc_id", "size"), first=("year", "min"), last=("year", "max"))'''

NOTEBOOK_CELLS = {
    "01_corpus.ipynb": [
        (
            "md",
            """# 01 · The corpus: which reports, which series, and which year each part speaks about

**Question.** What can this corpus support: which organs, levels and regions (series) does it cover, over which
years, and how is each report built (review of the past year, plan for the next)? Every later comparison over
time is only as good as this answer: a year axis that switches from national to Shanghai reports compares
sources, not years.

**Method.** `cn.Corpus.from_path` reads each file, repairs its layout, reads its metadata from the text and
splits it into sections, each with the **period** it speaks about.""",
        ),
        ("params", PARAMETERS),
        ("code", SETUP),
        ("md", "## Documents and their metadata"),
        (
            "code",
            'docs[["doc_id", "series", "title", "session", "date", "year", "speaker", "abridged", "n_chars", '
            '"n_sections", "n_paragraphs"]]',
        ),
        ("code", "plot.corpus_overview(docs);"),
        (
            "md",
            "## Parts and periods, by series\n\nCharacters of text speaking about each period (review, plan, other).",
        ),
        (
            "code",
            '''sections = corpus.sections.assign(series=corpus.sections["doc_id"].map(series_of))
sections.pivot_table(index=["series", "period"], columns="part", values="n_chars", aggfunc="sum", fill_value=0)''',
        ),
        ("md", "## The structure of one report\n\nThe latest report of the largest series."),
        (
            "code",
            '''main_series = docs["series"].value_counts().index[0]
latest = docs[docs["series"] == main_series].sort_values("year").iloc[-1]["doc_id"]
sections.query("doc_id == @latest")[["section_id", "heading", "depth", "part", "period", "n_chars"]]''',
        ),
        (
            "md",
            "## Concordance (KWIC)\n\nEvery use of a word with its context, as quanteda's `kwic`, counted by series.",
        ),
        (
            "code",
            '''hits = corpus.kwic("协商", window=12)
hits = hits.assign(series=hits["doc_id"].map(series_of))
display(hits.groupby("series").size().rename("uses of 协商"))
hits[["year", "series", "left", "match", "right"]].head(8)''',
        ),
        ("md", "## What this shows"),
        (
            "code",
            '''for name, g in docs.groupby("series"):
    print(f"{name}: {len(g)} report(s), {g['year'].min()}–{g['year'].max()}, "
          f"{g['n_chars'].mean():,.0f} characters on average")
per_year = docs.groupby("year")["series"].nunique()
print("Years with reports of more than one series:", [int(y) for y in per_year[per_year > 1].index] or "none")
plan = (sections[sections["part"] == "plan"].groupby("series")["n_chars"].sum()
        / sections.groupby("series")["n_chars"].sum()).fillna(0)
print("Share of text in the plan part, by series:", plan.round(2).to_dict())''',
        ),
        (
            "md",
            """## Caveats

* The series overlap in time only in the years listed above: a change on the year axis at the switch from one
  series to the next is a change of source (national vs municipal vs county), not of policy.
* A report delivered in year Y reviews Y−1 (the government reports, delivered in spring) or Y itself (the CPPCC
  report delivered in December); `period` follows what the text says, `year` is the delivery year.
* Metadata come from the text and file names; check the table above for a report whose region or date was not read.""",
        ),
    ],
    "02_slogans.ipynb": [
        (
            "md",
            """# 02 · Slogans (提法): which rise and fade, within each series

**Question.** Which standing formulations (两个确立, 四个意识, 供给侧结构性改革 …) does each series use, when do
they appear and fade, and which are found only by discovery (quoted phrases, number-led formulations, families)?

**Method.** `cn.detect_slogans` (curated lexicon + discovery), `cn.track_slogans` for rates per 10,000
characters of the text speaking about each period; every comparison over time below stays within one series.""",
        ),
        ("params", PARAMETERS),
        ("code", SETUP),
        (
            "code",
            '''occ = cn.detect_slogans(corpus)
occ["series"] = occ["doc_id"].map(series_of)
print(f"{len(occ)} occurrences of {occ['canonical'].nunique()} slogans")
occ.groupby(["series", "in_lexicon"])["canonical"].nunique().unstack(fill_value=0)''',
        ),
        ("md", "## The most used slogans of each series"),
        (
            "code",
            '''top = (occ.groupby(["series", "canonical"]).agg(count=("doc_id", "size"), reports=("doc_id", "nunique"),
                                                 first=("year", "min"), last=("year", "max"))
       .reset_index().sort_values(["series", "count"], ascending=[True, False]).groupby("series").head(8))
top''',
        ),
        ("md", "## Timeline of the largest series: slogans × periods"),
        (
            "code",
            '''main_series = docs["series"].value_counts().index[0]
main = corpus.subset(doc_id=docs.loc[docs["series"] == main_series, "doc_id"].tolist())
main_occ = occ[occ["series"] == main_series]
tracking = cn.track_slogans(main_occ, main, by="period")
plot.slogan_timeline(tracking, year="period", min_chars=2000);''',
        ),
        (
            "code",
            '''from cppcc_nlp.slogans import slogan_summary, slogan_families
summary = slogan_summary(main_occ, main, by="period")
if tracking["period"].nunique() > 1:
    plot.slogan_lifecycle(tracking, summary["canonical"].head(4).tolist(), year="period")
summary.head(15)''',
        ),
        ("md", "## Families (同心政协, 有为政协 …) and what discovery adds"),
        ("code", '''slogan_families(occ).head(15)'''),
        ("md", "## What this shows"),
        (
            "code",
            '''for name, g in top.groupby("series"):
    lead = g.iloc[0]
    print(f"{name}: most used {lead['canonical']} ({lead['count']} times in {lead['reports']} report(s), "
          f"{lead['first']}–{lead['last']})")
span = main_occ.groupby("canonical")["year"].agg(["min", "max", "size"])
cut = int(docs.loc[docs["series"] == main_series, "year"].max()) - 5
gone = span[(span["max"] <= cut) & (span["size"] >= 5)].sort_values("size", ascending=False)
print(f"In {main_series}, used 5+ times and last used in {cut} or earlier:",
      ", ".join(f"{s} (last {int(r['max'])})" for s, r in gone.head(6).iterrows()) or "none")
new = span[(span["min"] >= span["min"].min() + 10) & (span["size"] >= 5)].sort_values("min")
print(f"In {main_series}, first used ten or more years after the series begins:",
      ", ".join(f"{s} ({int(r['min'])})" for s, r in new.head(6).iterrows()) or "none")''',
        ),
        (
            "md",
            """## Caveats

* Rates rest on the text of one period of one series; a period with little text (a short plan section) gives
  large rates from a few occurrences: the timeline leaves out periods under 2,000 characters, and the counts
  are in the tables.
* The lexicon is curated from the central documents; a slogan it lacks is found only if quoted or number-led.
* The Shanghai and county series are short (five years, one report): their slogans are listed, not trended.""",
        ),
    ],
    "03_terms.ipynb": [
        (
            "md",
            """# 03 · Terms: the vocabulary of policy within each series, and what is new

**Question.** Which multi-word terms carry the policy vocabulary of each series, and which does one year use
more than the earlier years of the *same* series?

**Method.** Terms ranked by C-value weighted by cohesion (PMI) and open boundaries (branching entropy);
keyness (G², log ratio) of the latest national year against the earlier national years, as quanteda's
`textstat_keyness`. Comparing across series would report the sources' own words (县政协, 全市) as findings.""",
        ),
        ("params", PARAMETERS),
        ("code", SETUP),
        (
            "code",
            '''tok = cn.tokens(corpus)          # cached: a second run does no segmentation
terms = cn.extract_terms(tok, top=200)
terms.head(20)''',
        ),
        ("md", "## Top terms by series"),
        (
            "code",
            '''from cppcc_nlp.terms import term_frequencies
tok["series"] = tok["doc_id"].map(series_of)
by_series = {name: cn.extract_terms(t, top=10)["term"].tolist() for name, t in tok.groupby("series")
             if t["doc_id"].nunique() > 1}
pd.DataFrame(by_series)''',
        ),
        ("md", "## Trends within the largest series"),
        (
            "code",
            '''main_series = docs["series"].value_counts().index[0]
main_tok = tok[tok["series"] == main_series]
main_years = sorted(main_tok["year"].unique())
per_year = term_frequencies(main_tok, by_series[main_series][:6], by="year")
plot.term_trends(per_year, by_series[main_series][:6], value="per_10k_chars");''',
        ),
        ("md", "## Keyness of the latest year of the series against its earlier years"),
        (
            "code",
            '''key = cn.keyness(main_tok, target=int(main_years[-1]), reference=[int(y) for y in main_years[:-1]], by="year")
plot.keyness_bars(key, score="g2", effect="log_ratio", target_label=str(main_years[-1]),
                  reference_label=f"{main_years[0]}–{main_years[-2]}")
key.head(15)[["term", "target_freq", "reference_freq", "g2", "log_ratio", "is_new"]]''',
        ),
        ("md", "## What this shows"),
        (
            "code",
            '''over = key[key["g2"] > 0].head(5)["term"].tolist()
print(f"{main_series}: over-used in {main_years[-1]} against {main_years[0]}–{main_years[-2]}: {', '.join(over)}")
first, last = per_year[per_year["year"] == main_years[0]], per_year[per_year["year"] == main_years[-1]]
change = last.set_index("term")["per_10k_chars"] - first.set_index("term")["per_10k_chars"]
print("Change per 10k characters, first to last year:", change.round(1).to_dict())''',
        ),
        (
            "md",
            """## Caveats

* Keyness finds what one year says more than others, including one-off topics of that year (an epidemic, a
  disaster); read the contexts (`corpus.kwic`) before calling a term a trend.
* Terms are token sequences: a word inside a longer lexicon term (生产总值 inside 国内生产总值) is counted with
  the longer term; `cn.dictionary_counts` counts every occurrence in the text.
* Rates are per 10,000 characters of the text behind them, as slogan rates are.""",
        ),
    ],
    "04_topics.ipynb": [
        (
            "md",
            """# 04 · Topics: the themes of the national reports, and how their shares move

**Question.** Which themes (economy, reform, livelihoods, government itself …) make up the national government
work reports, and how does each theme's share of the text move between 2000 and 2019?

**Method.** A topic model (NMF on TF-IDF of paragraph tokens, k chosen by NPMI coherence) fitted on the
largest series only, so that a change in shares is a change within one source. The fitted model of the whole
bundled corpus is in `models/` (see models/README.md).""",
        ),
        ("params", PARAMETERS),
        ("code", SETUP),
        (
            "code",
            '''main_series = docs["series"].value_counts().index[0]
main = corpus.subset(doc_id=docs.loc[docs["series"] == main_series, "doc_id"].tolist())
print(main_series, len(main), "report(s)")
model = cn.TopicModel(random_state=0).fit(main)
plot.coherence_by_k(model.coherence_, score="coherence", chosen=model.n_topics_);''',
        ),
        ("md", "## The themes"),
        ("code", '''model.topics_[["topic_id", "label", "top_terms", "share", "n_units", "coherence"]]'''),
        ("md", "## Most representative paragraphs"),
        ("code", '''model.representative(n=1)'''),
        ("md", "## Shares over the years"),
        (
            "code",
            '''shares = model.shares(by="year")
cols = [c for c in shares.columns if str(c).startswith("topic_")]
labels = {f"topic_{r.topic_id}": f"{r.topic_id}: {r.label}" for r in model.topics_.itertuples()}
if len(shares) > 1:
    plot.topic_shares(shares.set_index("year")[cols], labels=labels)
shares.rename(columns=labels)''',
        ),
        ("md", "## What this shows"),
        (
            "code",
            '''table = shares.set_index("year")[cols].rename(columns=labels)
if len(table) > 1:
    half = len(table) // 2
    diff = (table.iloc[half:].mean() - table.iloc[:half].mean()).sort_values()
    print(f"Largest gain, {table.index[half]}–{table.index[-1]} vs {table.index[0]}–{table.index[half - 1]}: "
          f"{diff.index[-1]} (+{diff.iloc[-1]:.3f} of the text)")
    print(f"Largest loss: {diff.index[0]} ({diff.iloc[0]:.3f})")
print("Largest theme overall:", model.topics_.sort_values("share").iloc[-1]["label"])''',
        ),
        (
            "md",
            """## Caveats

* Topics are clusters of word use, named by their top terms; the label is a reading aid, not a finding.
* A different k or seed gives a different cut; shares move by a few points between fits. Compare only
  large, steady changes, and read the representative paragraphs.
* The model is fitted on one series; applying it to another series (`model.transform`) gives that series
  the national themes, which may not fit (a county CPPCC report's sections get the nearest national theme).""",
        ),
    ],
    "05_targets.ipynb": [
        (
            "md",
            """# 05 · Targets and outcomes: what a report planned, and what the next one said was done

**Question.** Work reports are a chain: the plan part of year N's report sets targets (国内生产总值增长6%－6.5%,
城镇新增就业1100万人以上, 居民消费价格涨幅3%左右) and promises; the review part of year N+1's report gives the
outcome. Were the targets met, within each series, and which promises does the next report speak of again?

**Method.** `cn.indicators` reads every number with its unit, qualifier and indicator name (from the
documented `indicators.yaml`); `cn.target_outcomes` puts the target of each period beside the next report's
outcome *of the same series* and judges `met` honouring the qualifier; `cn.promises` aligns plan task sentences
with review sentences by TF-IDF over the project's tokens.""",
        ),
        ("params", PARAMETERS),
        ("code", SETUP),
        (
            "md",
            "## Every quantitative statement\n\nNamed indicators first; unnamed numbers keep the words before them.",
        ),
        (
            "code",
            '''ind = cn.indicators(corpus)                     # with the series of each report
display(ind.groupby(["series", "kind"]).size().unstack(fill_value=0))
ind.dropna(subset=["indicator"])[["series", "period", "kind", "indicator", "value", "unit", "qualifier", "text"]].head(15)''',
        ),
        ("md", "## Target beside outcome"),
        (
            "code",
            '''chain = cn.target_outcomes(ind)
paired = chain.dropna(subset=["target_low", "outcome_value"])
for (series, name), g in paired.groupby(["series", "indicator"]):
    if len(g) >= 3:
        plot.target_outcome_chart(chain, name, series=series)
paired.groupby(["series", "indicator"])["met"].agg(["count", "sum"]).rename(columns={"count": "pairs", "sum": "met"})''',
        ),
        ("md", "## Promises of the plan, and what the next review says of them"),
        (
            "code",
            '''plan_years = sorted(corpus.sentences.query("part == 'plan'")["period"].dropna().unique())
review_years = set(corpus.sentences.query("part == 'review' and year > period")["period"].dropna())
years_with_both = [y for y in plan_years if y in review_years]
if years_with_both:
    p = cn.promises(corpus, year=int(years_with_both[-1]))
    print(p["status"].value_counts().to_dict())
    display(p.sort_values("score", ascending=False)[["sentence", "review_sentence", "score", "shared_terms"]].head(10))
else:
    print("no plan with a later review in this corpus: give consecutive reports of one series")''',
        ),
        ("md", "## What this shows"),
        (
            "code",
            '''for (series, name), g in paired.groupby(["series", "indicator"]):
    missed = g[g["met"] == False]["period"].astype(int).tolist()  # noqa: E712 (met is nullable)
    print(f"{series} · {name}: {int(g['met'].sum())} of {len(g)} targets met"
          + (f"; missed in {missed}" if missed else ""))''',
        ),
        (
            "md",
            """## Caveats

* A target row is the first target statement of the period; an outcome row the first outcome statement of the
  next report. `met` is a reading of the figures, not an audit: revised statistics, and targets restated
  (\u201c比预期目标高\u201d) are not followed.
* Five-year figures (年均, 五年累计, \u201c十三五\u201d targets) are `other`, never a year's target or outcome.
* Chains need consecutive reports of one series: the Shanghai reports give a short chain, the county report none.
* Promise alignment finds the review sentence that speaks of the same thing (precision 0.72 on 50 judged
  national pairs, docs/indicators.md); it cannot tell whether the promise was kept.""",
        ),
    ],
    "06_cppcc_report.ipynb": [
        (
            "md",
            """# 06 · The CPPCC report itself: what its sections say, its slogans, its branded programmes, its numbers

**Question.** What does a county CPPCC standing committee report (the bundled 阜新蒙古族自治县 report of
2024) say about its own year: which sections, which political formulations, which branded work programmes
(同心政协, 有为政协 … the committee's own names for its work), and which numbers does it count its work by?

**Method.** One report, read section by section: `corpus.sections`, `cn.detect_slogans` (lexicon and
discovered families), `cn.indicators` for its counts (提案163件 …). No corpus-wide model: a topic model fitted on
government reports would give these sections the nearest government theme, not what they say.""",
        ),
        ("params", PARAMETERS),
        ("code", SETUP),
        (
            "code",
            '''county = docs[docs["organ"].astype(str).str.contains("政协")]
if county.empty:
    raise SystemExit("no CPPCC report in this corpus: set CORPUS to a folder holding one")
doc_id = county.sort_values("year").iloc[-1]["doc_id"]
report = corpus.subset(doc_id=doc_id)
print(doc_id, "|", report.documents.loc[0, "title"], "|", report.documents.loc[0, "date"])''',
        ),
        (
            "md",
            "## Its sections\n\nHeadings, the part each belongs to (review of the year, plan for the next) and their length.",
        ),
        ("code", '''report.sections[["section_id", "heading", "depth", "part", "period", "n_chars"]]'''),
        ("md", "## Its slogans and branded work programmes"),
        (
            "code",
            '''occ = cn.detect_slogans(report)
headings = report.sections.set_index("section_id")["heading"]
occ["section"] = occ["section_id"].map(headings)
occ.groupby(["kind", "canonical"]).agg(count=("doc_id", "size"), sections=("section_id", "nunique")) \\
   .sort_values("count", ascending=False).head(25)''',
        ),
        (
            "code",
            '''from cppcc_nlp.slogans import slogan_families
slogan_families(occ)''',
        ),
        ("md", "## Its numbers"),
        (
            "code",
            '''ind = cn.indicators(report)
ind[["section_id", "kind", "indicator", "subject", "value", "unit", "text"]].head(40)''',
        ),
        ("md", "## What this shows"),
        (
            "code",
            '''part_chars = report.sections.groupby("part")["n_chars"].sum()
print("Characters by part:", part_chars.to_dict())
standing = occ[occ["in_lexicon"]]["canonical"].value_counts()
discovered = occ[~occ["in_lexicon"]]["canonical"].value_counts()
print(f"{len(standing)} standing formulations ({', '.join(standing.index[:5])} …) and "
      f"{len(discovered)} found by discovery ({', '.join(discovered.index[:5])} …)")
named = ind.dropna(subset=["indicator"])
print(f"{len(ind)} numbers, {len(named)} named:",
      "; ".join(f"{r.indicator} {r.value:g}{r.unit}" for r in named.head(8).itertuples()))''',
        ),
        (
            "md",
            """## Caveats

* One abridged newspaper version of one report: what it leaves out is not known, and nothing here is a trend.
* A branded programme found by discovery is a phrase the report quotes or repeats with a shared head; some
  quoted phrases are event names or titles that the rules did not reject — read the contexts.
* Counts (件, 期, 次) are the committee's own account of its work; `cn.indicators` names some of them from
  `indicators.yaml` (7 of 8 named counts right on this report, docs/indicators.md).""",
        ),
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
