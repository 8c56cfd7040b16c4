import math

import pytest
import torch

from ganlip.data import load_data
from ganlip.data.toys import checkerboard, eight_gaussians, twenty_five_gaussians


def test_eight_gaussians_lie_on_eight_modes_of_radius_sqrt2():
    points = eight_gaussians(4000, torch.Generator().manual_seed(0))
    angles = torch.arange(8) * math.pi / 4
    centers = 2 * torch.stack([angles.cos(), angles.sin()], 1) / 1.414
    distance = torch.cdist(points, centers).min(dim=1).values
    assert distance.max() < 0.1  # std 0.02 / 1.414 per coordinate
    nearest = torch.cdist(points, centers).argmin(dim=1)
    assert torch.bincount(nearest, minlength=8).min() > 4000 / 8 * 0.8


def test_twenty_five_gaussians_cover_a_five_by_five_grid():
    points = twenty_five_gaussians(5000, torch.Generator().manual_seed(0))
    grid = torch.cartesian_prod(*(torch.arange(-2, 3.0) * 2 / 2.828,) * 2)
    assert torch.bincount(torch.cdist(points, grid).argmin(1), minlength=25).min() > 100


def test_checkerboard_occupies_alternate_cells():
    points = checkerboard(5000, torch.Generator().manual_seed(0))
    cells = torch.floor(points[:, 0]) + torch.floor(points[:, 1])
    assert torch.all(cells % 2 == 0)


@pytest.mark.parametrize("name", ["8gaussians", "25gaussians", "swissroll", "checkerboard"])
def test_toys_are_seeded_in_memory_sets(name):
    a, b = load_data(name, seed=3), load_data(name, seed=3)
    assert torch.equal(a.tensor, b.tensor) and a.tensor.shape[1] == 2 and torch.isfinite(a.tensor).all()
    assert not torch.equal(a.tensor, load_data(name, seed=4).tensor)


@pytest.mark.parametrize(("name", "classes"), [("8gaussians", 8), ("25gaussians", 25)])
def test_a_gaussian_toys_label_is_the_mode_its_point_was_drawn_from(name, classes):
    data = load_data(name, seed=3)
    assert data.classes == classes and data.labels.shape == (len(data),)
    if classes == 8:
        angles = torch.arange(8) * math.pi / 4
        centers = 2 * torch.stack([angles.cos(), angles.sin()], 1) / 1.414
    else:
        centers = torch.cartesian_prod(*(torch.arange(-2, 3.0) * 2 / 2.828,) * 2)
    nearest = torch.cdist(data.tensor, centers).argmin(dim=1)
    assert torch.equal(nearest, data.labels)  # modes far apart against their spread: the nearest is the own


def test_the_labels_leave_the_points_as_they_were():
    data = load_data("8gaussians", seed=5)
    assert torch.equal(data.tensor, eight_gaussians(len(data), torch.Generator().manual_seed(5)))
    assert load_data("swissroll").labels is None and load_data("checkerboard").classes == 0
