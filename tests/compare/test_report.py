import re

import pytest
import torch
import yaml
from PIL import Image

from ganlip.compare.results import RunHistory, seed_mean
from ganlip.compare.suite import PlannedRun
from ganlip.compare.surface import critic_field
from ganlip.config import Config


def test_report_has_a_row_per_strategy_with_an_interval_over_seeds(toy_comparison):
    out, _, _ = toy_comparison
    text = (out / "report.md").read_text()
    rows = {line.split("|")[1].strip(): line for line in text.splitlines() if re.match(r"\| (clip|sn) \|", line)}
    assert set(rows) == {"clip", "sn"}
    for row in rows.values():
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[1] == "2"  # seeds
        assert all(re.fullmatch(r"\S+ \[\S+, \S+\]", cell) for cell in cells[2:8])  # mean [95% interval]
    assert "| strategy | seeds | final SWD | best SWD | final W1 to data | best W1 to data | tightness |" in text
    assert "Command: `ganlip compare --config" in text


def test_report_figures_exist_and_the_html_links_them(toy_comparison):
    out, _, _ = toy_comparison
    html = (out / "report.html").read_text()
    sources = re.findall(r'<img src="([^"]+)"', html)
    assert {s.rsplit("_", 1)[1] for s in sources} == {"quality.png", "spectra.png", "critics.png", "samples.png"}
    for source in sources:
        with Image.open(out / source) as picture:  # a real PNG with something drawn on it
            assert picture.format == "PNG" and min(picture.size) > 200 and len(picture.getcolors(1 << 20)) > 10
    assert sources == re.findall(r"!\[[^\]]*\]\(([^)]+)\)", (out / "report.md").read_text())


def test_the_report_states_a_verdict_for_each_claim(toy_comparison):
    text = (toy_comparison[0] / "report.md").read_text()
    verdicts = re.findall(r"^- \*\*(confirmed|refuted|inconclusive|not measured)\*\*: (.*)$", text, re.MULTILINE)
    assert len(verdicts) == 3
    assert verdicts[0][0] == "not measured" and "did not train gp" in verdicts[0][1]  # toy compares clip, sn


def test_critic_field_gradients_integrate_to_its_values(toy_comparison):
    """Along every grid line, the trapezoid integral of ∂D/∂x (or ∂D/∂y) equals D's change end to end."""
    field = critic_field(toy_comparison[0] / "toy" / "sn" / "seed0", n=401)
    value, gradient = field.value.double(), field.gradient.double()
    along_x = torch.trapezoid(gradient[..., 0], field.x.double(), dim=1)
    along_y = torch.trapezoid(gradient[..., 1], field.y.double(), dim=0)
    scale = value.max() - value.min()
    torch.testing.assert_close(along_x, value[:, -1] - value[:, 0], rtol=0, atol=1e-2 * scale)
    torch.testing.assert_close(along_y, value[-1, :] - value[0, :], rtol=0, atol=1e-2 * scale)
    assert field.real.shape[1] == field.fake.shape[1] == 2 and len(field.fake) == 64


def _history(lines):
    return RunHistory(PlannedRun("p", "sn", 0, Config(out="unused")), lines)


def test_training_seconds_accumulate_the_logged_time_per_step():
    history = _history(
        [
            {"step": 2, "time/sec_per_step": 0.5, "swd": 3.0},
            {"step": 4, "time/sec_per_step": 1.5},
            {"step": 10, "time/sec_per_step": 0.25, "swd": 1.0},
        ]
    )
    steps, seconds, values = history.series("swd")
    assert steps == [2, 10] and values == [3.0, 1.0]
    assert seconds == pytest.approx([2 * 0.5, 2 * 0.5 + 2 * 1.5 + 6 * 0.25])
    assert history.final("swd") == 1.0 and history.best("swd") == 1.0


def test_seed_mean_uses_the_steps_every_seed_logged():
    a = _history([{"step": 2, "swd": 1.0}, {"step": 4, "swd": 3.0}])
    b = _history([{"step": 2, "swd": 2.0}])
    steps, _, mean, low, high = seed_mean([a, b], "swd")
    assert steps.tolist() == [2] and mean.tolist() == [1.5] and low.tolist() == [1.0] and high.tolist() == [2.0]


def test_a_rows_numbers_are_seed_means_with_their_bootstrap_interval():
    from ganlip.compare.results import StrategyRow

    row = StrategyRow("sn", [], {"swd": [1.0, 2.0, 4.0, None], "peak_mb": [None]})
    figure = row.intervals["swd"]
    assert figure.mean == pytest.approx(7 / 3) and figure.n == 3
    assert 1.0 <= figure.low < 7 / 3 < figure.high <= 4.0
    assert str(figure) == f"2.33 [{figure.low:.3g}, {figure.high:.3g}]"
    assert row.intervals["peak_mb"] is None


def test_quality_figure_plots_the_seed_means_against_steps_and_seconds(tmp_path, monkeypatch):
    """The figure's lines hold the numbers: each strategy's seed mean, against steps and against seconds."""
    from ganlip.compare import figures
    from ganlip.compare.results import StrategyRow

    drawn = []
    monkeypatch.setattr(figures, "save_figure", lambda figure, path: drawn.append(figure) or path)
    a = _history([{"step": 2, "time/sec_per_step": 1.0, "swd": 1.0}, {"step": 4, "time/sec_per_step": 1.0, "swd": 3.0}])
    b = _history([{"step": 2, "time/sec_per_step": 3.0, "swd": 2.0}, {"step": 4, "time/sec_per_step": 1.0, "swd": 5.0}])
    figures.quality_curves([StrategyRow("sn", [a, b])], ("swd",), tmp_path / "q.png")
    by_steps, by_seconds = drawn[0].axes[:2]
    (line,) = by_steps.get_lines()
    assert line.get_xdata().tolist() == [2, 4] and line.get_ydata().tolist() == [1.5, 4.0]
    assert by_seconds.get_lines()[0].get_xdata().tolist() == pytest.approx([4.0, 6.0])  # mean of 2+2 and 6+2 s


@pytest.mark.slow
def test_an_image_part_reports_feature_scores_and_no_critic_surfaces(tmp_path):
    from ganlip.compare import compare

    config = tmp_path / "digits.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "compare": {"name": "digits", "constraints": ["clip", "sn"], "seeds": 1, "steps": 2},
                "data": "digits",
                "width": 4,
                "latent_dim": 8,
                "n_critic": 1,
                "critic_schedule": "constant",  # not clip's 100 critic steps for its first 25 generator steps
                "batch_size": 16,
                "log_every": 1,
                "sample_every": 2,
                "checkpoint_every": 2,
                "score_every": 2,
                "score_samples": 30,
                "features": "digits-cnn",
                "device": "cpu",
            }
        )
    )
    compare(tmp_path / "out", config, quiet=True, say=lambda line: None)
    text = (tmp_path / "out" / "report.md").read_text()
    header = next(line for line in text.splitlines() if line.startswith("| strategy |"))
    assert "FD (digits-cnn, 30)" in header and "SWD" not in header  # the scores name their sample count
    rows = [line for line in text.splitlines() if re.match(r"\| (clip|sn) \|", line)]
    final_fd = [float(row.strip("|").split("|")[2]) for row in rows]  # strategy, seeds, final FD
    assert len(final_fd) == 2 and all(value > 0 for value in final_fd)
    figures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert sorted(f.rsplit("_", 1)[1] for f in figures) == ["quality.png", "samples.png", "spectra.png"]  # no critics


def test_a_part_with_no_finished_run_is_reported_without_figures(tmp_path):
    from ganlip.compare.report import write_report
    from ganlip.compare.suite import load_suite, plan
    from tests.compare.conftest import write_comparison

    parts = load_suite(write_comparison(tmp_path / "toy.yaml"))
    (tmp_path / "out").mkdir()
    markdown, html = write_report(parts, plan(parts, tmp_path / "out"), tmp_path / "out", argv=["compare"])
    text = markdown.read_text()
    assert "## toy" in text and "![" not in text and "<img" not in html.read_text()
    assert len(re.findall(r"^- \*\*not measured\*\*", text, re.MULTILINE)) == 3
