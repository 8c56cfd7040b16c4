import pytest
from PIL import Image

from ganlip.data import load_data
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
