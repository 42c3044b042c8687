"""The ONNX Runtime backend: reads `.onnx` files (digitpad's own exports or any network that maps
(batch, 28, 28) images to 10 scores) without torch or TensorFlow. It predicts only; training
stays with the frameworks that built the network.

An ONNX file is a protobuf graph of standard operators: loading it runs no code of the file's.
What a hostile file could still do (read other files, exhaust memory, loop without end) is
checked by digitpad.backends.onnx_checks before and while ONNX Runtime first runs it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from digitpad.backends import onnx_checks
from digitpad.backends.base import Backend, Device, Predictor, first_line, refuse_non_digit_model
from digitpad.errors import ModelFileError
from digitpad.models import ModelCard

BATCH = 64  # small batches: memory for activations stays small (10k images cost +50 MB)


class OnnxPredictor(Predictor):
    def __init__(self, session: Any, card: ModelCard, path: Path, device: str) -> None:
        super().__init__("onnx", card, path, device)
        self.session = session
        self._input = session.get_inputs()[0].name
        # digitpad's exports end in a softmax; a foreign network may give raw scores
        self._softmax = card.config.get("outputs") != "probabilities"

    @property
    def model(self) -> Any:
        return self.session

    def predict(self, images: np.ndarray) -> np.ndarray:
        x = np.ascontiguousarray(images, np.float32).reshape(-1, *self._shape())
        if len(x) == 0:
            return np.zeros((0, 10), np.float32)
        scores = np.concatenate(
            [
                self.session.run(None, {self._input: x[s : s + BATCH]})[0].reshape(-1, 10)
                for s in range(0, len(x), BATCH)
            ]
        )
        if not self._softmax:
            return scores
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        return (scores / scores.sum(axis=1, keepdims=True)).astype(np.float32)

    def activations_missing(self) -> str:
        return (
            "ONNX Runtime runs the file as one sealed graph and gives only its output; "
            "open the .pt or .keras model it was exported from to see every layer"
        )

    def _shape(self) -> tuple[int, ...]:
        shape = self.session.get_inputs()[0].shape[1:]
        return tuple(int(d) if isinstance(d, int) else 1 for d in shape)


class OnnxBackend(Backend):
    name = "onnx"
    label = "ONNX Runtime"
    suffix = ".onnx"
    framework = "onnxruntime"
    install = "pip install 'digitpad[onnx]'"
    trains = False

    def devices(self) -> list[Device]:
        import onnxruntime

        found = [Device("cpu", "CPU")]
        if "CUDAExecutionProvider" in onnxruntime.get_available_providers():
            found.append(Device("cuda:0", "CUDA 0 (ONNX Runtime)"))
        return found

    def run_export(self, fmt: str, path: Path, images: np.ndarray) -> np.ndarray:
        if fmt != "onnx":
            return super().run_export(fmt, path, images)
        import onnxruntime

        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        return session.run(None, {session.get_inputs()[0].name: images})[0]

    def load(self, path: Path, card: ModelCard, device: str = "cpu") -> OnnxPredictor:
        path = Path(path)
        size = path.stat().st_size
        if size == 0:
            raise ModelFileError(f"{path}: empty file, not an ONNX model")
        if size > onnx_checks.MAX_BYTES:
            raise ModelFileError(
                f"{path}: {size / 2**20:.0f} MB, far too large for a digit network; not loaded"
            )
        device = self.resolve_device(device)
        graph = _read_graph(path)
        inputs = graph.graph.input
        initialised = {t.name for t in graph.graph.initializer}
        real = [i for i in inputs if i.name not in initialised]
        if len(real) != 1 or len(graph.graph.output) < 1:
            raise ModelFileError(
                f"{path}: an ONNX model with {len(real)} inputs; a digit "
                "network takes one batch of images"
            )
        dims = real[0].type.tensor_type.shape.dim[1:]
        shape = tuple(d.dim_value if d.HasField("dim_value") else -1 for d in dims)
        out_dims = graph.graph.output[0].type.tensor_type.shape.dim
        outputs = out_dims[-1].dim_value if out_dims and out_dims[-1].HasField("dim_value") else 0
        refuse_non_digit_model(path, shape, outputs)
        session = _session(path, graph, device)
        card.config = {**card.config, **_outputs_of(graph)}
        if card.arch == "unknown":
            card.arch = "onnx"
        predictor = OnnxPredictor(session, card, path, device)
        # the check, which also warms the model up now rather than on the first stroke; two
        # blank images, as digitpad.backends.base.check_reading reads next
        blank = np.zeros((2, *predictor._shape()), np.float32)
        onnx_checks.first_inference(path, session, {predictor._input: blank})
        return predictor


def _read_graph(path: Path):  # -> onnx.ModelProto
    """Parse and check the graph; refuse files that reach for data outside themselves, tensors
    too large to hold and loops that could not be stopped."""
    import onnx

    try:
        graph = onnx.load(str(path), load_external_data=False)
    except Exception as err:  # protobuf DecodeError and the like
        raise ModelFileError(f"{path}: not a valid ONNX model ({first_line(err)})") from err
    onnx_checks.refuse_external_data(path, graph)  # first: nothing below may read such files
    try:
        onnx.checker.check_model(graph)
    except Exception as err:  # ValidationError
        raise ModelFileError(f"{path}: not a valid ONNX model ({first_line(err)})") from err
    onnx_checks.refuse_huge_tensors(path, graph)
    onnx_checks.refuse_endless_loops(path, graph)
    return graph


def _session(path: Path, graph: Any, device: str):  # -> onnxruntime.InferenceSession
    import onnxruntime

    options = onnxruntime.SessionOptions()
    # One drawing at a time: one thread answers sooner than two that wake each other.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # errors only: no warnings on the console at start
    options.enable_cpu_mem_arena = False  # an arena keeps the largest batch's memory for good
    providers = (
        ["CUDAExecutionProvider", "CPUExecutionProvider"]
        if device.startswith("cuda")
        else ["CPUExecutionProvider"]
    )
    try:
        return onnxruntime.InferenceSession(graph.SerializeToString(), options, providers=providers)
    except Exception as err:  # unknown operators, bad types
        raise ModelFileError(
            f"{path}: ONNX Runtime cannot run this model ({first_line(err)})"
        ) from err


def _outputs_of(graph: Any) -> dict[str, str]:
    """What the model's own metadata says its output is (digitpad's exports say so)."""
    meta = {p.key: p.value for p in graph.metadata_props}
    return {"outputs": meta["digitpad.outputs"]} if "digitpad.outputs" in meta else {}


BACKEND = OnnxBackend()
