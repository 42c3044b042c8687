"""TensorFlow used from the app's background threads.

TensorFlow's bundled pybind11 keeps the Python thread state of the thread that first imports
TensorFlow and never clears it (pybind11 #2888). On a reused pool thread whose job-by-job thread
state is freed, the next TensorFlow call segfaulted or deadlocked: "Load model file… on an empty
.keras, then choose Keras CNN" killed the app. A crash kills the process, so each scenario runs in
a subprocess and the test reads its exit code; a timeout is the deadlock.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_scenario(code: str, home: Path, timeout: int = 240) -> subprocess.CompletedProcess:
    env = dict(
        os.environ, QT_QPA_PLATFORM="offscreen", DIGITPAD_HOME=str(home), PYTHONPATH=str(ROOT)
    )
    try:
        return subprocess.run(
            [sys.executable, "-X", "faulthandler", "-c", textwrap.dedent(code)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as err:
        pytest.fail(f"deadlocked (no exit in {timeout} s): {(err.stderr or b'')[-3000:]!r}")


WINDOW = """
    import time
    from pathlib import Path
    from PySide6.QtWidgets import QApplication
    from digitpad import models
    from digitpad.ui.main_window import MainWindow

    app = QApplication([])
    window = MainWindow()
    window.show()

    def settle(timeout=120):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            app.processEvents()
            s = window.session
            if not s.loading and (s.predictor is not None or s.error):
                return
            time.sleep(0.01)
        raise SystemExit("timed out waiting for a model")

    settle()
    empty = Path({empty!r})
    empty.write_bytes(b"")
    # the bug report: a failed Keras load, then the bundled Keras CNN; then another Keras model
    for path in (empty, models.default_model("keras"), models.default_model("keras", "mlp")):
        window.select_model(path)
        settle()
        print(path.name, "->", window.model_path.name, window.session.error[:80], flush=True)
    assert window.model_path == models.default_model("keras", "mlp"), window.session.error
    assert window.predictor.backend == "keras"
    print("OK")
"""


def test_keras_after_a_failed_keras_load_does_not_crash(private_home):
    run = run_scenario(WINDOW.format(empty=str(private_home / "empty.keras")), private_home)
    assert run.returncode == 0, f"exit {run.returncode}\n{run.stdout}\n{run.stderr[-4000:]}"
    assert "empty.keras: empty file" in run.stdout  # said plainly, before TF loads
    assert run.stdout.rstrip().endswith("OK")


POOL = """
    import sys, threading, time
    from PySide6.QtCore import QCoreApplication

    seen = []

    def importing():  # a real import of it, not a look whether it is installed (find_spec)
        frame = sys._getframe()
        while frame is not None:
            if frame.f_code.co_name == "_find_and_load":
                return frame.f_locals.get("name") == "tensorflow"
            frame = frame.f_back
        return False

    class Spy:  # notes which thread starts importing tensorflow; finds nothing itself
        def find_spec(self, name, path=None, target=None):
            if name == "tensorflow" and importing():
                seen.append(threading.current_thread().name)
            return None

    sys.meta_path.insert(0, Spy())
    from digitpad.backends.tf_import import tensorflow
    from digitpad.ui.workers import WorkerPool

    app = QCoreApplication([])
    pool = WorkerPool(threads=1)
    results = []

    def use(worker):
        tf = tensorflow()
        double = tf.function(lambda x: x * 2.0)
        return float(double(tf.constant([1.0, 2.0]))[1])  # list -> tensor, then tracing

    # Separate jobs, back to back on the same thread: the first imports, the others use.
    for work in (lambda w: tensorflow() and None, use, use):
        pool.start(work, "job", results.append, lambda err: results.append(repr(err)))
    end = time.monotonic() + 180
    while len(results) < 3 and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
    assert results == [None, 4.0, 4.0], results
    assert seen == ["tensorflow-import"], seen
    print("OK")
"""


def test_tensorflow_imported_in_one_job_and_used_in_the_next(private_home):
    run = run_scenario(POOL, private_home)
    assert run.returncode == 0, f"exit {run.returncode}\n{run.stdout}\n{run.stderr[-4000:]}"


def test_nothing_imports_tensorflow_or_keras_but_tf_import():
    allowed = ROOT / "digitpad" / "backends" / "tf_import.py"
    offenders = []
    for folder in ("digitpad", "trainers", "scripts", "benchmarks", "packaging"):
        for path in (ROOT / folder).rglob("*.py"):
            if path == allowed:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                    if isinstance(node, ast.ImportFrom)
                    else []
                )
                if any(n.split(".")[0] in ("tensorflow", "keras") for n in names):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, "import TensorFlow and Keras through tf_import: " + ", ".join(offenders)
