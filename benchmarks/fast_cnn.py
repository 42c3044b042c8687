"""How the "Fast CNN" preset was chosen: candidate networks trained from the panel's default
settings, each timed to 99.0% MNIST test accuracy (and its best within the default epochs),
beside the seed's 5-epoch MLP DataLoader loop measured in the same run.

    python benchmarks/fast_cnn.py [--backend torch] [--runs 1]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CANDIDATES = {
    "today's cnn": "cnn",
    "2 conv-bn (32, 64), dense 128": "conv:32:3:none,bn,relu,pool:2,conv:64:3:none,bn,relu,"
    "pool:2,flatten,dense:128,dropout:0.25",
    "2 conv-bn (16, 32), dense 64": "conv:16:3:none,bn,relu,pool:2,conv:32:3:none,bn,relu,"
    "pool:2,flatten,dense:64,dropout:0.25",
    "2 conv-bn (32, 64), dense 128 bn": "conv:32:3:none,bn,relu,pool:2,conv:64:3:none,bn,relu,"
    "pool:2,flatten,dense:128:none,bn,relu,dropout:0.3",
    "3 conv-bn (32, 32 | 64), dense 128 bn": "conv:32:3:none,bn,relu,conv:32:3:none,bn,relu,"
    "pool:2,conv:64:3:none,bn,relu,pool:2,flatten,"
    "dense:128:none,bn,relu,dropout:0.3",
    "4 conv-bn (16, 32 | 64, 64), dense 128 bn": "conv:16:3:none,bn,relu,conv:32:3:none,bn,"
    "relu,pool:2,conv:64:3:none,bn,relu,conv:64:3:"
    "none,bn,relu,pool:2,flatten,dense:128:none,bn,"
    "relu,dropout:0.3",
    "3 conv-bn (16, 32, 64), dense 64": "conv:16:3:none,bn,relu,pool:2,conv:32:3:none,bn,"
    "relu,pool:2,conv:64:3:none,bn,relu,flatten,dense:64,"
    "dropout:0.25",
}


def main() -> None:
    from benchmarks.training import median_of, seconds_to, tutorial_torch
    from digitpad import network
    from digitpad.data import load_mnist

    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", default="torch")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    data = load_mnist()
    tutorial_torch(data.subset(500, 100))
    seed, _ = median_of(3, lambda: tutorial_torch(data))
    print(f"seed MLP loop, 5 epochs: {seed:.1f} s", flush=True)
    for name, spec in CANDIDATES.items():
        layers = () if spec in network.PRESETS else tuple(network.parse(spec))
        arch = spec if spec in network.PRESETS else network.CUSTOM
        reached, best, last = median_of(
            args.runs,
            lambda a=arch, la=layers: seconds_to(data, args.backend, 0.99, a, la, to_the_end=True),
        )
        params, flops = network.totals(network.plan(layers or network.preset(arch).layers))
        print(
            f"{name}: {params:,} weights, {flops / 1e6:.1f} M multiply-adds; 99.0% after "
            f"{reached:.1f} s ({reached / seed:.1f}x the seed loop), best {best:.2%}, "
            f"after the last epoch {last:.2%}",
            flush=True,
        )


if __name__ == "__main__":
    main()
