"""What building a network from its description costs: today's CNN built from its description
against the hand-written network it replaced (torch_nets.py at commit ef4a4b0, read from git),
live reading p50 (one image) and training step time (batch 128), alternating which goes first.

    python benchmarks/description_cost.py
"""

from __future__ import annotations

import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HAND_WRITTEN = "ef4a4b0:digitpad/backends/torch_nets.py"


def hand_written():
    source = subprocess.run(
        ["git", "show", HAND_WRITTEN], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    path = Path(tempfile.mkdtemp()) / "hand_written_nets.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("hand_written_nets", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build("cnn")


def main(rounds: int = 6) -> None:
    import torch

    from digitpad import network
    from digitpad.backends import torch_nets

    torch.set_num_threads(1)
    old, new = hand_written(), torch_nets.build(network.preset("cnn").layers)
    assert str(old) == str(new) and list(old.state_dict()) == list(new.state_dict())
    one, batch = torch.rand(1, 28, 28), torch.rand(128, 28, 28)
    labels = torch.randint(0, 10, (128,))

    def p50(net) -> float:
        net.eval()
        times = []
        with torch.inference_mode():
            for _ in range(300):
                started = time.perf_counter()
                net(one)
                times.append(time.perf_counter() - started)
        return statistics.median(times) * 1e3

    def step(net) -> float:
        net.train()
        optimizer = torch.optim.Adam(net.parameters(), 1e-3)
        times = []
        for _ in range(12):
            started = time.perf_counter()
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(net(batch), labels).backward()
            optimizer.step()
            times.append(time.perf_counter() - started)
        return statistics.median(times[2:]) * 1e3

    reads, steps = [], []
    for n in range(rounds):
        order = (old, new) if n % 2 == 0 else (new, old)
        measured = {id(net): (p50(net), step(net)) for net in order}
        (po, so), (pn, sn) = measured[id(old)], measured[id(new)]
        reads.append(pn / po)
        steps.append(sn / so)
    print(
        f"modules identical; from description / hand-written, median of {rounds} rounds: "
        f"live p50 {statistics.median(reads):.2f}x, training step "
        f"{statistics.median(steps):.2f}x"
    )


if __name__ == "__main__":
    main()
