"""The Wasserstein-1 benchmark pairs of Korotin, Kolesov & Burnaev (NeurIPS 2022, "Kantorovich Strikes Back!"):
two distributions on R^D whose optimal transport for the cost ‖x − y‖ is known in closed form.

The potential is a minimum of funnels, `f(x) = min_i (‖x − c_i‖ + b_i)`, 1-Lipschitz with ‖∇f‖ = 1 wherever
one funnel is the minimum. The target Q is uniform on the cube `[−h, h]^D` (h = 2.5). A target sample x lies in
the piece of its minimal funnel i; along the ray from c_i through x the potential grows at unit rate, up to
the point e where the ray leaves the piece (another funnel becomes the minimum, or the ray leaves the cube).
The input sample is x moved back along that ray: with `t = ‖x − c_i‖ / ‖e − c_i‖`, it is `c_i + t^deg (e − c_i)`
(deg 8). Every input sample then travels to its target along a ray of f, so the plan's cost equals
`E_Q[f] − E_P[f]`, which no plan can beat (f is 1-Lipschitz): the plan is optimal, W1(P, Q) is its cost, and a
critic maximizing `E_P[D] − E_Q[D]` should approach `−f` (up to a constant), with input gradient `−∇f`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import torch
from torch import Tensor

from ganlip.errors import GanlipError

HALF_WIDTH = 2.5  # the cube's half side
DEGREE = 8.0  # the paper's t ↦ t^deg rule for the high-dimensional pairs
PUBLISHED_SEED = 987  # the seed the paper's published pairs were drawn with
PUBLISHED_FILE = "w1_funnels_nd.safetensors"


@dataclass(frozen=True)
class FunnelPair:
    """One benchmark pair: the funnels' centres `(N, D)` and biases `(N,)`; `name` says where they come from."""

    centres: Tensor
    biases: Tensor
    name: str
    half_width: float = HALF_WIDTH
    degree: float = DEGREE

    @property
    def dim(self) -> int:
        return self.centres.shape[1]

    @property
    def funnels(self) -> int:
        return self.centres.shape[0]

    def to(self, device: torch.device | str) -> FunnelPair:
        return FunnelPair(self.centres.to(device), self.biases.to(device), self.name, self.half_width, self.degree)

    def potential(self, x: Tensor) -> Tensor:
        """`f(x)`, shape (B,)."""
        return self._funnel_values(x).min(dim=1).values

    def _funnel_values(self, x: Tensor) -> Tensor:
        return distances(x, self.centres) + self.biases

    def active(self, x: Tensor) -> Tensor:
        """The index of the minimal funnel at each point, shape (B,)."""
        return self._funnel_values(x).argmin(dim=1)

    def gradient(self, x: Tensor) -> Tensor:
        """`∇f(x)`: the unit vector from the minimal funnel's centre to x (closed form, not autograd)."""
        away = x - self.centres[self.active(x)]
        return away / away.norm(dim=1, keepdim=True).clamp_min(1e-12)

    def transport_gradient(self, inputs: Tensor) -> Tensor:
        """The input gradient an optimal critic (maximizing `E_P[D] − E_Q[D]`) has at input samples: `−∇f`."""
        return -self.gradient(inputs)

    def sample_targets(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """n samples of Q, uniform on the cube."""
        unit = torch.rand(n, self.dim, generator=generator, device=self.centres.device)
        return self.half_width * (2 * unit - 1)

    def sample(self, n: int, generator: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
        """n pairs of the optimal plan: input samples (P) and the target samples (Q) each moves to."""
        targets = self.sample_targets(n, generator)
        return self.move_back(targets), targets

    def move_back(self, targets: Tensor) -> Tensor:
        """Each target moved back along its funnel's ray by the t ↦ t^deg rule."""
        index = self.active(targets)
        centre = self.centres[index]
        away = targets - centre
        reached = away.norm(dim=1)  # ‖x − c‖
        direction = away / reached.clamp_min(1e-12)[:, None]
        length = reached + self.ray_left(targets, direction, index)  # ‖e − c‖
        t = torch.where(length > 0, reached / length.clamp_min(1e-12), torch.zeros_like(reached))
        return centre + (t**self.degree * length)[:, None] * direction

    def ray_left(self, x: Tensor, direction: Tensor, index: Tensor) -> Tensor:
        """How far the ray `x + r v` (r ≥ 0) goes before it leaves the cube or another funnel becomes minimal.

        Along the ray the active funnel's value is `f(x) + r`; funnel j's equals it where
        `‖x − c_j + r v‖ = f(x) − b_j + r`, which squared is linear in r:
        `r_j = (‖x − c_j‖² − (f(x) − b_j)²) / (2 (f(x) − b_j − (x − c_j)·v))`, a crossing when r_j > 0 and the
        right-hand side `f(x) − b_j + r_j` is positive. Written with (B, N) matrices only, so that no (B, N, D)
        tensor is formed."""
        with torch.no_grad():
            apart = distances(x, self.centres)  # (B, N)
            value = (apart + self.biases).gather(1, index[:, None])  # f(x), (B, 1)
            gap = value - self.biases  # f(x) − b_j
            along = (x * direction).sum(1, keepdim=True) - direction @ self.centres.T  # (x − c_j)·v
            crossing = (apart**2 - gap**2) / (2 * (gap - along))
            valid = (crossing > 0) & (gap + crossing > 0) & torch.isfinite(crossing)
            valid.scatter_(1, index[:, None], False)  # the active funnel never crosses itself
            to_funnel = torch.where(valid, crossing, torch.full_like(crossing, torch.inf)).min(dim=1).values
            bound = torch.where(direction > 0, self.half_width - x, -self.half_width - x)
            steps = torch.where(direction != 0, bound / direction, torch.full_like(x, torch.inf))
            to_wall = steps.clamp_min(0).min(dim=1).values
            return torch.minimum(to_funnel, to_wall)

    def true_w1(self, n: int = 2**16, generator: torch.Generator | None = None, chunk: int = 2**13) -> float:
        """The optimal plan's cost `E‖x − y‖`, on n samples."""
        total = 0.0
        for start in range(0, n, chunk):
            inputs, targets = self.sample(min(chunk, n - start), generator)
            total += (targets - inputs).norm(dim=1).sum().item()
        return total / n


def distances(x: Tensor, centres: Tensor) -> Tensor:
    """Euclidean distances, computed from differences: cdist's faster matrix-product form loses about 1e-3 in
    float32 near a centre, where the moved samples gather."""
    return torch.cdist(x, centres, compute_mode="donot_use_mm_for_euclid_dist")


def seeded_pair(dim: int, funnels: int, seed: int) -> FunnelPair:
    """A new pair drawn as the paper draws its own: centres uniform in the cube, biases 0.1 · N(0, 1)."""
    check_size(dim, funnels)
    rng = torch.Generator().manual_seed(seed)
    centres = HALF_WIDTH * (2 * torch.rand(funnels, dim, generator=rng) - 1)
    biases = 0.1 * torch.randn(funnels, generator=rng)
    return FunnelPair(centres, biases, f"seeded {seed}")


def check_size(dim: int, funnels: int) -> None:
    if dim < 1 or funnels < 1:
        raise GanlipError(f"a funnel pair needs a dimension and a funnel count of at least 1, got {dim} and {funnels}.")


@cache
def _published_tensors() -> dict[str, Tensor]:
    from safetensors.torch import load_file

    with resources.as_file(resources.files("ganlip.bench.published") / PUBLISHED_FILE) as path:
        return load_file(Path(path))


def published_sizes() -> list[tuple[int, int]]:
    """The (dim, funnels) of the paper's published pairs."""
    keys = [key for key in _published_tensors() if key.endswith("/centres")]
    return sorted({(int(key.split("/")[0][4:]), int(key.split("/")[1][6:])) for key in keys})


def check_published(dim: int, funnels: int) -> None:
    """Refuse a size the paper published no pair of, naming those it did."""
    sizes = published_sizes()
    if (dim, funnels) not in sizes:
        dims = sorted({d for d, _ in sizes})
        widths = sorted({n for _, n in sizes})
        raise GanlipError(
            f"the benchmark publishes no pair of dimension {dim} with {funnels} funnels; its dimensions are "
            f"{', '.join(map(str, dims))} and its funnel counts {', '.join(map(str, widths))} (or pass "
            f"--pair-seed for a new seeded pair of any size)."
        )


def published_pair(dim: int, funnels: int) -> FunnelPair:
    """The paper's pair of that size, as its repository published it (`deg_8_seed_987.pt`)."""
    check_published(dim, funnels)
    tensors = _published_tensors()
    prefix = f"dim_{dim}/width_{funnels}"
    return FunnelPair(tensors[f"{prefix}/centres"].clone(), tensors[f"{prefix}/biases"].clone(), "published")


def published_true_w1() -> dict[tuple[int, int], float]:
    """The paper's `true` W1 per (dim, funnels), from its metrics CSVs (4,096 samples), kept in the sidecar."""
    sidecar = json.loads((resources.files("ganlip.bench.published") / "w1_funnels_nd.json").read_text())
    return {(row["dim"], row["funnels"]): row["true_w1"] for row in sidecar["true_w1"]}
