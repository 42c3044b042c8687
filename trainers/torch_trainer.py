"""PyTorch training: tensors sliced into batches (no DataLoader, no per-sample transforms)."""

from __future__ import annotations

import time

import numpy as np

from trainers import torch_models
from trainers.augment import epochs_of
from trainers.callbacks import (
    TrainingCallbacks,
    TrainingCancelled,
    TrainingFailed,
    TrainResult,
    check_loss,
)
from trainers.config import TrainConfig
from trainers.dataset import (
    accuracy,
    held_out_metrics,
    lr_factor,
    prepare,
    steps_per_epoch,
)
from trainers.devices import resolve


def _optimizer(config: TrainConfig, params):
    import torch

    if config.optimizer == "sgd":
        return torch.optim.SGD(params, lr=config.lr, momentum=0.9, nesterov=True, foreach=True)
    # Fused kernels update every parameter in one call: much less per-step overhead.
    if config.optimizer == "adamw":
        return torch.optim.AdamW(params, lr=config.lr, weight_decay=1e-4, fused=True)
    return torch.optim.Adam(params, lr=config.lr, fused=True)


def train(config: TrainConfig, data, callbacks: TrainingCallbacks) -> TrainResult:
    """Train a fresh `config.arch` network; raises TrainingCancelled or TrainingFailed."""
    import torch

    device = resolve("torch", config.device)  # refuse an unusable device before any work
    started = time.perf_counter()
    torch.manual_seed(config.seed)
    splits = prepare(data, config)
    model = torch_models.build(config.arch).to(device)
    optimizer = _optimizer(config, model.parameters())
    n = len(splits.train_x)
    steps = steps_per_epoch(n, config.batch_size)
    total = steps * config.epochs
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: lr_factor(s, total))
    labels = torch.from_numpy(splits.train_y).to(device)
    loss_fn = torch.nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(config.seed)
    history: list[dict[str, float]] = []
    predict = lambda images: torch_models.predict_proba(model, images)  # noqa: E731
    epoch_images = epochs_of(splits.train_x, config.augment, config.seed, config.epochs)
    try:
        for epoch, images in enumerate(epoch_images):
            x_all = torch.from_numpy(images).to(device)
            order = torch.randperm(n, generator=generator).to(device)
            model.train()
            loss_sum, correct = 0.0, torch.zeros((), dtype=torch.int64, device=device)
            for step in range(steps):
                if callbacks.should_stop():
                    raise TrainingCancelled("training was cancelled")
                idx = order[step * config.batch_size : (step + 1) * config.batch_size]
                x, y = x_all[idx], labels[idx]
                logits = model(x)
                loss = loss_fn(logits, y)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                schedule.step()
                value = float(loss.detach())
                check_loss(value, epoch, step)
                loss_sum += value * len(idx)
                correct += (logits.detach().argmax(1) == y).sum()  # summed on the device
                callbacks.on_batch(epoch, step, steps, value)
            metrics = {"loss": loss_sum / n, "accuracy": int(correct) / n}
            metrics.update(held_out_metrics(predict, splits, config))
            history.append(metrics)
            callbacks.on_epoch(epoch, metrics)
    except torch.OutOfMemoryError as err:
        raise TrainingFailed(f"out of memory on {device}: lower the batch size ({err})") from err
    except RuntimeError as err:
        raise TrainingFailed(f"training failed on {device}: {err}") from err
    test_probs = predict(splits.test_x)
    return TrainResult(
        model=model.cpu().eval(),
        history=history,
        test_accuracy=accuracy(test_probs, splits.test_y),
        seconds=time.perf_counter() - started,
        train_size=n,
    )


def training_step_check(arch: str = "mlp") -> float:
    """One real training batch on the CPU (for `--self-test`): returns its finite loss."""
    import torch

    torch.manual_seed(0)
    model = torch_models.build(arch)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.from_numpy(np.random.default_rng(0).random((32, 28, 28), dtype=np.float32))
    loss = torch.nn.functional.cross_entropy(model(x), torch.arange(32) % 10)
    loss.backward()
    optimizer.step()
    return float(loss.detach())
