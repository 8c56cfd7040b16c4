"""Gather what scripts/gpu_check.sh measured into OUT/gpu_check.json and OUT/summary.txt."""

from __future__ import annotations

import argparse
import json
import platform
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import torch

from ganlip.jsonlines import read_json, read_json_lines


def test_counts(junit: Path) -> dict[str, int]:
    suite = ElementTree.parse(junit).getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    counts = {key: int(suite.get(key, 0)) for key in ("tests", "failures", "errors", "skipped")}
    counts["passed"] = counts["tests"] - counts["failures"] - counts["errors"] - counts["skipped"]
    return counts


def final_scores(comparison: Path) -> list[dict]:
    """The last logged line of every run of a comparison, with its mean seconds per generator step."""
    rows = []
    for metrics in sorted(comparison.glob("*/*/seed*/metrics.jsonl")):
        lines = read_json_lines(metrics)
        seconds = [line["time/sec_per_step"] for line in lines if "time/sec_per_step" in line]
        scored = [line for line in lines if any(key.startswith("fd/") for key in line)]
        last = scored[-1] if scored else lines[-1]
        rows.append(
            {
                "run": metrics.parent.relative_to(comparison).as_posix(),
                "step": last["step"],
                "sec_per_step": sum(seconds) / len(seconds) if seconds else None,
                **{key: value for key, value in last.items() if key.startswith(("fd/", "kid/", "precision", "recall"))},
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--device", default="cuda")
    args = parser.parse_args()
    machine = {
        "device": torch.cuda.get_device_name() if args.device == "cuda" else platform.processor() or "cpu",
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
    }
    figures = {
        "machine": machine,
        "cuda_tests": test_counts(args.out / "cuda_tests.xml"),
        "step_time": {path.stem: read_json(path) for path in sorted(args.out.glob("step_time_*.json"))},
        "fashion": final_scores(args.out / "fashion"),
    }
    (args.out / "gpu_check.json").write_text(json.dumps(figures, indent=2))
    lines = [f"{machine['device']}, torch {machine['torch']} (CUDA {machine['cuda']})"]
    tests = figures["cuda_tests"]
    failed = tests["failures"] + tests["errors"]
    lines.append(f"cuda tests: {tests['passed']} passed, {failed} failed, {tests['skipped']} skipped")
    for name, rows in figures["step_time"].items():
        shown = ", ".join(f"{row['strategy']} {row['seconds']:.3f} s ({row['ratio']:.2f}x)" for row in rows)
        lines.append(f"{name}: {shown}")
    for row in figures["fashion"]:
        scores = ", ".join(
            f"{key} {value:.4g}" for key, value in row.items() if key not in ("run", "step", "sec_per_step")
        )
        seconds = f"{row['sec_per_step']:.3f} s/step" if row["sec_per_step"] else ""
        lines.append(f"{row['run']} at step {row['step']}: {scores} {seconds}")
    (args.out / "summary.txt").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"wrote {args.out / 'gpu_check.json'} and {args.out / 'summary.txt'}")


if __name__ == "__main__":
    main()
