"""Model files on disk: where they live, their JSON model cards, atomic saving, listing.

A model file is data. PyTorch files hold only tensors in a dict (loaded with
`weights_only=True`); Keras files use built-in layers only (loaded with `safe_mode=True`). Each
file has a card beside it, `<file>.json`, recording what it is and how well it did.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from digitpad.resources import asset

SUFFIX = {"torch": ".pt", "keras": ".keras"}
CARD_SUFFIX = ".json"


class ModelFileError(Exception):
    """A model file cannot be used; the message names the file and the reason."""


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

    @property
    def title(self) -> str:
        """What a person calls this model in a list: its name, else backend and arch."""
        label = {"torch": "PyTorch", "keras": "Keras"}.get(self.backend, self.backend)
        return self.name or f"{label} {self.arch.upper()}"

    def summary(self) -> str:
        acc = f"{self.test_accuracy:.2%}" if self.test_accuracy is not None else "unknown"
        return f"{self.title}: test accuracy {acc}, trained on {self.train_size:,} images"


def card_path(model_path: Path) -> Path:
    return model_path.with_name(model_path.name + CARD_SUFFIX)


def backend_of(path: Path) -> str:
    for backend, suffix in SUFFIX.items():
        if path.suffix == suffix:
            return backend
    raise ModelFileError(f"{path}: not a model file (expected {' or '.join(SUFFIX.values())})")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_card(model_path: Path) -> ModelCard:
    """The card beside a model file; a file without one gets a card saying only what it is."""
    model_path = Path(model_path)
    path = card_path(model_path)
    bundled = is_bundled(model_path)
    if not path.exists():
        return ModelCard(backend=backend_of(model_path), arch="unknown",
                         file=model_path.name, bundled=bundled)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        known = {k: raw[k] for k in ModelCard.__dataclass_fields__ if k in raw}
        card = ModelCard(**known)
    except (OSError, ValueError, TypeError) as err:
        raise ModelFileError(f"{path}: unreadable model card ({err})") from err
    card.bundled = bundled
    return card


def verify(model_path: Path, card: ModelCard) -> None:
    """Refuse a file whose bytes differ from what its card recorded (damaged or swapped)."""
    if card.sha256 and sha256_of(model_path) != card.sha256:
        raise ModelFileError(
            f"{model_path}: the file does not match its model card (checksum differs); "
            "it is damaged or was replaced"
        )


def _atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary file in the same folder, then rename it into place, so a crash
    mid-save leaves the old file (or nothing), never half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".partial" + path.suffix,
                                    dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        with tmp.open("rb") as f:
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes owner-only files; a model is not secret
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def save(path: Path, write_model: Callable[[Path], None], card: ModelCard) -> ModelCard:
    """Save a model with `write_model(tmp_path)` and its card, both atomically. The card gets
    the file name, checksum and creation time."""
    path = Path(path)
    backend_of(path)
    _atomic_write(path, write_model)
    card.file = path.name
    card.sha256 = sha256_of(path)
    card.created = card.created or datetime.now(UTC).isoformat(timespec="seconds")
    save_card(path, card)
    return card


def save_card(model_path: Path, card: ModelCard) -> None:
    """Write a model's card beside it, atomically."""
    fields = asdict(card)
    fields.pop("bundled")
    text = json.dumps(fields, indent=2) + "\n"
    _atomic_write(card_path(Path(model_path)), lambda tmp: tmp.write_text(text, encoding="utf-8"))


def bundled_dir() -> Path:
    return asset("models")


def is_bundled(path: Path) -> bool:
    return Path(path).resolve().parent == bundled_dir().resolve()


def user_dir() -> Path:
    """Where the user's own models go: $DIGITPAD_HOME/models, else the platform's app-data
    folder (the same place Qt's AppDataLocation names)."""
    home = os.environ.get("DIGITPAD_HOME")
    if home:
        return Path(home) / "models"
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
    return base / "digitpad" / "models"


def default_model(backend: str, arch: str = "cnn") -> Path:
    return bundled_dir() / f"{backend}_{arch}{SUFFIX[backend]}"


def list_models() -> list[tuple[Path, ModelCard]]:
    """Bundled models first (CNNs before MLPs), then the user's, newest first."""
    found = []
    for folder in (bundled_dir(), user_dir()):
        if not folder.is_dir():
            continue
        entries = []
        for path in folder.iterdir():
            if path.suffix not in SUFFIX.values() or ".partial" in path.name:
                continue
            try:
                entries.append((path, read_card(path)))
            except ModelFileError:
                continue
        if folder == bundled_dir():
            entries.sort(key=lambda e: (e[1].arch != "cnn", e[1].backend != "torch"))
        else:
            entries.sort(key=lambda e: e[1].created, reverse=True)
        found += entries
    return found


def new_user_model_path(backend: str, arch: str) -> Path:
    """A fresh file name in the user's folder; earlier models are never overwritten."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = user_dir()
    path = folder / f"{backend}_{arch}_{stamp}{SUFFIX[backend]}"
    i = 2
    while path.exists():
        path = folder / f"{backend}_{arch}_{stamp}-{i}{SUFFIX[backend]}"
        i += 1
    return path
