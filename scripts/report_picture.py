#!/usr/bin/env python3
"""Render the demo's HTML report to a picture for the README.

    python3 scripts/report_picture.py   # needs `pip install weasyprint pypdfium2 pillow`

There is no browser here: WeasyPrint (an HTML and CSS renderer, the print
path) lays the page out and pypdfium2 rasterises its first page. Writes
assets/report-demo.html (the page itself) and assets/report.png.
"""

import os
import subprocess
import tempfile
from pathlib import Path

import pypdfium2
import weasyprint

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "target" / "debug" / "iamkeys"


def main() -> None:
    if not BIN.exists():
        subprocess.run(["cargo", "build"], cwd=ROOT, check=True)
    home = tempfile.mkdtemp()
    env = dict(os.environ, HOME=home, XDG_DATA_HOME=f"{home}/data", XDG_CONFIG_HOME=f"{home}/config")
    page = subprocess.run(
        [str(BIN), "report", "--demo", "--key-ids", "--format", "html"],
        env=env, capture_output=True, text=True, check=False,
    ).stdout
    (ROOT / "assets" / "report-demo.html").write_text(page)
    pdf = weasyprint.HTML(string=page).write_pdf()
    first = pypdfium2.PdfDocument(pdf)[0]
    first.render(scale=1.3).to_pil().save(ROOT / "assets" / "report.png")
    print("wrote assets/report-demo.html and assets/report.png")


if __name__ == "__main__":
    main()
