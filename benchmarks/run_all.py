"""`make bench`: every benchmark, one table on stdout and in benchmarks/results.md.

Figures are measured, never asserted; each comparison runs both sides in the same run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import (  # noqa: E402
    compare_view,
    exports,
    inside_view,
    latency,
    personalisation,
    reading,
    startup,
    stutter,
    training,
)
from benchmarks.common import ROOT, StealMeter, machine, write_results  # noqa: E402
from digitpad.network import DEFAULT as DEFAULT_NETWORK  # noqa: E402

TARGETS = {
    "latency_p50": 1.0,
    "latency_p99": 3.0,
    "window_s": 0.8,
    "speedup": 5.0,
    "fast_cnn_vs_seed": 6.0,
    "fast_cnn_final": 0.992,
}


def memory() -> dict:
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        DIGITPAD_HOME=tempfile.mkdtemp(prefix="digitpad-bench-"),
    )
    out = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("memory_probe.py"))],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


BUILDS = (("digitpad", "GPU build (make exe)"), ("digitpad-cpu", "CPU build (make exe-cpu)"))
CPU_BUILD_MB, CPU_ARCHIVE_MB = 1500, 600


def folder_mb(folder: Path) -> float:
    # Symbolic links point at files counted already (PyInstaller links some libraries).
    return (
        sum(f.stat().st_size for f in folder.rglob("*") if f.is_file() and not f.is_symlink()) / 1e6
    )


def packaged(missed: list[str]) -> list[str]:
    """Size on disk, archive size and start-up of each build found in dist/."""
    lines = [
        "| build | on disk MB | archive MB | launch to first paint s | to model ready s |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, title in BUILDS:
        folder = ROOT / "dist" / name
        if not folder.is_dir():
            lines.append(f"| {title} | not built | | | |")
            continue
        size = folder_mb(folder)
        archive = ROOT / "dist" / f"{name}-linux-x86_64.tar.zst"
        packed = archive.stat().st_size / 1e6 if archive.exists() else None
        started = startup.built_program(folder / "digitpad")
        lines.append(
            f"| {title} | {size:,.0f} | "
            f"{f'{packed:,.0f}' if packed else 'run make dist'} | "
            f"{started['window_s']:.2f} | {started['ready_s']:.2f} |"
        )
        if name == "digitpad-cpu":
            if size > CPU_BUILD_MB:
                missed.append(f"CPU build {size:,.0f} MB on disk (target {CPU_BUILD_MB:,} MB)")
            if packed and packed > CPU_ARCHIVE_MB:
                missed.append(f"CPU build archive {packed:,.0f} MB (target {CPU_ARCHIVE_MB} MB)")
            if started["window_s"] > 1.0:
                missed.append(f"CPU build start to window {started['window_s']:.2f} s (target 1 s)")
    return lines


def main() -> None:
    lines = [f"# Benchmark results\n\n{datetime.now():%Y-%m-%d %H:%M}, {machine()}\n"]
    missed = []

    lines.append("## Live prediction latency (preprocessing + prediction, 1,000 drawings)\n")
    lines.append("| model | p50 ms | p99 ms | note |\n| --- | ---: | ---: | --- |")
    with StealMeter() as steal:
        rows = latency.run()
        for backend in ("torch", "keras"):
            fresh = latency.numpy_first(backend)
            rows.append(
                {
                    "model": f"{'PyTorch' if backend == 'torch' else 'Keras'} CNN, fresh "
                    "process that imported numpy first",
                    **fresh,
                }
            )
    for row in rows:
        note = f"{row['ratio']:.0f}x slower than ours" if "ratio" in row else ""
        slow = row["p50_ms"] > TARGETS["latency_p50"] or row["p99_ms"] > TARGETS["latency_p99"]
        if "CNN" in row["model"] and "ratio" not in row and slow:
            missed.append(
                f"{row['model']} latency p50 {row['p50_ms']:.2f} ms / "
                f"p99 {row['p99_ms']:.2f} ms (target 1 / 3 ms): look for other "
                "processes or BLAS threads competing for the cores"
            )
        lines.append(f"| {row['model']} | {row['p50_ms']:.2f} | {row['p99_ms']:.2f} | {note} |")
    if steal.percent is not None:
        lines.append(
            f"\nCPU time taken by the hypervisor (steal) during these runs: "
            f"{steal.percent:.0f}% (above a few percent, every figure here is slowed)."
        )

    lines.append("\n## Start-up (median of 5 launches, offscreen)\n")
    s = startup.run()
    lines.append("| | seconds |\n| --- | ---: |")
    lines.append(f"| process start to main window's first paint | {s['window_s']:.2f} |")
    lines.append(f"| process start to model ready | {s['ready_s']:.2f} |")
    lines.append(f"| bare PySide6 window (floor) | {s['bare_window_s']:.2f} |")
    lines.append(f"| ratio to the floor | {s['ratio']:.2f}x |")
    if s["window_s"] > TARGETS["window_s"]:
        missed.append(f"start-up to window {s['window_s']:.2f} s (target 0.8 s)")

    lines.append(
        "\n## Reading real handwriting (bundled models; pendigits .tes: 3,498 digits "
        "by 14 writers no model saw)\n"
    )
    text, reading_missed = reading.table(reading.run())
    lines.append(text)
    missed += reading_missed

    lines.append(
        f"\n## Personalisation ({personalisation.PER_DIGIT} samples of each digit "
        "taught by each .tes writer; their other digits read before and after)\n"
    )
    rows, personal_missed = personalisation.run(["torch", "keras"])
    lines.append(personalisation.table(rows))
    missed += personal_missed

    lines.append("\n" + exports.table())

    text, stutter_missed = stutter.table(stutter.run(20.0))
    lines.append("\n" + text)
    missed += stutter_missed

    text, inside_missed = inside_view.table(inside_view.run())
    lines.append("\n" + text)
    missed += inside_missed

    text, compare_missed = compare_view.run(100)
    lines.append("\n" + text)
    missed += compare_missed

    lines.append("\n## Training speed (10,000 bundled training images, full test set)\n")
    lines.append(
        "| run | seconds | test accuracy | speed-up (or x the seed loop) |\n"
        "| --- | ---: | ---: | ---: |"
    )
    for row in training.run():
        speed = (
            f"{row['speedup']:.1f}x"
            if "speedup" in row
            else f"{row['vs_seed']:.1f}x the seed loop"
            if "vs_seed" in row
            else ""
        )
        accuracy = f"{row['accuracy']:.2%}" + (
            f" (last epoch {row['final']:.2%})" if "final" in row else ""
        )
        lines.append(f"| {row['what']} | {row['seconds']:.2f} | {accuracy} | {speed} |")
        if "Adam 4e-3" in row["what"] and row["speedup"] < TARGETS["speedup"]:
            missed.append(
                f"PyTorch MLP trainer speed-up {row['speedup']:.1f}x (target 5x). What limits "
                "it: at 10,000 images the MLP's arithmetic is tiny, so fixed per-step costs "
                "(Python, autograd, the optimizer step) dominate and move with the VM's load"
            )
        fast = f" {DEFAULT_NETWORK}," in row["what"]
        if fast and not row["vs_seed"] <= TARGETS["fast_cnn_vs_seed"]:
            took = (
                f"{row['vs_seed']:.1f}x the seed's MLP loop"
                if row["seconds"] < float("inf")
                else "never reached"
            )
            missed.append(
                f"{row['what'].split(',')[0]} to 99.0%: {took} (target 6x the seed's MLP "
                "loop). What limits it: on 9,000 training images no smaller network measured "
                "reaches 99.0% within the default 5 epochs (benchmarks/fast_cnn.py); the "
                "convolutions are ~70% of each step and already run at about half the CPU's "
                "peak arithmetic rate"
            )
        if fast and row["final"] < TARGETS["fast_cnn_final"]:
            missed.append(
                f"{row['what'].split(',')[0]} after its default epochs: "
                f"{row['final']:.2%} (target 99.2%): the price of its speed"
            )

    lines.append("\n## Memory (resident, the running app)\n")
    m = memory()
    lines.append("| state | MB |\n| --- | ---: |")
    lines.append(f"| PyTorch CNN loaded | {m['torch_mb']:.0f} |")
    lines.append(f"| Keras CNN loaded (after PyTorch) | {m['keras_mb']:.0f} |")
    lines.append(f"| switched back to PyTorch | {m['switched_mb']:.0f} |")
    lines.append(f"| peak | {m['peak_mb']:.0f} |")

    lines.append("\n## Packaged program (median of 5 launches each, offscreen)\n")
    lines += packaged(missed)
    lines.append("")
    lines.append("## Targets missed\n")
    lines.append("\n".join(f"- {m}" for m in missed) if missed else "None.")
    text = "\n".join(lines) + "\n"
    write_results(text)
    print(text)


if __name__ == "__main__":
    main()
