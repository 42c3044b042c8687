"""Personal samples (what teach mode stores) and personalisation (a fine-tuned copy of a model),
with real files, the real bundled MLPs and real pen-drawn digits of one unseen writer."""

from __future__ import annotations

import hashlib
import json
import zipfile

import numpy as np
import pytest

from digitpad import models, pendigits, samples
from digitpad.cli import main
from digitpad.errors import DatasetError, ModelFileError
from digitpad.personalise import MIN_SAMPLES, personalise
from digitpad.predictors import load_any
from tests.test_pendigits import TES
from trainers.callbacks import SilentCallbacks, TrainingCancelled


@pytest.fixture(scope="module")
def writer():
    """The pen-drawn digits of one writer the models never saw, as MNIST-style images."""
    digits = pendigits.read(TES)
    first = [d for d in digits if d.writer == digits[0].writer]
    return pendigits.mnist_images(first, (18.0,), 160)


def taught(writer, per_digit: int) -> list[int]:
    return [int(i) for d in range(10) for i in np.flatnonzero(writer.labels == d)[:per_digit]]


def test_samples_are_stored_read_deleted_and_cleared(writer):
    strokes = [np.array([[0.1, 0.2], [0.3, 0.4]]), np.array([[0.5, 0.5], [0.6, 0.9], [0.7, 1]])]
    paths = [samples.add(writer.images[i], int(writer.labels[i]), strokes) for i in range(3)]
    found = samples.load()
    assert len(found) == 3 and sorted(found.paths) == sorted(paths)
    for image, label, path in zip(found.images, found.labels, found.paths, strict=True):
        i = paths.index(path)
        np.testing.assert_array_equal(image, writer.images[i])
        assert label == writer.labels[i] and path.parent.name == str(label)
    with np.load(paths[0]) as saved:  # the strokes come back without any pickle
        assert saved["lengths"].tolist() == [2, 3] and saved["points"].shape == (5, 2)
    samples.delete(paths[0])
    assert len(samples.load()) == 2
    assert samples.clear() == 2 and len(samples.load()) == 0


def test_a_float_image_is_kept_as_bytes_and_bad_labels_are_refused():
    path = samples.add(np.full((28, 28), 0.5, np.float32), 4)
    assert samples.read(path)[0].dtype == np.uint8 and samples.read(path)[1] == 4
    with pytest.raises(ValueError, match="0-9"):
        samples.add(np.zeros((28, 28)), 12)
    with pytest.raises(ValueError, match="28x28"):
        samples.add(np.zeros((10, 10)), 1)


def test_a_damaged_sample_file_is_skipped_and_named(writer):
    samples.add(writer.images[0], int(writer.labels[0]))
    bad = samples.samples_dir() / "3" / "broken.npz"
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_bytes(b"this is not a sample")
    found = samples.load()
    assert len(found) == 1
    assert len(found.skipped) == 1 and "broken.npz" in found.skipped[0]


def test_samples_travel_as_one_zip(writer, tmp_path):
    for i in range(5):
        samples.add(writer.images[i], int(writer.labels[i]))
    out = tmp_path / "mine.zip"
    assert samples.export(out) == 5
    before = samples.load()
    samples.clear()
    with zipfile.ZipFile(out, "a") as archive:  # a damaged entry travels along
        archive.writestr("7/garbage.npz", b"nope")
    added, skipped = samples.import_file(out)
    assert added == 5 and len(skipped) == 1 and "garbage.npz" in skipped[0]
    after = samples.load()
    assert sorted(after.labels.tolist()) == sorted(before.labels.tolist())
    not_zip = tmp_path / "photo.zip"
    not_zip.write_bytes(b"\x89PNG not a zip")
    with pytest.raises(DatasetError, match="not a digitpad samples file"):
        samples.import_file(not_zip)
    samples.clear()
    with pytest.raises(DatasetError, match="no samples"):
        samples.export(tmp_path / "none.zip")


def test_personalise_needs_enough_samples_and_an_existing_base(writer, tmp_path):
    for i in range(MIN_SAMPLES - 1):
        samples.add(writer.images[i], int(writer.labels[i]))
    base = models.default_model("torch", "mlp")
    with pytest.raises(
        DatasetError, match=f"at least {MIN_SAMPLES} samples; there are {MIN_SAMPLES - 1}"
    ):
        personalise(base, samples.load(), SilentCallbacks())
    samples.add(writer.images[20], int(writer.labels[20]))
    with pytest.raises(ModelFileError, match="gone"):
        personalise(tmp_path / "deleted.pt", samples.load(), SilentCallbacks())


def test_cancelled_personalise_saves_nothing(writer):
    for i in taught(writer, 2):
        samples.add(writer.images[i], int(writer.labels[i]))

    class StopSoon(SilentCallbacks):
        batches = 0

        def on_batch(self, *args):
            self.batches += 1

        def should_stop(self):
            return self.batches >= 3

    with pytest.raises(TrainingCancelled):
        personalise(models.default_model("torch", "mlp"), samples.load(), StopSoon())
    assert not models.models_dir().exists() or not list(models.models_dir().iterdir())


@pytest.mark.parametrize("backend", ["torch", "keras"])
def test_personal_model_reads_its_writer_better_and_leaves_the_base_alone(writer, backend):
    picked = taught(writer, 3)
    for i in picked:
        samples.add(writer.images[i], int(writer.labels[i]))
    base = models.default_model(backend, "mlp")
    base_sha = hashlib.sha256(base.read_bytes()).hexdigest()
    done = personalise(base, samples.load(), SilentCallbacks())
    assert hashlib.sha256(base.read_bytes()).hexdigest() == base_sha
    assert done.path.parent == models.models_dir()
    assert done.card.name.endswith("· personal") and done.card.base == base.name
    assert done.card.scores["personal_samples"] == 30
    assert 0.0 <= done.samples_accuracy <= 1.0  # measured on held-out folds
    assert done.mnist_accuracy > 0.85  # it still reads other people
    rest = np.setdiff1d(np.arange(len(writer.labels)), picked)
    x, y = writer.images[rest].astype(np.float32) / 255, writer.labels[rest]
    before = (load_any(base).predict(x).argmax(1) == y).mean()
    after = (load_any(done.path).predict(x).argmax(1) == y).mean()
    assert after >= before, (
        f"{backend}: {before:.1%} of the writer's other digits before, {after:.1%} after"
    )


def test_samples_and_personalise_commands(writer, tmp_path, capsys):
    from PIL import Image

    pictures = []
    for i in taught(writer, 1):
        pictures.append(tmp_path / f"{i}.png")
        Image.fromarray(255 - writer.images[i]).resize((140, 140)).save(pictures[-1])
    for path, i in zip(pictures, taught(writer, 1), strict=True):
        assert main(["samples", "add", str(path), "--label", str(writer.labels[i])]) == 0
    capsys.readouterr()
    assert main(["samples", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["total"] == 10 and all(n == 1 for n in listed["counts"].values())
    assert main(["samples", "export", str(tmp_path / "s.zip")]) == 0
    assert main(["samples", "clear", "--yes"]) == 0
    assert main(["samples", "import", str(tmp_path / "s.zip")]) == 0
    capsys.readouterr()
    out = tmp_path / "mine.pt"
    code = main(
        ["personalise", "--model", str(models.default_model("torch", "mlp")), "--out", str(out)]
    )
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "personal" in printed.out and out.is_file()
    assert load_any(out).card.base == "torch_mlp.pt"
    samples.clear()
    assert main(["personalise", "--model", str(models.default_model("torch", "mlp"))]) == 2
    assert f"at least {MIN_SAMPLES} samples" in capsys.readouterr().err
