"""Models that travel, measured: every export of the bundled CNNs (ONNX, TorchScript, TFLite,
SavedModel) with its size, the time to write and check it, and how far its answers are from the
original's on 1,000 MNIST test images; and the live latency of the ONNX Runtime backend against
the PyTorch and Keras ones, in the same process.

    .venv/bin/python benchmarks/exports.py     (also run by `make bench`)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import canvas_drawings, write_results  # noqa: E402
from benchmarks.latency import measure  # noqa: E402

TITLE = "## Models that travel (exports of the bundled CNNs, checked on 1,000 MNIST test images)"


def size_mb(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(f.stat().st_size for f in files) / 2**20


def table() -> str:
    from digitpad import export, models
    from digitpad.predictors import load_any

    lines = [
        TITLE,
        "",
        "| model | format | size MB | seconds to write and check | same answer "
        "| largest probability difference |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    with tempfile.TemporaryDirectory() as folder:
        for backend in ("torch", "keras"):
            source = models.default_model(backend)
            for fmt in export.formats_for(source):
                report = export.export(source, fmt, export.default_out(source, fmt, folder))
                lines.append(
                    f"| {models.read_card(source).title} | "
                    f"{export.FORMATS[fmt].label} | {size_mb(report.path):.1f} | "
                    f"{report.seconds:.1f} | {report.same_top1:,} / {report.images:,} | "
                    f"{report.max_difference:.1e} |"
                )
    lines += [
        "",
        "Live prediction (preprocessing + prediction, 1,000 drawings, same process):",
        "",
        "| model | p50 ms | p99 ms |",
        "| --- | ---: | ---: |",
    ]
    drawings = canvas_drawings(1000)
    for backend in ("onnx", "torch", "keras"):
        predictor = load_any(models.default_model(backend))
        p50, p99 = measure(predictor, drawings)
        lines.append(f"| {predictor.card.title} ({backend}) | {p50:.2f} | {p99:.2f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    text = table()
    write_results(text)
    print(text)
