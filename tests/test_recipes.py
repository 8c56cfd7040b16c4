"""The bundled recipes: found by name or path, listed with their sources, refused with the list when unknown."""

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from ganlip import config as config_module
from ganlip.cli import cli
from ganlip.errors import GanlipError
from ganlip.recipes import available_recipes, locate, recipe

FOLDER = Path(__file__).parent.parent / "ganlip" / "recipes"


def test_every_yaml_in_the_folder_is_a_recipe_by_its_name_with_or_without_the_suffix():
    names = sorted(path.stem for path in FOLDER.glob("*.yaml"))
    assert available_recipes() == names and "celeba64_sngan" in names
    assert locate("celeba64_sngan") == locate("celeba64_sngan.yaml") == FOLDER / "celeba64_sngan.yaml"


def test_a_path_wins_over_a_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("celeba64_sngan.yaml").write_text("data: 8gaussians\n")
    assert locate("celeba64_sngan.yaml") == Path("celeba64_sngan.yaml")
    assert config_module.load(locate("celeba64_sngan.yaml")).data == "8gaussians"
    assert locate("sub/missing.yaml") == Path("sub/missing.yaml")  # a path: its own error when read


def test_an_unknown_name_is_refused_with_the_closest_recipe():
    with pytest.raises(GanlipError, match="Did you mean 'toy_8gaussians_gp'"):
        locate("toy_8gaussians_gpp")


def test_each_recipe_is_a_valid_training_or_comparison_file_and_says_whose_it_is():
    for name in available_recipes():
        found = recipe(name)
        values = yaml.safe_load(found.path.read_text())
        assert found.kind == ("compare" if {"compare", "parts"} & set(values) else "train")
        assert found.summary and len(found.summary) <= 100, name
    assert recipe("cifar10_sngan").summary.startswith("SNGAN's CIFAR-10 ResNet (Miyato et al. 2018;")


def test_recipes_lists_each_with_its_kind_and_source():
    output = CliRunner().invoke(cli, ["recipes"]).output
    for name in available_recipes():
        assert f"{name:<22} {recipe(name).kind:<8} {recipe(name).summary}" in output


def test_train_reads_a_recipe_by_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no configs/ folder here
    result = CliRunner().invoke(cli, ["train", "--config", "toy_8gaussians_gp", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "constraint: gp:weight=0.1" in result.output
