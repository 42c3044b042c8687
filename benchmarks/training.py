"""Training speed: our trainers against the classic tutorial loops on the same 10,000 images in
the same run, and the time each CNN needs to reach 99.0% MNIST test accuracy."""

from __future__ import annotations

import math
import time

import numpy as np

from digitpad import network

EPOCHS, BATCH, LR = 5, 32, 1e-3
RUNS = 5  # the MLP comparison is a median: single runs move by 30% on a shared VM
CNN_RUNS = 3


def median_of(runs: int, measure) -> tuple[float, float]:
    """The run of median time among `runs` (seconds, accuracy) runs."""
    results = sorted(measure() for _ in range(runs))
    return results[len(results) // 2]


def tutorial_torch(data) -> tuple[float, float]:
    """The classic loop: a Dataset with a per-sample tensor transform, DataLoader, batch 32."""
    import torch
    from torch.utils.data import DataLoader, Dataset
    from torchvision import transforms

    from digitpad.backends.torch_nets import build

    class Digits(Dataset):
        def __init__(self, x, y):
            self.x, self.y = x, y
            self.transform = transforms.ToTensor()

        def __len__(self):
            return len(self.x)

        def __getitem__(self, i):
            return self.transform(self.x[i])[0], int(self.y[i])

    torch.manual_seed(0)
    model = build(network.preset("mlp").layers)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    loader = DataLoader(Digits(data.train_x, data.train_y), batch_size=BATCH, shuffle=True)
    started = time.perf_counter()
    for _ in range(EPOCHS):
        model.train()
        for x, y in loader:
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
    seconds = time.perf_counter() - started
    from digitpad.backends.torch_nets import predict_proba

    acc = (predict_proba(model, data.test_x / np.float32(255)).argmax(1) == data.test_y).mean()
    return seconds, float(acc)


def plain_keras_fit(data) -> tuple[float, float]:
    from digitpad.backends import keras_nets as keras_models
    from digitpad.backends.tf_import import keras as load_keras

    keras = load_keras()
    keras.utils.set_random_seed(0)
    model = keras_models.build(network.preset("mlp").layers)
    model.compile(
        keras.optimizers.Adam(LR), keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    )
    x = data.train_x.astype(np.float32) / 255
    started = time.perf_counter()
    model.fit(x, data.train_y, batch_size=BATCH, epochs=EPOCHS, verbose=0)
    seconds = time.perf_counter() - started
    probs = keras_models.predict_proba(model, data.test_x.astype(np.float32) / 255)
    return seconds, float((probs.argmax(1) == data.test_y).mean())


def ours(
    data,
    backend: str,
    arch: str = "mlp",
    batch: int = 128,
    lr: float = 2e-3,
    epochs: int = EPOCHS,
    augment: bool = True,
) -> tuple[float, float]:
    """Our trainer: (seconds, test accuracy)."""
    from trainers import loop
    from trainers.callbacks import SilentCallbacks
    from trainers.config import TrainConfig

    config = TrainConfig(
        backend=backend,
        arch=arch,
        epochs=epochs,
        batch_size=batch,
        lr=lr,
        val_split=0,
        augment=augment,
    )
    result = loop.train(config, data, SilentCallbacks())
    return result.seconds, result.test_accuracy


def seconds_to(
    data,
    backend: str,
    target: float,
    arch: str = "cnn",
    layers: tuple = (),
    to_the_end: bool = False,
) -> tuple[float, float, float]:
    """A network (a preset, or `layers`) trained with the panel's default settings: the
    seconds until its test accuracy first reaches `target` (inf if never), its best, and its
    last (stopped at `target` unless `to_the_end`). The test set is scored after every epoch
    for this, and that time is left out: a user's run does not pay it."""
    from dataclasses import replace

    from trainers import loop
    from trainers.callbacks import SilentCallbacks, TrainingCancelled
    from trainers.config import DEFAULTS

    class Watch(SilentCallbacks):
        reached = math.inf
        best = last = 0.0
        measuring = 0.0

        def on_epoch(self, epoch, metrics):
            self.measuring += metrics["test_seconds"]
            self.last = metrics["test_accuracy"]
            self.best = max(self.best, self.last)
            if self.best >= target and self.reached == math.inf:
                self.reached = time.perf_counter() - started - self.measuring

        def should_stop(self):
            return self.reached < math.inf and not to_the_end

    config = replace(DEFAULTS, backend=backend, arch=arch, layers=layers, track_test=True)
    watch = Watch()
    started = time.perf_counter()
    try:
        loop.train(config, data, watch)
    except TrainingCancelled:
        pass
    return watch.reached, watch.best, watch.last


def run() -> list[dict]:
    from digitpad.data import load_mnist
    from trainers.config import DEFAULTS

    data = load_mnist()
    rows = []
    tutorial_torch(data.subset(500, 100))  # warm both sides up: first calls pay for set-up
    ours(data.subset(500, 100), "torch")
    t_s, t_acc = median_of(RUNS, lambda: tutorial_torch(data))
    o_s, o_acc = median_of(RUNS, lambda: ours(data, "torch", batch=128, lr=4e-3, augment=False))
    a_s, a_acc = ours(data, "torch")
    rows.append(
        {
            "what": f"PyTorch MLP, 5 epochs: tutorial DataLoader loop (batch 32, Adam 1e-3), "
            f"median of {RUNS}",
            "seconds": t_s,
            "accuracy": t_acc,
        }
    )
    rows.append(
        {
            "what": f"PyTorch MLP, 5 epochs: our trainer (batch 128, Adam 4e-3 cosine), "
            f"median of {RUNS}",
            "seconds": o_s,
            "accuracy": o_acc,
            "speedup": t_s / o_s,
        }
    )
    rows.append(
        {
            "what": "PyTorch MLP, 5 epochs: our trainer, augmented (batch 128)",
            "seconds": a_s,
            "accuracy": a_acc,
            "speedup": t_s / a_s,
        }
    )
    plain_keras_fit(data.subset(500, 100))
    k_s, k_acc = plain_keras_fit(data)
    ok_s, ok_acc = ours(data, "keras", batch=BATCH, lr=LR, augment=False)
    rows.append(
        {
            "what": "Keras MLP, 5 epochs: plain model.fit on arrays (batch 32, Adam 1e-3)",
            "seconds": k_s,
            "accuracy": k_acc,
        }
    )
    rows.append(
        {
            "what": "Keras MLP, 5 epochs: our trainer, same settings + cosine schedule",
            "seconds": ok_s,
            "accuracy": ok_acc,
            "speedup": k_s / ok_s,
        }
    )
    for backend in ("torch", "keras"):
        for arch in ("cnn", DEFAULTS.arch):
            s, best, last = median_of(
                CNN_RUNS, lambda b=backend, a=arch: seconds_to(data, b, 0.99, a, to_the_end=True)
            )
            rows.append(
                {
                    "what": f"{backend} {arch}, panel defaults ({DEFAULTS.epochs} epochs, "
                    f"batch {DEFAULTS.batch_size}): seconds until 99.0% test accuracy, "
                    f"median of {CNN_RUNS}",
                    "seconds": s,
                    "accuracy": best,
                    "final": last,
                    "vs_seed": s / t_s,
                }
            )
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
