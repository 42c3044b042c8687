"""The user's own labelled digits ("personal samples"): what teach mode stores and what
personalisation fine-tunes on.

One small `.npz` file per sample, in a folder per digit under the data folder (`samples/7/...`),
written atomically: the 28x28 image the network saw (uint8, ink bright) and, when drawn on the
canvas, the strokes (points and the length of each stroke, so no pickles are ever needed to read
them back). Files are read as data only (`allow_pickle=False`); a damaged one is skipped and named,
never fatal. A set of samples travels between machines as one zip of those files.
"""

from __future__ import annotations

import io
import lzma
import math
import os
import tempfile
import time
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from digitpad.atomic import atomic_write
from digitpad.errors import DatasetError
from digitpad.paths import data_home

SUFFIX = ".npz"
MAX_IMPORT_BYTES = 64 * 2**20  # a samples file larger than this is refused, not unpacked
MAX_UNPACKED_BYTES = 1024 * 2**20  # ... and one whose entries claim more than this, unpacked
MAX_SAMPLE_BYTES = 2**20  # one sample is a few KB (a 28x28 image and its strokes)
# what reading a damaged or hostile sample file can raise
UNREADABLE = (
    OSError,
    ValueError,
    KeyError,
    EOFError,
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    NotImplementedError,
    RuntimeError,
)


def samples_dir() -> Path:
    return data_home() / "samples"


@dataclass
class Samples:
    """Samples as arrays: images (N, 28, 28) uint8, labels (N,), the file of each, and the
    files that could not be read (with why)."""

    images: np.ndarray
    labels: np.ndarray
    paths: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.labels)

    def counts(self) -> dict[int, int]:
        return {d: int((self.labels == d).sum()) for d in range(10)}


def as_uint8(image: np.ndarray) -> np.ndarray:
    """A 28x28 image as uint8 0..255 (from float 0..1 or uint8)."""
    image = np.asarray(image)
    if image.shape != (28, 28):
        raise ValueError(f"a sample is a 28x28 image, not {image.shape}")
    if image.dtype == np.uint8:
        return image
    return np.round(np.clip(image, 0.0, 1.0) * 255).astype(np.uint8)


def add(
    image: np.ndarray, label: int, strokes: Sequence[np.ndarray] = (), folder: Path | None = None
) -> Path:
    """Store one labelled sample; returns its file (the handle to delete it again)."""
    if not 0 <= int(label) <= 9:
        raise ValueError(f"a digit's label is 0-9, not {label}")
    folder = (folder or samples_dir()) / str(int(label))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{time.time_ns()}-{os.getpid()}-{os.urandom(3).hex()}{SUFFIX}"
    points = [np.asarray(s, np.float32).reshape(-1, 2) for s in strokes]
    arrays = {
        "image": as_uint8(image),
        "label": np.array(int(label), np.uint8),
        "points": np.concatenate(points) if points else np.zeros((0, 2), np.float32),
        "lengths": np.array([len(p) for p in points], np.int32),
    }
    atomic_write(path, lambda tmp: np.savez_compressed(tmp, **arrays))
    return path


def read(path: Path) -> tuple[np.ndarray, int]:
    """One sample file's image and label; DatasetError (naming the file) if it is not one."""
    try:
        if path.stat().st_size > MAX_SAMPLE_BYTES:
            raise ValueError(f"larger than {MAX_SAMPLE_BYTES // 2**10} KB")
        with open(path, "rb") as stream:
            return parse(_bounded(stream, "the file"))
    except UNREADABLE as err:
        raise DatasetError(f"{path.name}: not a digitpad sample ({err})") from err


def parse(data: bytes) -> tuple[np.ndarray, int]:
    """The image (uint8) and label of a sample file's bytes. Every size is checked before
    anything is unpacked: what each part declares, what it really holds, and what the array
    header claims (a few bytes can claim a terabyte). ValueError (or a zip error) if it is not
    a sample."""
    with zipfile.ZipFile(io.BytesIO(data)) as parts:
        image, label = (_array(parts, key) for key in ("image", "label"))
    if (
        image.shape != (28, 28)
        or image.dtype.kind not in "uf"
        or (image.dtype.kind == "u" and image.dtype != np.uint8)
        or not np.isfinite(image).all()
    ):
        raise ValueError(
            f"its image is not 28x28 bytes or 0..1 numbers ({image.shape}, {image.dtype})"
        )
    if (
        label.shape != ()
        or label.dtype.kind not in "uif"
        or not np.isfinite(label)
        or label != np.round(label)
        or not 0 <= label <= 9
    ):
        raise ValueError(f"its label is not a digit 0-9 ({np.array2string(label.ravel()[:4])})")
    return as_uint8(image), int(label)


def _array(parts: zipfile.ZipFile, key: str) -> np.ndarray:
    info = parts.getinfo(f"{key}.npy")
    if info.file_size > MAX_SAMPLE_BYTES:
        raise ValueError(f"its {key} unpacks to {info.file_size:,} bytes")
    with parts.open(info) as member:
        raw = _bounded(member, f"its {key}")
    stream = io.BytesIO(raw)
    version = np.lib.format.read_magic(stream)
    if version not in ((1, 0), (2, 0)):
        raise ValueError(f"its {key} is in .npy format {version}")
    header = (
        np.lib.format.read_array_header_1_0
        if version == (1, 0)
        else np.lib.format.read_array_header_2_0
    )
    shape, _, dtype = header(stream)
    claimed = math.prod(shape) * dtype.itemsize
    if dtype.hasobject or claimed > len(raw) - stream.tell():
        raise ValueError(
            f"its {key}'s header claims {math.prod(shape):,} {dtype} values that "
            "the file does not hold"
        )
    return np.load(io.BytesIO(raw), allow_pickle=False)


def _bounded(stream, what: str) -> bytes:
    """At most MAX_SAMPLE_BYTES of a stream: whatever a size field says, no more is read."""
    data = stream.read(MAX_SAMPLE_BYTES + 1)
    if len(data) > MAX_SAMPLE_BYTES:
        raise ValueError(f"{what} holds more than {MAX_SAMPLE_BYTES // 2**10} KB")
    return data


def files(folder: Path | None = None) -> list[Path]:
    """Every sample file, oldest first."""
    folder = folder or samples_dir()
    found = [p for d in range(10) for p in (folder / str(d)).glob(f"*{SUFFIX}")]
    return sorted(found, key=lambda p: p.name)


def load(folder: Path | None = None) -> Samples:
    """All the samples of a folder (default: the user's), damaged files skipped and named."""
    images, labels, paths, skipped = [], [], [], []
    for path in files(folder):
        try:
            image, label = read(path)
        except DatasetError as err:
            skipped.append(str(err))
            continue
        images.append(image)
        labels.append(label)
        paths.append(path)
    return Samples(
        np.array(images, np.uint8).reshape(-1, 28, 28), np.array(labels, np.int64), paths, skipped
    )


def delete(path: Path) -> None:
    Path(path).unlink(missing_ok=True)


def clear(folder: Path | None = None) -> int:
    """Delete every sample; returns how many there were."""
    gone = files(folder)
    for path in gone:
        path.unlink(missing_ok=True)
    return len(gone)


def export(out: Path, folder: Path | None = None) -> int:
    """All samples into one zip file (written atomically); returns how many."""
    chosen = files(folder)
    if not chosen:
        raise DatasetError("there are no samples to export yet")

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as archive:
            for path in chosen:
                archive.write(path, f"{path.parent.name}/{path.name}")

    atomic_write(Path(out), write)
    return len(chosen)


def import_file(source: Path, folder: Path | None = None) -> tuple[int, list[str]]:
    """Add the samples of an exported zip (or of a folder laid out like the samples folder);
    returns (how many were added, the entries skipped and why). Entries are read as data and
    stored as new samples, so nothing from the file is ever written under its own name.
    DatasetError if the file is no samples file or the samples cannot be stored."""
    source, folder = Path(source), folder or samples_dir()
    if source.is_dir():
        found = load(source)
        _check_writable(folder)
        for image, label in zip(found.images, found.labels, strict=True):
            _store(image, int(label), folder)
        return len(found), found.skipped
    if not source.is_file():
        raise DatasetError(f"{source}: no such file")
    if source.stat().st_size > MAX_IMPORT_BYTES:
        raise DatasetError(
            f"{source}: larger than {MAX_IMPORT_BYTES // 2**20} MB; not a digitpad samples file"
        )
    added, skipped = 0, []
    try:
        with zipfile.ZipFile(source) as archive:
            entries = [i for i in archive.infolist() if i.filename.endswith(SUFFIX)]
            if not entries:
                raise DatasetError(f"{source}: holds no samples")
            if sum(i.file_size for i in entries) > MAX_UNPACKED_BYTES:
                raise DatasetError(
                    f"{source}: unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MB; not read"
                )
            _check_writable(folder)
            for entry in entries:
                try:
                    if entry.file_size > MAX_SAMPLE_BYTES:
                        raise ValueError(f"unpacks to {entry.file_size:,} bytes")
                    with archive.open(entry) as member:
                        image, label = parse(_bounded(member, "the entry"))
                except UNREADABLE as err:
                    skipped.append(f"{entry.filename}: not a digitpad sample ({err})")
                    continue
                _store(image, label, folder)
                added += 1
    except zipfile.BadZipFile as err:
        raise DatasetError(f"{source}: not a digitpad samples file (not a zip: {err})") from err
    return added, skipped


def _check_writable(folder: Path) -> None:
    """Refuse an import into a folder that cannot take files, before the first sample."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as err:
        raise DatasetError(
            f"{folder}: samples cannot be stored there ({err.strerror or err}); nothing imported"
        ) from err


def _store(image: np.ndarray, label: int, folder: Path) -> None:
    try:
        add(image, label, folder=folder)
    except OSError as err:
        raise DatasetError(
            f"{folder}: a sample could not be stored ({err.strerror or err}); the import stopped"
        ) from err
