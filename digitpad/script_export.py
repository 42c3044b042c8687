"""A model as the plain training script a tutorial would show ("show me the code"): its network
and training settings written out in the framework's own idiom, to run without digitpad.

Keras: `Sequential`, `compile` and `fit`. PyTorch: an `nn.Module`, a `DataLoader` and the
explicit loop. The script reads MNIST from an idx folder given on its command line, trains with
the model's optimizer, learning rate and schedule (linear warm-up, then cosine decay, as digitpad
trains), epochs and batch size, and prints the test accuracy. It imports only its framework and
numpy (and the standard library).
"""

from __future__ import annotations

from pathlib import Path

from digitpad import atomic, models, network
from digitpad.card import ModelCard
from digitpad.errors import ModelFileError
from digitpad.network.layers import (
    Activation,
    BatchNorm,
    Conv,
    Dense,
    Dropout,
    Flatten,
    GlobalAvgPool,
    Pool,
)
from digitpad.network.plan import Step, plan, uneven_padding
from digitpad.script_templates import KERAS, TORCH
from trainers.config import DEFAULTS
from trainers.schedule import WARMUP_FRACTION

FORMAT = "script"  # what `export --format` and the window call it
SUFFIX = ".py"
TORCH_ACTIVATIONS = {
    "relu": "nn.ReLU()",
    "tanh": "nn.Tanh()",
    "sigmoid": "nn.Sigmoid()",
    "gelu": "nn.GELU()",
}
TORCH_OPTIMIZERS = {
    "adam": "torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)",
    "adamw": "torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE, weight_decay=1e-4)",
    "sgd": "torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=0.9, nesterov=True)",
}
KERAS_OPTIMIZERS = {
    "adam": "keras.optimizers.Adam(schedule)",
    "adamw": "keras.optimizers.AdamW(schedule, weight_decay=1e-4)",
    "sgd": "keras.optimizers.SGD(schedule, momentum=0.9, nesterov=True)",
}
AUGMENT_NOTE = (
    "    # digitpad also distorted every training image (small random rotations, "
    "shifts,\n    # scaling and stroke widths: trainers/augment.py). This script "
    "leaves that out.\n"
)
VALIDATION_NOTE = (
    "    # digitpad held {share:.0%} of the training images back to validate each "
    "epoch;\n    # this script trains on all of them.\n"
)


def layers_of(card: ModelCard) -> tuple:
    """The network a card records (older cards name a preset)."""
    if card.network:
        return network.from_json(card.network)
    if card.arch in network.PRESETS:
        return network.preset(card.arch).layers
    raise ModelFileError(
        f"{card.file}: its network is not one digitpad describes, so it "
        "cannot be written out as a script"
    )


def script_for(card: ModelCard) -> str:
    """The training script of a model, from its card: its network and training settings."""
    if card.backend not in ("torch", "keras"):
        raise ModelFileError(f"{card.title}: only PyTorch and Keras models have a training script")
    steps = plan(layers_of(card))
    settings = {**DEFAULTS.as_dict(), **card.config}
    values = {
        "title": card.title,
        "spec": network.format_layers(layers_of(card)),
        "epochs": int(settings["epochs"]),
        "batch_size": int(settings["batch_size"]),
        "lr": float(settings["lr"]),
        "warmup": WARMUP_FRACTION,
        "augment_note": (AUGMENT_NOTE if settings.get("augment") else "")
        + (
            VALIDATION_NOTE.format(share=settings["val_split"]) if settings.get("val_split") else ""
        ),
    }
    if card.backend == "torch":
        return TORCH.format(
            **values,
            layers=_lines(steps, _torch, 12),
            optimizer=TORCH_OPTIMIZERS[settings["optimizer"]],
        )
    return KERAS.format(
        **values, layers=_lines(steps, _keras, 8), optimizer=KERAS_OPTIMIZERS[settings["optimizer"]]
    )


def _lines(steps: list[Step], code, indent: int) -> str:
    """One layer a line, each followed by a comma and, where it makes a shape, the shape."""
    lines = []
    for step in steps:
        made = code(step)
        for n, line in enumerate(made):
            reshapes = not isinstance(step.layer, (BatchNorm, Activation, Dropout))
            shape = f"  # -> {_shape(step)}" if n == len(made) - 1 and reshapes else ""
            lines.append(" " * indent + line + "," + shape)
    return "\n".join(lines)


def write_script(model_path: Path, out: Path | None = None) -> Path:
    """Write the training script of the model at `model_path` (default: beside it, `.py`);
    the destination is checked first and never a model or another kind of file."""
    model_path = Path(model_path)
    card = models.check(model_path, models.read_card(model_path))
    out = Path(out) if out else model_path.with_suffix(SUFFIX)
    if out.is_dir():
        out = out / model_path.with_suffix(SUFFIX).name
    if out.suffix != SUFFIX:
        raise ModelFileError(f"{out}: a training script is a .py file")
    if out.exists() and not out.is_file():
        raise ModelFileError(f"{out}: not a regular file; not replaced")
    text = script_for(card)
    atomic.atomic_write(out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return out


def _shape(step: Step) -> str:
    return "x".join(str(n) for n in step.output_shape)


def _torch(step: Step) -> list[str]:
    layer = step.layer
    if isinstance(layer, Dense):
        act = [TORCH_ACTIVATIONS[layer.activation]] if layer.activation != "none" else []
        return [f"nn.Linear({step.input_shape[0]}, {layer.units}, bias={step.bias})", *act]
    if isinstance(layer, Conv):
        pad = _torch_padding(step)
        act = [TORCH_ACTIVATIONS[layer.activation]] if layer.activation != "none" else []
        padding = "0" if pad or layer.padding == "valid" else '"same"'
        return [
            *pad,
            f"nn.Conv2d({step.input_shape[2]}, {layer.filters}, {layer.kernel}, "
            f"stride={layer.stride}, padding={padding}, bias={step.bias})",
            *act,
        ]
    if isinstance(layer, Pool):
        kind = "MaxPool2d" if layer.mode == "max" else "AvgPool2d"
        return [f"nn.{kind}({layer.size})"]
    if isinstance(layer, BatchNorm):
        kind = "BatchNorm1d" if len(step.input_shape) == 1 else "BatchNorm2d"
        return [f"nn.{kind}({step.input_shape[-1]})"]
    if isinstance(layer, Activation):
        return [TORCH_ACTIVATIONS.get(layer.function, "nn.Identity()")]
    if isinstance(layer, Dropout):
        return [f"nn.Dropout({layer.rate:g})"]
    if isinstance(layer, GlobalAvgPool):
        return ["nn.AdaptiveAvgPool2d(1), nn.Flatten()"]
    return ["nn.Flatten()"]


def _torch_padding(step: Step) -> list[str]:
    """Where Keras pads unevenly, PyTorch pads explicitly (network.plan.uneven_padding)."""
    pads = uneven_padding(step)
    return [f"nn.ZeroPad2d({pads})"] if pads else []


def _keras(step: Step) -> list[str]:
    layer = step.layer
    act = getattr(layer, "activation", "none")
    act = "" if act == "none" else f', activation="{act}"'
    bias = "" if step.bias else ", use_bias=False"
    if isinstance(layer, Dense):
        return [f"layers.Dense({layer.units}{act}{bias})"]
    if isinstance(layer, Conv):
        stride = f", strides={layer.stride}" if layer.stride != 1 else ""
        return [
            f"layers.Conv2D({layer.filters}, {layer.kernel}{stride}, "
            f'padding="{layer.padding}"{act}{bias})'
        ]
    if isinstance(layer, Pool):
        kind = "MaxPooling2D" if layer.mode == "max" else "AveragePooling2D"
        return [f"layers.{kind}({layer.size})"]
    if isinstance(layer, BatchNorm):
        return ["layers.BatchNormalization(momentum=0.9, epsilon=1e-5)"]
    if isinstance(layer, Activation):
        return [
            f'layers.Activation("{layer.function}")'
            if layer.function != "none"
            else 'layers.Activation("linear")'
        ]
    if isinstance(layer, Dropout):
        return [f"layers.Dropout({layer.rate:g})"]
    if isinstance(layer, GlobalAvgPool):
        return ["layers.GlobalAveragePooling2D()"]
    if isinstance(layer, Flatten):
        return ["layers.Flatten()"]
    raise AssertionError(f"no Keras line for {layer}")
