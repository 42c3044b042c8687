"""Checks on a `.keras` file before Keras reads it, and Keras's refusals in a user's words.

A `.keras` file is a zip archive: Keras reads config.json whole into memory and parses it, and
extracts any other member (assets) into a temporary folder. A small archive can declare, or
really hold, gigabytes (a 1.4 MB file whose config.json unpacks to 1 GiB cost 2.9 GB of memory;
four 250 MiB assets wrote 1 GB to TMPDIR), so sizes are checked here first, declared and then
actual, with the zip module only (no framework is imported).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from digitpad.errors import ModelFileError

# A digit network is a few MB: the bundled Keras CNN unpacks to 1.9 MB (its weights), the MLP
# to 0.46 MB. Thirty times the CNN is still a small network; anything beyond is not a digit model.
MAX_UNPACKED_BYTES = 64 * 2**20
# config.json and metadata.json are parsed as one JSON text in memory: the CNN's is 15 KB.
MAX_JSON_BYTES = 1 * 2**20
# Keras stores members uncompressed (1:1); a zip tool deflates weights to ~1.1:1 and JSON to
# ~10:1. Zeros deflate ~1000:1: an archive that unpacks to over 100 times its size is a bomb.
MAX_COMPRESSION_RATIO = 100
# A digitpad model holds 3 members; a Keras model with assets a few more.
MAX_MEMBERS = 64
JSON_MEMBERS = ("config.json", "metadata.json")
CHUNK = 2**20


def check_archive(path: Path) -> None:
    """Refuse, in plain words, anything but a zip archive holding config.json and the weights
    within the size limits above, before Keras or TensorFlow see it."""
    size = path.stat().st_size
    if size == 0:
        raise ModelFileError(f"{path}: empty file, not a Keras model")
    if size > MAX_UNPACKED_BYTES:
        raise ModelFileError(
            f"{path}: {size / 2**20:.0f} MB, far too large for a digit network; not loaded"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
            if "config.json" not in names or "model.weights.h5" not in names:
                raise ModelFileError(
                    f"{path}: a zip archive, but not a Keras model (no "
                    "config.json and model.weights.h5)"
                )
            _check_declared(path, size, members)
            _check_actual(path, archive, members)
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError) as err:
        raise ModelFileError(f"{path}: not a Keras model file ({err})") from err


def _too_big(path: Path, what: str, size: int, limit: int) -> ModelFileError:
    return ModelFileError(
        f"{path}: {what} unpacks to {size / 2**20:.1f} MB, over the "
        f"{limit / 2**20:.0f} MB a digit model can need; not loaded"
    )


def _check_declared(path: Path, size: int, members: list[zipfile.ZipInfo]) -> None:
    """The sizes the archive's directory declares."""
    if len(members) > MAX_MEMBERS:
        raise ModelFileError(
            f"{path}: a zip archive of {len(members)} files; a Keras digit "
            f"model holds a few (at most {MAX_MEMBERS}); not loaded"
        )
    for member in members:
        if member.filename in JSON_MEMBERS and member.file_size > MAX_JSON_BYTES:
            raise _too_big(path, member.filename, member.file_size, MAX_JSON_BYTES)
    total = sum(m.file_size for m in members)
    if total > MAX_UNPACKED_BYTES:
        raise _too_big(path, "the archive", total, MAX_UNPACKED_BYTES)
    if total > MAX_COMPRESSION_RATIO * size:
        raise ModelFileError(
            f"{path}: a {size / 2**10:.0f} KB archive that unpacks to "
            f"{total / 2**20:.0f} MB (a decompression bomb); not loaded"
        )


def _check_actual(path: Path, archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> None:
    """Unpack every member, counting, without keeping it: what a member really holds may
    differ from what the directory says (the CRC check catches a damaged one too)."""
    total = 0
    for member in members:
        unpacked = 0
        limit = MAX_JSON_BYTES if member.filename in JSON_MEMBERS else MAX_UNPACKED_BYTES
        with archive.open(member) as stream:
            while chunk := stream.read(CHUNK):
                unpacked += len(chunk)
                total += len(chunk)
                if unpacked > limit:
                    raise _too_big(path, member.filename, unpacked, limit)
                if total > MAX_UNPACKED_BYTES:
                    raise _too_big(path, "the archive", total, MAX_UNPACKED_BYTES)


# What Keras's safe mode (and its layer registry) says when it refuses part of a file, and what
# that part is, in a user's words. Matched in lower case against Keras's message, in this order
# (a custom class may be called "MyLambda").
REFUSALS = (
    (
        "could not locate",
        "a layer type digitpad does not load ({name}: custom code, not part of "
        "Keras); it was not run",
    ),
    (
        "vocabulary file outside",
        "a lookup layer (StringLookup or IntegerLookup) that reads its "
        "vocabulary from a file elsewhere on the disk; the file was not read",
    ),
    ("torch.nn.module", "a pickled PyTorch module (code); it was not run"),
    (
        "tfsmlayer",
        "a TFSMLayer, which loads a SavedModel (graph code) from elsewhere on the "
        "disk; it was not loaded",
    ),
    ("lambda", "code (a Lambda layer or Python function); it was not run"),
)


def load_failure(err: Exception) -> str:
    """Why Keras could not load a file, in words: what was refused, or the first line of its
    message."""
    text = str(err)
    lowered = text.lower()
    for phrase, what in REFUSALS:
        if phrase in lowered:
            named = re.search(r"could not locate \w+ '([^']{1,80})'", text, re.IGNORECASE)
            return "refused: the file holds " + what.format(
                name=repr(named.group(1)) if named else "unknown"
            )
    if "safe_mode" in lowered:
        return f"refused by Keras's safe mode ({text.splitlines()[0][:200]})"
    return text.splitlines()[0][:300] if text else type(err).__name__
