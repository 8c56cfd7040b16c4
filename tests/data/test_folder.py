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


def test_subfolders_are_classes_sorted_by_name_and_a_flat_folder_has_none(tmp_path):
    for name, colour in (("zebra", 0), ("apple", 255), ("apple", 128), ("moon", 60)):
        (tmp_path / name).mkdir(exist_ok=True)
        Image.new("L", (8, 8), colour).save(tmp_path / name / f"{colour}.png")
    data = load_data("folder", tmp_path, resolution=8)
    assert data.class_names == ("apple", "moon", "zebra") and data.classes == 3
    assert [data.class_names[label] for label in data.labels] == [path.parent.name for path in data.paths]
    flat = tmp_path / "flat"
    flat.mkdir()
    Image.new("L", (8, 8), 1).save(flat / "one.png")
    assert load_data("folder", flat, resolution=8).classes == 0
    Image.new("L", (8, 8), 1).save(tmp_path / "loose.png")  # an image beside the class folders: no layout
    assert load_data("folder", tmp_path, resolution=8).classes == 0


def test_a_conditional_run_refuses_unlabelled_data_and_an_empty_class(tmp_path):
    from ganlip.data.registry import require_labels

    with pytest.raises(GanlipError, match="conditional=true needs labelled data, and 'swissroll' has no labels"):
        require_labels(load_data("swissroll"), "swissroll")
    for name in ("cats", "dogs"):
        (tmp_path / name).mkdir()
    Image.new("L", (8, 8), 1).save(tmp_path / "cats" / "a.png")
    data = load_data("folder", tmp_path, resolution=8)
    with pytest.raises(GanlipError, match="class 'dogs' of 'folder' has no samples"):
        require_labels(data, "folder")
    assert require_labels(load_data("digits"), "digits") == 10


def test_a_hidden_subfolder_of_class_images_is_one_more_class(tmp_path):
    for name in ("a", ".b"):
        (tmp_path / name).mkdir()
        Image.new("L", (8, 8), 9).save(tmp_path / name / "x.png")
    assert load_data("folder", tmp_path, resolution=8).class_names == (".b", "a")
