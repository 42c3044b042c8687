"""Model > Export…: a model copied as it is, converted for other programs (ONNX, TorchScript,
TFLite, SavedModel) in the background and then checked, or written out as the framework's own
training script; the outcome goes to the caller's `say`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from digitpad import backends, export, script_export
from digitpad.errors import ModelFileError
from digitpad.ui.workers import WorkerPool

COPY = "copy"
SCRIPT = script_export.FORMAT


def choices(model_path: Path) -> list[tuple[str, str]]:
    """(format, file-dialog filter) for every way this model can be exported, a copy first."""
    backend = backends.for_path(model_path)
    found = [(COPY, f"{backend.label} model with its card (*{backend.suffix})")]
    for fmt in backend.export_formats:
        spec = export.FORMATS[fmt]
        pattern = f"*{spec.suffix}" if spec.suffix else "*"
        found.append((fmt, f"{spec.label} ({pattern})"))
    if backend.trains:
        found.append(
            (
                SCRIPT,
                f"{backend.label} training script, to run on its own (*{script_export.SUFFIX})",
            )
        )
    return found


def target_path(name: str, fmt: str, model_path: Path) -> Path:
    """The chosen name with the format's suffix (a person rarely types it)."""
    path = Path(name)
    suffix = (
        backends.for_path(model_path).suffix
        if fmt == COPY
        else script_export.SUFFIX
        if fmt == SCRIPT
        else export.FORMATS[fmt].suffix
    )
    return path if not suffix or path.suffix == suffix else path.with_name(path.name + suffix)


class Exporter:
    """Asks where, then copies at once or converts on `pool`, telling `say` how it went."""

    def __init__(self, pool: WorkerPool) -> None:
        self.pool = pool

    def ask(self, parent: QWidget, model_path: Path, say: Callable[[str], None]) -> None:
        options = choices(model_path)
        start = Path.home() / f"{Path(model_path).stem}"
        name, chosen = QFileDialog.getSaveFileName(
            parent,
            "Export model",
            str(start),
            ";;".join(f for _, f in options),
            options[1][1] if len(options) > 1 else options[0][1],
        )
        if not name:
            return
        fmt = next((fmt for fmt, f in options if f == chosen), COPY)
        self.run(Path(model_path), fmt, target_path(name, fmt, model_path), say)

    def run(self, model_path: Path, fmt: str, out: Path, say: Callable[[str], None]) -> None:
        if fmt in (COPY, SCRIPT):  # quick: done at once
            try:
                if fmt == COPY:
                    say(f"Exported to {export.copy_model(model_path, out)}")
                else:
                    written = script_export.write_script(model_path, out)
                    say(f"Wrote the training script {written}")
            except (OSError, ModelFileError) as err:
                say(f"Could not export: {err}")
            return
        try:
            export.check_format(model_path, fmt)
            out = export.check_destination(model_path, fmt, out)
        except Exception as err:  # Unsupported, BackendMissing, ModelFileError: before any work
            say(f"Could not export: {err}")
            return
        say(
            f"Exporting to {export.FORMATS[fmt].label} and checking it on "
            f"{export.CHECK_IMAGES:,} test images…"
        )
        self.pool.start(
            lambda worker: export.export(model_path, fmt, out),
            "export",
            lambda report: say(report.summary()),
            lambda err: say(f"Could not export: {err}"),
        )
