"""Third-party notices that tell a digitpad user nothing, dropped where they are raised (and
only those: every other warning still shows)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

TORCH_ONNX_REGISTRY = "torch.onnx._internal.exporter._registration"
NO_TORCHVISION = "torchvision is not installed"


@contextlib.contextmanager
def without_torchvision_notice() -> Iterator[None]:
    """torch's ONNX exporter logs a warning for each torchvision operator it cannot register
    when torchvision is not installed (a plain install has none); no digitpad network uses one.
    The records of that one logger that say so are dropped while the export runs."""
    registry = logging.getLogger(TORCH_ONNX_REGISTRY)

    def keep(record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(NO_TORCHVISION)

    registry.addFilter(keep)
    try:
        yield
    finally:
        registry.removeFilter(keep)
