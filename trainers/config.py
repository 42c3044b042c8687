"""What a training run is asked to do, in one validated value shared by the panel and the CLI.
The field defaults below are THE training defaults: the CLI's options and the panel's settings
are read from them."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from digitpad import backends, network
from digitpad.network import DescriptionError, Layer

OPTIMIZERS = ("adam", "adamw", "sgd")
# The ranges a setting may take, for the checks below and the panel's fields alike.
EPOCHS = (1, 1000)
BATCH_SIZE = (1, 65536)
MAX_LR = 10.0  # above 0 and at most this
MAX_VAL_SPLIT = 0.5  # a validation share in [0, this]: more would starve the training


class ConfigError(ValueError):
    """A setting is out of range; the message says which and why."""


@dataclass(frozen=True)
class TrainConfig:
    backend: str = "torch"
    arch: str = network.DEFAULT  # a preset's name, or "custom" when `layers` is no preset
    layers: tuple[Layer, ...] = ()  # a description that is no preset (else emptied: `arch`)
    epochs: int = 5
    batch_size: int = 128
    lr: float = 2e-3
    optimizer: str = "adam"
    augment: bool = True
    val_split: float = 0.1
    seed: int = 0
    device: str = "cpu"
    track_test: bool = False  # also measure test accuracy after every epoch (benchmarks)

    def __post_init__(self) -> None:
        try:
            layers = tuple(self.layers) or network.preset(self.arch).layers
            network.plan(layers)
        except DescriptionError as err:
            raise ConfigError(f"network: {err}") from err
        arch = network.name_of(layers)  # a preset is kept by name: replace(arch=...) works
        object.__setattr__(self, "arch", arch)
        object.__setattr__(self, "layers", layers if arch == network.CUSTOM else ())
        names = backends.training_backends()
        checks = [
            (self.backend in names, f"backend must be one of {', '.join(names)}"),
            (self.optimizer in OPTIMIZERS, f"optimizer must be one of {', '.join(OPTIMIZERS)}"),
            (
                EPOCHS[0] <= self.epochs <= EPOCHS[1],
                f"epochs must be between {EPOCHS[0]} and {EPOCHS[1]}",
            ),
            (
                BATCH_SIZE[0] <= self.batch_size <= BATCH_SIZE[1],
                f"batch size must be between {BATCH_SIZE[0]} and {BATCH_SIZE[1]}",
            ),
            (0.0 < self.lr <= MAX_LR, f"learning rate must be above 0 and at most {MAX_LR:g}"),
            (
                0.0 <= self.val_split <= MAX_VAL_SPLIT,
                f"validation split must be between 0 and {MAX_VAL_SPLIT:g}",
            ),
            (self.seed >= 0, "seed must not be negative"),
        ]
        for ok, message in checks:
            if not ok:
                raise ConfigError(message)
        if not backends.get(self.backend).trains:
            raise ConfigError(f"{backends.label(self.backend)} models cannot be trained here")

    @property
    def network(self) -> tuple[Layer, ...]:
        """The layers to build: the custom description, or the preset's."""
        return self.layers or network.preset(self.arch).layers

    def as_dict(self) -> dict:
        """The settings as plain values (cards, TensorBoard): the network in its text form."""
        return asdict(self) | {"layers": network.format_layers(self.network)}


DEFAULTS = TrainConfig()  # the CLI's option defaults and the panel's setting defaults
