"""Layer maths below strategies and measurements, which both import it: which layers carry the weights a
strategy constrains, a weight as a matrix, power iteration on matrices and on convolutions as operators, and
what a parametrization in a chain receives."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils import parametrize

from ganlip.errors import GanlipError

# The layers whose weights strategies constrain and measurements report: every affine map of a critic.
CONV_LAYERS = (nn.Conv1d, nn.Conv2d, nn.Conv3d)
WEIGHTED_LAYERS = (nn.Linear, *CONV_LAYERS)
WeightedLayer = nn.Linear | nn.Conv1d | nn.Conv2d | nn.Conv3d


class ClassEmbedding(nn.Linear):
    """The projection discriminator's class embedding `embed(y)`, held as the Linear map from a one-hot class to
    its vector (weight `(dim, classes)`, no bias), so that every strategy constrains it as it constrains the
    critic's other Linear layers: `sn` divides it by its largest singular value as SNGAN-projection's
    `SNEmbedID` does, and each class's vector `embed(y)` is then at most 1 long. Glorot-uniform, as mimicry's
    `l_y` and SNGAN's `EmbedID(initialW=GlorotUniform())`."""

    def __init__(self, classes: int, dim: int):
        super().__init__(classes, dim, bias=False)
        nn.init.xavier_uniform_(self.weight)

    def forward(self, labels: Tensor) -> Tensor:
        return self.weight.t()[labels]  # = one_hot(labels) @ Wᵀ, without building the one-hot matrix


def at_least_float32(tensor: Tensor) -> Tensor:
    """bf16/fp16 tensors as float32; float32 and float64 as they are."""
    return tensor.to(torch.promote_types(tensor.dtype, torch.float32))


def unit_rows(layer: WeightedLayer) -> Tensor:
    """A layer's weight as the matrix with one row per unit it outputs: `(out, in * kernel)`, and for a class
    embedding one row per class, `(classes, dim)` (its units are the classes, whatever its dimension)."""
    if isinstance(layer, ClassEmbedding):
        return layer.weight.t()
    return weight_matrix(layer.weight)


def weighted_layers(module: nn.Module) -> Iterator[tuple[str, WeightedLayer]]:
    """The named layers of `module` whose `.weight` strategies constrain."""
    for name, layer in module.named_modules():
        if isinstance(layer, WEIGHTED_LAYERS):
            yield name, layer


def weight_matrix(weight: Tensor) -> Tensor:
    """A layer weight as the matrix `(out, in * kernel)` whose norms the strategies control."""
    return weight.flatten(1) if weight.dim() > 1 else weight.unsqueeze(0)


# Power iterations run when a strategy first meets a weight, so that its first step starts from a converged `u`.
WARMUP_ITERATIONS = 15


@torch.no_grad()
def power_iteration(matrix: Tensor, u: Tensor, v: Tensor, n_iter: int, eps: float = 1e-12) -> None:
    """`n_iter` steps towards the top singular pair of `matrix`, in place: `v ← Wᵀu/‖Wᵀu‖`, `u ← Wv/‖Wv‖`
    (SNGAN Algorithm 1). Then `uᵀWv` estimates σ(W) from below."""
    for _ in range(n_iter):
        v.copy_(F.normalize(matrix.t() @ u, dim=0, eps=eps))
        u.copy_(F.normalize(matrix @ v, dim=0, eps=eps))


def conv_arguments(layer: nn.Conv2d) -> dict:
    return dict(stride=layer.stride, padding=layer.padding, dilation=layer.dilation, groups=layer.groups)


# By the weight's number of dimensions: a convolution of 1, 2 or 3 spatial dimensions and its transpose.
_CONVOLUTIONS = {
    3: (F.conv1d, F.conv_transpose1d),
    4: (F.conv2d, F.conv_transpose2d),
    5: (F.conv3d, F.conv_transpose3d),
}


def conv(x: Tensor, weight: Tensor, arguments: dict) -> Tensor:
    """The convolution without bias: the linear part of the layer."""
    return _CONVOLUTIONS[weight.dim()][0](x, weight, None, **arguments)


def conv_adjoint(y: Tensor, weight: Tensor, arguments: dict, input_size: tuple[int, ...]) -> Tensor:
    """The adjoint (transpose) of `conv` for inputs of spatial size `input_size`: the transposed convolution
    with the output padding that restores that size when the stride dropped rows or columns."""
    output_padding = [
        size - ((out - 1) * s - 2 * p + d * (k - 1) + 1)
        for size, out, s, p, d, k in zip(
            input_size,
            y.shape[2:],
            arguments["stride"],
            arguments["padding"],
            arguments["dilation"],
            weight.shape[2:],
            strict=True,
        )
    ]
    return _CONVOLUTIONS[weight.dim()][1](y, weight, None, output_padding=output_padding, **arguments)


def power_step(x: Tensor, weight: Tensor, arguments: dict) -> Tensor:
    """`AᵀA x / ‖AᵀA x‖` for the convolution `A`: one step of power iteration towards its top singular vector."""
    y = conv_adjoint(conv(x, weight, arguments), weight, arguments, x.shape[2:])
    return y / y.norm().clamp_min(1e-12)


class SpectralParametrization(nn.Module):
    """A weight parametrization that divides by a power-iteration estimate of a spectral norm, held in its
    buffers; `sigma(weight)` gives that estimate for the weight it receives (measurements report it)."""

    def sigma(self, weight: Tensor) -> Tensor:
        raise NotImplementedError


def raw_weight(layer: nn.Module) -> Tensor:
    """The weight a layer's parametrizations start from (`parametrizations.weight.original`), or its plain weight
    where it has none: the one an optimizer trains and a projection rewrites."""
    weight = layer.parametrizations.weight.original if parametrize.is_parametrized(layer, "weight") else layer.weight
    if not isinstance(weight, Tensor):
        raise TypeError(f"{type(layer).__name__} has no weight tensor")
    return weight


@torch.no_grad()
def received_weight(layer: nn.Module, parametrization: nn.Module) -> Tensor:
    """The weight `parametrization` is given in `layer`'s chain: the raw weight passed through the
    parametrizations registered before it (for `ws+sn`, the standardized weight that `sn` divides)."""
    weight = layer.parametrizations.weight.original.detach()
    for module in layer.parametrizations.weight:
        if module is parametrization:
            return weight
        weight = module(weight)
    raise ValueError("the parametrization is not in this layer's weight chain")


def weight_chain(layer: nn.Module) -> list[nn.Module]:
    """The parametrizations of `layer.weight`, innermost first (empty when it has none)."""
    return list(layer.parametrizations.weight) if parametrize.is_parametrized(layer, "weight") else []


@contextmanager
def parametrizations_uncached() -> Iterator[None]:
    """Inside `parametrize.cached()`, compute parametrized weights afresh. `torch.func.functional_call` swaps raw
    parameters in, and a weight cached from the originals would not depend on them. Torch has no public switch."""
    enabled = parametrize._cache_enabled
    parametrize._cache_enabled = 0
    try:
        yield
    finally:
        parametrize._cache_enabled = enabled


class evaluation:
    """Eval mode for the duration (reading a parametrized weight in training mode would advance spectral
    normalization's power iteration), restoring the previous mode after."""

    def __init__(self, module: nn.Module):
        self.module = module

    def __enter__(self) -> None:
        self.was_training = self.module.training
        self.module.eval()

    def __exit__(self, *_) -> None:
        self.module.train(self.was_training)


def orthonormality_residual(matrix: Tensor) -> Tensor:
    """`max |AᵀA − I|` for a tall `A` (`AAᵀ` for a wide one): 0 exactly when its columns (rows) are orthonormal."""
    gram = matrix.T @ matrix if matrix.shape[0] >= matrix.shape[1] else matrix @ matrix.T
    return (gram - torch.eye(len(gram), dtype=gram.dtype, device=gram.device)).abs().max()


class OrthogonalConvolution(nn.Module):
    """What the convolutions orthogonal by construction share (`cayley`, `soc`): they replace an `nn.Conv2d`,
    make a stride `s` an invertible downsampling (`PixelUnshuffle(s)`, a permutation of the pixels) before a
    stride-1 map on `s²` times the channels, treat a layer whose kernel covers its whole unpadded input (the
    DCGAN critic's last) as a dense map, and compute in float32 or wider under AMP. Subclasses give `dense(x)`,
    on flattened inputs, and `convolve(x)`, which keeps the spatial size."""

    def __init__(self, layer: nn.Conv2d, strategy: str):
        super().__init__()
        if layer.groups != 1 or layer.dilation != (1, 1) or layer.stride[0] != layer.stride[1]:
            raise GanlipError(
                f"{strategy}: it orthogonalizes ungrouped, undilated convolutions with one stride in both "
                f"directions; got groups={layer.groups}, dilation={layer.dilation}, stride={layer.stride}. Use aol "
                "or sn here."
            )
        if parametrize.is_parametrized(layer):
            raise GanlipError(
                f"{strategy} replaces the critic's convolutions, so a reparametrization of them (ws, or another "
                f"normalization) would be dropped; use {strategy} alone."
            )
        self.strategy = strategy
        self.in_channels, self.out_channels = layer.in_channels, layer.out_channels
        self.kernel_size, self.stride = layer.kernel_size, layer.stride[0]
        self.padding = (0, 0) if layer.padding == "valid" else layer.padding  # a tuple, or "same" (stride 1)
        self.bias = layer.bias

    def dense(self, x: Tensor) -> Tensor:
        raise NotImplementedError

    def convolve(self, x: Tensor) -> Tensor:
        raise NotImplementedError

    @property
    def covers_input(self) -> bool:
        """Whether the layer is a dense map: unpadded with a kernel larger than a pixel, so that the only input it
        keeps the size of (divided by its stride) is its kernel's size."""
        return self.padding == (0, 0) and max(self.kernel_size) > 1

    def forward(self, x: Tensor) -> Tensor:
        with torch.autocast(x.device.type, enabled=False):
            x = x.to(torch.promote_types(x.dtype, torch.float32))
            sizes = tuple(x.shape[2:])
            if self.covers_input and sizes != tuple(self.kernel_size):
                raise GanlipError(
                    f"{self.strategy}: an unpadded convolution of kernel {self.kernel_size} is taken as a dense map "
                    f"of an input of that size, but it got {sizes}; give it 'same' padding ((k - 1) // 2, or "
                    "(k - s) // 2 with a stride) or an input of its kernel's size, or use aol."
                )
            if self.stride > 1:
                x = F.pixel_unshuffle(x, self.stride)
            if self.covers_input:  # the unshuffled kernel covers the unshuffled input: one matrix
                y = self.dense(x.flatten(1)).view(len(x), -1, 1, 1)
            else:
                self.require_same_size(sizes)
                y = self.convolve(x)
            return y if self.bias is None else y + self.bias.to(y.dtype).view(1, -1, 1, 1)

    def require_same_size(self, sizes: tuple[int, ...]) -> None:
        """Refuse a layer whose output size is not its input's divided by its stride ("same" padding is)."""
        if isinstance(self.padding, str):
            return
        shapes = zip(sizes, self.padding, self.kernel_size, strict=True)
        if [(n + 2 * pad - k) // self.stride + 1 for n, pad, k in shapes] != [n // self.stride for n in sizes]:
            raise GanlipError(
                f"{self.strategy}: a convolution of kernel {self.kernel_size}, stride {self.stride} and padding "
                f"{self.padding} on {sizes} inputs changes the size otherwise than by its stride, which it cannot "
                "do; use 'same' padding ((k - 1) // 2, or (k - s) // 2 with a stride), or aol."
            )


def adopt_saved_shape(module: nn.Module, state_dict: dict, prefix: str, name: str) -> None:
    """Before loading, resize the lazily shaped buffer `name` (a power iteration's input-shaped vector, empty until
    the first call) to the saved one's shape, on the buffer's own device (a checkpoint is read onto the CPU)."""
    saved, current = state_dict.get(prefix + name), getattr(module, name)
    if saved is not None and saved.shape != current.shape:
        setattr(module, name, torch.empty(saved.shape, dtype=saved.dtype, device=current.device))


def replace_convolutions(module: nn.Module, make: Callable[[nn.Conv2d], nn.Module]) -> None:
    """Replace every `nn.Conv2d` inside `module` by `make(conv)`, in place."""
    for name, child in module.named_children():
        if isinstance(child, nn.Conv2d):
            setattr(module, name, make(child))
        else:
            replace_convolutions(child, make)
