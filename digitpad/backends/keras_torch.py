"""Keras models without TensorFlow: the weights of a `.keras` network moved into the PyTorch
network of the same description (`keras_nets` and `torch_nets` are built layer for layer the
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

from digitpad.network.layers import Dense, Flatten
from digitpad.network.plan import plan


def _weighted(net: nn.Module) -> list[nn.Module]:
    return [
        m
        for m in net.modules()
        if isinstance(m, nn.Conv2d | nn.Linear | nn.BatchNorm2d | nn.BatchNorm1d)
    ]


def _dense_input_orders(net: nn.Module) -> list[np.ndarray | None]:
    """Keras flattens feature maps channels-last (h, w, c), torch channels-first (c, h, w): a
    dense layer right after a flatten of feature maps sees its inputs in another order. For each
    dense layer in order: for each torch input position, the Keras one (None: same order)."""
    orders = []
    steps = plan(net.description)
    for before, step in zip([None, *steps], steps, strict=False):
        if not isinstance(step.layer, Dense):
            continue
        shape = before.input_shape if before and isinstance(before.layer, Flatten) else ()
        if len(shape) == 3 and shape[0] * shape[1] > 1 and shape[2] > 1:
            h, w, c = shape
            orders.append(np.arange(h * w * c).reshape(h, w, c).transpose(2, 0, 1).reshape(-1))
        else:
            orders.append(None)
    return orders


def keras_to_torch(weights: list[np.ndarray], net: nn.Module) -> nn.Module:
    """Load a Keras network's `get_weights()` into `net` (torch_nets.build of the same
    description)."""
    arrays = iter(weights)
    orders = iter(_dense_input_orders(net))
    with torch.no_grad():
        for m in _weighted(net):
            if isinstance(m, nn.Conv2d):
                m.weight.copy_(torch.from_numpy(next(arrays).transpose(3, 2, 0, 1).copy()))
                if m.bias is not None:
                    m.bias.copy_(torch.from_numpy(next(arrays)))
            elif isinstance(m, nn.Linear):
                kernel, order = next(arrays), next(orders)
                if order is not None:
                    kernel = kernel[order]
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
    """The weights of `net` in the order Keras's `set_weights()` of the same description takes."""
    orders = iter(_dense_input_orders(net))
    out: list[np.ndarray] = []
    for m in _weighted(net):
        if isinstance(m, nn.Conv2d):
            out.append(m.weight.detach().cpu().numpy().transpose(2, 3, 1, 0).copy())
            if m.bias is not None:
                out.append(m.bias.detach().cpu().numpy().copy())
        elif isinstance(m, nn.Linear):
            kernel, order = m.weight.detach().cpu().numpy().T, next(orders)
            if order is not None:
                restored = np.empty_like(kernel)
                restored[order] = kernel
                kernel = restored
            out.append(np.ascontiguousarray(kernel))
            if m.bias is not None:
                out.append(m.bias.detach().cpu().numpy().copy())
        else:
            out += [
                t.detach().cpu().numpy().copy()
                for t in (m.weight, m.bias, m.running_mean, m.running_var)
            ]
    return out
