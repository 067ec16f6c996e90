"""Discovery of slogans that are in no lexicon: quote scanning and the rules that accept or reject a candidate.

A candidate is a phrase standing in quotes (“…”, 「…」, 『…』, straight "…"), the main way reports mark a
formulation.  Most quoted phrases are slogans, but not all: titles, event names, labels and codes are quoted
too.  Each candidate goes through ordered rules; the first rule that fires decides, and its name is kept
(``rule``) so that every decision can be explained and each heuristic measured
(:func:`cppcc_nlp.slogans.slogan_candidates`; precision per kind in ``docs/slogans.md``).

Rules that reject (in this order)
---------------------------------
``title_mark``  a 《…》 title is never a slogan (quotes nested inside a title are still scanned).
``code``        fewer than two Chinese characters, or Latin letters: letter and number codes (“AB”角, “12345”);
                a ``+`` pattern with a Chinese side is no code (“AI+医疗”, “5G+工业互联网”).
``title``       starts with 关于 or ends with 建议/报告/办法/细则/规则/意见/通知/决定/条例/纲要/提案: the title of a
                proposal or report (“关于强化特色产业建设，赋能乡村振兴的建议”).
``too_long``    more than 24 characters, or more than 12 without being a series or a number-led shape with two
                or more numerals (“两特四区一中心一样板一保障”): a sentence or a title.
``package``     ends with a number + 条 (“金融30条”, “沪十条”, “八条硬措施”): the nickname of a policy document.
``event``       ends with 杯/节/赛/展/博览会/论坛/峰会/运动会/周/月/晚会: an event (“赏石艺术杯”, “五五购物节”).
``adversary``   台独/法轮功/分裂 …: a label for an adversary, not a formulation of one's own (unless it opposes
                one: “反台独、促统一”).
``label``       starts with 友好/兄弟/姊妹/结对 (a relationship label: “友好医院”, “友好政协”) or ends with an
                institution, place, vessel or product word (医院, 学校, 公司, 银行, 舰, 号, 软件园, 在线, 之星,
                之家, 馆, 组织, 港, 湾, 巷, 码, 工厂, 服务区: 灯塔工厂, 零碳服务区 are designations of sites).
``number``      two numerals and nothing else (“七一”, “八七”): a date or a number, unless a five-year-plan name
                (three or more numerals, such as “百十一”, are number-led formulations).
``sentence``    separated parts that are not parallel (a clause with a comma, not a series).
``short_word``  one or two characters without a numeral: a word in scare quotes (“蛋糕”, “瓶颈”).
``plain_word``  an everyday word in scare quotes (“正能量”, “一体化”, “双语”): listed in :data:`PLAIN_WORDS`.
``scare_quote`` none of the accepting rules below fired.

Rules that accept (and give the kind)
-------------------------------------
``plan``        a five-year-plan name: “九五”, “十四五”, “十五五”                      → numbered
``pattern``     a ``+`` pattern with Chinese on one side: “玛瑙+”, “旅游+红色”          → branded
``series``      two or more parallel parts (same length, or a shared first or last character), each at
                most 8 characters: “把方向、管大局、保落实”                             → series
``numbered``    starts with 两/二/三 … 十/百/千/万/双 (or 一 with a second numeral later: “一江一河”), 4 to 10
                characters: “两市四区”, “双进双促”, “两代表一委员”                    → numbered
                (forms of two or three characters, “双减”, “六地”, “三件套”, need corpus evidence (numerals only,
                “百十一”, need none): recurrence or a frame; ``count_word`` rejects a numeral + time unit or 连)
and, for the rest, evidence from the whole corpus outside the notes of each report (:func:`note_paragraphs`;
a candidate quoted only in notes is rejected by ``endnote``), see :func:`decide_corpus`:
``family``      four characters or more, sharing a two-character head with two or more other candidates
                (one in another document, or both in its own: …政协, …工程, …计划) or a prefix with two or
                more in its own document (政协品格, 政协使命); place heads and prefixes refused (:data:`PLACES`)
                                                                                        → branded
``recurrent``   quoted in three or more documents, four characters or more or number-led  → branded
``framed``      introduced by a verb that takes a slogan (打造, 构建, 创建, 叫响, 擦亮, 践行, 深化, 实施 …), in a
                clause whose verb makes a metaphor or names a practice (架起, 成为…的, 接受 …), or followed
                by a noun that names one (品牌, 行动, 工程, 制度, 理念, 模式, 机制 …); a three-character word
                needs the clause verb of a metaphor (架起“连心桥”, 把“路线图”转化为“施工图”)  → branded
                (no frame: a verb whose object is not the quote, 开展对“零就业家庭”…, 打造一批“非遗国潮”; 力争做到;
                a metaphor clause around a role, a 的 description or a superlative: 当好“优等生”, “干的事”,
                “最大增量”)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cppcc_nlp._text import CN_NUMERALS, FULLWIDTH_DIGITS, QUOTE_PAIRS, TITLE_PAIRS

# QUOTE_PAIRS (opening mark → closing mark; straight double quotes toggle) and TITLE_PAIRS come from _text
CLOSERS = {v: k for k, v in {**QUOTE_PAIRS, **TITLE_PAIRS}.items() if k != v}
TOGGLES = {'"', "＂"}
#: every character scan_quotes acts on; the others only let a long quote run out
_MARKS = re.compile("[" + re.escape("".join({*TOGGLES, *QUOTE_PAIRS, *TITLE_PAIRS, *CLOSERS})) + "]")
#: a quote longer than this is not closed on purpose (a missing close mark): it is dropped as unbalanced
MAX_QUOTE_CHARS = 120

NUMERALS = "一二两三四五六七八九十百千万双"
LEAD_NUMERALS = "两二三四五六七八九十百千万双"
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
LATIN = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ]")
SEPARATORS = re.compile(r"[、，,；;]")

TITLE_END = (
    "建议",
    "建议案",
    "报告",
    "办法",
    "细则",
    "规则",
    "意见",
    "通知",
    "决定",
    "条例",
    "纲要",
    "提案",
    "实施方案",
)
EVENT_END = (
    "杯",
    "节",
    "赛",
    "大赛",
    "展",
    "博览会",
    "博会",
    "论坛",
    "峰会",
    "运动会",
    "周",
    "月",
    "晚会",
    "音乐会",
    "之夏",
    "之夜",
    "消费季",
    "奖",
)
ADVERSARY = (
    "台独",
    "台湾独立",
    "法理独立",
    "法轮功",
    "邪教",
    "分裂",
    "藏独",
    "疆独",
    "港独",
    "两个中国",
    "一中一台",
    "两国论",
    "干涉主义",
    "霸权",
)
#: a phrase opposing an adversary is one's own slogan (“反台独、促统一”)
OPPOSING = ("反", "遏制", "打击", "粉碎", "防止", "防范")
LABEL_START = ("友好", "兄弟", "姊妹", "结对")
LABEL_END = (
    "医院",
    "学校",
    "大学",
    "中学",
    "小学",
    "公司",
    "集团",
    "银行",
    "舰",
    "号",
    "软件园",
    "产业园",
    "科技园",
    "在线",
    "之星",
    "之家",
    "馆",
    "大世界",
    "组织",
    "港",
    "湾",
    "巷",
    "码",
    "工厂",
    "服务区",
)
#: place names, gazetteer style: provinces (short names) and their literary names,
#: provincial capitals and large cities, the regions of national strategies, and the state itself.  A family
#: head or prefix that is a place names things of that place (云游江西/乐游江西, 上海旅游/上海服务), not a
#: family of formulations
PLACES = frozenset(
    """
北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 海南 四川 贵州 云南
陕西 甘肃 青海 台湾 内蒙古 内蒙 广西 西藏 宁夏 新疆 香港 澳门
燕赵 三晋 龙江 江淮 八闽 齐鲁 中原 荆楚 三湘 岭南 八桂 巴蜀 天府 三秦 陇原 关中 江南 塞上 天山 雪域 琼州 黔贵 云岭 彩云
石家庄 太原 呼和浩特 沈阳 大连 长春 哈尔滨 南京 苏州 杭州 宁波 温州 合肥 福州 厦门 泉州 南昌 济南 青岛 郑州 武汉 长沙
广州 深圳 南宁 海口 三亚 成都 贵阳 昆明 拉萨 西安 兰州 西宁 银川 乌鲁木齐 阜新 浦江 浦东 浦西 临港 虹桥 黄浦 外滩
长三角 长三 京津冀 京津 粤港澳 大湾区 湾区 成渝 珠三角 长江 黄河 淮河 珠江 东北 西部 中部 东部 东西部 西北 西南
中国 中华 全国 国家 全球 世界 亚洲 国际 亚太
""".split()
)
#: kept for readers of earlier versions: the place prefixes are now :data:`PLACES`
PLACE_PREFIXES = tuple(sorted(PLACES))
#: documents a candidate must be quoted in to be accepted on recurrence alone
MIN_RECURRENT_DOCS = 3
#: everyday words that reports put in scare quotes; none is a formulation of its own
PLAIN_WORDS = frozenset(
    """
正能量 一体化 一站式 一卡通 双语 双方 双向 双边 双赢 双重 高质量 赋能 造血 减法 乘法 加法 除法 拦路虎 定心丸
独角戏 加速键 探索者 源动力 金点子 小而美 大文章 热钱 红线 底线 瓶颈 蛋糕 群租 哨点 烟花 潮品 硬着陆 软着陆
半壁江山 世界影响力 国际大都市 社会主义现代化 四两拨千斤 王牌 中等收入陷阱 数字鸿沟 僵尸企业 五保户 老工伤
低保 城中村 空心村 小空间 微空间 订单农业 公司加农户 经认证的经营者 区域全面经济伙伴关系协定 网购型 便捷就医服务
一对一 面对面 点对点 背靠背 手拉手 一刀切
""".split()
)

FRAME_BEFORE = (
    "打造",
    "构建",
    "创建",
    "叫响",
    "擦亮",
    "争创",
    "践行",
    "锚定",
    "胸怀",
    "牢记",
    "坚持",
    "推行",
    "推广",
    "实施",
    "深化",
    "实行",
    "开展",
    "启动",
    "树立",
    "弘扬",
    "争当",
)
FRAME_AFTER = (
    "品牌",
    "行动",
    "工程",
    "制度",
    "战略",
    "理念",
    "模式",
    "机制",
    "标准",
    "目标",
    "活动",
    "改革",
    "经验",
    "计划",
    "工作法",
    "精神",
    "方针",
    "原则",
    "要求",
    "创建",
    "品格",
)
#: nominal suffixes are not heads: “紧日子” and “半拉子” are no family
SUFFIX_HEADS = ("子", "儿", "头")
#: verbs that make a quoted phrase a metaphor or a named practice when they open its clause (架起“连心桥”,
#: 成为…的“直通车”, 接受“政治体检”), looked for anywhere in the 16 characters of the clause before the quote
FRAME_CLAUSE = (
    "成为",
    "当好",
    "架起",
    "修好",
    "搭建",
    "打通",
    "接受",
    "转化为",
    "变成",
    "化为",
    "争做",
    "锚定",
    "聚焦",
)
#: 把“X”转化为“Y”: a pair of metaphors (把“路线图”转化为“施工图”, 把“施工图”变成“实景图”); the first is framed by
#: what follows it
PAIR_AFTER = re.compile(r"^(?:转化为|转变为|变成|化为)[^，。；“”]{0,8}“")
#: what stands between a frame word and the opening mark and takes the quote away from the verb: a preposition
#: (开展对“零就业家庭”和…的帮扶) or a quantity (打造一批“非遗国潮”: things of a kind, not one formulation)
FRAME_GAP = re.compile(r"[对向与和同为给及]|一批|一些|若干|更多|多个")
#: a phrase framed only by a metaphor clause is no slogan when it names a role (当好…“优等生”, 成为…的“代言人”,
#: “顶梁柱”, “店小二”), describes with 的 (把“盼的事”变成“干的事”) or is a superlative (转化为…的“最大增量”)
ROLE_END = tuple("人生者员兵军手羊柱石二匠师官")
PLAN_NAME = re.compile(r"^(?:[六七八九]|十[一二三四五]?)五$")
PACKAGE = re.compile(rf"(?:\d+|[{CN_NUMERALS}百]+)条(?:硬)?(?:措施|举措|意见)?$")
#: a numeral followed by a time unit or by 连 (a run of records) counts, it names nothing: “三年行动”, “百日攻坚战”,
#: “三月三”, “十连增”, “六连冠”
COUNT = re.compile(r"^[一二两三四五六七八九十百千万]+(?:年|月|日|天|周|小时|连)")


@dataclass(frozen=True)
class Quote:
    """A quoted stretch of a paragraph.

    Attributes
    ----------
    start, end : offsets of the quoted text *inside* the marks (paragraph-relative).
    open, close : the quote marks.
    in_title : the quote stands inside a 《…》 title.
    is_title : the stretch is itself a 《…》 title.
    """

    start: int
    end: int
    open: str
    close: str
    in_title: bool = False
    is_title: bool = False


def scan_quotes(text: str) -> tuple[list[Quote], list[int]]:
    """Find quoted stretches in one paragraph, nested ones included.

    Handles “…”, 「…」, 『…』, ‘…’, straight "…" (toggling), and 《…》 titles, with nesting
    (``《修好“民心路”架起“连心桥”》`` gives the title and the two quotes inside it).  A mark that is never
    closed, or closed by the wrong mark, is *unbalanced*: its offset is returned in the second list and no
    quote is made of it; the scan goes on after it.

    Parameters
    ----------
    text : str, one paragraph.

    Returns
    -------
    quotes : list of Quote, in order of their closing mark.
    unbalanced : list of int, offsets of unbalanced marks.

    Examples
    --------
    >>> quotes, bad = scan_quotes("我县《修好“民心路”架起“连心桥”》案例")
    >>> [("title" if q.is_title else "quote", "我县《修好“民心路”架起“连心桥”》案例"[q.start:q.end]) for q in quotes]
    [('quote', '民心路'), ('quote', '连心桥'), ('title', '修好“民心路”架起“连心桥”')]
    >>> scan_quotes("坚持“两个覆盖，推进")[1]
    [2]
    """
    stack: list[tuple[str, int]] = []
    quotes: list[Quote] = []
    unbalanced: list[int] = []
    after = 0  # the characters before this one are scanned
    for mark in _MARKS.finditer(text):  # (from mark to mark: a paragraph has few marks and many characters)
        i, ch = mark.start(), mark.group()
        _run_out(stack, unbalanced, after, i)
        after = i + 1
        if ch in TOGGLES and stack and stack[-1][0] == ch:
            _close(stack, quotes, i, ch)
        elif ch in QUOTE_PAIRS or ch in TITLE_PAIRS:
            stack.append((ch, i))
        elif ch in CLOSERS:
            opener = CLOSERS[ch]
            depth = next((k for k in range(len(stack) - 1, -1, -1) if stack[k][0] == opener), None)
            if depth is None:
                unbalanced.append(i)
                continue
            while len(stack) - 1 > depth:  # openers left inside are unbalanced
                unbalanced.append(stack.pop()[1])
            _close(stack, quotes, i, ch)
        if stack and i - stack[0][1] > MAX_QUOTE_CHARS and stack[0][0] not in TITLE_PAIRS:
            unbalanced.append(stack.pop(0)[1])
    _run_out(stack, unbalanced, after, len(text))
    unbalanced.extend(pos for _, pos in stack)
    return quotes, sorted(unbalanced)


def _run_out(stack, unbalanced, start: int, stop: int) -> None:
    """The characters ``start`` … ``stop - 1``, none of them a mark: at each, the outermost quote is dropped as
    unbalanced once it is longer than :data:`MAX_QUOTE_CHARS` (one per character; a title never)."""
    i = start
    while stack and stack[0][0] not in TITLE_PAIRS:
        i = max(i, stack[0][1] + MAX_QUOTE_CHARS + 1)
        if i >= stop:
            return
        unbalanced.append(stack.pop(0)[1])
        i += 1


def _close(stack, quotes, i, ch):
    opener, pos = stack.pop()
    in_title = any(o in TITLE_PAIRS for o, _ in stack)
    quotes.append(Quote(pos + 1, i, opener, ch, in_title=in_title, is_title=opener in TITLE_PAIRS))


def clean_candidate(text: str) -> str:
    """The canonical spelling of a quoted candidate: no spaces, ``＋`` → ``+``, full-width digits → ASCII."""
    text = re.sub(r"\s+|［\d+］|\[\d+\]", "", text)  # spaces and footnote marks (“三道防线［21］”)
    return text.translate({**FULLWIDTH_DIGITS, ord("＋"): ord("+")})


def _parallel(parts: list[str]) -> bool:
    if len({len(p) for p in parts}) == 1:
        return True
    return len({p[0] for p in parts}) == 1 or len({p[-1] for p in parts}) == 1


def _chinese_side(text: str) -> bool:
    """A ``+`` pattern with one side of two or more Chinese characters and nothing else (“玛瑙+”, “AI+医疗”,
    “5G+工业互联网”): Latin letters or digits on the other side make no code of it."""
    sides = [s for s in text.split("+") if s] if "+" in text else []
    return any(len(CJK.findall(s)) >= 2 and len(CJK.findall(s)) == len(s) for s in sides)


def classify_text(text: str, *, is_title: bool = False) -> tuple[str | None, str]:
    """Apply the context-free rules to one candidate.

    Parameters
    ----------
    text : the candidate, quotes stripped (cleaned with :func:`clean_candidate`).
    is_title : the candidate is a 《…》 title.

    Returns
    -------
    (kind, rule) : kind is ``"numbered" | "branded" | "series"``, ``"rejected"``, or None when the decision
        needs corpus evidence (:func:`decide_corpus`); rule names the rule that decided.

    Examples
    --------
    >>> classify_text("两市四区"), classify_text("把方向、管大局、保落实"), classify_text("赏石艺术杯")
    (('numbered', 'numbered'), ('series', 'series'), ('rejected', 'event'))
    >>> classify_text("关于强化特色产业建设，赋能乡村振兴的建议")
    ('rejected', 'title')
    >>> classify_text("同心政协")
    (None, 'pending')
    """
    if is_title:
        return "rejected", "title_mark"
    n_cjk = len(CJK.findall(text))
    if n_cjk < 2 or (LATIN.search(text) and not _chinese_side(text)):
        return "rejected", "code"
    parts = [p for p in SEPARATORS.split(text) if p]
    is_series = len(parts) >= 2 and all(len(p) <= 8 for p in parts) and _parallel(parts)
    if text.startswith("关于") or text.endswith(TITLE_END):
        return "rejected", "title"
    numeral_shape = text[0] in NUMERALS and sum(c in NUMERALS for c in text) >= 2 and len(parts) == 1
    if len(text) > 24 or (len(text) > 12 and not is_series and not (numeral_shape and len(text) <= 16)):
        return "rejected", "too_long"
    if PACKAGE.search(text):
        return "rejected", "package"
    if text.endswith(EVENT_END):
        return "rejected", "event"
    if any(a in text for a in ADVERSARY) and not text.startswith(OPPOSING):
        return "rejected", "adversary"
    if text.startswith(LABEL_START) or (text.endswith(LABEL_END) and "+" not in text):
        return "rejected", "label"
    if all(c in NUMERALS for c in text):
        if PLAN_NAME.match(text):
            return "numbered", "plan"
        return ("rejected", "number") if len(text) <= 2 else ("numbered", "numbered")
    if "+" in text:
        return ("branded", "pattern") if _chinese_side(text) else ("rejected", "code")
    if len(parts) >= 2:
        return ("series", "series") if is_series else ("rejected", "sentence")
    if text in PLAIN_WORDS:
        return "rejected", "plain_word"
    if COUNT.match(text):
        return "rejected", "count_word"
    if len(text) == 3 and text[0] in LEAD_NUMERALS:
        return None, "pending_numbered"
    if 3 <= len(text) <= (16 if numeral_shape else 10) and (
        text[0] in LEAD_NUMERALS or (text[0] == "一" and any(c in NUMERALS for c in text[1:]))
    ):
        return "numbered", "numbered"
    if len(text) == 2 and text[0] in LEAD_NUMERALS:
        return None, "pending_numbered"
    if len(text) <= 2:
        return "rejected", "short_word"
    return None, "pending"


def family_key(text: str, kind: str | None = None) -> str | None:
    """The family a slogan belongs to, by its shape.

    * ``X+`` and ``X+Y`` patterns → ``"X+…"`` (``玛瑙+`` → ``玛瑙+…``, ``旅游+红色`` → ``旅游+…``);
    * five-year-plan names → ``"…五"`` (九五, 十一五, 十四五 …);
    * number-led forms → the numeral and measure word when there is one (``两个确立`` → ``两个…``,
      ``四大功能`` → ``四大…``), else everything up to the second numeral (``一城一中心``, ``一城一意象`` →
      ``一城一…``), else the numeral and the next character (``四化标准`` → ``四化…``);
    * branded forms of four or more characters → their two-character head (``同心政协`` → ``…政协``,
      ``美丽中国`` → ``…中国``);
    * anything else (standing formulations, series, short forms) → None.

    Examples
    --------
    >>> [family_key(t, k) for t, k in [("同心政协", "branded"), ("两个确立", "numbered"), ("一城一中心", "numbered"),
    ...                                ("玛瑙+", "branded"), ("十四五", "numbered"), ("全过程人民民主", "standing")]]
    ['…政协', '两个…', '一城一…', '玛瑙+…', '…五', None]
    """
    if "+" in text:
        left = text.split("+")[0]
        return f"{left}+…" if left else "+…"
    if PLAN_NAME.match(text):
        return "…五"
    if text[0] in NUMERALS and (kind in (None, "numbered")) and len(text) >= 3:
        if text[1] in "个项大条":
            return f"{text[:2]}…"
        later = [i for i, c in enumerate(text[1:], 1) if c in NUMERALS]
        if later and later[0] < len(text) - 1:
            return f"{text[: later[0] + 1]}…"
        return f"{text[:2]}…"
    if kind in (None, "branded") and len(text) >= 4:
        return f"…{text[-2:]}"
    return None


#: the paragraph that opens the notes of a report: 名词解释, 名词注释, 附件, 附录, 注释, or a first numbered note
#: (［1］); it and every later paragraph of the document are notes
NOTE_HEAD = re.compile(r"^\s*(?:附件\s*\d*|附录|名词解释|名词注释|注释|注解|[［\[]1[］\]])")


def note_paragraphs(paragraphs) -> set[str]:
    """The para_ids of the notes and appendices of each document.

    Provincial reports of recent years end with notes (``名词解释1.“两重”：国家重大战略实施和…``) and
    appendices that quote the items of lists and the titles of documents; such quotes are no evidence of a
    formulation.  The notes start at the first paragraph matching :data:`NOTE_HEAD` in the second half of a
    document and run to its end.

    Parameters
    ----------
    paragraphs : objects with ``doc_id``, ``para_id`` and ``text``, in document order.
    """
    by_doc: dict[str, list] = {}
    for p in paragraphs:
        by_doc.setdefault(p.doc_id, []).append(p)
    notes = set()
    for ps in by_doc.values():
        start = next((k for k, p in enumerate(ps) if k >= len(ps) // 2 and NOTE_HEAD.match(p.text)), None)
        if start is not None:
            notes.update(p.para_id for p in ps[start:])
    return notes


def family_index(members) -> tuple[dict[str, set], dict[str, set]]:
    """The candidates of four characters or more among ``members``, by their two-character head and by their
    two-character prefix: what :func:`family_partners` looks up."""
    by_head: dict[str, set] = {}
    by_prefix: dict[str, set] = {}
    for other in members:
        if len(other) >= 4:
            by_head.setdefault(other[-2:], set()).add(other)
            by_prefix.setdefault(other[:2], set()).add(other)
    return by_head, by_prefix


def family_partners(text: str, members: dict[str, set], *, index=None) -> tuple[set[str], set[str]]:
    """The other candidates of the corpus that make a family with ``text`` (four characters or more).

    Returns ``(heads, prefixes)``: the candidates sharing its two-character head (同心政协, 有为政协: …政协) and
    those sharing its two-character prefix (政协品格, 政协使命, 政协形象), none when the head or prefix is a place
    (:data:`PLACES`: 云游江西/乐游江西 are things of Jiangxi, not a family of formulations).  ``members`` maps
    candidates to the documents where they are quoted (notes aside); ``index``: its :func:`family_index`, when
    made once for many texts.
    """
    if len(text) < 4:
        return set(), set()
    by_head, by_prefix = index if index is not None else family_index(members)
    heads = by_head.get(text[-2:], set()) - {text} if text[-2:] not in PLACES else set()
    prefixes = by_prefix.get(text[:2], set()) - {text} if text[:2] not in PLACES else set()
    return heads, prefixes


def decide_corpus(pending: dict[str, dict], members: dict[str, set]) -> dict[str, tuple[str, str]]:
    """Decide the candidates the context-free rules left open, from evidence across the corpus.

    Parameters
    ----------
    pending : dict text → {"paras": set of para_ids where it is quoted, "docs": set of doc_ids where it is
        quoted (both without the notes of a report), "framed": set of the frames seen around its uses
        (:func:`is_framed`), "numbered": bool (a number-led form of two or three characters)}.
    members : dict text → set of doc_ids, for every candidate of the corpus not rejected (notes aside).

    Rules, in order (each names the decision in ``slogan_candidates``):

    ``family``     four characters or more, and :func:`family_partners` gives a family that is more than a
                   chance: two or more partners sharing its head, one of them quoted in another document or
                   both in a document of its own (…工程, …计划, …之都 across reports; 同心政协, 有为政协,
                   亲民政协 … in one report), or two or more partners sharing its prefix in a document of its
                   own (政协品格, 政协使命, 政协形象: a prefix such as 绿色 or 数字 is shared by chance across
                   reports).  Two look-alikes (“产业地图”与“创新地图”) are no family; three-character words
                   sharing a last character are no family either (高品质/高素质, 满意度/加速度, 避暑房/康养房).
    ``recurrent``  quoted in three or more documents (a phrase repeated within one report is that report's
                   wording: 零关税, 小学期), and four or more characters long or number-led (three-character
                   words repeated across reports are mostly terms and set phrases: 白名单, 卡脖子, 校园餐).
    ``framed``     a frame word around one of its uses (:func:`is_framed`); a three-character word needs a
                   clause verb that makes it a metaphor (架起“连心桥”, 成为…的“直通车”): after 打造/深化 or before
                   品牌/专项 a three-character word is mostly a term or a product (“校园餐”, “晋企通”).  A clause
                   frame does not count for a role (当好…“优等生”, 成为…的“顶梁柱”), a 的 description
                   (把“盼的事”变成“干的事”) or a superlative (“最大增量”): :func:`_metaphor_frames`.
    otherwise ``scare_quote``.  Two-character number-led forms (“双减”, “六地”) go to recurrence and frame only.

    (A rule accepting candidates listed right beside an accepted one, “A”、“B”, was tried and dropped: on the
    shared corpora it accepted one slogan, 发展绣带, and three product or place names, 玉兰债, 虹桥之源,
    海派城市考古.)

    Returns
    -------
    dict text → (kind, rule): ``("branded", "family" | "recurrent" | "framed")``,
    ``("numbered", "recurrent" | "framed")`` or ``("rejected", "scare_quote")``.
    """
    decided = {}
    # family partners are candidates left to evidence like this one (numbered and series forms share heads
    # with anything: 一收入三保障 is no partner of 新疆的就业和社会保障)
    kin = {k: docs for k, docs in members.items() if k in pending and not pending[k].get("numbered")}
    index = family_index(kin)
    for text, info in pending.items():
        # three-character words repeated across reports are mostly terms and set phrases (白名单, 卡脖子,
        # 校园餐): recurrence alone takes a form of four or more characters, or a two-character number-led one
        recurrent = len(info["docs"]) >= MIN_RECURRENT_DOCS and (len(text) >= 4 or info.get("numbered"))
        if info.get("numbered"):  # short number-led forms (“双减”, “六地”, “三件套”): recurrence or frame only
            evidence = "recurrent" if recurrent else ("framed" if info["framed"] else None)
            decided[text] = ("numbered", evidence) if evidence else ("rejected", "scare_quote")
            continue
        heads, prefixes = family_partners(text, kin, index=index)
        own = info["docs"]
        family = (
            len(heads) >= 2
            and (any(kin[o] - own for o in heads) or sum(bool(kin[o] & own) for o in heads) >= 2)
            or sum(bool(kin[o] & own) for o in prefixes) >= 2
        )
        if family:
            decided[text] = ("branded", "family")
        elif recurrent:
            decided[text] = ("branded", "recurrent")
        elif (framed := _metaphor_frames(text, info["framed"])) and (len(text) >= 4 or "clause" in framed):
            decided[text] = ("branded", "framed")
        else:
            decided[text] = ("rejected", "scare_quote")
    return decided


def _metaphor_frames(text: str, frames: set[str]) -> set[str]:
    """The frames that count for ``text``: a clause frame does not count for a role, a description with 的 or a
    superlative (:data:`ROLE_END`)."""
    if "clause" in frames and (text.endswith(ROLE_END) or "的" in text or text.startswith("最")):
        return frames - {"clause"}
    return frames


def is_framed(paragraph: str, start: int, end: int) -> str:
    """The frame around a quote: ``"clause"`` for a clause verb that makes a metaphor or names a practice
    (:data:`FRAME_CLAUSE`, within the 16 characters of the clause before the mark: 架起“连心桥”; or
    :data:`PAIR_AFTER` after it: 把“路线图”转化为“施工图”), ``"before"``
    for a frame word right before the opening mark (:data:`FRAME_BEFORE`, within 4 characters, same clause),
    ``"after"`` for a frame noun right after the closing mark (:data:`FRAME_AFTER`), ``""`` for none.  A frame
    word followed by a preposition or a quantity (:data:`FRAME_GAP`: 开展对“…”, 打造一批“…”) frames nothing, and
    争做 inside 力争做到 is no frame."""
    before = re.split(r"[，。；：！？、]", paragraph[max(0, start - 5) : max(0, start - 1)])[-1]
    clause = re.split(r"[，。；：！？、]", paragraph[max(0, start - 17) : max(0, start - 1)])[-1]
    after = paragraph[end + 1 : end + 5]
    clause = clause.replace("力争做", "力争")  # 力争做到“起跑即领先”: 争做 is no frame there
    if any(w in clause for w in FRAME_CLAUSE) or PAIR_AFTER.match(paragraph[end + 1 : end + 16]):
        return "clause"
    if any(w in before and not FRAME_GAP.search(before[before.rindex(w) + len(w) :]) for w in FRAME_BEFORE):
        return "before"
    return "after" if after.startswith(FRAME_AFTER) else ""
