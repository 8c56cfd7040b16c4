"""Turn a report that `ganlip compare` or `ganlip bench w1` wrote into a results page of the documentation site:

    python scripts/publish_results.py runs/compare docs/results/compare-2026-12.md

The page is the report's markdown with its stamp kept (the command, the machine with its torch version, the date
it was written), which a results page must carry; a report without it is refused. Figures stay with the run
(they are run outputs, not documentation): their lines become a note naming where they are. Add the page to
mkdocs.yml's Results section."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

STAMP = (r"^Command: `.+`", r"^Machine: .*torch \S+", r"^Written \S+")


def results_page(report_dir: Path) -> str:
    report = report_dir / "report.md"
    if not report.is_file():
        raise SystemExit(f"{report_dir} holds no report.md; pass the --out of ganlip compare or ganlip bench w1.")
    text = report.read_text()
    missing = [pattern for pattern in STAMP if not re.search(pattern, text, re.MULTILINE)]
    if missing:
        raise SystemExit(f"{report} lacks its stamp ({', '.join(missing)}); write it again with this ganlip.")
    figures = re.compile(r"^!\[([^\]]*)\]\(([^)]+)\)$", re.MULTILINE)
    return figures.sub(lambda m: f"*Figure: {m.group(1)}, `{report_dir / m.group(2)}` of that run.*", text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("report_dir", type=Path, help="the --out of ganlip compare or ganlip bench w1")
    parser.add_argument("page", type=Path, help="the results page to write, e.g. docs/results/compare-2026-12.md")
    arguments = parser.parse_args()
    arguments.page.write_text(results_page(arguments.report_dir))
    print(f"wrote {arguments.page}; add it under Results in mkdocs.yml")


if __name__ == "__main__":
    main()
