"""Keras models without TensorFlow: the weights of a `.keras` network moved into the PyTorch
network of the same architecture (`keras_nets` and `torch_nets` are built layer for layer the
same), and back.

Used where TensorFlow is not installed (the CPU build leaves out its 1.4 GB): the `.keras` file
is still read by Keras (on its torch backend, in safe mode) and written by it, but reading
digits and training run through the PyTorch network, 3-4 times faster than Keras layers
calling torch one by one (15.8 ms a reading, measured).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn


def _weighted(net: nn.Module) -> list[nn.Module]:
    return [m for m in net.modules() if isinstance(m, nn.Conv2d | nn.Linear | nn.BatchNorm2d
                                                    | nn.BatchNorm1d)]


def _flatten_permutation(net: nn.Module) -> np.ndarray | None:
    """Keras flattens feature maps channels-last (h, w, c), torch channels-first (c, h, w):
    the dense layer after the last convolution sees its inputs in another order. Returns, for
    each torch input position, the Keras one (None for the MLP, which flattens the image)."""
    convs = [m for m in net.modules() if isinstance(m, nn.Conv2d)]
    if not convs:
        return None
    channels = convs[-1].out_channels
    first_dense = next(m for m in net.modules() if isinstance(m, nn.Linear))
    side = int(round((first_dense.in_features / channels) ** 0.5))
    keras_index = np.arange(side * side * channels).reshape(side, side, channels)
    return keras_index.transpose(2, 0, 1).reshape(-1)  # torch order (c, h, w) -> keras index


def keras_to_torch(weights: list[np.ndarray], net: nn.Module) -> nn.Module:
    """Load a Keras network's `get_weights()` into `net` (torch_nets.build of the same arch)."""
    arrays = iter(weights)
    order = _flatten_permutation(net)
    first_dense = True
    with torch.no_grad():
        for m in _weighted(net):
            if isinstance(m, nn.Conv2d):
                m.weight.copy_(torch.from_numpy(next(arrays).transpose(3, 2, 0, 1).copy()))
            elif isinstance(m, nn.Linear):
                kernel = next(arrays)
                if first_dense and order is not None:
                    kernel = kernel[order]
                first_dense = False
                m.weight.copy_(torch.from_numpy(kernel.T.copy()))
                if m.bias is not None:
                    m.bias.copy_(torch.from_numpy(next(arrays)))
            else:  # batch norm: gamma, beta, moving mean, moving variance
                for target in (m.weight, m.bias, m.running_mean, m.running_var):
                    target.copy_(torch.from_numpy(next(arrays)))
    if next(arrays, None) is not None:
        raise ValueError("the Keras network has more weights than its PyTorch twin")
    return net.eval()


def torch_to_keras(net: nn.Module) -> list[np.ndarray]:
    """The weights of `net` in the order Keras's `set_weights()` of the same arch takes."""
    order = _flatten_permutation(net)
    out: list[np.ndarray] = []
    first_dense = True
    for m in _weighted(net):
        if isinstance(m, nn.Conv2d):
            out.append(m.weight.detach().cpu().numpy().transpose(2, 3, 1, 0).copy())
        elif isinstance(m, nn.Linear):
            kernel = m.weight.detach().cpu().numpy().T
            if first_dense and order is not None:
                restored = np.empty_like(kernel)
                restored[order] = kernel
                kernel = restored
            first_dense = False
            out.append(np.ascontiguousarray(kernel))
            if m.bias is not None:
                out.append(m.bias.detach().cpu().numpy().copy())
        else:
            out += [t.detach().cpu().numpy().copy()
                    for t in (m.weight, m.bias, m.running_mean, m.running_var)]
    return out
