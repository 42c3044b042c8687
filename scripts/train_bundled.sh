#!/usr/bin/env bash
# Re-create the four bundled models in assets/models/ from the bundled 10,000-image MNIST subset
# (all of it for training: no validation share; the test set is only measured at the end).
# Deterministic for a given machine and library versions (seed 0, CPU).
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-.venv/bin/python}
for backend in torch keras; do
  "$py" -m digitpad train --backend "$backend" --arch cnn --epochs 30 --val-split 0 --seed 0 \
    --out "assets/models/${backend}_cnn.$([ "$backend" = torch ] && echo pt || echo keras)"
  "$py" -m digitpad train --backend "$backend" --arch mlp --epochs 40 --val-split 0 --seed 0 \
    --out "assets/models/${backend}_mlp.$([ "$backend" = torch ] && echo pt || echo keras)"
done
