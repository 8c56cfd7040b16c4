import json

import pytest
import torch
from torch import nn

from ganlip import load_generator
from ganlip.checkpoint import load_checkpoint
from ganlip.errors import GanlipError
from ganlip.export import export_generator
from ganlip.models import build_model
from ganlip.sampling import sample_grid
from ganlip.train import train
from tests.conftest import run_program_without_ganlip, tiny_config


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    return train(tiny_config(tmp_path_factory.mktemp("export"), steps=2), quiet=True)


def checkpoint_generator(run_dir):
    checkpoint = load_checkpoint(run_dir)
    config = checkpoint["config"]
    generator, _ = build_model(
        config["arch"], tuple(checkpoint["data_shape"]), latent_dim=config["latent_dim"], width=config["width"]
    )
    generator.load_state_dict(checkpoint["generator"])
    return generator.eval()


def test_export_load_gives_identical_samples(run_dir, tmp_path):
    paths = export_generator(run_dir, tmp_path / "G.safetensors")
    assert [p.name for p in paths] == ["G.safetensors", "G.json"]
    z = torch.randn(5, 8)
    with torch.no_grad():
        assert torch.equal(load_generator(paths[0])(z), checkpoint_generator(run_dir)(z))


def test_export_program_runs_without_ganlip(run_dir, tmp_path):
    paths = export_generator(run_dir, tmp_path / "G.safetensors", ("safetensors", "export"))
    program = paths[-1]
    assert program.suffix == ".pt2"
    z = torch.randn(3, 8)
    with torch.no_grad():
        expected = checkpoint_generator(run_dir)(z)
    assert torch.allclose(run_program_without_ganlip(program, (z,), tmp_path), expected, atol=1e-5)


def test_sample_writes_a_grid(run_dir, tmp_path):
    (weights, _) = export_generator(run_dir, tmp_path / "G.safetensors")
    out = sample_grid(weights, 16, tmp_path / "grid.png")
    from PIL import Image

    assert Image.open(out).size == (4 * 34 + 2, 4 * 34 + 2)  # 4x4 tiles of 32 px with 2 px padding


def test_truncated_weights_are_refused(run_dir, tmp_path):
    (weights, _) = export_generator(run_dir, tmp_path / "G.safetensors")
    weights.write_bytes(weights.read_bytes()[:100])
    with pytest.raises(GanlipError, match="damaged or truncated"):
        load_generator(weights)


def test_an_unknown_format_is_refused_before_anything_is_written(run_dir, tmp_path):
    with pytest.raises(GanlipError, match="unknown export format 'onnx'; valid: safetensors, export"):
        export_generator(run_dir, tmp_path / "G.safetensors", ("safetensors", "onnx"))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda weights, sidecar: weights.unlink(), "does not exist; write one with `ganlip export"),
        (lambda weights, sidecar: sidecar.unlink(), "has no sidecar"),
        (lambda weights, sidecar: sidecar.write_text("{"), "is not valid JSON"),
        (lambda weights, sidecar: sidecar.write_text('{"format": "other"}'), "is not a ganlip generator sidecar"),
    ],
    ids=["no weights", "no sidecar", "broken sidecar", "foreign sidecar"],
)
def test_each_way_an_export_can_be_broken_names_it(run_dir, tmp_path, damage, message):
    weights, sidecar = export_generator(run_dir, tmp_path / "G.safetensors")
    damage(weights, sidecar)
    with pytest.raises(GanlipError, match=message):
        load_generator(weights)


def test_a_hub_folder_loads_back_to_identical_samples_through_ganlip_and_huggingface_hub(run_dir, tmp_path):
    from huggingface_hub import PyTorchModelHubMixin

    from ganlip.export import export_hub_folder

    folder = tmp_path / "hub"
    written = export_hub_folder(run_dir, folder)
    assert sorted(p.name for p in written) == ["README.md", "config.json", "model.safetensors"]
    z = torch.randn(5, 8)
    expected = checkpoint_generator(run_dir)(z)
    with torch.no_grad():
        assert torch.equal(load_generator(folder)(z), expected)

    class HubGenerator(nn.Module, PyTorchModelHubMixin):
        """What a Hub user writes: config.json's keys as the constructor's arguments, the weights by the mixin."""

        def __init__(self, arch, data_shape, sizes, **_):
            super().__init__()
            self.net, _ = build_model(arch, tuple(data_shape), **sizes)

        def forward(self, z):
            return self.net(z)

        def load_state_dict(self, state_dict, *args, **kwargs):
            return self.net.load_state_dict(state_dict, *args, **kwargs)

    with torch.no_grad():
        assert torch.equal(HubGenerator.from_pretrained(folder).eval()(z), expected)


def test_a_hub_folders_model_card_says_how_it_was_trained_and_scored(tmp_path):
    from ganlip.export import export_hub_folder

    run = train(tiny_config(tmp_path, "8gaussians", constraint="sn", steps=4, measure_every=2), quiet=True)
    card = (export_hub_folder(run, tmp_path / "hub")[-1]).read_text()
    assert card.startswith("---\nlibrary_name: ganlip\n")
    assert "critic constrained by `sn`" in card and "| data | `8gaussians`" in card
    assert "Adam" in card or "adam" in card
    logged = [line for line in (run / "metrics.jsonl").read_text().splitlines() if '"swd"' in line]
    last_swd = json.loads(logged[-1])["swd"]
    assert f"| `swd` | {last_swd:.6g} |" in card


def test_sample_reads_a_hub_folder(run_dir, tmp_path):
    from click.testing import CliRunner

    from ganlip.cli import cli

    CliRunner().invoke(cli, ["export", str(run_dir), "--format", "hf", "--out", str(tmp_path / "hub")])
    result = CliRunner().invoke(cli, ["sample", str(tmp_path / "hub"), "--n", "4", "--out", str(tmp_path / "s.png")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "s.png").is_file()


def test_the_card_takes_each_scores_last_logged_value(tmp_path):
    from ganlip.export import final_scores

    lines = [{"step": 250, "fd/fashion-cnn": 90.0, "swd": 0.5}, {"step": 500, "swd": 0.4, "loss/critic": -1.0}]
    (tmp_path / "metrics.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert final_scores(tmp_path) == {"fd/fashion-cnn": 90.0, "swd": 0.4}
