import pytest
import yaml

from ganlip.compare import compare

TOY = {
    "compare": {"name": "toy", "constraints": ["clip", "sn"], "seeds": 2, "steps": 4},
    "data": "8gaussians",
    "width": 16,
    "latent_dim": 8,
    "n_critic": 2,
    "batch_size": 16,
    "log_every": 2,
    "sample_every": 2,
    "checkpoint_every": 2,
    "measure_every": 2,
    "measure_samples": 64,
    "n_samples": 16,
    "device": "cpu",
}


def write_comparison(path, **compare_changes):
    values = {**TOY, "compare": {**TOY["compare"], **compare_changes}}
    path.write_text(yaml.safe_dump(values))
    return path


@pytest.fixture(scope="module")
def toy_comparison(tmp_path_factory):
    """A finished two-strategy, two-seed toy comparison: (its directory, its file, what it said)."""
    root = tmp_path_factory.mktemp("comparison")
    config = write_comparison(root / "toy.yaml")
    said: list[str] = []
    compare(root / "out", config, quiet=True, say=said.append, argv=["compare", "--config", str(config)])
    return root / "out", config, said
