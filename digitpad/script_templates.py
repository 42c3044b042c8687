"""The two training scripts `script_export` writes, as templates: each is what an MNIST tutorial
teaches in its framework, with the network and the settings filled in."""

# Shared by both scripts: reading MNIST's idx files with numpy alone.
_READ_MNIST = '''
def read_idx(path):
    """An idx file (MNIST's format, gzipped or not) as a numpy array."""
    data = Path(path).read_bytes()
    if data[:2] == b"\\x1f\\x8b":
        data = gzip.decompress(data)
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4 : 4 + 4 * dims])
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(folder, part):
    """Images as float32, standardised like MNIST (mean 0.1307, std 0.3081), and labels."""
    folder = Path(folder)
    images = read_idx(next(folder.glob(f"{{part}}-images-idx3-ubyte*")))
    labels = read_idx(next(folder.glob(f"{{part}}-labels-idx1-ubyte*")))
    return (images.astype(np.float32) / 255 - 0.1307) / 0.3081, labels.astype(np.int64)


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mnist", help="folder with the MNIST idx files (train-*, t10k-*)")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    return parser.parse_args()
'''

TORCH = (
    '''"""{title}, trained with PyTorch: the network digitpad describes as
{spec}

Run: python this_file.py MNIST_FOLDER   (written by digitpad; needs torch and numpy only)
"""

import argparse
import gzip
import math
import struct
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

EPOCHS = {epochs}
BATCH_SIZE = {batch_size}
LEARNING_RATE = {lr}
WARMUP = {warmup}  # share of the steps with a linear warm-up; then a cosine decay to zero
'''
    + _READ_MNIST
    + """

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
{layers}
        )

    def forward(self, x):  # x: (batch, 1, 28, 28)
        return self.layers(x)


def main():
    args = arguments()
    torch.manual_seed(0)
    train_x, train_y = load(args.mnist, "train")
    test_x, test_y = load(args.mnist, "t10k")
{augment_note}    train = DataLoader(TensorDataset(torch.from_numpy(train_x[:, None]),
                                     torch.from_numpy(train_y)),
                       batch_size=args.batch_size, shuffle=True)
    model = Net()
    optimizer = {optimizer}
    total = args.epochs * len(train)
    warm = max(1, int(total * WARMUP))


    def factor(step):  # the share of LEARNING_RATE at each step
        if step < warm:
            return (step + 1) / warm
        return 0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, total - warm)))

    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(args.epochs):
        model.train()
        for x, y in train:
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            schedule.step()
        print(f"epoch {{epoch + 1}}/{{args.epochs}}: loss {{loss.item():.4f}}")
    model.eval()
    with torch.no_grad():
        predicted = torch.cat([model(torch.from_numpy(test_x[i : i + 1000, None])).argmax(1)
                               for i in range(0, len(test_x), 1000)])
    accuracy = (predicted.numpy() == test_y).mean()
    print(f"test accuracy {{accuracy:.4f}}")


if __name__ == "__main__":
    main()
"""
)

KERAS = (
    '''"""{title}, trained with Keras: the network digitpad describes as
{spec}

Run: python this_file.py MNIST_FOLDER   (written by digitpad; needs keras and numpy only, and
the backend Keras runs on: TensorFlow, or torch with KERAS_BACKEND=torch)
"""

import argparse
import gzip
import struct
from pathlib import Path

import keras
import numpy as np
from keras import layers

EPOCHS = {epochs}
BATCH_SIZE = {batch_size}
LEARNING_RATE = {lr}
WARMUP = {warmup}  # share of the steps with a linear warm-up; then a cosine decay to zero
'''
    + _READ_MNIST
    + """

def build():
    return keras.Sequential([
        keras.Input((28, 28, 1)),
{layers}
    ])


def main():
    args = arguments()
    keras.utils.set_random_seed(0)
    train_x, train_y = load(args.mnist, "train")
    test_x, test_y = load(args.mnist, "t10k")
{augment_note}    model = build()
    model.summary()
    total = args.epochs * -(-len(train_x) // args.batch_size)
    warm = max(1, int(total * WARMUP))
    schedule = keras.optimizers.schedules.CosineDecay(
        0.0, decay_steps=max(1, total - warm), warmup_target=LEARNING_RATE, warmup_steps=warm)
    model.compile(optimizer={optimizer},
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    model.fit(train_x[..., None], train_y, batch_size=args.batch_size, epochs=args.epochs,
              verbose=2)
    _, accuracy = model.evaluate(test_x[..., None], test_y, verbose=0)
    print(f"test accuracy {{accuracy:.4f}}")


if __name__ == "__main__":
    main()
"""
)
