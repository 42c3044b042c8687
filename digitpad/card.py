"""The model card: what a model is, how it was trained and how well it did, as stored in the
JSON file beside it (`name.pt.json`).

A card is data from disk, so it is checked field by field against `SCHEMA` before anything uses
it: a hand-edited `"test_accuracy": "excellent"` or a `sha256` that is a number would otherwise
fail far away (formatting the model list at start-up). This module imports nothing of the
project, so every other module can use the card without an import circle.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any

VERSION = 1  # the card format written now; cards without a version predate it and read as 1


class CardError(ValueError):
    """A card's contents are not what a card holds; the message says which field and why."""


@dataclass
class ModelCard:
    backend: str
    arch: str
    file: str = ""
    dataset: str = ""
    train_size: int = 0
    epochs: int = 0
    test_accuracy: float | None = None
    created: str = ""
    sha256: str = ""
    name: str = ""
    bundled: bool = False
    config: dict = field(default_factory=dict)
    scores: dict = field(default_factory=dict)  # other measured accuracies, e.g. pen drawings
    base: str = ""  # the model this one was fine-tuned from (personal models)
    network: list = field(default_factory=list)  # the layers (digitpad.network.to_json)
    params: int = 0  # the network's weights, for lists and the summary
    version: int = VERSION

    @property
    def title(self) -> str:
        """What a person calls this model in a list: its name, else backend and arch."""
        from digitpad.backends import label  # at call time: the registry imports this module
        from digitpad.network.presets import short_name

        return self.name or f"{label(self.backend)} {short_name(self.arch)}"

    def summary(self) -> str:
        acc = f"{self.test_accuracy:.2%}" if self.test_accuracy is not None else "unknown"
        return f"{self.title}: test accuracy {acc}, trained on {self.train_size:,} images"

    def to_json(self) -> dict[str, Any]:
        """The fields as stored on disk (`bundled` is where the file lies, not what it says)."""
        fields = asdict(self)
        fields.pop("bundled")
        return fields


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) else "text"


def _count(value: Any) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    return None if ok else "a whole number >= 0"


def _share(value: Any) -> str | None:
    ok = (isinstance(value, (int, float)) and not isinstance(value, bool)
          and math.isfinite(value) and 0.0 <= value <= 1.0)
    return None if ok else "a fraction between 0 and 1"


def _maybe_share(value: Any) -> str | None:
    return None if value is None else _share(value)


def _checksum(value: Any) -> str | None:
    ok = isinstance(value, str) and (value == "" or re.fullmatch(r"[0-9a-f]{64}", value))
    return None if ok else "a SHA-256 in 64 hexadecimal digits"


def _mapping(value: Any) -> str | None:
    return None if isinstance(value, dict) and all(isinstance(k, str) for k in value) \
        else "an object with named entries"


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) \
        and math.isfinite(value) and value >= 0


def _scores(value: Any) -> str | None:
    """Accuracies (fractions) and the counts they were measured on."""
    if _mapping(value):
        return _mapping(value)
    bad = next((k for k, v in value.items() if not _number(v)), None)
    return None if bad is None else f"numbers >= 0 ({bad!r} is not)"


def _layer_list(value: Any) -> str | None:
    """The shape of a description; its layers are checked when the network is built."""
    ok = isinstance(value, list) and all(isinstance(item, dict) for item in value)
    return None if ok else "a list of layers"


def _version(value: Any) -> str | None:
    if _count(value) or value < 1:
        return "a format number >= 1"
    return None if value <= VERSION else \
        f"format {VERSION} or older (it is format {value}, from a newer digitpad)"


# Each field's check: None when the value is fine, else what the value should be.
SCHEMA = {
    "backend": _text, "arch": _text, "file": _text, "dataset": _text,
    "train_size": _count, "epochs": _count, "test_accuracy": _maybe_share,
    "created": _text, "sha256": _checksum, "name": _text, "config": _mapping,
    "scores": _scores, "base": _text, "network": _layer_list, "params": _count,
    "version": _version,
}
REQUIRED = ("backend", "arch")


def from_json(raw: Any) -> ModelCard:
    """A card from its parsed JSON; CardError names the first field that is wrong. Fields this
    version does not know are ignored (a newer digitpad may add some within a format)."""
    if not isinstance(raw, dict):
        raise CardError("it is not a JSON object")
    raw = {"version": 1, **raw}
    for name in REQUIRED:
        if name not in raw:
            raise CardError(f"it has no {name!r}")
    for name, check in SCHEMA.items():
        if name in raw and (wanted := check(raw[name])):
            raise CardError(f"its {name!r} is {_shown(raw[name])}, not {wanted}")
    return ModelCard(**{k: raw[k] for k in SCHEMA if k in raw})


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
