"""The base font shipped with the package: ``cppcc_nlp/data/fonts/NotoSansCJKsc-Regular-gb2312.otf`` and its
``.json`` record, for :func:`cppcc_nlp.output.report.font_face`.

The bundled CJK font (mplfonts' Noto Sans CJK SC, SIL Open Font License: ``OFL.txt`` beside it) subset, without
hints, to GB 2312's characters and the page's symbol blocks: a report page whose characters it holds is subset
from it, the same bytes as from the 16 MB font in about a third of the time.  Rerun it when mplfonts ships another
font (the record no longer matches it, and the page is subset from the whole font, as before)::

    .venv/bin/python tools/make_font_base.py

``tests/output/test_report.py`` makes it again and compares the record and the glyph outlines (a fontTools release
may write the same glyphs in other bytes; the page subset from either is checked against the whole font's).
"""

from __future__ import annotations

import json

from cppcc_nlp.output.plot import cjk_font_path
from cppcc_nlp.output.report import SHIPPED_BASE, make_shipped_base


def main() -> None:
    font, record = make_shipped_base(cjk_font_path())
    SHIPPED_BASE.parent.mkdir(parents=True, exist_ok=True)
    SHIPPED_BASE.write_bytes(font)
    SHIPPED_BASE.with_suffix(".json").write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", "utf-8")
    print(f"{SHIPPED_BASE}: {len(font):,} bytes, {len(record['characters']):,} characters")


if __name__ == "__main__":
    main()
