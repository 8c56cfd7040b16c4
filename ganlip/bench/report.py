"""`results.json`, `report.md` and `report.html` of a benchmark run: the table (mean and 95% interval over seeds,
the paper's published figures beside), the claims with their rule, and the figures."""

from __future__ import annotations

import html
import json
import shlex
import sys
from pathlib import Path

from ganlip.atomic import write_text
from ganlip.bench import figures
from ganlip.bench.plan import BenchRun
from ganlip.bench.results import FIELDS, Row, Verdict, collect, judge, paper_figures
from ganlip.compare.report import figures_html, machine, now, page

FIGURES = "figures"
HEAD = [
    "strategy",
    "dim",
    "funnels",
    "seeds",
    "iterations",
    "true W1",
    "W1 estimate",
    "paper's W1 estimate",
    "cosine",
    "paper's cosine",
    "L2",
    "s / iteration",
    "peak MB",
]
NOTES = (
    "Critic-only runs on the Wasserstein-1 benchmark of Korotin, Kolesov & Burnaev (NeurIPS 2022): pairs whose "
    "optimal potential f is a minimum of funnels, so that W1 and the optimal transport gradient at every input "
    "sample are known. The paper's protocol: MLP critic [D, max(2D, 128), max(2D, 128), 1] (ReLU; GroupSort for "
    "bjorck), batch 1,024, Adam 2e-4 with betas (0, 0.9), the critic maximizing E_P[D] − E_Q[D] with the strategy "
    "applied as ganlip train applies it. Metrics on 4,096 fresh samples: the W1 estimate E_P[D] − E_Q[D] against the "
    "true W1 (the optimal plan's cost on 65,536 samples), the mean cosine and mean squared L2 gap between ∇D and "
    "the optimal −∇f at the input samples. Each figure is the mean over seeds with its 95% bootstrap interval in "
    "brackets. The paper's figures: its one critic seed, on its published pair of the same size."
)


def cells(row: Row) -> list[str]:
    paper = paper_figures(row.strategy, row.dim, row.funnels)
    iterations = sorted({r["iterations"] for r in row.results})
    return [
        row.strategy,
        str(row.dim),
        str(row.funnels),
        str(len(row.results)),
        "–".join(map(str, (iterations[0], iterations[-1]))) if len(iterations) > 1 else str(iterations[0]),
        f"{row.true_w1:.4g}",
        str(row.interval("w1_estimate")),
        f"{paper['cost']:.3g}" if paper else "–",
        str(row.interval("cosine")),
        f"{paper['cos']:.3g}" if paper else "–",
        str(row.interval("l2")),
        str(row.interval("sec_per_iteration")),
        str(row.interval("peak_mb")) if row.results[0].get("peak_mb") is not None else "–",
    ]


def draw(rows: list[Row], out: Path) -> list[tuple[str, Path]]:
    if not rows:
        return []
    drawn = [
        (
            "Cosine to the optimal transport gradient against critic iterations (held-out batch, mean over seeds)",
            figures.cosine_curves(rows, out / FIGURES / "cosine.png"),
        ),
        (
            "W1 estimate over the true W1 against the dimension (1 is exact)",
            figures.estimates_against_truth(rows, out / FIGURES / "estimates.png"),
        ),
    ]
    flat = figures.surfaces(rows, out / FIGURES / "surfaces.png")
    if flat is not None:
        drawn.append(("D = 2: the true potential −f beside each critic (first seed), shifted to mean zero", flat))
    return [(caption, path.relative_to(out)) for caption, path in drawn]


def markdown(rows: list[Row], verdicts: list[Verdict], drawn, command: str, pending: int) -> str:
    lines = ["# ganlip Wasserstein-1 benchmark", "", f"Command: `{command}`  ", f"Machine: {machine()}  "]
    lines += [f"Written {now()}", "", NOTES, ""]
    if pending:
        lines += [f"{pending} run(s) of the grid are not complete and are left out.", ""]
    lines += ["| " + " | ".join(HEAD) + " |", "|" + " --- |" * len(HEAD)]
    lines += ["| " + " | ".join(cells(row)) + " |" for row in rows]
    lines += ["", "Claims, each judged by its rule:", ""]
    lines += [f"- **{v.verdict}**: {v.claim} ({v.evidence}). Rule: {v.rule}." for v in verdicts]
    lines.append("")
    for caption, path in drawn:
        lines += [f"![{caption}]({path.as_posix()})", ""]
    return "\n".join(lines)


def html_page(rows: list[Row], verdicts: list[Verdict], drawn, command: str, pending: int) -> str:
    escape = html.escape
    header = "".join(f"<th>{escape(h)}</th>" for h in HEAD)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells(row)) + "</tr>" for row in rows)
    claims = "".join(
        f'<li><span class="{escape(v.verdict.replace(" ", "-"))}">{escape(v.verdict)}</span>: {escape(v.claim)} '
        f"<small>({escape(v.evidence)}). Rule: {escape(v.rule)}.</small></li>"
        for v in verdicts
    )
    pictures = figures_html(drawn)
    left = f"<p>{pending} run(s) of the grid are not complete and are left out.</p>" if pending else ""
    section = (
        f'<section>{left}<div class="wide"><table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table></div>'
        f"<p>Claims, each judged by its rule:</p><ul>{claims}</ul>{pictures}</section>"
    )
    return page("ganlip Wasserstein-1 benchmark", command, NOTES, section)


def write_report(runs: list[BenchRun], out: Path, argv: list[str] | None = None) -> list[Path]:
    """Write `out/results.json`, `out/report.md` and `out/report.html` (figures in `out/figures/`)."""
    command = shlex.join(["ganlip", *(sys.argv[1:] if argv is None else argv)])
    results, rows = collect(runs)
    verdicts = judge(rows)
    drawn = draw(rows, out)
    pending = sum(not run.complete for run in runs)
    shown = [{key: result.get(key) for key in FIELDS} | {"curve": result["curve"]} for result in results]
    written = [out / "results.json", out / "report.md", out / "report.html"]
    write_text(written[0], json.dumps(shown, indent=1) + "\n")
    write_text(written[1], markdown(rows, verdicts, drawn, command, pending))
    write_text(written[2], html_page(rows, verdicts, drawn, command, pending))
    return written
