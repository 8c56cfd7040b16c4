import pytest
import torch

from ganlip.data import load_data
from ganlip.data.files import ImageFiles
from tests.data.test_celeba import make_celeba


def test_the_decoded_cache_gives_the_decoded_pixels_and_is_reused(tmp_path, monkeypatch):
    make_celeba(tmp_path, n=4)
    files = load_data("celeba", tmp_path, resolution=16, split="all")
    cached = files.decoded(tmp_path / "cache")
    assert torch.equal(torch.stack([cached[i] for i in range(4)]), torch.stack([files[i] for i in range(4)]))
    (stored,) = (tmp_path / "cache").glob("images-4-16px-*.safetensors")
    monkeypatch.setattr(ImageFiles, "pixels", lambda self, index: pytest.fail("decoded again"))
    again = files.decoded(tmp_path / "cache")  # read back, not decoded
    assert torch.equal(again[3], cached[3]) and stored.is_file()
