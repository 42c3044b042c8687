"""Which devices each backend can really use on this machine, and refusing the others early."""

from __future__ import annotations

from dataclasses import dataclass


class DeviceUnavailable(Exception):
    """The chosen device cannot be used here; the message lists the ones that can."""


@dataclass(frozen=True)
class Device:
    id: str     # what TrainConfig.device and --device take: "cpu", "cuda:0", "mps", "gpu:0"
    label: str  # what a person reads: "CPU", "CUDA 0: NVIDIA H100"


def torch_devices() -> list[Device]:
    import torch

    found = [Device("cpu", "CPU")]
    if torch.cuda.is_available():
        for i in range(torch.cuda.device_count()):
            found.append(Device(f"cuda:{i}", f"CUDA {i}: {torch.cuda.get_device_name(i)}"))
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        found.append(Device("mps", "Apple GPU (MPS)"))
    return found


def keras_devices() -> list[Device]:
    from trainers.frameworks import tensorflow

    tf = tensorflow()

    found = [Device("cpu", "CPU")]
    for i, gpu in enumerate(tf.config.list_physical_devices("GPU")):
        name = tf.config.experimental.get_device_details(gpu).get("device_name", gpu.name)
        found.append(Device(f"gpu:{i}", f"GPU {i}: {name}"))
    return found


def list_devices(backend: str) -> list[Device]:
    return torch_devices() if backend == "torch" else keras_devices()


def resolve(backend: str, device: str) -> str:
    """The backend's own name for `device`, or DeviceUnavailable naming the usable ones.
    "cuda:N" and "gpu:N" mean the same GPU to either backend."""
    wanted = device.strip().lower()
    if backend == "keras":
        wanted = wanted.replace("cuda", "gpu")
    elif wanted.startswith("gpu"):
        wanted = wanted.replace("gpu", "cuda")
    if wanted in ("cuda", "gpu"):
        wanted += ":0"
    available = list_devices(backend)
    if any(d.id == wanted for d in available):
        return wanted
    usable = ", ".join(d.id for d in available)
    raise DeviceUnavailable(
        f"device {device!r} is not available to {backend} here (usable: {usable})"
    )
