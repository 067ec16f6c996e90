"""Document variables (docvars): organ, level, region, session, date, year, speaker, abridged, title.

Three sources, the later overriding the earlier field by field:

1. **the file name** (last resort, used only for fields the text does not give): ``<level>_<year>.txt``
   (``national_2019.txt``) or ``<level>-<region>_<year>.txt`` (``provincial-shanghai_2024.txt``);
2. **the text itself** (:func:`extract_metadata`): the title block (``中国人民政治协商会议阜新蒙古族自治县第十五届
   委员会常务委员会工作报告``, ``——2024年12月25日在…第十五届委员会第四次会议上``, the speaker's name,
   ``（摘要）``), the opening (``我代表国务院`` / ``我代表上海市人民政府``), the speaker line (``上海市市长　龚正``);
3. **a manifest** beside the reports (:func:`read_manifest`), CSV or YAML, one entry per file.

Manifest format
---------------
CSV with a ``file`` column (the file's name, or its path relative to the manifest) and any of the columns
``title organ level region session date year speaker abridged``; empty cells are ignored::

    file,year,level,region,organ,date
    report_a.txt,2023,city,阜新市,政协常委会,2023-01-12

YAML: either a mapping ``{file name: {field: value}}`` or a list of mappings each with a ``file`` key::

    national_2019.txt: {year: 2019, level: national}

Levels are ``national``, ``provincial``, ``city``, ``county``.

Examples
--------
>>> m = extract_metadata("……\\n——2024年12月25日在政协某县第十五届委员会第四次会议上\\n陈忠民\\n（摘要）")
>>> m["date"], m["year"], m["speaker"], m["abridged"], m["session"]
('2024-12-25', 2024, '陈忠民', True, '第十五届委员会第四次会议')
"""

from __future__ import annotations

import csv
import datetime as _dt
import re
from pathlib import Path

from cppcc_nlp.errors import ManifestError

FIELDS = ("title", "organ", "level", "region", "session", "date", "year", "speaker", "abridged")
LEVELS = ("national", "provincial", "city", "county")
MANIFEST_NAMES = ("manifest.csv", "manifest.yaml", "manifest.yml")

_D = "0-9０-９"
_FW = str.maketrans("０１２３４５６７８９", "0123456789")

#: the 34 provincial-level units: full name → short names met in titles and file names
GAZETTEER = {
    "北京市": ("北京",),
    "天津市": ("天津",),
    "上海市": ("上海",),
    "重庆市": ("重庆",),
    "河北省": ("河北",),
    "山西省": ("山西",),
    "辽宁省": ("辽宁",),
    "吉林省": ("吉林",),
    "黑龙江省": ("黑龙江",),
    "江苏省": ("江苏",),
    "浙江省": ("浙江",),
    "安徽省": ("安徽",),
    "福建省": ("福建",),
    "江西省": ("江西",),
    "山东省": ("山东",),
    "河南省": ("河南",),
    "湖北省": ("湖北",),
    "湖南省": ("湖南",),
    "广东省": ("广东",),
    "海南省": ("海南",),
    "四川省": ("四川",),
    "贵州省": ("贵州",),
    "云南省": ("云南",),
    "陕西省": ("陕西",),
    "甘肃省": ("甘肃",),
    "青海省": ("青海",),
    "台湾省": ("台湾",),
    "内蒙古自治区": ("内蒙古",),
    "广西壮族自治区": ("广西",),
    "西藏自治区": ("西藏",),
    "宁夏回族自治区": ("宁夏",),
    "新疆维吾尔自治区": ("新疆",),
    "香港特别行政区": ("香港",),
    "澳门特别行政区": ("澳门",),
}
_PROVINCES = tuple(GAZETTEER)
_PINYIN_REGION = {
    "beijing": "北京市",
    "tianjin": "天津市",
    "shanghai": "上海市",
    "chongqing": "重庆市",
    "guangdong": "广东省",
    "zhejiang": "浙江省",
    "jiangsu": "江苏省",
    "liaoning": "辽宁省",
    "fuxin": "阜新市",
}
#: names that say "this province/city" without naming it (我代表自治区人民政府)
_GENERIC_REGIONS = {
    "省",
    "市",
    "县",
    "区",
    "自治区",
    "自治州",
    "自治县",
    "州",
    "盟",
    "旗",
    "本省",
    "本市",
    "全省",
    "全市",
}

# years, months and days in Arabic, full-width or Chinese numerals (一九五七年, 二〇二五年, １９８７年)
_CN_DIGITS = {
    "〇": 0,
    "○": 0,
    "零": 0,
    "Ｏ": 0,
    "O": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_YEAR_TOK = rf"(?:[{_D}]{{4}}|[一二][〇○零Ｏ一二三四五六七八九]{{3}})"
_SMALL_TOK = rf"(?:[{_D}]{{1,2}}|[一二三四五六七八九十]{{1,3}})"
_DATE = re.compile(
    rf"({_YEAR_TOK})\s*年\s*({_SMALL_TOK})\s*月\s*({_SMALL_TOK})\s*日[^。]{{0,40}}?在([^。]{{0,60}}?)会议"
)
_YEAR_MENTION = re.compile(rf"(?<![{_D}一二三四五六七八九〇○零])({_YEAR_TOK})\s*年")
_NPC_SESSION = re.compile(
    r"(?:向|在|出席)[^。\n]{0,20}?(第([一二三四五六七八九十]+)届全国人民代表大会第([一二三四五六七八九十]+)次"
    r"(?:全体)?会议)"
)
#: the first sessions of the early National People's Congresses (later ones meet every year from 1978 on)
_NPC_EARLY = {
    (1, 1): 1954,
    (1, 2): 1955,
    (1, 3): 1956,
    (1, 4): 1957,
    (1, 5): 1958,
    (2, 1): 1959,
    (2, 2): 1960,
    (2, 3): 1962,
    (2, 4): 1963,
    (3, 1): 1964,
    (4, 1): 1975,
}
_SESSION = re.compile(
    r"(第[一二三四五六七八九十百]+届(?:[\u4e00-\u9fff]{0,12}?)?(?:委员会|人民代表大会)第[一二三四五六七八九十]+次"
    r"(?:全体)?会议)"
)
_CPPCC_TITLE = re.compile(
    r"(?:中国人民政治协商会议|政协)([\u4e00-\u9fff]{2,20}?)(?:第[一二三四五六七八九十]+届)?委员会"
    r"常务委员会工作报告"
)  # the term (第十五届) is in county titles, not in 上海市委员会 / 全国委员会
_SPEAKER_ROLE = re.compile(
    r"(国务院总理|[\u4e00-\u9fff]{2,20}?(?:市长|省长|主席|县长|区长|州长|旗长|主任|委员长))"
    r"[\s\u3000]*([\u4e00-\u9fff](?:[\s\u3000]?[\u4e00-\u9fff]){1,3})(?=\s*各位代表|\s*$)"
)
#: a speaker named inside a byline: 省长许昆林作政府工作报告, 自治区主席艾尔肯·吐尼亚孜, 龚正市长在…
_SPEAKER_INLINE = re.compile(
    r"(?:代理|代)?(?:省长|市长|主席|县长|区长|州长)[\s\u3000]*([\u4e00-\u9fff][\u4e00-\u9fff·]{1,9}?)"
    r"(?:同志)?(?=作|在|$|\n)"
)
_SPEAKER_BEFORE = re.compile(r"日([\u4e00-\u9fff]{2,4})(?:代理|代)?(?:省长|市长|主席)在")
_ABRIDGED_SUFFIX = re.compile(r"\s*[（(]摘\s*要[）)]$")
_NAME_LINE = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")
_TITLE_LINE = re.compile(
    rf"^(?:({_YEAR_TOK})\s*年)?([\u4e00-\u9fff]{{0,24}}?(?:人民)?政府)?[\u4e00-\u9fff]{{0,24}}?工作报告"
)
_NAME_YEAR = re.compile(r"(?<![0-9A-Za-z])(19[4-9][0-9]|20[0-9]{2})(?![0-9A-Za-z])")
_FILE_RULE = re.compile(r"^(national|provincial|city|county)(?:-([A-Za-z0-9\u4e00-\u9fff]+))?_((?:19|20)\d{2})$")


def extract_metadata(text: str) -> dict:
    """Docvars found in a report's (normalised) text; fields not found are absent from the dict.

    Parameters
    ----------
    text : str
        Normalised text, one paragraph per line.

    Returns
    -------
    dict
        Any of ``title organ level region session date year speaker abridged``.
    """
    return extract_with_sources(text)[0]


def extract_with_sources(text: str) -> tuple[dict, dict, dict]:
    """Docvars from the text with the evidence for each: ``(meta, sources, fallback)``.

    ``sources`` maps a field to where it was read (``text:date-line``, ``text:title``, ``text:session``,
    ``text:review-year``, ``text:opening``, ``text:gazetteer``, ``text:byline``); ``fallback`` holds weak
    guesses used only when neither the text nor the file name says more (``{"year": (1960,
    "text:year-mentions")}``: the year the text mentions most, plus one).

    >>> m, src, _ = extract_with_sources("2025年北京市政府工作报告\\n各位代表：\\n现在，我代表北京市人民政府，向大会报告。")
    >>> m["year"], m["region"], m["level"], src["year"], src["region"]
    (2025, '北京市', 'provincial', 'text:title', 'text:title')
    >>> m, src, _ = extract_with_sources("各位代表：\\n我代表国务院向第一届全国人民代表大会第二次会议提出报告。")
    >>> m["year"], m["organ"], m["region"], src["year"]
    (1955, '国务院', '全国', 'text:session')
    """
    meta: dict = {}
    src: dict = {}

    def put(key, value, source):
        if value is not None and key not in meta:
            meta[key], src[key] = value, source

    paras = text.split("\n")
    head, tail = paras[:12], paras[-12:]
    around = head + tail
    joined = "\n".join(around)
    opening = "\n".join(paras[:8])

    # title ("政府工作报告（摘要）" on one line: the title, and an abridged text; a title glued to its byline:
    # "2025年上海市政府工作报告----2025年1月15日…")
    title_abridged = False
    for p in around:
        q = _ABRIDGED_SUFFIX.sub("", p)
        if len(q) <= 60 and "。" not in q and re.search(r"工作报告$", q):
            put("title", q, "text:title")
            title_abridged = q != p
            break
    if "title" not in meta:
        for p in head[:3]:
            t = _TITLE_LINE.match(p)
            if t and len(t.group(0)) <= 40 and not re.search(r"代表|向|我", t.group(0)):
                put("title", t.group(0), "text:title")
                break
    title = meta.get("title", "")
    t = _TITLE_LINE.match(title) if title else None
    if t and t.group(1):
        put("year", parse_year(t.group(1)), "text:title")

    # date (a byline: ——2024年12月25日在…会议上, （1980年8月30日在…）, 2025年1月14日龚正市长在…会议的…)
    m = _DATE.search(joined)
    if m:
        y, mo, d = parse_year(m.group(1)), _small_int(m.group(2)), _small_int(m.group(3))
        if y and 1 <= mo <= 12 and 1 <= d <= 31:
            put("date", f"{y:04d}-{mo:02d}-{d:02d}", "text:date-line")
            meta["year"], src["year"] = y, "text:date-line"  # the date line beats a year in the title
        ss = _SESSION.search(m.group(0))
        if ss:
            put("session", ss.group(1), "text:date-line")
    npc = _NPC_SESSION.search("\n".join(paras[:6] + tail))
    if npc:
        put("session", npc.group(1), "text:session")
        put("year", npc_session_year(_small_int(npc.group(2)), _small_int(npc.group(3))), "text:session")
    if "year" not in meta:
        put("year", _year_from_review(text), "text:review-year")

    # organ, region, level
    cppcc = _CPPCC_TITLE.search(title) or _CPPCC_TITLE.search(joined)
    if cppcc:
        put("organ", "政协常委会", "text:title")
        put("region", cppcc.group(1), "text:title")
    elif re.search(r"常务委员会工作报告", joined) and "人民代表大会" in joined:
        put("organ", "人大常委会", "text:title")
        npcsc = re.search(r"^([\u4e00-\u9fff]{2,20}?)人民代表大会常务委员会工作报告$", title, re.M) or re.search(
            r"^([\u4e00-\u9fff]{2,20}?)人民代表大会常务委员会工作报告$", joined, re.M
        )
        if npcsc:  # 上海市人民代表大会… → 上海市; 全国人民代表大会… → 全国
            put("region", npcsc.group(1), "text:title")
    elif re.search(r"我(?:现在)?(?:代表|受)[^，。\n]{0,10}国务院|国务院总理", opening + "\n" + joined) or re.search(
        r"向[^。\n]{0,12}全国人民代表大会", opening
    ):
        put("organ", "国务院", "text:opening")
        put("region", "全国", "text:opening")
        put("level", "national", "text:opening")
    else:
        g = re.search(r"我代表([\u4e00-\u9fff]{0,12}?)人民政府", opening)
        tg = re.search(r"^(?:[0-9０-９]{4}年)?([\u4e00-\u9fff]{0,12}?)(?:人民)?政府工作报告$", title)
        if g or tg or "政府工作报告" in title:
            put("organ", "人民政府", "text:opening" if g else "text:title")
        # the region: named in the byline (在云南省第十四届人民代表大会…), the title (2025年宁夏政府工作报告) or the
        # opening (我代表上海市人民政府); a bare 自治区/省 names none
        where = [
            (m.group(0) if m else "", "text:date-line"),
            (title, "text:title"),
            (g.group(1) if g else "", "text:opening"),
            (tg.group(1) if tg else "", "text:title"),
        ]
        for chunk, source in where:
            region = gazetteer_region(chunk)
            if region:
                put("region", region, source)
                break
        if "region" not in meta:
            for chunk, source in where[2:]:
                if len(chunk) >= 2 and chunk not in _GENERIC_REGIONS:
                    put("region", chunk, source)
                    break
    if "region" in meta and "level" not in meta:
        put("level", level_of_region(meta["region"]), src["region"])

    # speaker
    for p in around:
        r = _SPEAKER_ROLE.match(p.strip())
        if r:
            put("speaker", re.sub(r"\s", "", r.group(2)), "text:byline")
            break
    if "speaker" not in meta:
        for i, p in enumerate(around):
            if (
                _NAME_LINE.match(p)
                and i > 0
                and (
                    _DATE.search(around[i - 1])
                    or "总理" in around[i - 1]
                    or re.search(r"工作报告$", _ABRIDGED_SUFFIX.sub("", around[i - 1]))
                    or (i + 1 < len(around) and "摘" in around[i + 1])
                )
            ):
                put("speaker", p, "text:byline")
                break
    if "speaker" not in meta:
        m2 = re.search(r"(?:国务院总理|市长|省长)\n([\u4e00-\u9fff]{2,4})\n", joined)
        if m2:
            put("speaker", m2.group(1), "text:byline")
    if "speaker" not in meta:
        for p in head[:4]:
            sp = _SPEAKER_BEFORE.search(p) or _SPEAKER_INLINE.search(p)
            if sp and not re.search(r"[省市区县]$", sp.group(1)):
                put("speaker", sp.group(1), "text:byline")
                break

    meta["abridged"] = title_abridged or bool(re.search(r"^[（(]摘\s*要[）)]$", joined, re.M))
    fallback = {}
    guess = _year_from_mentions(text)
    if guess:
        fallback["year"] = (guess, "text:year-mentions")
    return meta, src, fallback


def parse_year(token: str) -> int | None:
    """A year written in Arabic, full-width or Chinese numerals, or ``None`` outside 1949–2100.

    >>> parse_year("一九五七"), parse_year("１９８７"), parse_year("二〇二五"), parse_year("一九六○")
    (1957, 1987, 2025, 1960)
    """
    token = token.strip().translate(_FW)
    if not token.isdigit():
        try:
            token = "".join(str(_CN_DIGITS[c]) for c in token)
        except KeyError:
            return None
    y = int(token)
    return y if 1949 <= y <= 2100 else None


def _small_int(token: str) -> int:
    """``"12"``, ``"１２"``, ``"十二"``, ``"二十一"`` → int (0 when unreadable)."""
    token = token.translate(_FW)
    if token.isdigit():
        return int(token)
    if "十" in token:
        tens, _, ones = token.partition("十")
        return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return _CN_DIGITS.get(token, 0) if len(token) == 1 else 0


def npc_session_year(term: int, session: int) -> int | None:
    """The year of a session of the National People's Congress (第十四届…第三次会议 → 2025).

    >>> npc_session_year(14, 3), npc_session_year(1, 2), npc_session_year(5, 2)
    (2025, 1955, 1979)
    """
    if (term, session) in _NPC_EARLY:
        return _NPC_EARLY[(term, session)]
    if term >= 5 and 1 <= session <= 5:
        return 1978 + 5 * (term - 5) + session - 1
    return None


def gazetteer_region(text: str) -> str | None:
    """The first provincial-level unit named in ``text`` (full or short name), as its full name.

    >>> gazetteer_region("2025年宁夏政府工作报告"), gazetteer_region("在广西壮族自治区第十四届人民代表大会")
    ('宁夏回族自治区', '广西壮族自治区')
    """
    best = None
    for full, shorts in GAZETTEER.items():
        for name in (full,) + shorts:
            i = text.find(name)
            if i >= 0 and (best is None or i < best[0]):
                best = (i, full)
    return best[1] if best else None


def _five_year_plan_start(n: int) -> int:
    """First year of the n-th five-year plan (一五 1953, 二五 1958, 三五 1966, … 十四五 2021)."""
    return {1: 1953, 2: 1958}.get(n, 1966 + 5 * (n - 3))


def _year_from_review(text: str) -> int | None:
    """The delivery year read from what the report says of the years around it.

    ``在刚刚过去的１９８７年`` → 1988; ``今年是实行“七五”计划的头一年`` → 1986; ``今年十月一日是中华人民共和国
    成立三十五周年`` → 1984; ``一九八二年预计达到…`` (an estimate, in a report of the same year) → 1982.
    """
    m = re.search(rf"刚刚过去的\s*({_YEAR_TOK})\s*年", text)
    if m and parse_year(m.group(1)):
        return parse_year(m.group(1)) + 1
    m = re.search(
        r"今年是(?:实行|执行|实施)?(?:“([一二三四五六七八九十]+)五”|第([一二三四五六七八九十]+)个五年)"
        r"(?:计划|规划)?的(?:头一年|第一年|开局之年)",
        text,
    )
    if m:
        return _five_year_plan_start(_small_int(m.group(1) or m.group(2)))
    m = re.search(r"今年[^。]{0,10}是中华人民共和国成立([一二三四五六七八九十]+)周年", text)
    if m:
        return 1949 + _small_int(m.group(1))
    m = re.search(rf"({_YEAR_TOK})\s*年(?:全年)?预计", text)
    if m:
        return parse_year(m.group(1))
    return None


def _year_from_mentions(text: str) -> int | None:
    """The year the text mentions most, plus one: a weak guess (a report looks back on the year before)."""
    counts: dict[int, int] = {}
    for m in _YEAR_MENTION.finditer(text):
        y = parse_year(m.group(1))
        if y:
            counts[y] = counts.get(y, 0) + 1
    if not counts:
        return None
    year = max(counts, key=lambda y: (counts[y], y))
    return year + 1


def year_from_filename(path) -> int | None:
    """A year anywhere in the file name (``somesource_national_1955.txt``, ``2025年北京市政府工作报告.docx``).

    >>> year_from_filename("somesource_national_1955.txt"), year_from_filename("r001.txt")
    (1955, None)
    """
    m = _NAME_YEAR.search(Path(path).stem)
    return int(m.group(1)) if m else None


def level_of_region(region: str) -> str | None:
    """``national``/``provincial``/``city``/``county`` from a region's name.

    >>> level_of_region("阜新蒙古族自治县"), level_of_region("上海市"), level_of_region("阜新市")
    ('county', 'provincial', 'city')
    """
    if not region:
        return None
    if region in ("全国", "国务院", "中国"):
        return "national"
    if region in _PROVINCES or re.search(r"(?:省|自治区|特别行政区)$", region):
        return "provincial"
    if re.search(r"(?:县|自治县|旗|自治旗|县级市)$", region) or re.search(r"市[\u4e00-\u9fff]{1,6}区$", region):
        return "county"
    if re.search(r"(?:市|自治州|地区|盟)$", region):
        return "city"
    if region.endswith("区"):
        return "county"
    return None


def parse_filename(path) -> dict:
    """Docvars from the file-name rule ``<level>_<year>`` / ``<level>-<region>_<year>``.

    >>> parse_filename("gwr-shanghai/provincial-shanghai_2024.txt")
    {'level': 'provincial', 'year': 2024, 'region': '上海市'}
    >>> parse_filename("000_e661db7dabda7a33.txt")
    {}
    """
    m = _FILE_RULE.match(Path(path).stem)
    if not m:
        return {}
    out = {"level": m.group(1), "year": int(m.group(3))}
    if m.group(2):
        out["region"] = _PINYIN_REGION.get(m.group(2).lower(), m.group(2))
    elif m.group(1) == "national":
        out["region"] = "全国"
    return out


def read_manifest(path) -> dict[str, dict]:
    """A manifest file → ``{file name or relative path: {field: value}}``.

    Raises :class:`ManifestError` (naming the file and the line or entry) on a malformed manifest.
    """
    path = Path(path)
    if not path.is_file():
        raise ManifestError(path, "manifest not found", "check the --manifest path")
    suffix = path.suffix.lower()
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(path, f"cannot be read as UTF-8 text ({exc})", "save it as UTF-8") from exc
    entries: dict[str, dict] = {}
    if suffix == ".csv":
        if "\x00" in raw:
            line = raw[: raw.index("\x00")].count("\n") + 1
            raise ManifestError(path, f"line {line}: a NUL byte", "save the manifest as plain UTF-8 text")
        reader = csv.DictReader(raw.splitlines())
        if not reader.fieldnames or "file" not in [f.strip() for f in reader.fieldnames]:
            raise ManifestError(
                path,
                "line 1: the header has no 'file' column",
                "start the CSV with a header such as file,year,level,region",
            )
        for n, row in enumerate(reader, start=2):
            if None in row or None in row.values():  # more or fewer cells than the header names
                cells = len(row) - (None in row) + len(row.get(None) or []) - list(row.values()).count(None)
                raise ManifestError(
                    path,
                    f"line {reader.line_num}: {cells} cells where the header has {len(reader.fieldnames)}",
                    "give every line as many cells as the header",
                )
            row = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
            name = row.pop("file", "")
            if not name:
                raise ManifestError(path, f"line {n}: empty 'file' cell", "name the report file on every line")
            entries[name] = _clean_entry(row, path, f"line {n}")
    elif suffix in (".yaml", ".yml"):
        import yaml

        try:
            data = yaml.safe_load(raw)
        except (yaml.YAMLError, ValueError, TypeError) as exc:  # ValueError: an impossible date like 2023-13-01
            raise ManifestError(
                path, f"invalid YAML ({exc})".replace("\n", " "), "fix the YAML syntax; dates are YYYY-MM-DD"
            ) from exc
        if data is None:
            return {}
        if isinstance(data, dict):
            items = list(data.items())
        elif isinstance(data, list):
            items = []
            for n, item in enumerate(data, start=1):
                if not isinstance(item, dict) or "file" not in item:
                    raise ManifestError(
                        path, f"entry {n}: not a mapping with a 'file' key", "write each entry as {file: NAME, year: …}"
                    )
                item = dict(item)
                items.append((item.pop("file"), item))
        else:
            raise ManifestError(path, "top level must be a mapping or a list", "see docs/corpus.md")
        for name, fields in items:
            if not isinstance(fields, dict):
                raise ManifestError(path, f"entry {name!r}: fields must be a mapping", "write {year: 2019, …}")
            entries[str(name)] = _clean_entry({str(k): v for k, v in fields.items()}, path, f"entry {name!r}")
    else:
        raise ManifestError(path, f"unsupported manifest type {suffix!r}", "use .csv, .yaml or .yml")
    return entries


def _clean_entry(row: dict, path, where: str) -> dict:
    out = {}
    for key, value in row.items():
        if key not in FIELDS:
            if key in ("", "doc_id", "path", "note", "notes", "sha256", "text_sha256", "added"):
                continue
            raise ManifestError(path, f"{where}: unknown field {key!r}", f"use only: file, {', '.join(FIELDS)}")
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if key == "year":
            try:
                value = int(str(value).strip())
            except ValueError:
                raise ManifestError(
                    path, f"{where}: year {value!r} is not a number", "write a year like 2024"
                ) from None
            if not 1949 <= value <= 2100:
                raise ManifestError(path, f"{where}: year {value} out of range", "write the delivery year")
        elif key == "level":
            value = str(value).strip()
            if value not in LEVELS:
                raise ManifestError(path, f"{where}: level {value!r} unknown", f"use one of {', '.join(LEVELS)}")
        elif key == "abridged":
            value = str(value).strip().lower() in ("1", "true", "yes", "y", "是")
        elif key == "date":
            value = str(value).strip()
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ManifestError(path, f"{where}: date {value!r} is not YYYY-MM-DD", "write e.g. 2024-12-25")
            try:
                _dt.date.fromisoformat(value)
            except ValueError:
                raise ManifestError(
                    path, f"{where}: date {value!r} is not a calendar date", "write the delivery date, e.g. 2024-12-25"
                ) from None
        else:
            value = str(value).strip()
        out[key] = value
    return out


def find_manifest(folder) -> Path | None:
    """The manifest file in a folder (``manifest.csv``, ``manifest.yaml`` or ``manifest.yml``), if any."""
    folder = Path(folder)
    for name in MANIFEST_NAMES:
        if (folder / name).is_file():
            return folder / name
    return None


def manifest_entry(entries: dict[str, dict], manifest_path, report_path) -> dict:
    """The manifest entry of a report: matched by relative path, then by file name."""
    report_path = Path(report_path)
    if manifest_path is not None:
        try:
            rel = report_path.resolve().relative_to(Path(manifest_path).resolve().parent).as_posix()
            if rel in entries:
                return entries[rel]
        except ValueError:
            pass
    return entries.get(report_path.name, {})


def resolve_metadata(text_meta: dict, path, manifest_row: dict | None = None) -> dict:
    """Merge the sources: file name < text < manifest.  Returns every field of :data:`FIELDS` (None if unknown)."""
    return resolve_with_sources(text_meta, path, manifest_row)[0]


def resolve_with_sources(
    text_meta: dict,
    path,
    manifest_row: dict | None = None,
    *,
    text_sources: dict | None = None,
    fallback: dict | None = None,
) -> tuple[dict, dict, list[str]]:
    """Merge the sources field by field: manifest > text > file name > weak text guesses.

    Returns ``(meta, meta_sources, conflicts)``: every field of :data:`FIELDS` (None if unknown), where each
    came from (``manifest``, ``file-name`` or the text's own evidence, ``text:…``), and one message per
    disagreement between the file name and the text on year, level or region.

    The file name gives fields by its rule (``provincial-shanghai_2024``) and, failing that, a year written
    anywhere in it (``somesource_national_1955.txt``, ``2025年北京市政府工作报告.docx``).
    """
    text_sources = text_sources or {}
    meta = {k: None for k in FIELDS}
    sources: dict = {}
    from_name = parse_filename(path)
    if "year" not in from_name and year_from_filename(path):
        from_name["year"] = year_from_filename(path)
    manifest_row = manifest_row or {}
    layers = [
        ({k: v for k, v in (fallback or {}).items()}, None),
        (from_name, "file-name"),
        (text_meta, "text"),
        (manifest_row, "manifest"),
    ]
    for values, name in layers:
        for key, value in values.items():
            if name is None:
                value, source = value
            else:
                source = text_sources.get(key, "text") if name == "text" else name
            if value is not None:
                meta[key], sources[key] = value, source
    if manifest_row and "date" in manifest_row and "year" not in manifest_row:
        meta["year"], sources["year"] = int(manifest_row["date"][:4]), "manifest"
    if meta["level"] is None and meta["region"]:
        meta["level"] = level_of_region(meta["region"])
        if meta["level"]:
            sources["level"] = sources.get("region")
    if meta["abridged"] is None:
        meta["abridged"] = False
    conflicts = []
    name = Path(path).name
    # the manifest is the user's own correction: it overrides the text without a warning
    for other, label in ((from_name, "the file name"),):
        for key in ("year", "level", "region"):
            a, b = other.get(key), text_meta.get(key)
            if a is None or b is None or a == b or (key == "region" and (str(a) in b or str(b) in str(a))):
                continue
            used = "the manifest" if sources.get(key) == "manifest" else "the text"
            conflicts.append(
                f"{name}: {key} {a} from {label}, {b} from the text ({text_sources.get(key, 'text')}); using {used}"
            )
    return meta, sources, conflicts
