"""Models that travel: a digitpad model written in a format other programs run (ONNX,
TorchScript, TFLite, SavedModel), checked before it is kept.

Every export is loaded back with its own runtime and must give the same answers as the original
on MNIST test images (same top-1 for every image, probabilities within `TOLERANCE`); a file that
fails is deleted and the reason given. Beside it goes its model card (`NAME.json`, the app's
own card format) with the input contract, so whoever runs the file knows what to feed it.

Where it goes is checked before any work (`check_destination`): never over the model itself or a
file of another kind. A file export and its card are saved as one unit, like a model
(`models.save_unit`), and the next export to the same place tidies what a killed one left.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib.util import find_spec
from pathlib import Path

import numpy as np

from digitpad import atomic, backends, models
from digitpad.errors import BackendMissing, ModelFileError, Unsupported
from digitpad.export_runtimes import check_images, compare, run

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
EXPORTING = ".exporting"  # an export being written and checked: `.NAME.exporting<suffix>`


@dataclass(frozen=True)
class Format:
    label: str
    suffix: str  # "" for a folder (SavedModel)
    runtime: str  # the module that loads it back for the check
    install: str  # what to install when that module is missing


FORMATS = {
    "onnx": Format("ONNX", ".onnx", "onnxruntime", "pip install 'digitpad[export]'"),
    "torchscript": Format("TorchScript", ".torchscript", "torch", "pip install torch"),
    "tflite": Format(
        "TensorFlow Lite", ".tflite", "tensorflow", "pip install 'digitpad[tensorflow]'"
    ),
    "savedmodel": Format(
        "TensorFlow SavedModel (folder)", "", "tensorflow", "pip install 'digitpad[tensorflow]'"
    ),
}
CONVERTERS = {
    ("onnx", "torch"): ("onnxscript", "pip install 'digitpad[export]'"),
    ("onnx", "keras"): ("tf2onnx", "pip install 'digitpad[export]'"),
}


@dataclass
class ExportReport:
    path: Path
    fmt: str
    images: int
    max_difference: float
    same_top1: int
    seconds: float

    def summary(self) -> str:
        return (
            f"Exported {FORMATS[self.fmt].label} to {self.path}; checked with its own "
            f"runtime on {self.images:,} MNIST test images: same answer for "
            f"{self.same_top1:,}, probabilities within {self.max_difference:.1e}"
        )


class ExportFailed(Exception):
    """The export was written but did not behave like the original; it was deleted."""


def copy_model(path: Path, target: Path) -> Path:
    """Copy a model and its card to `target` (a file path or a folder) as one unit, never over
    a file of another kind."""
    from digitpad.train_job import check_destination as check_model_destination

    path, target = Path(path), Path(target)
    if target.is_dir():
        target = target / path.name
    target = check_model_destination(target, models.backend_of(path))
    models.save(target, lambda tmp: shutil.copyfile(path, tmp), models.read_card(path))
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
        raise Unsupported(
            f"{backend.label} models cannot be exported to "
            f"{FORMATS[fmt].label} (possible: {possible})"
        )
    for module, install in (
        CONVERTERS.get((fmt, backend.exported_by or backend.name), (None, "")),
        (FORMATS[fmt].runtime, FORMATS[fmt].install),
    ):
        if module and find_spec(module) is None:
            raise BackendMissing(
                f"exporting to {FORMATS[fmt].label} needs the {module!r} package: {install}"
            )


def check_destination(model_path: Path, fmt: str, out: Path | None = None) -> Path:
    """Where an export of `model_path` goes (`out`, a folder to write into, or by default
    beside the model); ModelFileError, before any work, when it could not be kept there or
    would replace what it must not: the model itself, a file of another kind, a folder that is
    not a SavedModel."""
    spec = FORMATS[fmt]
    out = Path(out) if out else default_out(model_path, fmt)
    if out.is_dir() and not _is_savedmodel(out):
        out = default_out(model_path, fmt, out)
    if (
        spec.suffix
        and out.suffix.lower() != spec.suffix
        or not spec.suffix
        and (out.suffix.lower() in _file_suffixes() or out.exists() and not out.is_dir())
    ):
        what = (
            f"is {_kind(out)}, never replaced by an export"
            if out.exists()
            else "has the wrong suffix"
        )
        wanted = f"{spec.suffix} files" if spec.suffix else "folders"
        raise ModelFileError(f"{out}: {what}; {spec.label} exports are {wanted}")
    why = atomic.unwritable(out.parent)
    if why:
        raise ModelFileError(f"{out}: cannot write there ({why})")
    return out


def _is_savedmodel(folder: Path) -> bool:
    return (folder / "saved_model.pb").is_file()


def _file_suffixes() -> set[str]:
    """The suffixes of model and export files: never the name of a SavedModel folder."""
    return set(backends.suffixes()) | {f.suffix for f in FORMATS.values() if f.suffix}


def _kind(path: Path) -> str:
    if path.is_dir():
        return "a folder"
    try:
        return f"a {backends.for_path(path).label} model"
    except ModelFileError:
        return "a file of another kind"


def export(
    model_path: Path,
    fmt: str,
    out: Path | None = None,
    images: np.ndarray | None = None,
    tamper: Callable[[Path], None] | None = None,
    on_step: Callable[[str], None] | None = None,
) -> ExportReport:
    """Write `model_path` as `fmt` to `out` (see `check_destination`), check it, keep it with
    its card. `images` are the check's (N, 28, 28) inputs (default: MNIST test images);
    `tamper` lets tests damage the written file before the check, `on_step` is told each step
    of the one-unit save (tests kill it there). One export to one place runs at a time."""
    model_path = Path(model_path)
    check_format(model_path, fmt)
    out = check_destination(model_path, fmt, out)
    with atomic.locked(out.with_name(out.name + EXPORTING)):
        _tidy(out)
        return _export(model_path, fmt, out, images, tamper, on_step)


def _export(
    model_path: Path,
    fmt: str,
    out: Path,
    images: np.ndarray | None,
    tamper: Callable[[Path], None] | None,
    on_step: Callable[[str], None] | None,
) -> ExportReport:
    from digitpad.predictors import load_any

    started = time.perf_counter()
    predictor = load_any(model_path)
    backend = backends.get(predictor.backend)
    card = _card(predictor.card, model_path, fmt)
    images = check_images(CHECK_IMAGES) if images is None else np.asarray(images, np.float32)
    staged = out.with_name(f".{out.name}{EXPORTING}{out.suffix}")  # converters want the suffix
    try:
        backend.export(predictor, fmt, staged)
        if fmt == "onnx":
            _embed_card(staged, card)
        if tamper:
            tamper(staged)
        expected = predictor.predict(images)
        got = run(fmt, staged, images)
        same, diff = compare(expected, got)
        if same < len(images) or diff > TOLERANCE:
            raise ExportFailed(
                f"the {FORMATS[fmt].label} file did not behave like the model: same answer for "
                f"{same:,} of {len(images):,} test images, probabilities up to {diff:.2e} apart "
                f"(allowed {TOLERANCE:g}); it was deleted"
            )
        card["verification"] = {
            "images": len(images),
            "same_top1": same,
            "max_probability_difference": diff,
            "runtime": FORMATS[fmt].runtime,
        }
        card["file"] = out.name
        if staged.is_dir():
            _publish_folder(staged, out, card)
        else:
            models.save_unit(
                out,
                lambda tmp: os.replace(staged, tmp),
                lambda sha: _card_writer(card | {"sha256": sha}),
                on_step,
            )
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
        exported_from={"file": model_path.name, "backend": source.backend, "sha256": source.sha256},
        input=INPUT_CONTRACT,
        outputs=OUTPUTS,
    )
    return fields


def _embed_card(path: Path, card: dict) -> None:
    """The card's contract as ONNX metadata too, for tools that only see the file."""
    import onnx

    graph = onnx.load(str(path))
    meta = {
        "digitpad.card": json.dumps({k: v for k, v in card.items() if k != "sha256"}),
        "digitpad.input": json.dumps(INPUT_CONTRACT),
        "digitpad.outputs": OUTPUTS,
    }
    for key, value in meta.items():
        entry = graph.metadata_props.add()
        entry.key, entry.value = key, value
    graph.doc_string = (
        "digitpad digit reader: 28x28 float 0..1 ink-bright images -> probabilities of 0-9"
    )
    onnx.save(graph, str(path))


def _card_writer(card: dict) -> Callable[[Path], None]:
    text = json.dumps(card, indent=2) + "\n"
    return lambda tmp: tmp.write_text(text, "utf-8")


def _publish_folder(staged: Path, out: Path, card: dict) -> None:
    """Move a checked SavedModel folder into place, replacing an older one, then its card (a
    folder has no checksum for its card to name)."""
    old = out.with_name(f".{out.name}.old")
    _remove(old)
    if out.exists():
        out.rename(old)
    staged.rename(out)
    _remove(old)
    atomic.flush_folder(out.parent)
    atomic.atomic_write(models.card_path(out), _card_writer(card | {"sha256": ""}))


def _tidy(out: Path) -> None:
    """What a killed export to `out` left: the file its committed card names is published,
    the rest removed. Run holding the export's lock, so no other export there is under way."""
    try:
        sha = json.loads(models.card_path(out).read_text("utf-8")).get("sha256", "")
    except (OSError, ValueError, AttributeError):
        sha = ""
    if isinstance(sha, str) and re.fullmatch(r"[0-9a-f]{64}", sha):
        with atomic.locked(out):
            models.roll_forward(out, sha)
    name, stem = re.escape(out.name), re.escape(out.stem)
    left = re.compile(
        rf"\.({name}(\.json)?\.([^.]+{atomic.PARTIAL}.*|[0-9a-f]{{16}}"
        rf"{models.STAGED}|old)|({name}|{stem}){EXPORTING}.*)"
    )
    for path in out.parent.iterdir():
        if left.fullmatch(path.name) and not path.name.endswith(atomic.LOCK):
            _remove(path)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
