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
_PROVINCES = ("北京市", "天津市", "上海市", "重庆市", "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "江苏省",
              "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "海南省",
              "四川省", "贵州省", "云南省", "陕西省", "甘肃省", "青海省", "台湾省", "内蒙古自治区",
              "广西壮族自治区", "西藏自治区", "宁夏回族自治区", "新疆维吾尔自治区", "香港特别行政区", "澳门特别行政区")
_PINYIN_REGION = {"beijing": "北京市", "tianjin": "天津市", "shanghai": "上海市", "chongqing": "重庆市",
                  "guangdong": "广东省", "zhejiang": "浙江省", "jiangsu": "江苏省", "liaoning": "辽宁省",
                  "fuxin": "阜新市"}

_DATE = re.compile(rf"([{_D}]{{4}})\s*年\s*([{_D}]{{1,2}})\s*月\s*([{_D}]{{1,2}})\s*日\s*在(.{{0,60}}?)会议上")
_SESSION = re.compile(r"(第[一二三四五六七八九十百]+届(?:[\u4e00-\u9fff]{0,12}?)?(?:委员会|人民代表大会)第[一二三四五六七八九十]+次"
                      r"(?:全体)?会议)")
_CPPCC_TITLE = re.compile(r"(?:中国人民政治协商会议|政协)([\u4e00-\u9fff]{2,20}?)(?:第[一二三四五六七八九十]+届)?委员会"
                          r"常务委员会工作报告")  # the term (第十五届) is in county titles, not in 上海市委员会 / 全国委员会
_SPEAKER_ROLE = re.compile(r"(国务院总理|[\u4e00-\u9fff]{2,20}?(?:市长|省长|主席|县长|区长|州长|旗长|主任|委员长))"
                           r"[\s\u3000]*([\u4e00-\u9fff](?:[\s\u3000]?[\u4e00-\u9fff]){1,3})(?=\s*各位代表|\s*$)")
_ABRIDGED_SUFFIX = re.compile(r"\s*[（(]摘\s*要[）)]$")
_NAME_LINE = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")
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
    meta: dict = {}
    paras = text.split("\n")
    head, tail = paras[:12], paras[-12:]
    around = head + tail
    joined = "\n".join(around)

    # title ("政府工作报告（摘要）" on one line: the title, and an abridged text)
    title_abridged = False
    for p in around:
        q = _ABRIDGED_SUFFIX.sub("", p)
        if len(q) <= 60 and "。" not in q and re.search(r"工作报告$", q):
            meta["title"], title_abridged = q, q != p
            break

    # date, year, session
    m = _DATE.search(joined)
    if m:
        y, mo, d = (int(g.translate(_FW)) for g in m.groups()[:3])
        if 1949 <= y <= 2100 and 1 <= mo <= 12 and 1 <= d <= 31:
            meta["date"] = f"{y:04d}-{mo:02d}-{d:02d}"
            meta["year"] = y
        s = _SESSION.search(m.group(0))
        if s:
            meta["session"] = s.group(1)

    # organ, region, level
    title = meta.get("title", "")
    cppcc = _CPPCC_TITLE.search(title) or _CPPCC_TITLE.search(joined)
    opening = "\n".join(paras[:8])
    if cppcc:
        meta["organ"] = "政协常委会"
        meta["region"] = cppcc.group(1)
    elif re.search(r"常务委员会工作报告", joined) and "人民代表大会" in joined:
        meta["organ"] = "人大常委会"
        npc = re.search(r"^([\u4e00-\u9fff]{2,20}?)人民代表大会常务委员会工作报告$", title, re.M) or \
            re.search(r"^([\u4e00-\u9fff]{2,20}?)人民代表大会常务委员会工作报告$", joined, re.M)
        if npc:  # 上海市人民代表大会… → 上海市; 全国人民代表大会… → 全国
            meta["region"] = npc.group(1)
    elif re.search(r"我代表国务院|国务院总理", opening + joined):
        meta["organ"] = "国务院"
        meta["region"] = "全国"
        meta["level"] = "national"
    else:
        g = re.search(r"我代表([\u4e00-\u9fff]{0,12}?)人民政府", opening) or \
            re.search(r"^([\u4e00-\u9fff]{0,12}?)(?:人民)?政府工作报告$", title)
        if g:
            meta["organ"] = "人民政府"
            if len(g.group(1)) >= 2:  # "我代表县人民政府" names no region
                meta["region"] = g.group(1)
        elif "政府工作报告" in title:
            meta["organ"] = "人民政府"
    if "region" in meta and "level" not in meta:
        level = level_of_region(meta["region"])
        if level:
            meta["level"] = level

    # speaker
    for p in around:
        r = _SPEAKER_ROLE.match(p.strip())
        if r:
            meta["speaker"] = re.sub(r"\s", "", r.group(2))
            break
    if "speaker" not in meta:
        for i, p in enumerate(around):
            if _NAME_LINE.match(p) and i > 0 and (_DATE.search(around[i - 1]) or "总理" in around[i - 1]
                                                   or re.search(r"工作报告$", _ABRIDGED_SUFFIX.sub("", around[i - 1]))
                                                   or (i + 1 < len(around) and "摘" in around[i + 1])):
                meta["speaker"] = p
                break
    if "speaker" not in meta:
        m2 = re.search(r"(?:国务院总理|市长|省长)\n([\u4e00-\u9fff]{2,4})\n", joined)
        if m2:
            meta["speaker"] = m2.group(1)

    meta["abridged"] = title_abridged or bool(re.search(r"^[（(]摘\s*要[）)]$", joined, re.M))
    return meta


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
            line = raw[:raw.index("\x00")].count("\n") + 1
            raise ManifestError(path, f"line {line}: a NUL byte", "save the manifest as plain UTF-8 text")
        reader = csv.DictReader(raw.splitlines())
        if not reader.fieldnames or "file" not in [f.strip() for f in reader.fieldnames]:
            raise ManifestError(path, "line 1: the header has no 'file' column",
                                "start the CSV with a header such as file,year,level,region")
        for n, row in enumerate(reader, start=2):
            if None in row or None in row.values():  # more or fewer cells than the header names
                cells = len(row) - (None in row) + len(row.get(None) or []) - list(row.values()).count(None)
                raise ManifestError(path, f"line {reader.line_num}: {cells} cells where the header has "
                                    f"{len(reader.fieldnames)}", "give every line as many cells as the header")
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
            raise ManifestError(path, f"invalid YAML ({exc})".replace("\n", " "),
                                "fix the YAML syntax; dates are YYYY-MM-DD") from exc
        if data is None:
            return {}
        if isinstance(data, dict):
            items = list(data.items())
        elif isinstance(data, list):
            items = []
            for n, item in enumerate(data, start=1):
                if not isinstance(item, dict) or "file" not in item:
                    raise ManifestError(path, f"entry {n}: not a mapping with a 'file' key",
                                        "write each entry as {file: NAME, year: …}")
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
                raise ManifestError(path, f"{where}: year {value!r} is not a number", "write a year like 2024")
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
                raise ManifestError(path, f"{where}: date {value!r} is not a calendar date",
                                    "write the delivery date, e.g. 2024-12-25") from None
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
    meta = {k: None for k in FIELDS}
    for source in (parse_filename(path), text_meta, manifest_row or {}):
        for key, value in source.items():
            if value is not None:
                meta[key] = value
    if meta["level"] is None and meta["region"]:
        meta["level"] = level_of_region(meta["region"])
    if meta["abridged"] is None:
        meta["abridged"] = False
    if manifest_row and "date" in manifest_row and "year" not in manifest_row:
        meta["year"] = int(manifest_row["date"][:4])
    return meta
