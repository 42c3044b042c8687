import gzip

import numpy as np
import pytest

from digitpad.data import DatasetError, load_mnist, read_idx
from tests.conftest import write_idx


def test_bundled_subset_is_mnist(mnist):
    assert mnist.train_x.shape == (10_000, 28, 28)
    assert mnist.test_x.shape == (10_000, 28, 28)
    assert mnist.train_x.dtype == np.uint8
    assert set(np.unique(mnist.test_y)) == set(range(10))
    # MNIST is white ink on black, 20x20 digits centred in 28x28: the border is nearly all paper.
    assert mnist.test_x[:, 0, :].mean() < 1.0
    assert mnist.test_x[:, 10:18, 10:18].mean() > 50


def test_raw_and_gzip_files_read_the_same(tmp_path, mnist):
    raw = write_idx(tmp_path / "a-idx3-ubyte", mnist.test_x[:5], compress=False)
    packed = write_idx(tmp_path / "b-idx3-ubyte.gz", mnist.test_x[:5])
    assert np.array_equal(read_idx(raw), read_idx(packed))
    assert np.array_equal(read_idx(raw), mnist.test_x[:5])


def test_truncated_file_is_refused_by_name(tmp_path, mnist):
    path = write_idx(tmp_path / "cut-idx3-ubyte", mnist.test_x[:5], compress=False)
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(DatasetError, match="cut-idx3-ubyte.*truncated"):
        read_idx(path)


def test_wrong_magic_is_refused_by_name(tmp_path):
    path = tmp_path / "junk.gz"
    path.write_bytes(gzip.compress(b"PK\x03\x04 this is a zip file, not idx"))
    with pytest.raises(DatasetError, match="junk.gz.*magic"):
        read_idx(path)


def test_damaged_gzip_is_refused_by_name(tmp_path, mnist):
    path = write_idx(tmp_path / "broken-idx3-ubyte.gz", mnist.test_x[:50])
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(DatasetError, match="broken-idx3-ubyte.gz"):
        read_idx(path)


def test_missing_file_in_folder_names_it(small_mnist_dir):
    (small_mnist_dir / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DatasetError, match="t10k-labels-idx1-ubyte.*missing"):
        load_mnist(small_mnist_dir)


def test_labels_must_match_images(small_mnist_dir, mnist):
    write_idx(small_mnist_dir / "train-labels-idx1-ubyte.gz", mnist.train_y[:10])
    with pytest.raises(DatasetError, match="600 train images but"):
        load_mnist(small_mnist_dir)


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(DatasetError, match="no such data folder"):
        load_mnist(tmp_path / "nowhere")
