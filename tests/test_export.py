import pytest
import torch

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
