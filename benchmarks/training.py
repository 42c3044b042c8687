"""Training speed: our trainers against the classic tutorial loops on the same 10,000 images in
the same run, and the time each CNN needs to reach 99.0% MNIST test accuracy."""

from __future__ import annotations

import time

import numpy as np

EPOCHS, BATCH, LR = 5, 32, 1e-3
RUNS = 5  # the MLP comparison is a median: single runs move by 30% on a shared VM


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
    model = build("mlp")
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
    model = keras_models.build("mlp")
    model.compile(keras.optimizers.Adam(LR),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    x = data.train_x.astype(np.float32) / 255
    started = time.perf_counter()
    model.fit(x, data.train_y, batch_size=BATCH, epochs=EPOCHS, verbose=0)
    seconds = time.perf_counter() - started
    probs = keras_models.predict_proba(model, data.test_x.astype(np.float32) / 255)
    return seconds, float((probs.argmax(1) == data.test_y).mean())


def ours(data, backend: str, arch: str = "mlp", batch: int = 128, lr: float = 2e-3,
         epochs: int = EPOCHS, until: float | None = None,
         augment: bool = True) -> tuple[float, float]:
    """Our trainer; with `until`, the seconds until test accuracy first reaches it."""
    from trainers import loop
    from trainers.callbacks import SilentCallbacks, TrainingCancelled
    from trainers.config import TrainConfig

    class Watch(SilentCallbacks):
        reached: float | None = None
        best = 0.0

        def on_epoch(self, epoch, metrics):
            self.best = max(self.best, metrics.get("test_accuracy", 0.0))
            if until and self.reached is None and self.best >= until:
                self.reached = time.perf_counter() - started

        def should_stop(self):
            return self.reached is not None

    config = TrainConfig(backend=backend, arch=arch, epochs=epochs, batch_size=batch, lr=lr,
                         val_split=0, track_test=until is not None, augment=augment)
    watch = Watch()
    started = time.perf_counter()
    try:
        result = loop.train(config, data, watch)
    except TrainingCancelled:
        return watch.reached, watch.best
    if until:
        return (watch.reached if watch.reached else float("nan")), watch.best
    return result.seconds, result.test_accuracy


def run() -> list[dict]:
    from digitpad.data import load_mnist

    data = load_mnist()
    rows = []
    tutorial_torch(data.subset(500, 100))  # warm both sides up: first calls pay for set-up
    ours(data.subset(500, 100), "torch")
    t_s, t_acc = median_of(RUNS, lambda: tutorial_torch(data))
    o_s, o_acc = median_of(RUNS, lambda: ours(data, "torch", batch=128, lr=4e-3, augment=False))
    a_s, a_acc = ours(data, "torch")
    rows.append({"what": f"PyTorch MLP, 5 epochs: tutorial DataLoader loop (batch 32, Adam 1e-3), "
                 f"median of {RUNS}", "seconds": t_s, "accuracy": t_acc})
    rows.append({"what": f"PyTorch MLP, 5 epochs: our trainer (batch 128, Adam 4e-3 cosine), "
                 f"median of {RUNS}", "seconds": o_s, "accuracy": o_acc, "speedup": t_s / o_s})
    rows.append({"what": "PyTorch MLP, 5 epochs: our trainer, augmented (batch 128)",
                 "seconds": a_s, "accuracy": a_acc, "speedup": t_s / a_s})
    plain_keras_fit(data.subset(500, 100))
    k_s, k_acc = plain_keras_fit(data)
    ok_s, ok_acc = ours(data, "keras", batch=BATCH, lr=LR, augment=False)
    rows.append({"what": "Keras MLP, 5 epochs: plain model.fit on arrays (batch 32, Adam 1e-3)",
                 "seconds": k_s, "accuracy": k_acc})
    rows.append({"what": "Keras MLP, 5 epochs: our trainer, same settings + cosine schedule",
                 "seconds": ok_s, "accuracy": ok_acc, "speedup": k_s / ok_s})
    for backend in ("torch", "keras"):
        s, best = ours(data, backend, arch="cnn", epochs=8, until=0.99)
        rows.append({"what": f"{backend} CNN: seconds until 99.0% test accuracy (8-epoch run)",
                     "seconds": s, "accuracy": best})
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
