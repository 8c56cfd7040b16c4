import json

import pytest

from ganlip.compare import compare
from ganlip.compare.report import benchmark_cells, benchmark_html, benchmark_markdown
from ganlip.errors import GanlipError


def result(strategy, cosine, estimate, truth=2.0):
    return {"strategy": strategy, "cosine": cosine, "w1_estimate": estimate, "true_w1": truth}


def test_the_comparison_report_shows_the_benchmarks_rows_of_its_own_strategies(tmp_path):
    bench = tmp_path / "bench"
    bench.mkdir()
    results = [result("gp_weight=0.1", 0.8, 1.0), result("gp_weight=0.1", 0.6, 3.0), result("sn", 0.2, 0.5)]
    (bench / "results.json").write_text(json.dumps([*results, result("clip", 0.1, 0.1)]))
    rows = benchmark_cells(bench, ["gp:weight=0.1", "sn", "lp"])  # lp was not benchmarked: no row
    assert [row[:2] for row in rows] == [["gp:weight=0.1", "2"], ["sn", "1"]]
    assert rows[0][2].startswith("0.7 [") and rows[0][3].startswith("1 [")  # cosine 0.7; estimate / truth 1
    assert rows[1][2:] == ["0.2", "0.25"]
    out = tmp_path / "cmp"
    text = "\n".join(benchmark_markdown(bench, ["sn"], out))
    assert "[report](../bench/report.html)" in text and "| sn | 1 | 0.2 | 0.25 |" in text
    assert 'href="../bench/report.html"' in benchmark_html(bench, ["sn"], out)
    assert benchmark_markdown(None, ["sn"], out) == [] and benchmark_html(None, ["sn"], out) == ""


def test_a_benchmark_directory_without_results_is_refused_before_training(tmp_path):
    with pytest.raises(GanlipError, match=r"holds no results\.json"):
        compare(tmp_path / "cmp", data="8gaussians", constraints="sn", seeds=1, steps=1, bench=tmp_path / "none")
    assert not (tmp_path / "cmp").exists()
