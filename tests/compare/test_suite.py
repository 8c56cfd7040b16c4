from pathlib import Path

import pytest
import yaml

from ganlip.compare.suite import load_suite, override, plan
from ganlip.config import Config
from ganlip.constraints import build
from ganlip.errors import GanlipError
from ganlip.resolution import resolve


def test_the_built_in_suite_is_the_toys_and_fashion_mnist_with_the_core_strategies():
    parts = load_suite(None)
    names = ["8gaussians", "25gaussians", "fashion32", "25gaussians-conditional", "fashion32-conditional"]
    assert [p.name for p in parts] == names
    for part in parts:
        assert {"clip", "gp", "lp", "sn", "fn"} <= set(part.constraints)
    assert {"gn", "dragan", "aol", "bjorck", "maxgp", "qp", "bssn", "cayley", "sll", "cpl", "ctransform"} <= set(
        parts[0].constraints
    )  # later
    runs = plan(parts, Path("out"))
    # three seeds on each toy, two on Fashion-MNIST; three on each conditional part, with r1 and gp:pairs=any
    assert len(runs) == 18 * 3 + 5 * 3 + 10 * 2 + 2 * 7 * 3
    conditional = {p.name: p for p in parts if p.config.get("conditional")}
    for name, part in conditional.items():
        plain = next(p for p in parts if p.name == name.removesuffix("-conditional"))
        assert {k: v for k, v in part.config.items() if k != "conditional"} == plain.config  # the same budget
        assert {"r1", "gp:pairs=any"} <= set(part.constraints) and part.seeds == 3
    assert runs[0].run_dir == Path("out/8gaussians/clip/seed0")
    fashion = [r.config for r in runs if r.part == "fashion32"]
    assert all(c.data == "fashion-mnist" and c.resolution == 32 and c.steps >= 1500 for c in fashion)
    # scored by the shipped classifier at least 6 times per run
    assert all(c.features == "fashion-cnn" and c.steps // c.score_every >= 6 for c in fashion)


def test_the_suites_toys_train_by_gan_toys_recipe():
    """WGAN-GP's gan_toy.py: batch 256 (line 26), 5 critic steps (line 25), width 512 (line 20), 2-D noise
    (line 46); gp at LAMBDA = .1 (line 23) with Adam 1e-4 betas (0.5, 0.9) (lines 90-92); clip with RMSprop
    5e-5 and c = 0.01 (lines 110, 126). Every departure is stated for the report."""
    toys = [r for r in plan(load_suite(None), Path("out")) if r.part in ("8gaussians", "25gaussians")]
    for run in toys:
        config = resolve(run.config)
        recipe = build(run.constraint).recipe_for("points")
        critic_steps = (recipe.n_critic if recipe else None) or 5  # qp's and bssn's sources train 2 and 1
        assert (config.batch_size, config.n_critic, config.width, config.latent_dim) == (256, critic_steps, 512, 2)
        if run.constraint == "gp":
            assert (config.constraint, config.optimizer, config.lr, config.betas) == (
                "gp:weight=0.1",
                "adam",
                1e-4,
                [0.5, 0.9],
            )
        if run.constraint == "clip":
            assert (build(config.constraint).c, config.optimizer, config.lr) == (0.01, "rmsprop", 5e-5)
    notes = " ".join(load_suite(None)[0].notes)
    assert "lp has no toy recipe" in notes and "sn, fn" in notes and "qp: two critic steps" in notes


def test_the_papers_image_recipes():
    """gp on images: gan_cifar.py's weight 10 and Adam 1e-4 betas (0.5, 0.9); sn: SNGAN's Adam 2e-4 (0, 0.9)."""
    gp = resolve(Config(data="fashion-mnist", constraint="gp"))
    assert (gp.constraint, gp.lr, gp.betas) == ("gp", 1e-4, [0.5, 0.9]) and build(gp.constraint).weight == 10
    sn = resolve(Config(data="fashion-mnist", constraint="sn"))
    assert (sn.optimizer, sn.lr, sn.betas) == ("adam", 2e-4, [0.0, 0.9])
    explicit = resolve(Config(data="8gaussians", constraint="gp:weight=3", betas=[0.0, 0.99]))
    assert (explicit.constraint, explicit.betas) == ("gp:weight=3", [0.0, 0.99])  # what the user set stays


def test_a_suite_file_with_parts(tmp_path):
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        yaml.safe_dump(
            {
                "parts": [
                    {"compare": {"name": "a", "constraints": "sn,gp", "seeds": 2}, "data": "8gaussians"},
                    {"compare": {"name": "b", "constraints": ["clip"]}, "data": "swissroll", "steps": 7},
                ]
            }
        )
    )
    parts = override(load_suite(suite), seeds=3, changes={"device": "cpu"})
    assert [(p.name, p.constraints, p.seeds) for p in parts] == [("a", ("sn", "gp"), 3), ("b", ("clip",), 3)]
    runs = plan(parts, tmp_path)
    assert [r.config.steps for r in runs if r.part == "b"] == [7, 7, 7]
    assert all(r.config.device == "cpu" for r in runs)
    # seed-major order: every strategy's first seed before any second seed
    assert [(r.constraint, r.seed) for r in runs if r.part == "a"][:2] == [("sn", 0), ("gp", 0)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"parts": []}, "a suite holds only `parts:`"),
        ({"parts": [{"data": "8gaussians"}], "steps": 3}, "a suite holds only `parts:`"),
        ({"compare": {"seed": 2}, "data": "8gaussians"}, r"unknown compare key\(s\) seed"),
        ({"compare": {"name": "x"}, "data": "8gaussians", "stepz": 3}, "unknown config key 'stepz'"),
        ({"parts": [{"compare": {"name": "x"}}, {"compare": {"name": "x"}}]}, "part names must differ"),
    ],
)
def test_bad_comparison_files_say_what_is_wrong(tmp_path, content, message):
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(content))
    with pytest.raises(GanlipError, match=message):
        override(load_suite(path))
