"""MNIST in idx format: a strict reader, the bundled subset, and the full set from a folder or
the internet. No Qt and no deep-learning framework here: both trainers and the CLI share it."""

from __future__ import annotations

import gzip
import hashlib
import shutil
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from digitpad import atomic
from digitpad.errors import DatasetError  # noqa: F401  (where callers look for it)
from digitpad.paths import data_home
from digitpad.resources import asset

IDX_UBYTE = 0x08
# Official file stems; each may also appear gzip-compressed (".gz") or with a dot before "idx".
FILES = {
    "train_x": "train-images-idx3-ubyte",
    "train_y": "train-labels-idx1-ubyte",
    "test_x": "t10k-images-idx3-ubyte",
    "test_y": "t10k-labels-idx1-ubyte",
}
# The checksums published with MNIST's gzip files (the same ones torchvision checks).
PUBLISHED_MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)


@dataclass(frozen=True)
class MnistData:
    """Images are (N, 28, 28) uint8 with white ink on black; labels are (N,) uint8."""

    train_x: np.ndarray
    train_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray
    source: str

    def subset(self, n_train: int | None = None, n_test: int | None = None) -> MnistData:
        """The first images of each split: tests and quick runs train on slices."""
        return MnistData(
            self.train_x[:n_train],
            self.train_y[:n_train],
            self.test_x[:n_test],
            self.test_y[:n_test],
            f"{self.source} (first {n_train or len(self.train_x)} training images)",
        )


def read_idx(path: Path) -> np.ndarray:
    """Read one idx file (raw or gzip) of unsigned bytes, checking its header against its size."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise DatasetError(f"{path}: cannot be read ({err.strerror or err})") from err
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as err:
            raise DatasetError(f"{path}: damaged gzip data ({err})") from err
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise DatasetError(f"{path}: not an idx file (wrong magic number)")
    if raw[2] != IDX_UBYTE:
        raise DatasetError(f"{path}: idx data type 0x{raw[2]:02x} is not unsigned bytes")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(raw) < header:
        raise DatasetError(f"{path}: idx header is truncated")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = int(np.prod(shape))
    if len(raw) - header != expected:
        raise DatasetError(
            f"{path}: holds {len(raw) - header} data bytes but its header promises {expected} "
            f"(shape {shape}); the file is truncated or damaged"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def find_file(folder: Path, stem: str) -> Path:
    """The file for `stem` in `folder`, in any of the usual spellings."""
    dotted = stem.replace("-idx", ".idx")
    for name in (stem, stem + ".gz", dotted, dotted + ".gz"):
        if (folder / name).is_file():
            return folder / name
    raise DatasetError(f"{folder / (stem + '.gz')}: missing (looked for {stem}[.gz] in {folder})")


def load_mnist(folder: Path | None = None) -> MnistData:
    """MNIST from `folder`, or the bundled 10,000-image training subset and full test set."""
    folder = Path(folder) if folder else bundled_dir()
    if not folder.is_dir():
        raise DatasetError(f"{folder}: no such data folder")
    arrays = {key: read_idx(find_file(folder, stem)) for key, stem in FILES.items()}
    for split in ("train", "test"):
        images, labels = arrays[f"{split}_x"], arrays[f"{split}_y"]
        if images.ndim != 3 or images.shape[1:] != (28, 28):
            raise DatasetError(f"{folder}: {split} images are {images.shape}, not N x 28 x 28")
        if labels.ndim != 1 or len(labels) != len(images):
            raise DatasetError(f"{folder}: {len(images)} {split} images but {labels.shape} labels")
        if labels.size and labels.max() > 9:
            raise DatasetError(f"{folder}: {split} labels outside 0-9")
    bundled = folder.resolve() == bundled_dir().resolve()
    source = "MNIST, bundled subset" if bundled else f"MNIST from {folder}"
    return MnistData(**arrays, source=source)


def bundled_dir() -> Path:
    """The MNIST subset shipped with the app (first 10,000 training images, full test set)."""
    return asset("mnist")


# The training data a user can choose (panel and CLI): key -> what a person reads.
CHOICES = {
    "bundled": "Bundled MNIST subset (10,000 images)",
    "pen": "MNIST subset + pen drawings by 30 people",
    "folder": "Full MNIST from a folder…",
    "download": "Download full MNIST (needs internet)",
}


def load_choice(choice: str, folder: Path | str = "", report=lambda text: None) -> MnistData:
    """The training data for one of CHOICES; `report` is told what takes time."""
    if choice == "folder":
        if not str(folder):
            raise DatasetError("choose the folder that holds the MNIST files first")
        return load_mnist(Path(folder))
    if choice == "download":
        report("Downloading the full MNIST set…")
        return load_mnist(download_full_mnist(data_home() / "mnist-full"))
    if choice == "pen":
        return with_pen_drawings(load_mnist(), report)
    if choice != "bundled":
        raise DatasetError(f"unknown training data {choice!r}")
    return load_mnist()


PEN_RENDERINGS = 2  # each pen-drawn digit drawn this many ways (pen, size, tremor, scan)


def with_pen_drawings(data: MnistData, report=lambda text: None) -> MnistData:
    """`data` with the bundled pen-drawn digits (30 writers) added to its training images, each
    drawn the ways mouse users draw (see pen_training.mouse_like). The drawings are made once and
    cached in the data folder; `report` hears the progress of that first drawing."""
    from digitpad import pen_training

    pen = pen_training.training_images(
        PEN_RENDERINGS,
        cache=data_home() / "cache",
        report=lambda share: report(f"Drawing the pen digits (first time only)… {share:.0%}"),
    )
    return MnistData(
        np.concatenate([data.train_x, pen.images]),
        np.concatenate([data.train_y, pen.labels]),
        data.test_x,
        data.test_y,
        f"{data.source} + {len(pen.labels):,} pen drawings by 30 writers",
    )


def download_full_mnist(dest: Path, timeout: float = 30.0) -> Path:
    """Fetch the full 60,000-image MNIST into `dest` (needs internet). Every file is checked
    against its published MD5 checksum; a cached file that fails the check is fetched again,
    and a download is written to a unique partial file and renamed only once it checks out."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for stem in FILES.values():
        target = dest / f"{stem}.gz"
        if target.is_file() and _md5(target) == PUBLISHED_MD5[target.name]:
            continue
        errors, md5 = [], PUBLISHED_MD5[target.name]
        for mirror in MIRRORS:
            url = mirror + target.name
            try:
                atomic.atomic_write(
                    target, lambda tmp, url=url, md5=md5: _fetch_checked(url, tmp, md5, timeout)
                )
                break
            except (OSError, DatasetError) as err:
                errors.append(f"{mirror}: {err}")
        else:
            raise DatasetError(f"{target.name}: download failed ({'; '.join(errors)})")
    load_mnist(dest)
    return dest


def _fetch_checked(url: str, out: Path, md5: str, timeout: float) -> None:
    with urllib.request.urlopen(url, timeout=timeout) as response, out.open("wb") as f:
        shutil.copyfileobj(response, f)
    got = _md5(out)
    if got != md5:
        raise DatasetError(f"checksum {got} differs from the published {md5}: damaged download")


def _md5(path: Path) -> str:
    with Path(path).open("rb") as f:
        return hashlib.file_digest(f, "md5").hexdigest()
