"""Convert the published Wasserstein-1 benchmark pairs (Korotin, Kolesov & Burnaev 2022) to the safetensors file
ganlip ships, with a JSON sidecar naming the source, its commit and licence, and the paper's published metrics.

Run once, on a clone of github.com/justkolesov/Wasserstein1Benchmark (fetched by hand):

    python scripts/convert_w1_benchmark.py /path/to/Wasserstein1Benchmark

It reads `benchmarks/nd/dim_D/width_N/deg_8_seed_987.pt` (the funnels' `net.centers` and `net.bias`, loaded with
`weights_only=True`) and `metrics/metrics_nd/dim_D/width_N/metrics_deg_8_seed_2.csv` (cos, l2 and cost per
method; the `true` row is the optimal plan's cost on 4,096 samples), and writes
`ganlip/bench/published/w1_funnels_nd.safetensors` and `w1_funnels_nd.json`.
"""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import torch
from safetensors.torch import save_file

OUT = Path(__file__).resolve().parents[1] / "ganlip" / "bench" / "published"
SOURCE = "https://github.com/justkolesov/Wasserstein1Benchmark"


def main(repo: Path) -> None:
    tensors, files, metrics = {}, [], []
    for path in sorted((repo / "benchmarks" / "nd").glob("dim_*/width_*/deg_8_seed_987.pt")):
        dim, funnels = int(path.parts[-3][4:]), int(path.parts[-2][6:])
        state = torch.load(path, map_location="cpu", weights_only=True)
        tensors[f"dim_{dim}/width_{funnels}/centres"] = state["net.centers"].float().contiguous()
        tensors[f"dim_{dim}/width_{funnels}/biases"] = state["net.bias"].float().contiguous()
        files.append({"path": str(path.relative_to(repo)), "sha256": hashlib.sha256(path.read_bytes()).hexdigest()})
        table = repo / "metrics" / "metrics_nd" / f"dim_{dim}" / f"width_{funnels}" / "metrics_deg_8_seed_2.csv"
        with open(table) as rows:
            for row in csv.DictReader(rows):
                method = row.get("") or row[next(iter(row))]
                metrics.append(
                    {
                        "dim": dim,
                        "funnels": funnels,
                        "method": method,
                        "cos": float(row["cos"]),
                        "l2": float(row["l2"]),
                        "cost": float(row["cost"]),
                    }
                )
    OUT.mkdir(parents=True, exist_ok=True)
    save_file(tensors, OUT / "w1_funnels_nd.safetensors")
    commit = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    true_w1 = [
        {"dim": row["dim"], "funnels": row["funnels"], "true_w1": row["cost"]}
        for row in metrics
        if row["method"] == "true"
    ]
    sidecar = {
        "source": SOURCE,
        "commit": commit.strip() or "unknown",
        "licence": "MIT (Copyright (c) 2022 Alexander Korotin, Alexander Kolesov, Evgeny Burnaev; LICENSE.md)",
        "paper": "Korotin, Kolesov & Burnaev, Kantorovich Strikes Back! Wasserstein GANs are not Optimal Transport?, "
        "NeurIPS 2022 Datasets and Benchmarks",
        "made_by": "scripts/convert_w1_benchmark.py",
        "keys": "dim_D/width_N/centres (N, D) and dim_D/width_N/biases (N,), float32",
        "files": files,
        "published_metrics_note": "metrics/metrics_nd/dim_D/width_N/metrics_deg_8_seed_2.csv: one critic seed (2), "
        "4,096 samples each; `true` is the optimal plan's cost",
        "true_w1": true_w1,
        "published_metrics": metrics,
    }
    (OUT / "w1_funnels_nd.json").write_text(json.dumps(sidecar, indent=1) + "\n")
    print(f"wrote {len(files)} pairs to {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
