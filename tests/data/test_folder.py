import pytest
from PIL import Image

from ganlip.data import load_data
from ganlip.errors import GanlipError


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


def test_no_readable_image_at_all_is_refused(tmp_path):
    for name in ("a.jpg", "b.png"):
        (tmp_path / name).write_bytes(b"not an image")
    with pytest.raises(GanlipError, match="none of the 2 images can be read"):
        load_data("folder", tmp_path, resolution=16).readable()
