from pathlib import Path

import pytest
import yaml

from ganlip.compare.suite import load_suite, override, plan
from ganlip.errors import GanlipError


def test_the_built_in_suite_is_the_toys_and_fashion_mnist_with_the_core_strategies():
    parts = load_suite(None)
    assert [p.name for p in parts] == ["8gaussians", "25gaussians", "fashion32"]
    for part in parts:
        assert {"clip", "gp", "lp", "sn", "fn"} <= set(part.constraints)
    runs = plan(parts, Path("out"))
    assert len(runs) == 7 * 2 + 5 * 2 + 5 * 1
    assert runs[0].run_dir == Path("out/8gaussians/clip/seed0")
    fashion = [r.config for r in runs if r.part == "fashion32"]
    assert all(c.data == "fashion-mnist" and c.resolution == 32 and c.steps == 400 for c in fashion)


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
