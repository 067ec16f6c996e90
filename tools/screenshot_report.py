"""Render a report.html in headless Chromium and save a full-page PNG, to look at what an analyst sees.

    python tools/screenshot_report.py results/report.html results/report.png [--height 6000]
    python tools/screenshot_report.py results/report.html results/clicked.png --click \\
        --series 国务院/national/全国 --from 2015 --to 2019 [--section 提法]

``--click`` screenshots a temporary copy of the page in which a small script has done what a reader would: open
the first slogan's ``<details>`` list of contexts and choose a series and a year range in the filter bar (the
page's own ``cppccFilter()``).  So that one screenshot shows them together, the copy hides what comes before
the section shown (``--section``, default the slogans) and that section's figures.  The report itself is not
changed.

Needs Debian's ``chromium`` package (``apt-get install chromium``); not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

#: what --click does in the page, once it has loaded: open the first contexts list, filter, scroll
CLICK_SCRIPT = """
<script>
window.addEventListener('load', function () {
  var opts = %(options)s;
  var details = document.querySelectorAll('details');
  if (details.length) { details[0].open = true; }
  var s = document.getElementById('f-series');
  if (s && opts.series !== null) { s.value = opts.series; }
  if (opts.from !== null && document.getElementById('f-from')) { document.getElementById('f-from').value = opts.from; }
  if (opts.to !== null && document.getElementById('f-to')) { document.getElementById('f-to').value = opts.to; }
  if (typeof cppccFilter === 'function') { cppccFilter(); }
  // what comes before the chosen section, and its figures, are hidden so that one screenshot shows the filter
  // bar, the filtered tables and the opened contexts together (the copy only: the report is unchanged)
  var before = true;
  Array.prototype.forEach.call(document.body.children, function (el) {
    if (el.tagName === 'H2') { before = el.textContent.indexOf(opts.section) < 0; }
    if (el.id === 'filter' || el.tagName === 'H1' || el.tagName === 'SCRIPT') { return; }
    if (before || el.tagName === 'IMG') { el.style.display = 'none'; }
  });
});
</script>
"""


def clicked_copy(html: Path, folder: Path, *, series=None, first=None, last=None, section="提法") -> Path:
    """A copy of ``html`` in ``folder`` with :data:`CLICK_SCRIPT` added before ``</body>``."""
    page = html.read_text(encoding="utf-8")
    options = json.dumps({"series": series, "from": first, "to": last, "section": section}, ensure_ascii=False)
    script = CLICK_SCRIPT % {"options": options}
    page = page.replace("</body>", script + "</body>") if "</body>" in page else page + script
    copy = folder / html.name
    copy.write_text(page, encoding="utf-8")
    return copy


def screenshot(html: Path, png: Path, *, width: int = 1280, height: int = 6000) -> Path:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise SystemExit("chromium not found: apt-get install chromium")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                "--hide-scrollbars",
                "--virtual-time-budget=5000",
                f"--screenshot={png.resolve()}",
                html.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    return png


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path)
    parser.add_argument("png", type=Path)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=6000)
    parser.add_argument("--click", action="store_true", help="open the first contexts list and apply the filter")
    parser.add_argument("--series", help="with --click: the series to filter on (default: all)")
    parser.add_argument("--from", dest="first", type=int, help="with --click: first year shown")
    parser.add_argument("--to", dest="last", type=int, help="with --click: last year shown")
    parser.add_argument("--section", default="提法", help="with --click: the section shown (default 提法)")
    args = parser.parse_args(argv)
    if not args.click:
        print(screenshot(args.html, args.png, width=args.width, height=args.height))
        return 0
    with tempfile.TemporaryDirectory() as folder:
        copy = clicked_copy(
            args.html, Path(folder), series=args.series, first=args.first, last=args.last, section=args.section
        )
        print(screenshot(copy, args.png, width=args.width, height=args.height))
    return 0


if __name__ == "__main__":
    sys.exit(main())
