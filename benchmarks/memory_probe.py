"""Child process for the memory benchmark: the real window with the PyTorch model, then the
Keras model, then PyTorch again; prints resident memory (MB) at each step and the peak."""

from __future__ import annotations

import json
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _status(field: str) -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    from PySide6.QtWidgets import QApplication

    from digitpad import models
    from digitpad.ui.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    window = MainWindow()
    window.show()
    result = {}

    def use(path) -> None:
        window.select_model(path)
        end = time.time() + 120
        while (window.model_path != path) and time.time() < end:
            app.processEvents()
            time.sleep(0.01)
        window.predict_drawing()

    use(models.default_model("torch"))
    result["torch_mb"] = _status("VmRSS")
    use(models.default_model("keras"))
    result["keras_mb"] = _status("VmRSS")
    use(models.default_model("torch"))
    result["switched_mb"] = _status("VmRSS")
    result["peak_mb"] = _status("VmHWM")
    window.close()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
