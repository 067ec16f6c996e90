"""Scale corpora for the benchmarks: N× the shared corpora, each copy a different region (bench_scale, bench_dask).

Copy 0 is ``../shared/corpora`` itself (the files as they are).  Copy ``k`` (1 … N-1) rewrites every report as
the report of another region, with its own text:

* **region and organ**: the national government reports become the reports of province ``PROVINCES[k-1]``
  (我代表国务院 → 我代表江苏省人民政府, 国务院 → 省政府, 全国 → 全省), the Shanghai reports the same province's
  later reports (上海市 → 江苏省, 上海 → 江苏, 全市 → 全省, 市长 → 省长; one series 2000–2024), the county
  CPPCC report that of county ``COUNTIES[k-1]`` (阜新蒙古族自治县 → 岫岩满族自治县, 阜新 → 岫岩).  The docvars
  (year, level, region, organ) are written to ``manifest.csv`` beside the reports and returned, so a corpus
  store gets them from ``add(..., overrides=...)``;
* **sentences resampled**: every line (paragraph) of two or more sentences keeps its number of sentences, but
  each sentence is, with probability :data:`RESAMPLE`, replaced by a random sentence of a report of the same
  source level delivered within a year of it (a national report's copy draws on the national reports of the
  years around it); a one-sentence line keeps its first and last clause (``一是…``) and draws its inner
  clauses the same way.  Short headings, salutations and the title block are kept.  Each copy's vocabulary is that of real
  reports of its years; its paragraphs are new texts, so neither the store's duplicate check nor the token
  cache (keyed by paragraph text) treats them as seen before (:func:`build` returns the share of distinct
  paragraph texts, to show it).

Everything is deterministic: the same ``seed`` gives the same bytes.  Copies are written from the normalised
text (one paragraph per line), so the newspaper layout of the county report is not replicated: reading costs
slightly less per character in the copies than in copy 0.
"""

from __future__ import annotations

import csv
import random
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "corpora"

#: provinces the copies of the government reports become (上海 left out: it is in copy 0)
PROVINCES = (
    ("江苏省", "江苏"),
    ("浙江省", "浙江"),
    ("广东省", "广东"),
    ("山东省", "山东"),
    ("河南省", "河南"),
    ("湖北省", "湖北"),
    ("湖南省", "湖南"),
    ("四川省", "四川"),
    ("福建省", "福建"),
    ("安徽省", "安徽"),
    ("河北省", "河北"),
    ("辽宁省", "辽宁"),
    ("陕西省", "陕西"),
    ("江西省", "江西"),
    ("云南省", "云南"),
    ("贵州省", "贵州"),
    ("山西省", "山西"),
    ("吉林省", "吉林"),
    ("黑龙江省", "黑龙江"),
    ("甘肃省", "甘肃"),
    ("海南省", "海南"),
    ("青海省", "青海"),
)
#: counties the copies of the county CPPCC report become (full name, short name)
COUNTIES = (
    ("岫岩满族自治县", "岫岩"),
    ("喀喇沁左翼蒙古族自治县", "喀左"),
    ("清原满族自治县", "清原"),
    ("新宾满族自治县", "新宾"),
    ("桓仁满族自治县", "桓仁"),
    ("宽甸满族自治县", "宽甸"),
    ("本溪满族自治县", "本溪"),
    ("丰宁满族自治县", "丰宁"),
    ("围场满族蒙古族自治县", "围场"),
    ("宽城满族自治县", "宽城"),
    ("青龙满族自治县", "青龙"),
    ("前郭尔罗斯蒙古族自治县", "前郭"),
    ("杜尔伯特蒙古族自治县", "杜尔伯特"),
    ("长白朝鲜族自治县", "长白"),
    ("伊通满族自治县", "伊通"),
    ("孟村回族自治县", "孟村"),
    ("大厂回族自治县", "大厂"),
    ("肃北蒙古族自治县", "肃北"),
    ("阿克塞哈萨克族自治县", "阿克塞"),
    ("天祝藏族自治县", "天祝"),
    ("互助土族自治县", "互助"),
    ("门源回族自治县", "门源"),
)
MAX_SCALE = min(len(PROVINCES), len(COUNTIES))  # copies 1 … MAX_SCALE-1, and one new report at index scale

#: probability that a sentence of a multi-sentence paragraph is replaced by one of another report
RESAMPLE = 0.5
_SENTENCE = re.compile(r"[^。！？；]*[。！？；]”?|[^。！？；]+$")
_CLAUSE = re.compile(r"[^，。！？；]*[，。！？；]”?|[^，。！？；]+$")


@dataclass
class ScaleCorpus:
    """A scale corpus written by :func:`build`.

    Attributes
    ----------
    folder : the folder of the report files and ``manifest.csv`` (read it with ``Corpus.from_path(folder)``).
    entries : one dict per report: ``file`` (a Path), and for the copies ``overrides`` (year, level, region,
        organ: what ``CorpusStore.add(file, overrides=...)`` needs); copy 0 has ``overrides={}``.
    n_chars : characters of paragraph text of the source corpus × scale (approximately: the copies'
        resampled paragraphs differ in length).
    distinct_paragraphs : share of the characters of paragraph lines that belong to distinct texts (the rest
        repeats a line seen before: headings, salutations, short one-clause lines).
    """

    folder: Path
    scale: int
    entries: list = field(default_factory=list)
    distinct_paragraphs: float = 1.0


def _sources(source: Path):
    """The source reports: (doc_id, path, docvars, normalised lines), in the corpus's order."""
    from cppcc_nlp.corpus.corpus import Corpus

    corpus = Corpus.from_path(source)
    docs = corpus.documents.set_index("doc_id")
    out = []
    for doc in corpus.docs:
        row = docs.loc[doc.doc_id]
        meta = {"year": int(row["year"]), "level": str(row["level"]), "region": str(row["region"])}
        out.append((doc.doc_id, Path(doc.path), meta, doc.text.split("\n")))
    return out


def _sentences(line: str) -> list[str]:
    return [s for s in _SENTENCE.findall(line) if s]


def _clauses(line: str) -> list[str]:
    return [s for s in _CLAUSE.findall(line) if s]


def _pools(sources) -> dict:
    """(level, year) → (sentences of the multi-sentence paragraphs, inner clauses of the one-sentence ones)
    of the reports of that level and year."""
    pools: dict = {}
    for _, _, meta, lines in sources:
        sentences, clauses = pools.setdefault((meta["level"], meta["year"]), ([], []))
        for line in lines:
            parts = _sentences(line)
            if len(parts) >= 2:
                sentences.extend(parts)
            else:
                clauses.extend(_clauses(line)[1:-1])
    return pools


def _resample(lines, meta, pools, rng: random.Random) -> list[str]:
    near = [pools.get((meta["level"], y), ([], [])) for y in (meta["year"] - 1, meta["year"], meta["year"] + 1)]
    sentences = [s for pool, _ in near for s in pool]
    clauses = [c for _, pool in near for c in pool]
    out = []
    for line in lines:
        parts = _sentences(line)
        if len(parts) >= 2 and sentences:
            line = "".join(rng.choice(sentences) if rng.random() < RESAMPLE else s for s in parts)
        elif len(parts) == 1 and clauses:  # one sentence: its first and last clause kept, the inner ones drawn
            parts = _clauses(line)
            inner = [rng.choice(clauses) if rng.random() < RESAMPLE else c for c in parts[1:-1]]
            line = "".join(parts[:1] + inner + parts[-1:]) if len(parts) >= 3 else line
        out.append(line)
    return out


def _rewrite(text: str, meta: dict, k: int) -> tuple[str, dict]:
    """The text and docvars of copy ``k`` of a report (another region, see the module docstring)."""
    if meta["level"] == "county":
        full, short = COUNTIES[k - 1]
        rules = [("阜新蒙古族自治县", full), ("阜新县", f"{short}县"), ("阜新", short)]
        return _apply(text, rules), {"year": meta["year"], "level": "county", "region": full, "organ": "政协常委会"}
    full, short = PROVINCES[k - 1]
    unit = "省"
    if meta["level"] == "national":
        rules = [("我代表国务院", f"我代表{full}人民政府"), ("国务院", f"{unit}政府"), ("全国", f"全{unit}")]
    else:  # Shanghai's reports
        rules = [("上海市", full), ("上海", short), ("全市", f"全{unit}"), ("市长", f"{unit}长")]
    return _apply(text, rules), {"year": meta["year"], "level": "provincial", "region": full, "organ": "人民政府"}


def _apply(text: str, rules) -> str:
    for old, new in rules:
        text = text.replace(old, new)
    return text


def _copy(source_item, k: int, pools, seed: int) -> tuple[str, dict, str]:
    """(file name, docvars, text) of copy ``k`` of one source report."""
    doc_id, _, meta, lines = source_item
    rng = random.Random(f"{seed}/{k}/{doc_id}")
    text, docvars = _rewrite("\n".join(_resample(lines, meta, pools, rng)), meta, k)
    name = f"{docvars['level']}-{docvars['region']}_{docvars['year']}.txt"
    return name, docvars, text + "\n"


def build(dest, scale: int, *, source=SHARED, seed: int = 0) -> ScaleCorpus:
    """Write the ``scale``× corpus into ``dest`` (emptied first) and return its description.

    Examples
    --------
    >>> sc = build("/tmp/scale4", 4)                    # doctest: +SKIP
    >>> len(sc.entries), sc.distinct_paragraphs         # doctest: +SKIP
    (104, 0.97)
    """
    if not 1 <= scale <= MAX_SCALE:
        raise ValueError(f"scale={scale}: give 1 … {MAX_SCALE}")
    source, dest = Path(source), Path(dest)
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    sources = _sources(source)
    pools = _pools(sources)
    entries, manifest, lines_seen = [], [], []
    for _, path, _, lines in sources:  # copy 0: the files as they are
        target = dest / path.name
        shutil.copyfile(path, target)
        entries.append({"file": target, "overrides": {}})
        lines_seen.extend(lines)
    for k in range(1, scale):
        for item in sources:
            name, docvars, text = _copy(item, k, pools, seed)
            target = dest / name
            target.write_text(text, encoding="utf-8")
            entries.append({"file": target, "overrides": docvars})
            manifest.append({"file": name, **docvars})
            lines_seen.extend(text.split("\n"))
    if manifest:
        with open(dest / "manifest.csv", "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=["file", "year", "level", "region", "organ"])
            writer.writeheader()
            writer.writerows(manifest)
    paragraphs = [line for line in lines_seen if line.strip()]
    distinct = sum(len(p) for p in set(paragraphs)) / max(1, sum(len(p) for p in paragraphs))
    return ScaleCorpus(dest, scale, entries, distinct)


def new_report(dest, scale: int, *, source=SHARED, seed: int = 0) -> dict:
    """One more report for the refresh of a ``scale``× corpus: copy ``scale`` of the latest provincial report
    (a region none of the corpus's copies has).  Written into ``dest``; returns ``{"file", "overrides"}``."""
    if not 1 <= scale < MAX_SCALE:
        raise ValueError(f"scale={scale}: give 1 … {MAX_SCALE - 1}")
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    sources = _sources(source)
    provincial = [s for s in sources if s[2]["level"] == "provincial"]
    item = max(provincial, key=lambda s: s[2]["year"])
    name, docvars, text = _copy(item, scale, _pools(sources), seed)
    (dest / name).write_text(text, encoding="utf-8")
    return {"file": dest / name, "overrides": docvars}
