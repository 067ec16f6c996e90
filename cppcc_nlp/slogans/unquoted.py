"""Discovery of formulations written without quotes: number-led shorthands, parallel series, branded heads.

Reports quote a new formulation once or twice, then use it plainly (``坚持两个毫不动摇``); many are never quoted
in a given corpus at all.  This module finds such formulations from their **shape** and accepts one only on
**evidence across documents**: the same string, not quoted and in no lexicon, standing in two or more
documents.  Each candidate carries the rule that decided it, as quoted discovery does
(:mod:`cppcc_nlp.slogans.discovery`), and is listed by :func:`cppcc_nlp.slogans.slogan_candidates` with
``found == "unquoted"``.

Shapes (the candidate is the shortest string of the shape whose right neighbour varies across its uses, so
that ``五个新城`` is the candidate and not ``五个新`` nor ``五个新城建设``)
------
``numbered``  one numeral + a measure word (个 项 大 条) + a head of 2–5 characters (``两个毫不动摇``, ``五个新城``,
              ``三大先导产业``), or ``双`` + a head of 2–3 (``双招双引``); the head stops at a function character
              (的 和 及 与 等 是 …).
``compact``   two or more numerals each with one or two characters, 4–8 characters (``一老一小``, ``两高一资``,
              ``三去一降一补``).
``series``    three or more parallel parts separated by 、 in one clause: every part of the same length (2–5
              characters) and one character shared by every part at the same position
              (``市场化、法治化、国际化``, ``稳地价、稳房价、稳预期``, ``天更蓝、地更绿、水更清``); lists of unlike nouns
              (``教育、医疗、养老``, ``集成电路、生物医药、人工智能``) are no candidates.
``head``      a branded head after one to four characters: …长制 (``链长制``, ``田长制``), …型政府/型社会/型国家/型政党/
              型城市/型机关 (``服务型政府``); the head needs a family: two or more different left parts in the corpus.

Rules that reject (in this order)
---------------------------------
``count_word``      the head is a unit, a time span or a generic noun: ``两个月``, ``三个方面``, ``十个百分点``,
                    ``三项工作`` (:data:`COUNT_HEADS`).
``numeral_varies``  the measure word and head occur with three or more different numerals in the corpus
                    (``两个方面``, ``三个方面``, ``五个方面``): a count, not a name.
``idiom``           an idiom of number-led shape (千方百计, 万众一心: :data:`IDIOMS`) or 双 + an everyday word
                    (双边, 双重: :data:`PLAIN_DOUBLE`).
``cut_word``        a series or head whose edge cuts a word: the same character stands before (or after) it in
                    two thirds of its uses or more (主党派、工商联、无党派 inside 民主党派…; 友好型社会 inside
                    环境友好型社会), or a head with a one-character left part (新型城市).
``no_family``       a branded head used with one left part only in the corpus.
``one_document``    the string stands in one document only (any number of times): no evidence that it is a
                    fixed formulation rather than a phrase of that report.

Rules that accept
-----------------
``unquoted_numbered`` (kind numbered), ``unquoted_series`` (series), ``unquoted_head`` (branded).

Congress, session, phase and enumeration numbers (二十大, 三中全会, 二期, 三是) have no measure word and are no
candidates.  Phrases led by 一 alone (``一批项目``, ``一系列``) are no candidates: 一 is the article of Chinese prose.  A phrase is
never a candidate where it stands inside quotes or overlaps a lexicon match; quoted candidates are decided by
:mod:`cppcc_nlp.slogans.discovery`.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

LEAD = "两二三四五六七八九十"
NUMERALS = "一二两三四五六七八九十百千万双"
MEASURES = "个项大条"
#: characters a head never crosses: function words and punctuation-like characters
STOP_CHARS = set("的和及与等是在了为或并而对向从把被将以要其之于也已由按")
#: heads that make a count, not a name: units, time spans, generic nouns (a head starting with one is rejected)
COUNT_HEADS = (
    "月",
    "年",
    "日",
    "天",
    "周",
    "季度",
    "小时",
    "百分点",
    "倍",
    "方面",
    "部分",
    "问题",
    "层次",
    "阶段",
    "环节",
    "方向",
    "指标",
    "措施",
    "工作",
    "任务",
    "项目",
    "单位",
    "地区",
    "城市",
    "国家",
    "省",
    "市",
    "县",
    "区",
    "人",
    "家",
    "名",
    "所",
    "座",
    "件",
    "次",
    "批",
    "类",
    "种",
    "级",
    "位",
    "点",
    "条",
    "个",
    "多",
    "亿",
    "万",
    "千",
    "百",
    "元",
    "吨",
    "公里",
    "平方",
    "特别行政区",
    "文件",
    "会议",
    "重点",
    "领域",
    "方案",
    "政策",
    "产业",
    "行业",
    "企业",
    "板块",
    "片区",
    "平台",
    "基地",
    "中心",
    "园区",
    "工程",
    "行动",
    "举措",
    "成果",
    "孩子",
    "子女",
    "论坛",
    "分论坛",
    "会场",
    "目标",
    "要求",
    "原则",
    "关系",
    "方式",
    "环境",
    "条件",
    "因素",
    "矛盾",
    "风险",
    "难题",
)
#: characters after a numeral that make it an ordinal or a step, not a formulation
ORDINAL_NEXT = set("届次期是要则来中年月日号批轮位等分成倍级代")
#: idioms (成语) of number-led shape: everyday language, never a formulation
IDIOMS = frozenset(
    """千方百计 万众一心 一心一意 千家万户 万无一失 万水千山 一步一个 千辛万苦 千变万化 三心二意 四面八方 五湖四海
七上八下 十全十美 千军万马 一言一行 一草一木 一点一滴 一朝一夕 一举一动 万紫千红 一分为二 三令五申 五花八门 千丝万缕 千头万绪
千秋万代 一清二楚 一干二净 一五一十 千锤百炼 百折不挠 千帆竞发 万家灯火 三番五次 四通八达 一石二鸟 一来二去""".split()
)
#: 双 + these is an everyday word (双边, 双重 …), not a 双X formulation
PLAIN_DOUBLE = (
    "双边",
    "双重",
    "双向",
    "双方",
    "双赢",
    "双语",
    "双休",
    "双倍",
    "双层",
    "双手",
    "双人",
    "双月",
    "双周",
    "双号",
    "双打",
    "双胞",
)
#: a following character that starts an everyday continuation (建设, 工作, 发展 …): the string may end before it
SOFT_NEXT = ("建设", "工作", "发展", "实施", "取得")
SERIES_CLAUSE = re.compile(r"[^，。；：！？,;:!?“”「」『』《》（）()\[\]【】\s]+")
BRANDED_HEADS = ("长制", "型政府", "型社会", "型国家", "型政党", "型城市", "型机关")
_ANY_HEAD = re.compile("|".join(BRANDED_HEADS))
#: words standing right before a branded head's left part that mark its left edge (建设服务型政府)
LEFT_EDGE = (
    "建设",
    "建成",
    "打造",
    "构建",
    "创建",
    "推行",
    "实行",
    "实施",
    "落实",
    "全面",
    "推进",
    "加快",
    "完善",
    "深化",
    "争创",
    "成为",
    "推动",
    "探索",
    "健全",
    "建立",
)
CJK = re.compile(r"[\u4e00-\u9fff]")
_NUMERAL = re.compile(f"[{NUMERALS}]")
COMPACT = re.compile(r"(?:[一二两三四五六七八九十百千万双][\u4e00-\u9fff]{1,2}?){2,4}")


def _is_cjk(ch: str) -> bool:
    return bool(ch) and "\u4e00" <= ch <= "\u9fff"


def _neighbour(text: str, i: int) -> str:
    """The character at ``i`` as a right neighbour: "" for a boundary (end, punctuation, a function character,
    the start of 建设/工作/发展 …)."""
    if i >= len(text) or not _is_cjk(text[i]) or text[i] in STOP_CHARS or text[i : i + 2] in SOFT_NEXT:
        return ""
    return text[i]


def _left(text: str, i: int) -> str:
    """The character before ``i`` as a left neighbour: "" for a boundary or after a verb that opens a phrase."""
    if i == 0 or not _is_cjk(text[i - 1]) or text[i - 1] in STOP_CHARS or text[max(0, i - 2) : i] in LEFT_EDGE:
        return ""
    return text[i - 1]


def _free(mask: list[bool], start: int, end: int) -> bool:
    return not any(mask[start:end])


def _numbered_spans(text: str, mask: list[bool]):
    """(start, shape, [end, …]) for each number-led position of one paragraph: the possible ends of the string,
    shortest first."""
    out = []
    for numeral in _NUMERAL.finditer(text):  # (every branch below starts at a numeral)
        i, ch = numeral.start(), numeral.group()
        if mask[i] or (i and (text[i - 1] in NUMERALS or text[i - 1].isdigit() or text[i - 1] in "零〇")):
            continue
        if ch in LEAD and i + 1 < len(text) and text[i + 1] in MEASURES:
            head_start, max_head, shape = i + 2, 5, "numbered"
        elif ch == "双" and i + 1 < len(text) and _is_cjk(text[i + 1]) and text[i + 1] not in NUMERALS:
            head_start, max_head, shape = i + 1, 3, "numbered"
        elif ch in NUMERALS:
            m = COMPACT.match(text, i)
            if m and 4 <= len(m.group()) <= 8 and _free(mask, i, m.end()):
                parts = re.findall(r"[一二两三四五六七八九十百千万双][^一二两三四五六七八九十百千万双]*", m.group())
                if (
                    len(parts) >= 2
                    and all(len(p) >= 2 for p in parts)
                    and not any(set(p[1:]) & (ORDINAL_NEXT | STOP_CHARS | set(MEASURES) | set("亿元")) for p in parts)
                ):
                    out.append((i, "compact", [m.end()]))
            continue
        else:
            continue
        j = head_start
        while (
            j < len(text)
            and j - head_start < max_head
            and _is_cjk(text[j])
            and not mask[j]
            and text[j] not in STOP_CHARS
            and text[j] not in NUMERALS
        ):
            j += 1
        ends = list(range(head_start + 2, j + 1))
        if ends:
            out.append((i, shape, ends))
    return out


def _series_spans(text: str, mask: list[bool]):
    """(start, end, parts) of each series of three or more parallel parts in one paragraph."""
    out = []
    if text.count("、") < 2:  # (most paragraphs: no clause of three parts)
        return out
    for clause in SERIES_CLAUSE.finditer(text):
        pieces = clause.group().split("、")
        if len(pieces) < 3:
            continue
        middle = pieces[1:-1]
        size = len(middle[0])
        if not 2 <= size <= 5 or any(len(p) != size for p in middle):
            continue
        first, last = pieces[0][-size:], pieces[-1][:size]
        if len(pieces[0]) < size or len(pieces[-1]) < size:
            continue
        parts = [first, *middle, last]
        if not all(CJK.fullmatch(c) for p in parts for c in p):
            continue
        if not any(len({p[k] for p in parts}) == 1 for k in range(size)):
            continue  # not parallel: no character shared at one position by every part (教育、医疗、养老)
        start = clause.start() + len(pieces[0]) - size
        end = start + len("、".join(parts))
        if _free(mask, start, end):
            out.append((start, end, parts))
    return out


def _head_spans(text: str, mask: list[bool]):
    """(start, head, [start, …]) for each branded head: possible left edges, nearest first."""
    out = []
    if not _ANY_HEAD.search(text):  # (most paragraphs: no head)
        return out
    for head in BRANDED_HEADS:
        for m in re.finditer(head, text):
            h = m.start()
            if not _free(mask, h, m.end()):
                continue
            starts = []
            k = h - 1
            while k >= 0 and h - k <= 4 and _is_cjk(text[k]) and not mask[k] and text[k] not in STOP_CHARS:
                starts.append(k)
                k -= 1
            if starts:
                out.append((m.end(), head, starts))
    return out


def find_unquoted(paragraphs, masks: dict[str, list[bool]], views: dict[str, str]):
    """Unquoted candidates of the paragraphs and the decision on each.

    Parameters
    ----------
    paragraphs : objects with ``doc_id``, ``year``, ``para_id`` and ``text``.
    masks : para_id → one flag per character: True where the character stands inside quotes or in a lexicon
        match (such characters are never part of a candidate).
    views : para_id → the text as analysed (simplified characters, same offsets).

    Returns
    -------
    uses : list of dict (para, start, end, candidate), one per use of a candidate (paragraph-relative offsets).
    decisions : dict candidate → (kind or ``"rejected"``, rule).

    Examples
    --------
    >>> class P:
    ...     def __init__(self, i, text): self.doc_id, self.year, self.para_id, self.text = f"d{i}", 2020 + i, f"d{i}/p0", text
    >>> ps = [P(0, "坚持两个毫不动摇，用了两个月。"), P(1, "坚持两个毫不动摇，推进三个方面。")]
    >>> uses, dec = find_unquoted(ps, {p.para_id: [False] * len(p.text) for p in ps}, {p.para_id: p.text for p in ps})
    >>> dec["两个毫不动摇"], dec["两个月"] if "两个月" in dec else None
    (('numbered', 'unquoted_numbered'), None)
    """
    positions = [
        (p, *position) for p in paragraphs for position in unquoted_positions(views[p.para_id], masks[p.para_id])
    ]
    return decide_unquoted(positions)


def unquoted_positions(text: str, mask: list[bool]) -> list[tuple]:
    """The candidate positions of one paragraph (its view and mask, see :func:`find_unquoted`), a function of the
    paragraph alone: ``(shape, spans, side)`` with ``spans`` the strings the position may be, in the order they
    are tried, each ``(start, end, string, neighbour)`` (the right neighbour of a number-led string or a series,
    the left one of a head), and ``side`` the left neighbour of a series or the right one of a head."""
    out = []
    for start, shape, ends in _numbered_spans(text, mask):
        out.append((shape, [(start, e, text[start:e], _neighbour(text, e)) for e in ends], None))
    for start, end, _parts in _series_spans(text, mask):
        out.append(("series", [(start, end, text[start:end], _neighbour(text, end))], _left(text, start)))
    for end, _head, starts in _head_spans(text, mask):
        out.append(("head", [(s, end, text[s:end], _left(text, s)) for s in starts], _neighbour(text, end)))
    return out


def decide_unquoted(positions: list[tuple]):
    """The corpus-level part of :func:`find_unquoted`: every candidate is decided by its uses across the corpus.

    ``positions``: ``(paragraph, shape, spans, side)`` from :func:`unquoted_positions`, in corpus order.
    Returns ``(uses, decisions)`` as :func:`find_unquoted`.
    """
    strings: dict[str, dict] = defaultdict(lambda: {"docs": set(), "next": Counter(), "n": 0})
    sides = {"series": "left", "head": "right"}
    for p, shape, spans, side in positions:
        for _start, _end, string, neighbour in spans:
            info = strings[string]
            info["docs"].add(p.doc_id)
            info["n"] += 1
            info["next"][neighbour] += 1
            if shape in sides:
                info.setdefault(sides[shape], Counter())[side] += 1

    def closed(s: str, side: str = "next") -> bool:
        """Its neighbour (right for number-led strings, left for heads) is a boundary in some use, or no one
        character follows in two thirds of its uses or more."""
        nxt = strings[s].get(side, Counter())
        n = sum(nxt.values())
        return n == 0 or "" in nxt or nxt.most_common(1)[0][1] * 3 < n * 2

    # numerals seen with each measure word + head: a count is said with many numerals
    numerals_of: dict[str, set] = defaultdict(set)
    for s in strings:
        if len(s) >= 3 and s[0] in LEAD and s[1] in MEASURES:
            numerals_of[s[1:]].add(s[0])
    heads_of: dict[str, set] = defaultdict(set)

    uses, chosen = [], {}
    for p, shape, spans, _side in positions:
        if shape in ("series", "compact"):
            pick = spans[0]
        else:  # the shortest number-led string, the nearest head, that is closed
            pick = next((span for span in spans if closed(span[2])), None)
            if pick is None:
                continue
        start, end, cand, _neighbour = pick
        if shape == "head":
            heads_of[next(h for h in BRANDED_HEADS if cand.endswith(h))].add(cand)
        chosen[cand] = shape
        uses.append({"para": p, "start": start, "end": end, "candidate": cand})

    decisions = {}
    for cand, shape in chosen.items():
        info = strings[cand]
        decisions[cand] = _decide(cand, shape, info, numerals_of, heads_of, closed)
    # only candidates seen twice or more are listed: a phrase used once is no candidate at all
    keep = {c for c in decisions if strings[c]["n"] >= 2}
    uses = [u for u in uses if u["candidate"] in keep]
    return uses, {c: d for c, d in decisions.items() if c in keep}


def _decide(cand: str, shape: str, info: dict, numerals_of, heads_of, closed) -> tuple[str, str]:
    if cand in IDIOMS or cand.startswith(PLAIN_DOUBLE):
        return "rejected", "idiom"
    if shape == "numbered":
        head = cand[2:] if cand[1] in MEASURES else cand[1:]
        if cand[1] in MEASURES and head.startswith(COUNT_HEADS):
            return "rejected", "count_word"
        if cand[1] in MEASURES and len(numerals_of[cand[1:]]) >= 2:
            return "rejected", "numeral_varies"
    if shape == "series" and not (closed(cand, "left") and closed(cand, "next")):
        return "rejected", "cut_word"
    if shape == "head":
        head = next(h for h in BRANDED_HEADS if cand.endswith(h))
        if len(cand) - len(head) < 2 or not closed(cand, "right"):
            return "rejected", "cut_word"
        if len(heads_of[head]) < 2:
            return "rejected", "no_family"
    if len(info["docs"]) < 2:
        return "rejected", "one_document"
    kind = {"numbered": "numbered", "compact": "numbered", "series": "series", "head": "branded"}[shape]
    return kind, f"unquoted_{'numbered' if kind == 'numbered' else shape}"
