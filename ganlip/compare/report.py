"""report.md and report.html of a comparison: per part, the table, the claims' verdicts and the figures."""

from __future__ import annotations

import html
import os
import platform
import shlex
import sys
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import torch

from ganlip.atomic import write_text
from ganlip.compare import figures
from ganlip.compare.claims import GP_CONDITIONAL, Verdict, gp_conditional, judge
from ganlip.compare.results import (
    StrategyRow,
    beside_metrics,
    features_of,
    label,
    quality_keys,
    read_history,
    reported,
    strategy_rows,
)
from ganlip.compare.suite import Part, PlannedRun
from ganlip.compare.surface import critic_field
from ganlip.config import path_safe
from ganlip.data import data_spec
from ganlip.metrics.protocol import SCORE_PROTOCOL, ScoreProtocol
from ganlip.resolution import WGAN_TRAINING, recipe_comments, resolve

FIGURES = "figures"


@dataclass
class PartReport:
    part: Part
    settings: str
    quality: tuple[str, ...]
    rows: list[StrategyRow]
    verdicts: list[Verdict]
    figures: list[tuple[str, Path]] = field(default_factory=list)  # (caption, path relative to the report)
    score_samples: int | None = None  # generated samples each score is computed on (None: no scores)
    protocol: str | None = None  # how the part's scores are computed, where its runs agree
    protocol_warning: str | None = None  # where they do not: the difference, named once


def columns(quality: tuple[str, ...], rows: list[StrategyRow]) -> list[str]:
    shown = [f"{which}_{key}" for key in quality for which in ("final", "best")]
    measured = [
        key for key in beside_metrics() if any(v is not None for row in rows for v in row.per_seed.get(key, ()))
    ]
    return [
        *shown,
        *(measured if features_of(quality) else ()),
        "tightness",
        "scale_free_tightness",
        "wasserstein_eval",
        "sec_per_step",
        "peak_mb",
        "sigma_mean",
        "sigma_max",
        "lipschitz_lower",
        "lipschitz_upper",
    ]


def heading(column: str, samples: int | None = None) -> str:
    for which in ("final", "best"):
        if column.startswith(f"{which}_"):
            return f"{which} {label(column.removeprefix(which + '_'), samples)}"
    return label(column, samples)


def describe_settings(runs: list[PlannedRun], seeds: int) -> str:
    config = resolve(runs[0].config)
    shape = f"{config.arch} at {config.resolution} px" if config.resolution else f"{config.arch}"
    own = []  # where a strategy's recipe trains otherwise than WGAN's loss and constant critic steps
    for constraint, resolved in {run.constraint: resolve(run.config) for run in runs}.items():
        changed = [f"{key}={getattr(resolved, key)}" for key in WGAN_TRAINING if key in recipe_comments(resolved)]
        own += [f"{constraint} {', '.join(changed)}"] if changed else []
    return (
        f"data {config.data}, {shape}, {config.steps} generator steps with {config.n_critic} critic steps, "
        f"batch {config.batch_size}, {seeds} seed(s); optimizer settings from each strategy's paper unless set"
        + (f"; by their recipes: {'; '.join(own)}" if own else "")
    )


def build_part(part: Part, runs: list[PlannedRun], out: Path) -> PartReport:
    own = [run for run in runs if run.part == part.name]
    histories = [read_history(run) for run in own]
    quality = quality_keys(histories)
    rows = strategy_rows(histories, quality)
    config = resolve(own[0].config)
    samples = config.score_samples if config.score_every else None
    report = PartReport(
        part, describe_settings(own, part.seeds), quality, rows, judge(rows, quality), score_samples=samples
    )
    report.protocol, report.protocol_warning = score_protocols(own)
    stem = out / FIGURES / path_safe(part.name)
    trained = [row for row in rows if row.histories]
    if not trained:
        return report
    curves = figures.quality_curves(trained, quality, stem.with_name(f"{stem.name}_quality.png"), samples)
    report.figures.append(("Quality against steps and training time", curves))
    spectral = figures.spectral_curves(trained, stem.with_name(f"{stem.name}_spectra.png"))
    if spectral:
        report.figures.append(("Per-layer spectral norms over training (first seed)", spectral))
    first_runs = {row.constraint: row.histories[0].run for row in trained}
    if data_spec(part.config.get("data", "digits")).kind == "points":
        fields = {name: critic_field(run.run_dir) for name, run in first_runs.items()}
        path = figures.critic_surfaces(fields, stem.with_name(f"{stem.name}_critics.png"))
        report.figures.append(("Critic value surfaces and gradient fields beside the samples (first seed)", path))
    pictures = {name: last_picture(run.run_dir) for name, run in first_runs.items()}
    pictures = {name: picture for name, picture in pictures.items() if picture is not None}
    if pictures:
        path = figures.sample_grids(pictures, stem.with_name(f"{stem.name}_samples.png"))
        report.figures.append(("Last samples of every strategy (first seed)", path))
    report.figures = [(caption, path.relative_to(out)) for caption, path in report.figures]
    return report


def with_counterparts(reports: list[PartReport]) -> list[PartReport]:
    """Each conditional part judged against the unconditional part with the same settings otherwise (data, model,
    budget), where the suite has one: the claim that the gradient penalty degrades in conditional generation
    compares the two."""
    for report in reports:
        if not report.part.config.get("conditional"):
            continue
        same = {key: value for key, value in report.part.config.items() if key != "conditional"}
        plain = next((r for r in reports if r.part.config == same), None)
        if plain is None:
            missing = "no unconditional part with the same data, model and budget"
            report.verdicts.append(Verdict(GP_CONDITIONAL, "not measured", missing))
        else:
            report.verdicts.append(gp_conditional(report.rows, plain.rows, report.quality[0]))
    return reports


def last_picture(run_dir: Path) -> Path | None:
    pictures = sorted((run_dir / "samples").glob("step_*.png"))
    return pictures[-1] if pictures else None


def machine() -> str:
    device = torch.cuda.get_device_name() if torch.cuda.is_available() else "no GPU"
    return (
        f"{platform.machine()}, {torch.get_num_threads()} CPU threads, {device}; Python {platform.python_version()}, "
        f"torch {torch.__version__}"
    )


def table_cells(report: PartReport) -> tuple[list[str], list[list[str]]]:
    shown = columns(report.quality, report.rows)
    head = ["strategy", "seeds", *(heading(c, report.score_samples) for c in shown)]
    body = []
    for row in report.rows:
        cells = [str(row.intervals.get(c)) if row.intervals.get(c) is not None else "–" for c in shown]
        body.append([row.constraint, str(row.seeds), *cells])
    return head, body


def reported_lines(report: PartReport) -> list[str]:
    """One line per strategy that reported numbers of its own: each final value, mean [95% interval]."""
    lines = []
    for row in report.rows:
        own = reported(row)
        if own:
            lines.append(f"{row.constraint}: " + "; ".join(f"{name} {interval}" for name, interval in own.items()))
    return lines


BENCHMARK_HEAD = ["strategy", "runs", "cosine to the OT gradient", "W1 estimate / true W1"]


def benchmark_cells(bench: Path, strategies: list[str]) -> list[list[str]]:
    """For a `ganlip bench w1` directory: each of `strategies` it ran, its cosine and its W1 estimate over the
    truth, pooled over the benchmark's pairs and seeds (mean and 95% interval)."""
    from ganlip.intervals import mean_interval
    from ganlip.jsonlines import read_json

    results = read_json(bench / "results.json")
    rows = []
    for name in strategies:
        own = [r for r in results if r.get("strategy") == path_safe(name)]
        if own:
            cosine = mean_interval([r["cosine"] for r in own])
            ratio = mean_interval([r["w1_estimate"] / r["true_w1"] for r in own])
            rows.append([name, str(len(own)), str(cosine), str(ratio)])
    return rows


def benchmark_link(bench: Path, out: Path) -> str:
    return os.path.relpath(bench / "report.html", out)


def benchmark_markdown(bench: Path | None, strategies: list[str], out: Path) -> list[str]:
    if bench is None:
        return []
    lines = [
        "## Ground truth: the Wasserstein-1 benchmark",
        "",
        f"The same strategies' critics trained alone on pairs with a known optimal potential ([report]"
        f"({benchmark_link(bench, out)})), pooled over its pairs and seeds:",
        "",
        "| " + " | ".join(BENCHMARK_HEAD) + " |",
        "|" + " --- |" * len(BENCHMARK_HEAD),
    ]
    return [*lines, *("| " + " | ".join(cells) + " |" for cells in benchmark_cells(bench, strategies)), ""]


def benchmark_html(bench: Path | None, strategies: list[str], out: Path) -> str:
    if bench is None:
        return ""
    escape = html.escape
    header = "".join(f"<th>{escape(h)}</th>" for h in BENCHMARK_HEAD)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>"
        for cells in benchmark_cells(bench, strategies)
    )
    return (
        f"<section><h2>Ground truth: the Wasserstein-1 benchmark</h2><p>The same strategies' critics trained alone on "
        f'pairs with a known optimal potential (<a href="{escape(benchmark_link(bench, out))}">report</a>), pooled '
        f"over its pairs and seeds:</p><table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table></section>"
    )


def score_protocols(runs: list[PlannedRun]) -> tuple[str | None, str | None]:
    """The part's score protocol (each run's `score_protocol.json`) where every run agrees, else a warning that
    names the first difference and the runs on each side."""
    found = {
        run.run_dir: ScoreProtocol.from_json((run.run_dir / SCORE_PROTOCOL).read_text())
        for run in runs
        if (run.run_dir / SCORE_PROTOCOL).is_file()
    }
    if not found:
        return None, None
    (first_dir, first), *rest = found.items()
    for run_dir, other in rest:
        if differences := first.differences(other):
            return None, (
                f"the runs' scores were computed differently ({'; '.join(differences)}: {first_dir} vs {run_dir}); "
                "they are not comparable."
            )
    return first.describe(), None


def markdown(reports: list[PartReport], command: str) -> str:
    lines = ["# ganlip comparison", "", f"Command: `{command}`  ", f"Machine: {machine()}  ", f"Written {now()}", ""]
    lines += [NOTES, ""]
    for report in reports:
        head, body = table_cells(report)
        lines += [f"## {report.part.name}", "", report.settings, ""]
        if report.protocol:
            lines += [f"Scores' protocol: {report.protocol}.", ""]
        if report.protocol_warning:
            lines += [f"**Warning**: {report.protocol_warning}", ""]
        lines += ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
        lines += ["| " + " | ".join(cells) + " |" for cells in body]
        if own := reported_lines(report):
            lines += ["", "What the strategies reported of themselves (final values):", "", *(f"- {x}" for x in own)]
        if report.part.notes:
            lines += ["", "Departures from the sources:", "", *(f"- {note}" for note in report.part.notes)]
        lines += ["", f"Claims of {CLAIMS_DOCUMENT}, judged on this part:", ""]
        lines += [f"- **{v.verdict}**: {v.claim} ({v.evidence}). Rule: {v.rule}." for v in report.verdicts]
        lines.append("")
        for caption, path in report.figures:
            lines += [f"![{caption}]({path.as_posix()})", ""]
    return "\n".join(lines)


def html_page(reports: list[PartReport], command: str) -> str:
    escape = html.escape
    sections = []
    for report in reports:
        head, body = table_cells(report)
        header = "".join(f"<th>{escape(h)}</th>" for h in head)
        table = f'<div class="wide"><table><thead><tr>{header}</tr></thead><tbody>'
        table += "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>" for cells in body)
        table += "</tbody></table></div>"
        claims = "".join(
            f'<li><span class="{escape(v.verdict.replace(" ", "-"))}">{escape(v.verdict)}</span>: '
            f"{escape(v.claim)} <small>({escape(v.evidence)}). Rule: {escape(v.rule)}.</small></li>"
            for v in report.verdicts
        )
        departures = (
            "<p>Departures from the sources:</p><ul>"
            + "".join(f"<li>{escape(note)}</li>" for note in report.part.notes)
            + "</ul>"
            if report.part.notes
            else ""
        )
        own = reported_lines(report)
        strategies = (
            "<p>What the strategies reported of themselves (final values):</p><ul>"
            + "".join(f"<li>{escape(line)}</li>" for line in own)
            + "</ul>"
            if own
            else ""
        )
        pictures = figures_html(report.figures)
        sections.append(
            f"<section><h2>{escape(report.part.name)}</h2><p>{escape(report.settings)}</p>"
            + (f"<p>Scores' protocol: {escape(report.protocol)}.</p>" if report.protocol else "")
            + (f"<p><strong>Warning</strong>: {escape(report.protocol_warning)}</p>" if report.protocol_warning else "")
            + f"{table}"
            f"{strategies}{departures}<p>Claims of {CLAIMS_DOCUMENT}, judged on this part:</p><ul>{claims}</ul>"
            f"{pictures}</section>"
        )
    return page("ganlip comparison", command, NOTES, "".join(sections))


def figures_html(drawn: list[tuple[str, Path]]) -> str:
    escape = html.escape
    return "".join(
        f'<figure><img src="{escape(path.as_posix())}" alt="{escape(caption)}">'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
        for caption, path in drawn
    )


def page(title: str, command: str, notes: str, sections: str) -> str:
    """A report's HTML page: its title, the command, the machine, the notes, then `sections` (HTML)."""
    escape = html.escape
    return PAGE.format(
        title=escape(title),
        command=escape(command),
        machine=escape(machine()),
        written=now(),
        notes=escape(notes),
        sections=sections,
    )


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def write_report(
    parts: list[Part], runs: list[PlannedRun], out: Path, argv: list[str] | None = None, bench: Path | None = None
) -> list[Path]:
    """Write `out/report.md` and `out/report.html` (figures in `out/figures/`), with a section on the benchmark
    run in `bench` (`ganlip bench w1 --out BENCH`) when one is given; returns their paths."""
    command = shlex.join(["ganlip", *(sys.argv[1:] if argv is None else argv)])
    reports = with_counterparts([build_part(part, runs, out) for part in parts])
    for report in reports:
        if report.protocol_warning:  # once per part, in the report and on the console
            warnings.warn(f"{report.part.name}: {report.protocol_warning}", stacklevel=2)
    written = [out / "report.md", out / "report.html"]
    strategies = list(dict.fromkeys(run.constraint for run in runs))
    write_text(written[0], markdown(reports, command) + "\n".join(benchmark_markdown(bench, strategies, out)))
    page = html_page(reports, command).replace("<script>", benchmark_html(bench, strategies, out) + "\n<script>", 1)
    write_text(written[1], page)
    return written


# Where the claims, each strategy's maths and its source are written down for users.
CLAIMS_DOCUMENT = "docs/strategies.md"
NOTES = (
    "Each figure is the mean over seeds of the run's last measurement (final) or its best (lowest) one, with its 95% "
    "bootstrap interval over the seeds in brackets. Quality, lower is better: the Fréchet distance (FD; FID when the "
    "features are Inception's) and the kernel distance (KID) between generated and real images in a feature network's"
    " space, with the final precision and recall (k = 3) beside them; for data without a feature network, the sliced "
    "Wasserstein distance (SWD) and the exact W1 between fixed generated and real sets. Tightness: the critic's "
    "Wasserstein estimate over that W1 (1 for an optimal 1-Lipschitz critic). Tightness / Lip lower rescales the "
    "critic by its largest measured gradient norm, so a critic's scale does not count. s / step: training time of one"
    " generator step with its critic steps, measurements excluded. Peak MB: the CUDA allocator's peak, or the CPU "
    "process's peak resident size. σ: the largest singular value of each critic layer's weight matrix; Lip lower and "
    "upper: the largest gradient norm measured and the product of the layers' operator norms."
)

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; color: #222; }}
.wide {{ overflow-x: auto; }}
table {{ border-collapse: collapse; font-size: 0.8rem; margin: 1rem 0; }}
th, td {{ border: 1px solid #ccc; padding: 0.3rem 0.5rem; text-align: right; white-space: nowrap; }}
th:first-child, td:first-child {{ text-align: left; }}
thead {{ background: #f3f3f3; }}
figure {{ margin: 1.5rem 0; }}
img {{ max-width: 100%; }}
.confirmed {{ color: #17692e; font-weight: bold; }}
.refuted {{ color: #a3201b; font-weight: bold; }}
.not-measured, .inconclusive {{ color: #777; font-weight: bold; }}
#broken-images {{ background: #fde2e1; padding: 0.5rem; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p id="broken-images" hidden>Some figures did not load: keep the figures/ folder beside this report.</p>
<p>Command: <code>{command}</code><br>Machine: {machine}<br>Written {written}</p>
<p><small>{notes}</small></p>
{sections}
<script>
// Counts the figures the browser could not load, for the reader (a warning) and for tests (body attributes).
window.addEventListener("load", () => {{
  const broken = [...document.images].filter((image) => !image.complete || image.naturalWidth === 0);
  document.body.dataset.imagesLoaded = document.images.length - broken.length;
  document.body.dataset.imagesBroken = broken.length;
  document.getElementById("broken-images").hidden = broken.length === 0;
}});
</script>
</body>
</html>
"""
