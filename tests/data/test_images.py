import pytest
import torch
from PIL import Image

from ganlip.data import load_data
from ganlip.data.files import ImageFiles
from ganlip.errors import GanlipError


def make_celeba(root, n=6):
    """CelebA's layout: 178x218 aligned JPEGs and the partition list (0 train, 1 valid, 2 test)."""
    images = root / "celeba" / "img_align_celeba"
    images.mkdir(parents=True)
    lines = []
    for i in range(1, n + 1):
        picture = Image.new("RGB", (178, 218), (0, 0, 0))
        picture.paste((255, 255, 255), (0, 20, 178, 198))  # white exactly where the 178 center crop falls
        picture.save(images / f"{i:06d}.jpg", quality=95)
        lines.append(f"{i:06d}.jpg {0 if i <= n - 2 else 1}")
    (root / "celeba" / "list_eval_partition.txt").write_text("\n".join(lines) + "\n")


def test_celeba_split_center_crop_and_resize(tmp_path):
    make_celeba(tmp_path)
    train = load_data("celeba", tmp_path)
    assert len(train) == 4 and len(load_data("celeba", tmp_path, split="valid")) == 2
    image = train[0]
    assert image.shape == (3, 64, 64)
    assert image.min() > 0.9  # the crop kept only the white centre
    assert load_data("celeba", tmp_path, resolution=128)[0].shape == (3, 128, 128)


def test_missing_celeba_names_the_layout(tmp_path):
    with pytest.raises(GanlipError) as error:
        load_data("celeba", tmp_path)
    assert "img_align_celeba" in str(error.value) and "list_eval_partition.txt" in str(error.value)


def test_folder_of_mixed_sizes_gives_square_rgb(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    Image.new("L", (40, 30), 128).save(tmp_path / "a" / "gray.png")
    Image.new("RGB", (20, 50), (255, 0, 0)).save(tmp_path / "a" / "b" / "red.jpg")
    (tmp_path / "notes.txt").write_text("not an image")
    data = load_data("folder", tmp_path, resolution=16)
    assert len(data) == 2
    red = data[[p.name for p in data.paths].index("red.jpg")]
    assert red.shape == (3, 16, 16)
    assert red[0].mean() > 0.9 and red[1].mean() < -0.9


def test_empty_folder_is_refused(tmp_path):
    with pytest.raises(GanlipError, match="holds no images"):
        load_data("folder", tmp_path)


def test_unreadable_image_is_named(tmp_path):
    (tmp_path / "broken.jpg").write_bytes(b"not a jpeg")
    with pytest.raises(GanlipError, match=r"broken\.jpg"):
        load_data("folder", tmp_path)[0]


def test_celeba_splits_all_invalid_and_incomplete(tmp_path):
    make_celeba(tmp_path)
    assert len(load_data("celeba", tmp_path, split="all")) == 6
    with pytest.raises(GanlipError, match="split 'val' is not valid; use train, valid, test or all"):
        load_data("celeba", tmp_path, split="val")
    with pytest.raises(GanlipError, match="test split is incomplete: it lists no image"):
        load_data("celeba", tmp_path, split="test")
    (tmp_path / "celeba" / "img_align_celeba" / "000002.jpg").unlink()
    with pytest.raises(GanlipError, match=r"train split is incomplete: 1 listed images are missing, e\.g\. .*000002"):
        load_data("celeba", tmp_path)


def test_no_readable_image_at_all_is_refused(tmp_path):
    for name in ("a.jpg", "b.png"):
        (tmp_path / name).write_bytes(b"not an image")
    with pytest.raises(GanlipError, match="none of the 2 images can be read"):
        load_data("folder", tmp_path, resolution=16).readable()


def test_the_decoded_cache_gives_the_decoded_pixels_and_is_reused(tmp_path, monkeypatch):
    make_celeba(tmp_path, n=4)
    files = load_data("celeba", tmp_path, resolution=16, split="all")
    cached = files.decoded(tmp_path / "cache")
    assert torch.equal(torch.stack([cached[i] for i in range(4)]), torch.stack([files[i] for i in range(4)]))
    (stored,) = (tmp_path / "cache").glob("images-4-16px-*.safetensors")
    monkeypatch.setattr(ImageFiles, "pixels", lambda self, index: pytest.fail("decoded again"))
    again = files.decoded(tmp_path / "cache")  # read back, not decoded
    assert torch.equal(again[3], cached[3]) and stored.is_file()
