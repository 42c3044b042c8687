"""What a training run is asked to do, in one validated value shared by the panel and the CLI.
The field defaults below are THE training defaults: the CLI's options and the panel's settings
are read from them."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from digitpad import backends, network
from digitpad.network import DescriptionError, Layer

OPTIMIZERS = ("adam", "adamw", "sgd")


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
            (1 <= self.epochs <= 1000, "epochs must be between 1 and 1000"),
            (1 <= self.batch_size <= 65536, "batch size must be between 1 and 65536"),
            (0.0 < self.lr <= 10.0, "learning rate must be above 0 and at most 10"),
            (0.0 <= self.val_split < 0.9, "validation split must be in [0, 0.9)"),
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
