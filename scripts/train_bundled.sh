#!/usr/bin/env bash
# Re-create the bundled models in assets/models/ from the bundled MNIST subset (10,000
# images) plus the bundled pen-drawn digits (30 writers, each drawn two ways a mouse user draws:
# see digitpad/pendigits.py). All of it trains (no validation share); the MNIST test set is only
# measured at the end, and `benchmarks/reading.py` measures the pen drawings of the 14 writers
# the models never saw. Deterministic for a given machine and library versions (seed 0, CPU).
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-.venv/bin/python}
suffix() { [ "$1" = torch ] && echo pt || echo keras; }
for backend in ${BACKENDS:-torch keras}; do
  "$py" -m digitpad train --backend "$backend" --arch cnn --epochs 16 --val-split 0 --seed 0 \
    --with-pen-drawings --out "assets/models/${backend}_cnn.$(suffix "$backend")"
  "$py" -m digitpad train --backend "$backend" --arch mlp --epochs 40 --val-split 0 --seed 0 \
    --with-pen-drawings --out "assets/models/${backend}_mlp.$(suffix "$backend")"
done
# The ONNX Runtime backend's model: the PyTorch CNN exported (and checked against it).
"$py" -m digitpad export assets/models/torch_cnn.pt --format onnx --out assets/models/onnx_cnn.onnx
