"""Models that travel: a digitpad model written in a format other programs run (ONNX,
TorchScript, TFLite, SavedModel), checked before it is kept.

Every export is loaded back with its own runtime and must give the same answers as the original
on MNIST test images (same top-1 for every image, probabilities within `TOLERANCE`); a file that
fails is deleted and the reason given. Beside it goes its model card (`NAME.json`, the app's
own card format) with the input contract, so whoever runs the file knows what to feed it.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib.util import find_spec
from pathlib import Path

import numpy as np

from digitpad import atomic, backends, models
from digitpad.errors import BackendMissing, Unsupported

CHECK_IMAGES = 1000
TOLERANCE = 1e-4
INPUT_CONTRACT = {
    "shape": ["batch", 28, 28],
    "dtype": "float32",
    "range": [0.0, 1.0],
    "ink": "bright: 1.0 is ink, 0.0 is paper (MNIST style)",
    "preprocessing": "digitpad.preprocess.to_mnist(image) on a drawing or photo",
}
OUTPUTS = "probabilities"  # softmax applied: one row of 10 per image, digits 0-9


@dataclass(frozen=True)
class Format:
    label: str
    suffix: str      # "" for a folder (SavedModel)
    runtime: str     # the module that loads it back for the check
    install: str     # what to install when that module is missing


FORMATS = {
    "onnx": Format("ONNX", ".onnx", "onnxruntime", "pip install 'digitpad[export]'"),
    "torchscript": Format("TorchScript", ".torchscript", "torch", "pip install torch"),
    "tflite": Format("TensorFlow Lite", ".tflite", "tensorflow", "pip install tensorflow"),
    "savedmodel": Format("TensorFlow SavedModel (folder)", "", "tensorflow",
                         "pip install tensorflow"),
}
CONVERTERS = {("onnx", "torch"): ("onnxscript", "pip install 'digitpad[export]'"),
              ("onnx", "keras"): ("tf2onnx", "pip install 'digitpad[export]'")}


@dataclass
class ExportReport:
    path: Path
    fmt: str
    images: int
    max_difference: float
    same_top1: int
    seconds: float

    def summary(self) -> str:
        return (f"Exported {FORMATS[self.fmt].label} to {self.path}; checked with its own "
                f"runtime on {self.images:,} MNIST test images: same answer for "
                f"{self.same_top1:,}, probabilities within {self.max_difference:.1e}")


class ExportFailed(Exception):
    """The export was written but did not behave like the original; it was deleted."""


def copy_model(path: Path, target: Path) -> Path:
    """Copy a model and its card to `target` (a file path or a folder), as they are."""
    target = Path(target)
    if target.is_dir():
        target = target / Path(path).name
    shutil.copyfile(path, target)
    if models.card_path(path).exists():
        shutil.copyfile(models.card_path(path), models.card_path(target))
    return target


def formats_for(model_path: Path) -> tuple[str, ...]:
    """The formats a model file can be exported to."""
    return backends.for_path(Path(model_path)).export_formats


def default_out(model_path: Path, fmt: str, folder: Path | None = None) -> Path:
    """`folder/<model name><format's suffix>`: the model's own folder unless told otherwise."""
    model_path = Path(model_path)
    folder = Path(folder) if folder else model_path.parent
    suffix = FORMATS[fmt].suffix or "_savedmodel"
    return folder / f"{model_path.stem}{suffix}"


def check_format(model_path: Path, fmt: str) -> None:
    """Unsupported (with the formats that are possible) or BackendMissing, before any work."""
    backend = backends.for_path(Path(model_path))
    if fmt not in FORMATS:
        raise Unsupported(f"unknown export format {fmt!r} (choose {', '.join(FORMATS)})")
    if fmt not in backend.export_formats:
        possible = ", ".join(backend.export_formats) or "none"
        raise Unsupported(f"{backend.label} models cannot be exported to "
                          f"{FORMATS[fmt].label} (possible: {possible})")
    for module, install in (CONVERTERS.get((fmt, backend.name), (None, "")),
                            (FORMATS[fmt].runtime, FORMATS[fmt].install)):
        if module and find_spec(module) is None:
            raise BackendMissing(f"exporting to {FORMATS[fmt].label} needs the {module!r} "
                                 f"package: {install}")


def export(model_path: Path, fmt: str, out: Path | None = None,
           images: np.ndarray | None = None,
           tamper: Callable[[Path], None] | None = None) -> ExportReport:
    """Write `model_path` as `fmt` to `out` (default beside it), check it, keep it with its card.
    `images` are the check's (N, 28, 28) inputs (default: MNIST test images); `tamper` lets
    tests damage the written file before the check."""
    from digitpad.predictors import load_any

    started = time.perf_counter()
    model_path = Path(model_path)
    check_format(model_path, fmt)
    out = Path(out) if out else default_out(model_path, fmt)
    predictor = load_any(model_path)
    backend = backends.get(predictor.backend)
    card = _card(predictor.card, model_path, fmt)
    images = _check_images() if images is None else np.asarray(images, np.float32)
    staged = out.with_name(f".{out.stem}.exporting{out.suffix}")  # converters want the suffix
    _remove(staged)
    try:
        backend.export(predictor, fmt, staged)
        if fmt == "onnx":
            _embed_card(staged, card)
        if tamper:
            tamper(staged)
        expected = predictor.predict(images)
        got = _run(fmt, staged, images)
        same, diff = _compare(expected, got)
        if same < len(images) or diff > TOLERANCE:
            raise ExportFailed(
                f"the {FORMATS[fmt].label} file did not behave like the model: same answer for "
                f"{same:,} of {len(images):,} test images, probabilities up to {diff:.2e} apart "
                f"(allowed {TOLERANCE:g}); it was deleted")
        card["verification"] = {"images": len(images), "same_top1": same,
                                "max_probability_difference": diff, "runtime": FORMATS[fmt].runtime}
        _publish(staged, out)
        card["file"] = out.name
        card["sha256"] = models.sha256_of(out) if out.is_file() else ""
        text = json.dumps(card, indent=2) + "\n"
        atomic.atomic_write(models.card_path(out), lambda tmp: tmp.write_text(text, "utf-8"))
    except BaseException:
        _remove(staged)
        raise
    return ExportReport(out, fmt, len(images), diff, same, time.perf_counter() - started)


def _card(source: models.ModelCard, model_path: Path, fmt: str) -> dict:
    """The source's card, now describing the exported file and how to feed it."""
    fields = asdict(source)
    fields.pop("bundled")
    fields.update(
        backend="onnx" if fmt == "onnx" else fmt,
        name=f"{source.title} · {FORMATS[fmt].label.split(' (')[0]}",
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        config={**source.config, "outputs": OUTPUTS},
        exported_from={"file": model_path.name, "backend": source.backend,
                       "sha256": source.sha256},
        input=INPUT_CONTRACT,
        outputs=OUTPUTS,
    )
    return fields


def _embed_card(path: Path, card: dict) -> None:
    """The card's contract as ONNX metadata too, for tools that only see the file."""
    import onnx

    graph = onnx.load(str(path))
    meta = {"digitpad.card": json.dumps({k: v for k, v in card.items() if k != "sha256"}),
            "digitpad.input": json.dumps(INPUT_CONTRACT), "digitpad.outputs": OUTPUTS}
    for key, value in meta.items():
        entry = graph.metadata_props.add()
        entry.key, entry.value = key, value
    graph.doc_string = "digitpad digit reader: 28x28 float 0..1 ink-bright images -> " \
                       "probabilities of 0-9"
    onnx.save(graph, str(path))


def _check_images() -> np.ndarray:
    from digitpad.data import load_mnist

    return load_mnist().test_x[:CHECK_IMAGES].astype(np.float32) / 255.0


def _compare(expected: np.ndarray, got: np.ndarray) -> tuple[int, float]:
    got = np.asarray(got, np.float32).reshape(expected.shape)
    if not np.isfinite(got).all():
        return 0, float("inf")
    same = int((expected.argmax(1) == got.argmax(1)).sum())
    return same, float(np.abs(expected - got).max())


def _run(fmt: str, path: Path, images: np.ndarray) -> np.ndarray:
    """Probabilities from the exported file, through its own runtime (not digitpad's code)."""
    if fmt == "onnx":
        import onnxruntime

        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        return session.run(None, {session.get_inputs()[0].name: images})[0]
    if fmt == "torchscript":
        import warnings

        import torch

        with warnings.catch_warnings(), torch.inference_mode():
            warnings.simplefilter("ignore")
            return torch.jit.load(str(path), map_location="cpu")(torch.from_numpy(images)).numpy()
    from digitpad.backends.tf_import import tensorflow

    tf = tensorflow()
    if fmt == "savedmodel":
        loaded = tf.saved_model.load(str(path))  # kept: its function refers to its variables
        return loaded.serve(tf.constant(images)).numpy()
    return _run_tflite(tf, path, images)


def _run_tflite(tf, path: Path, images: np.ndarray) -> np.ndarray:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tf.lite.Interpreter points at the LiteRT package
        interpreter = tf.lite.Interpreter(model_path=str(path))
    source = interpreter.get_input_details()[0]["index"]
    interpreter.resize_tensor_input(source, list(images.shape))
    interpreter.allocate_tensors()
    interpreter.set_tensor(source, images)
    interpreter.invoke()
    return interpreter.get_tensor(interpreter.get_output_details()[0]["index"])


def _publish(staged: Path, out: Path) -> None:
    """Move the checked export into place, replacing an older one of the same name."""
    if staged.is_dir():
        if out.exists():
            old = out.with_name(f".{out.name}.old")
            _remove(old)
            out.rename(old)
            staged.rename(out)
            _remove(old)
        else:
            staged.rename(out)
    else:
        staged.replace(out)
    atomic.flush_folder(out.parent)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
