"""Model files on disk: their JSON model cards, saving a model and its card as one unit,
listing, and checking a file against its card before any framework reads it.

A model is two files: `name.pt` (or `.keras`, ...) and its card `name.pt.json`, which records
what the model is, how well it did and the SHA-256 of the model file. They are saved as one
unit: the model is first written completely under a hidden content-addressed name, then the card
is renamed into place (the one commit point), then the model file. A save killed before the
commit leaves the old pair; one killed after it is completed on the next read ("rolled
forward"). A lock file keeps two saves to the same name from interleaving.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from digitpad import atomic, backends
from digitpad.card import CardError, ModelCard, from_json
from digitpad.errors import ModelFileError
from digitpad.paths import models_dir
from digitpad.resources import asset

CARD_SUFFIX = ".json"
STAGED = ".staged"
LEFTOVER_AGE_S = 600.0  # a save's temporary files older than this belong to a killed save

__all__ = ["ModelCard", "ModelFileError", "save", "read_card", "check", "list_models"]


def card_path(model_path: Path) -> Path:
    return model_path.with_name(model_path.name + CARD_SUFFIX)


def backend_of(path: Path) -> str:
    return backends.for_path(Path(path)).name


def sha256_of(path: Path) -> str:
    with Path(path).open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def read_card(model_path: Path) -> ModelCard:
    """The card beside a model file; a file without one gets a card saying only what it is.
    A card that contradicts the file's kind is refused: it belongs to another model."""
    model_path = Path(model_path)
    backend = backend_of(model_path)
    path = card_path(model_path)
    bundled = is_bundled(model_path)
    if not path.exists():
        return ModelCard(backend=backend, arch="unknown", file=model_path.name, bundled=bundled)
    try:
        card = from_json(json.loads(path.read_text(encoding="utf-8")))
    except CardError as err:
        raise ModelFileError(f"{path}: not a valid model card: {err}") from err
    except (OSError, ValueError) as err:
        raise ModelFileError(f"{path}: unreadable model card ({err})") from err
    if card.backend != backend:
        raise ModelFileError(
            f"{model_path}: its model card says it is a {backends.label(card.backend)} model, "
            f"but the file is a {backends.label(backend)} one; the card belongs elsewhere"
        )
    card.bundled = bundled
    return card


def check(model_path: Path, card: ModelCard) -> ModelCard:
    """Refuse a file whose bytes differ from what its card recorded (damaged or replaced).
    A save that was interrupted between its two renames, or is finishing right now in another
    process, is completed first; the card that matches the file is returned."""
    model_path = Path(model_path)
    if not model_path.is_file() and card_path(model_path).is_file():
        card = _settle(model_path)  # a first save killed between its two renames
    if not model_path.is_file():
        raise ModelFileError(f"{model_path}: no such model file")
    if not card.sha256 or sha256_of(model_path) == card.sha256:
        return card
    card = _settle(model_path)
    if card.sha256 and sha256_of(model_path) != card.sha256:
        raise ModelFileError(
            f"{model_path}: the file does not match its model card (checksum differs); "
            "it is damaged or was replaced"
        )
    return card


def staged_path(model_path: Path, sha: str) -> Path:
    """Where a save keeps the new file between its commit point and its publication."""
    return model_path.with_name(f".{model_path.name}.{sha[:16]}{STAGED}")


def _settle(model_path: Path) -> ModelCard:
    """Under the save lock: the committed card, with the model file it names published if a
    killed save left it staged ("rolled forward")."""
    with atomic.locked(model_path):
        card = read_card(model_path)
        roll_forward(model_path, card.sha256)
        return card


def roll_forward(path: Path, sha: str) -> None:
    """Publish the file that a killed save staged for the committed checksum `sha`, if it is
    there and `path` is not that file yet. Call it under the save lock."""
    staged = staged_path(path, sha) if sha else None
    if (
        staged
        and staged.is_file()
        and sha256_of(staged) == sha
        and (not path.is_file() or sha256_of(path) != sha)
    ):
        os.replace(staged, path)
        atomic.flush_folder(path.parent)


STEPS = ("model written", "model staged", "card written", "card committed", "model published")


def save_unit(
    path: Path,
    write_model: Callable[[Path], None],
    card_for: Callable[[str], Callable[[Path], None]],
    on_step: Callable[[str], None] | None = None,
) -> str:
    """Save a file and its card as one unit, as the module says: `write_model(tmp_path)`
    writes the file, `card_for(sha256)` gives the writer of the card that names it. Models
    and exports (digitpad.export) both use it. `on_step` is told each of `STEPS` (tests use
    it to kill a save at every point). Returns the file's SHA-256."""
    path = Path(path)
    step = on_step or (lambda name: None)
    written = atomic.write_via_partial(path, write_model)
    step(STEPS[0])
    sha = sha256_of(written)
    staged = staged_path(path, sha)
    os.replace(written, staged)
    step(STEPS[1])
    card_tmp = atomic.write_via_partial(card_path(path), card_for(sha))
    step(STEPS[2])
    with atomic.PUBLISHING, atomic.locked(path):  # a quitting app lets this finish
        os.replace(card_tmp, card_path(path))  # the commit point
        step(STEPS[3])
        if staged.exists():
            os.replace(staged, path)
        elif not (path.is_file() and sha256_of(path) == sha):
            raise ModelFileError(f"{path}: the saved model vanished before it was published")
        # (else a concurrent save of the very same bytes, or a reader, published it already)
        atomic.flush_folder(path.parent)
    step(STEPS[4])
    return sha


def save(
    path: Path,
    write_model: Callable[[Path], None],
    card: ModelCard,
    on_step: Callable[[str], None] | None = None,
) -> ModelCard:
    """Save a model (`write_model(tmp_path)` writes it) and its card as one unit. The card
    gets the file name, checksum and creation time."""
    path = Path(path)
    backend_of(path)
    card.file = path.name
    card.created = card.created or datetime.now(UTC).isoformat(timespec="seconds")

    def card_for(sha: str) -> Callable[[Path], None]:
        card.sha256 = sha
        return _card_writer(card)

    save_unit(path, write_model, card_for, on_step)
    return card


def _card_writer(card: ModelCard) -> Callable[[Path], None]:
    text = json.dumps(card.to_json(), indent=2) + "\n"
    return lambda tmp: tmp.write_text(text, encoding="utf-8")


def save_card(model_path: Path, card: ModelCard) -> None:
    """Rewrite a model's card (a new display name); the model file is not touched."""
    model_path = Path(model_path)
    with atomic.locked(model_path):
        atomic.atomic_write(card_path(model_path), _card_writer(card))


def recover(folder: Path | None = None, older_than_s: float = LEFTOVER_AGE_S) -> list[Path]:
    """Clean up after saves that were killed: finish those past their commit point, remove
    the files of those before it (only files older than `older_than_s`, so a save running in
    another process right now is left alone), and lock files nobody holds. Returns what was
    removed."""
    folder = Path(folder) if folder else models_dir()
    if not folder.is_dir():
        return []
    now = time.time()

    def old(path: Path) -> bool:
        try:
            return now - path.stat().st_mtime >= older_than_s
        except OSError:
            return False

    removed = [p for p in atomic.leftovers(folder) if old(p)]
    for path in removed:
        path.unlink(missing_ok=True)
    for staged in [p for p in folder.iterdir() if p.name.endswith(STAGED) and old(p)]:
        model = folder / staged.name[1:].rsplit(".", 2)[0]
        try:
            _settle(model)  # publishes it if its card was committed
        except ModelFileError:
            pass
        if staged.exists():  # no committed card names it: a save killed before its commit
            staged.unlink(missing_ok=True)
            removed.append(staged)
    return removed + atomic.remove_unused_locks(folder)


def bundled_dir() -> Path:
    return asset("models")


def is_bundled(path: Path) -> bool:
    return Path(path).resolve().parent == bundled_dir().resolve()


def default_model(backend: str, arch: str = "cnn") -> Path:
    return bundled_dir() / f"{backend}_{arch}{backends.get(backend).suffix}"


def list_models(skipped: list[tuple[Path, str]] | None = None) -> list[tuple[Path, ModelCard]]:
    """Bundled models first (CNNs before MLPs), then the user's, newest first. Only backends
    installed here are listed. A model whose card is bad is left out, and `skipped` (if given)
    gets its path and the reason, so one hand-edited card cannot stop the app."""
    usable = {backends.get(name).suffix for name in backends.installed()}
    found = []
    for folder in (bundled_dir(), models_dir()):
        if not folder.is_dir():
            continue
        entries = []
        for path in folder.iterdir():
            if path.suffix not in usable or path.name.startswith("."):
                continue
            try:
                entries.append((path, read_card(path)))
            except ModelFileError as err:
                if skipped is not None:
                    skipped.append((path, str(err)))
        if folder == bundled_dir():
            entries.sort(key=lambda e: (e[1].arch != "cnn", e[1].backend != "torch"))
        else:
            entries.sort(key=lambda e: e[1].created, reverse=True)
        found += entries
    return found


def new_user_model_path(backend: str, arch: str, tag: str = "") -> Path:
    """A fresh file name in the user's folder; earlier models are never overwritten."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    suffix = backends.get(backend).suffix
    stem = f"{backend}_{arch}{'_' + tag if tag else ''}_{stamp}"
    path = models_dir() / f"{stem}{suffix}"
    i = 2
    while path.exists():
        path = models_dir() / f"{stem}-{i}{suffix}"
        i += 1
    return path
