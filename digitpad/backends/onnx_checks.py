"""What an ONNX file could do to the reader, checked before and while ONNX Runtime first runs it.

An ONNX file runs no code of its own, but a hostile one can still:
- name "external data" files whose bytes become its tensors: ONNX Runtime reads them relative
  to the working directory, wherever in the graph they are named (initializers, a Constant's
  attribute, a tensor list, sparse tensors, If/Loop/Scan bodies at any depth, functions);
- declare or compute a tensor far too large to allocate (ONNX Runtime then dies of bad_alloc,
  or takes the machine's memory);
- loop without end (a Loop of 1e15 turns), which left the window on "Loading..." forever.
So external data is refused wherever it is, every size the graph declares or that ONNX shape
inference can work out is bounded, and the first inference runs under a time limit.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from digitpad.backends.base import first_line
from digitpad.errors import ModelFileError

log = logging.getLogger("digitpad.onnx")

MAX_BYTES = 256 * 2**20  # a digit network is well under 10 MB; refuse before parsing a huge file
# The most values one tensor may hold (per image where the batch is open): as many float32s as
# the largest file holds bytes. The bundled CNN's largest tensor holds 1.2 million.
MAX_VALUES = MAX_BYTES // 4
# A digit network reads an image in milliseconds; its first inference includes ONNX Runtime's
# own set-up (on a GPU, its kernels' selection), which takes well under a second.
FIRST_INFERENCE_SECONDS = 5.0
STOP_SECONDS = 1.0  # how long a run asked to stop may take to notice


def _messages(root: Any) -> Iterator[Any]:
    """Every protobuf message inside `root`, however deeply nested (graphs of graphs)."""
    from google.protobuf.message import Message

    stack = [root]
    while stack:
        message = stack.pop()
        yield message
        for field, value in message.ListFields():
            if field.message_type is None:
                continue
            if isinstance(value, Message):
                stack.append(value)
            else:
                stack.extend(value)


def refuse_external_data(path: Path, model: Any) -> None:
    """Refuse a model any of whose tensors names a file to be read (ONNX "external data")."""
    from onnx import TensorProto

    for message in _messages(model):
        if isinstance(message, TensorProto) and (
            message.data_location == TensorProto.EXTERNAL or len(message.external_data)
        ):
            raise ModelFileError(
                f"{path}: refused: the model reads weights from other files "
                "(ONNX external data); digitpad loads self-contained models "
                "only"
            )


def refuse_endless_loops(path: Path, model: Any) -> None:
    """Refuse a Loop whose body holds nothing but constants: ONNX Runtime checks whether it was
    asked to stop only between operators, so such a loop could never be stopped."""
    from onnx import NodeProto

    for message in _messages(model):
        if isinstance(message, NodeProto) and message.op_type == "Loop" and not message.domain:
            body = next((a.g for a in message.attribute if a.name == "body"), None)
            if body is not None and all(n.op_type == "Constant" for n in body.node):
                raise ModelFileError(
                    f"{path}: refused: a Loop whose body computes nothing "
                    "(it could repeat without end and not be stopped)"
                )


def refuse_huge_tensors(path: Path, model: Any) -> None:
    """Refuse a model that declares, or computes from its constants, a tensor of more than
    MAX_VALUES values, before ONNX Runtime tries to allocate it. Open dimensions (the batch)
    count as 1; sizes computed from the input images are caught at the first inference."""
    import onnx

    try:
        inferred = onnx.shape_inference.infer_shapes(model, data_prop=True)
    except Exception as err:  # InferenceError: shapes that contradict each other
        raise ModelFileError(f"{path}: not a valid ONNX model ({first_line(err)})") from err
    for message in _messages(inferred):
        if isinstance(message, onnx.SparseTensorProto):
            name, dims = message.values.name, list(message.dims)
        elif isinstance(message, onnx.TensorProto):
            name, dims = message.name, list(message.dims)
        elif isinstance(message, onnx.ValueInfoProto) and message.type.HasField("tensor_type"):
            name = message.name
            dims = [
                d.dim_value if d.HasField("dim_value") else 1
                for d in message.type.tensor_type.shape.dim
            ]
        else:
            continue
        values = math.prod(max(d, 1) for d in dims)
        if values > MAX_VALUES:
            raise ModelFileError(
                f"{path}: refused: tensor {name!r} would hold {values:,} values "
                f"(a digit network needs far fewer than {MAX_VALUES:,})"
            )


def first_inference(path: Path, session: Any, feeds: dict[str, np.ndarray]) -> list:
    """Run the model once, as the load's check, within FIRST_INFERENCE_SECONDS, or refuse it.

    The run happens on a helper thread so that the loader always comes back: past the limit
    ONNX Runtime is asked to stop (it checks between operators); a run that cannot notice is
    left behind, to end with the process, and the model is refused all the same."""
    import onnxruntime

    options = onnxruntime.RunOptions()
    options.log_severity_level = 4  # the failure is said once, by the message below
    outcome: list = []

    def run() -> None:
        try:
            outcome.append(session.run(None, feeds, options))
        except Exception as err:  # handed to the loader, which names the file
            outcome.append(err)

    thread = threading.Thread(target=run, name="onnx-first-inference", daemon=True)
    thread.start()
    thread.join(FIRST_INFERENCE_SECONDS)
    if thread.is_alive():
        options.terminate = True
        thread.join(STOP_SECONDS)
        if thread.is_alive():
            log.warning(
                "%s: its first inference could not be stopped; it runs on until digitpad quits",
                path,
            )
        raise ModelFileError(
            f"{path}: refused: its first inference ran past "
            f"{FIRST_INFERENCE_SECONDS:g} s (a digit network needs "
            "milliseconds)"
        )
    if isinstance(outcome[0], Exception):
        err = outcome[0]
        raise ModelFileError(
            f"{path}: ONNX Runtime cannot run this model ({first_line(err)})"
        ) from err
    return outcome[0]
