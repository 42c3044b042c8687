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
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

Check = Callable[[Any], "str | None"]  # None when a value is fine, else what it should be
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


def text(value: Any) -> str | None:
    return None if isinstance(value, str) else "text"


def count(value: Any) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    return None if ok else "a whole number >= 0"


def share(value: Any) -> str | None:
    ok = (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and 0.0 <= value <= 1.0
    )
    return None if ok else "a fraction between 0 and 1"


def maybe_share(value: Any) -> str | None:
    return None if value is None else share(value)


def checksum(value: Any) -> str | None:
    ok = isinstance(value, str) and (value == "" or re.fullmatch(r"[0-9a-f]{64}", value))
    return None if ok else "a SHA-256 in 64 hexadecimal digits"


def mapping(value: Any) -> str | None:
    return (
        None
        if isinstance(value, dict) and all(isinstance(k, str) for k in value)
        else "an object with named entries"
    )


def number(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value >= 0
    )


def scores(value: Any) -> str | None:
    """Accuracies (fractions) and the counts they were measured on."""
    if mapping(value):
        return mapping(value)
    bad = next((k for k, v in value.items() if not number(v)), None)
    return None if bad is None else f"numbers >= 0 ({bad!r} is not)"


def layer_list(value: Any) -> str | None:
    """The shape of a description; its layers are checked when the network is built."""
    ok = isinstance(value, list) and all(isinstance(item, dict) for item in value)
    return None if ok else "a list of layers"


def format_version(newest: int) -> Check:
    """The check of a file's format number, for files of which `newest` is written now."""

    def check(value: Any) -> str | None:
        if count(value) or value < 1:
            return "a format number >= 1"
        return (
            None
            if value <= newest
            else f"format {newest} or older (it is format {value}, from a newer digitpad)"
        )

    return check


# Each field's check: None when the value is fine, else what the value should be.
SCHEMA = {
    "backend": text,
    "arch": text,
    "file": text,
    "dataset": text,
    "train_size": count,
    "epochs": count,
    "test_accuracy": maybe_share,
    "created": text,
    "sha256": checksum,
    "name": text,
    "config": mapping,
    "scores": scores,
    "base": text,
    "network": layer_list,
    "params": count,
    "version": format_version(VERSION),
}
REQUIRED = ("backend", "arch")


def from_json(raw: Any) -> ModelCard:
    """A card from its parsed JSON; CardError names the first field that is wrong. Fields this
    version does not know are ignored (a newer digitpad may add some within a format)."""
    raw = check_fields(raw, SCHEMA, REQUIRED)
    return ModelCard(**{k: raw[k] for k in SCHEMA if k in raw})


def check_fields(
    raw: Any,
    schema: dict[str, Check],
    required: tuple[str, ...],
    error: type[ValueError] = CardError,
) -> dict[str, Any]:
    """`raw` (a parsed JSON file of digitpad's) with a version, checked against `schema`;
    `error` names the first field that is missing or wrong. Shared by cards and run files."""
    if not isinstance(raw, dict):
        raise error("it is not a JSON object")
    raw = {"version": 1, **raw}
    for name in required:
        if name not in raw:
            raise error(f"it has no {name!r}")
    for name, check in schema.items():
        if name in raw and (wanted := check(raw[name])):
            raise error(f"its {name!r} is {shown(raw[name])}, not {wanted}")
    return raw


def shown(value: Any) -> str:
    """A value short enough to quote in a message."""
    said = repr(value)
    return said if len(said) <= 40 else said[:37] + "..."
