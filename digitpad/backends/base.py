"""What every backend provides, and the shared parts of it.

A backend exchanges numpy arrays only: (N, 28, 28) float32 images with ink 0..1 in, (N, 10)
probabilities out. Its framework is imported inside its methods, never at module level.
"""

from __future__ import annotations

import importlib.util
from abc import ABC, abstractmethod
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any, ClassVar, Protocol

import numpy as np

from digitpad import network
from digitpad.card import ModelCard
from digitpad.errors import DeviceUnavailable, ModelFileError, Unsupported
from digitpad.layer_outputs import LayerOutput, output_only
from digitpad.network import Layer

# Images per forward pass when scoring many (validation, test, evaluation): on 2 cores the CNN
# reads 10,000 images 2.3x (PyTorch) and 1.3x (Keras) faster in 128s than in 1,000s, whose
# activations (100 MB a layer) fall out of the caches.
PREDICT_BATCH = 128


@dataclass(frozen=True)
class Device:
    id: str  # what TrainConfig.device and --device take: "cpu", "cuda:0", "mps", "gpu:0"
    label: str  # what a person reads: "CPU", "CUDA 0: NVIDIA H100"


class Predictor(ABC):
    """A loaded model, ready to read digits."""

    def __init__(self, backend: str, card: ModelCard, path: Path, device: str) -> None:
        self.backend, self.card, self.path, self.device = backend, card, Path(path), device

    @abstractmethod
    def predict(self, images: np.ndarray) -> np.ndarray:
        """(N, 28, 28) float32 0..1 -> (N, 10) probabilities."""

    def framework_summary(self) -> str:
        """The framework's own words for the network (Keras `summary()`, the PyTorch module
        printout); empty where there are none."""
        return ""

    def activations(self, image: np.ndarray) -> list[LayerOutput]:
        """Every layer's output for one (28, 28) image, in the description's order (see
        digitpad.layer_outputs); the last is what `predict` gives. This default, for a backend
        that runs the network as one sealed graph, gives only that last one, and
        `activations_missing` says why."""
        return output_only(self.predict(np.asarray(image, np.float32)[None])[0])

    def activations_missing(self) -> str:
        """Why `activations` gives only the output; empty where it gives every layer."""
        return f"{self.backend} models give only their output"

    def first_filters(self) -> np.ndarray | None:
        """The first convolution's kernels as (filters, height, width) float32 (what that
        layer looks for in the image), or None where there is none or none can be read."""
        return None

    def explain(self, image: np.ndarray, digit: int) -> np.ndarray:
        """How much each pixel of one (28, 28) image pushed the network towards `digit`:
        (28, 28) float32, positive = towards it. This default needs only `predict`: occlusion,
        the drop in the digit's probability when a 4x4 patch is blanked (one batch of 169
        images). Backends that can give gradients override it with input x gradient."""
        image = np.asarray(image, np.float32)
        corners = [(y, x) for y in range(0, 26, 2) for x in range(0, 26, 2)]
        batch = np.repeat(image[None], len(corners) + 1, axis=0)
        for i, (y, x) in enumerate(corners, start=1):
            batch[i, y : y + 4, x : x + 4] = 0.0
        probs = self.predict(batch)[:, digit]
        heat, count = np.zeros((28, 28), np.float32), np.zeros((28, 28), np.float32)
        for (y, x), p in zip(corners, probs[1:], strict=True):
            heat[y : y + 4, x : x + 4] += probs[0] - p
            count[y : y + 4, x : x + 4] += 1
        return heat / np.maximum(count, 1) * (image > 0)


class Learner(Protocol):
    """A network and its optimizer on one device: the part of training a backend owns.
    The shared loop (trainers.loop) does the rest: batches, schedule, cancel, metrics."""

    model: Any

    def step(self, images: np.ndarray, labels: np.ndarray, lr: float) -> tuple[float, int]:
        """One optimizer step at learning rate `lr` on one batch: (that batch's mean loss,
        how many of its images the network got right before the step)."""
        ...

    def predict(self, images: np.ndarray) -> np.ndarray:
        """Probabilities in inference mode, in large batches."""
        ...

    def learning_rate(self) -> float:
        """The learning rate the framework's optimizer used last (read from the optimizer)."""
        ...

    def trained(self) -> Any:
        """The trained network, to save: a model of its own, whatever the learner does next."""
        ...

    def release(self) -> None:
        """The training is over (finished, cancelled or failed): give back what was borrowed."""
        ...


class Backend(ABC):
    name: ClassVar[str]  # "torch": settings, cards, --backend
    label: ClassVar[str]  # "PyTorch": what a person reads
    suffix: ClassVar[str]  # ".pt": model files of this backend
    framework: ClassVar[str]  # the module that must be importable for this backend to work
    install: ClassVar[str] = ""  # what brings the framework, where a base install lacks it
    nets: ClassVar[str] = ""  # the module with the backend's networks: build, save (training)
    trains: ClassVar[bool] = True
    export_formats: ClassVar[tuple[str, ...]] = ()  # what `export` writes (digitpad.export)
    exported_by: ClassVar[str] = ""  # the backend whose converters write the exports (self)
    gpu_prefix: ClassVar[str] = "cuda"  # how this framework names GPUs: "cuda:0" or "gpu:0"

    def available(self) -> bool:
        """Whether the framework is installed (found without importing it)."""
        return importlib.util.find_spec(self.framework) is not None

    def import_framework(self) -> None:
        """Import the framework now, before any model is built (see digitpad.heap)."""
        importlib.import_module(self.framework)

    # --- devices --------------------------------------------------------------------------
    @abstractmethod
    def devices(self) -> list[Device]:
        """The devices this backend can really use here, the CPU first."""

    def device_alias(self, device: str) -> str:
        """This backend's own spelling of a device name given in any backend's spelling:
        "cuda:N" and "gpu:N" mean the same GPU, and a bare "cuda" or "gpu" the first."""
        other = "gpu" if self.gpu_prefix == "cuda" else "cuda"
        device = device.replace(other, self.gpu_prefix)
        return f"{device}:0" if device == self.gpu_prefix else device

    def resolve_device(self, device: str) -> str:
        """The backend's id for `device`, or DeviceUnavailable naming the usable ones."""
        wanted = self.device_alias(device.strip().lower())
        available = self.devices()
        if any(d.id == wanted for d in available):
            return wanted
        usable = ", ".join(d.id for d in available)
        raise DeviceUnavailable(
            f"device {device!r} is not available to {self.name} here (usable: {usable})"
        )

    # --- model files ----------------------------------------------------------------------
    @abstractmethod
    def load(self, path: Path, card: ModelCard, device: str = "cpu") -> Predictor:
        """Load a model file as data (never as code); ModelFileError says what is wrong."""

    def save(self, model: Any, layers: tuple[Layer, ...], path: Path) -> None:
        """Write a trained network (of the description `layers`) to `path` in this backend's
        format."""
        if not self.nets:
            raise Unsupported(f"{self.label} models cannot be saved by digitpad")
        import_module(self.nets).save(model, layers, str(path))

    def export(self, predictor: Predictor, fmt: str, path: Path) -> None:
        """Write the loaded model in another format (one of `export_formats`), giving
        probabilities for (batch, 28, 28) images as `predict` does."""
        if fmt not in self.export_formats or not self.nets:
            raise Unsupported(f"{self.label} models cannot be exported to {fmt}")
        import_module(self.nets).export(predictor.model, fmt, str(path))

    def run_export(self, fmt: str, path: Path, images: np.ndarray) -> np.ndarray:
        """Probabilities from an exported file of format `fmt` through this framework's own
        runtime, not digitpad's code (the check behind `digitpad.export`)."""
        raise Unsupported(f"{self.label} does not run {fmt} files")

    # --- training -------------------------------------------------------------------------
    def build(self, layers: tuple[Layer, ...]) -> Any:
        """A fresh, untrained network of the description `layers`."""
        if not self.nets:
            raise Unsupported(f"{self.label} cannot build networks")
        return import_module(self.nets).build(layers)

    def learner(
        self, layers: tuple[Layer, ...], optimizer: str, device: str, seed: int, start: Any = None
    ) -> Learner:
        """A network with its optimizer on `device`, seeded, ready for `step`: fresh, or a copy
        of the trained network `start` (a loaded model of this backend) to fine-tune."""
        raise Unsupported(f"{self.label} models cannot be trained")

    def explain_failure(self, err: Exception, device: str) -> str | None:
        """A user's explanation of a framework error raised while training, or None for a
        bug that should surface as it is."""
        return None

    def training_step_check(self) -> float:
        """One real training batch on the CPU (for `--self-test`): its loss."""
        learner = self.learner(network.preset("mlp").layers, "adam", "cpu", seed=0)
        images = np.random.default_rng(0).random((32, 28, 28), dtype=np.float32)
        loss, _ = learner.step(images, np.arange(32) % 10, 1e-3)
        return loss


def describe_network(card: ModelCard, layers: tuple[Layer, ...]) -> None:
    """Write on a loaded model's card what network its file holds (the file is the truth)."""
    card.arch = network.name_of(layers)
    card.network = network.to_json(layers)
    card.params = network.totals(network.plan(layers))[0]


def refuse_non_digit_model(path: Path, input_shape: tuple, outputs: int) -> None:
    """Every digitpad model reads 28x28 images and gives 10 scores; anything else is refused."""
    if tuple(input_shape) not in ((28, 28), (28, 28, 1), (1, 28, 28)) or outputs != 10:
        raise ModelFileError(
            f"{path}: takes {tuple(input_shape)} and gives {outputs} outputs, "
            "not 28x28 images to 10 digits"
        )


def first_line(err: BaseException) -> str:
    """An exception's message in one line, or its type when it has none."""
    return (str(err).strip().splitlines() or [type(err).__name__])[0][:300]


def check_reading(predictor: Predictor) -> None:
    """Read two blank images as the window and the CLI will: a model that fails, or gives
    anything but 10 finite scores per image, is refused now, naming its file (a foreign ONNX
    model gave "cannot reshape array of size 7 into shape (10)" on the first stroke)."""
    path = predictor.path
    try:
        probs = np.asarray(predictor.predict(np.zeros((2, 28, 28), np.float32)))
    except (DeviceUnavailable, ModelFileError):
        raise
    except Exception as err:  # every framework has its own errors for a model that cannot run
        raise ModelFileError(f"{path}: the model cannot read a digit ({first_line(err)})") from err
    if probs.shape != (2, 10) or not np.isfinite(probs).all():
        raise ModelFileError(
            f"{path}: the model gives {probs.shape} scores for 2 images (not "
            "10 finite scores each); not a digit model"
        )
