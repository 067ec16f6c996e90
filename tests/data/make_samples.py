"""Generate small report files in every supported format and encoding from the bundled sample report.

Used by the reading/corpus/CLI tests through :func:`make_samples` (into a temporary folder), and runnable as a
script to look at the files: ``.venv/bin/python tests/data/make_samples.py OUTDIR``.  Nothing here is a copy
of ``../shared/corpora``: the text is the project's own bundled sample report (``corpora/``).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "corpora" / "000_e661db7dabda7a33.txt"


def sample_raw() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def make_samples(out: Path) -> dict[str, Path]:
    """Write the sample in many shapes under ``out``; return ``{name: path}``."""
    from cppcc_nlp.io.normalise import normalise

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    raw = sample_raw()
    paragraphs = normalise(raw).paragraphs
    files: dict[str, Path] = {}

    def write(name: str, data: bytes) -> Path:
        path = out / name
        path.write_bytes(data)
        files[name] = path
        return path

    write("utf8.txt", raw.encode("utf-8"))
    write("utf8_bom.txt", b"\xef\xbb\xbf" + raw.encode("utf-8"))
    write("utf16le_bom.txt", raw.encode("utf-16"))  # Python writes a BOM (little-endian here)
    write("utf16be_nobom.txt", raw.encode("utf-16-be"))
    write("utf16le_nobom.txt", raw.encode("utf-16-le"))
    write("gb18030.txt", raw.encode("gb18030"))
    write("gbk.txt", raw.encode("gbk"))
    write("gbk_as.docx.txt", raw.encode("gbk"))  # the extension says nothing about the encoding
    # traditional characters (OpenCC s2t) for the to_simplified round trip
    import opencc

    write("traditional.txt", opencc.OpenCC("s2t").convert(raw).encode("utf-8"))
    # web page with clutter around the report
    body = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    html = (
        "<!DOCTYPE html><html><head><meta charset='gbk'><title>县政协常委会工作报告</title>"
        "<style>p{margin:0}</style><script>var x='广告';</script></head><body>"
        "<nav><a href='/'>首页</a> | <a href='/news'>要闻</a></nav>"
        f"<article>{body}</article><aside>相关新闻：某某</aside></body></html>"
    )
    write("page.html", html.encode("gbk"))
    # .docx: one Word paragraph per report paragraph
    import docx

    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    document.save(out / "report.docx")
    files["report.docx"] = out / "report.docx"
    # .pdf with a text layer: the first paragraphs hard-wrapped at 24 characters, as a PDF would carry them
    files["report.pdf"] = _pdf(out / "report.pdf", paragraphs[:6])
    files["scan.pdf"] = _image_pdf(out / "scan.pdf")
    # bad inputs
    write("empty.txt", b"")
    write("blank.txt", b" \n\n \t\n")
    write("binary.txt", bytes(range(256)) * 40)
    write("undecodable.txt", "各位代表：".encode("utf-8") + b"\xff\xfe\xfa\x80\x81" * 50 + "现在".encode("utf-8"))
    write("notes.rtf", b"{\\rtf1 hello}")
    write("noyear.txt", "各位代表：\n\n现在，我代表县人民政府，向大会报告工作，请予审议。\n".encode("utf-8"))
    write("fake.docx", b"this is not a zip file at all")
    return files


def _pdf(path: Path, paragraphs: list[str]) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.font_manager import FontProperties

    from cppcc_nlp.output.plot import cjk_font_path

    fp = FontProperties(fname=str(cjk_font_path()))
    lines = []
    for p in paragraphs:
        lines += [p[i : i + 24] for i in range(0, len(p), 24)]
        lines.append("")
    with matplotlib.rc_context({"pdf.fonttype": 42}):
        fig = plt.figure(figsize=(8.27, 11.69))
        for i, line in enumerate(lines[:60]):
            fig.text(0.08, 0.96 - i * 0.0155, line, fontproperties=fp, fontsize=9)
        fig.savefig(path)
        plt.close(fig)
    return path


def _image_pdf(path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig = plt.figure(figsize=(2, 2))
    ax = fig.add_axes([0, 0, 1, 1])
    ax.imshow(np.random.default_rng(0).random((20, 20)))
    ax.axis("off")
    fig.savefig(path)
    plt.close(fig)
    return path


if __name__ == "__main__":  # pragma: no cover
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "samples_out")
    for _name, p in make_samples(target).items():
        print(f"{p.stat().st_size:>8}  {p}")
