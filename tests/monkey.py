"""A seeded "monkey" that uses a real MainWindow the way a restless person would: strokes,
erasing, undo and redo, clearing, pen widths, model switches in both backends, good and bad
pictures, a damaged model file, tiny training runs (finished or cancelled), dialogs opened and
closed, resizes. Shared by the soak test (short) and `make soak` (ten minutes).

It runs from the window's own event loop, one action per tick, and records what a user would
notice: exceptions escaping to the last-resort handler, the longest time the event loop was
blocked, and the process's memory.
"""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from digitpad import models
from tests.gui import drag

HEARTBEAT_MS = 20


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


@dataclass
class Report:
    actions: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    longest_block_s: float = 0.0
    rss_start_mb: float = 0.0
    rss_warm_mb: float = 0.0
    rss_end_mb: float = 0.0
    rss_peak_mb: float = 0.0
    rss_samples: list[float] = field(default_factory=list)  # after each action past warm-up
    errors: int = 0
    slowest_action: tuple[str, float] = ("", 0.0)  # what held the event loop longest

    def block_cause(self) -> str:
        name, seconds = self.slowest_action
        return f"{name} ({seconds:.2f} s)" if name else "-"

    def growth_mb(self) -> float:
        return self.rss_end_mb - self.rss_warm_mb

    def growth_rate_mb(self, per: int = 1000) -> float:
        """Memory growth per `per` actions after warm-up: the median of the slopes between
        every pair of samples (Theil-Sen), so one-off jumps of the allocator or a model cache
        filling move it little while a leak, which adds with every action, moves it fully."""
        rss = np.asarray(self.rss_samples[-1000:])  # pairs of up to 1,000 samples: 0.5M slopes
        if len(rss) < 2:
            return 0.0
        i, j = np.triu_indices(len(rss), k=1)
        return float(np.median((rss[j] - rss[i]) / (j - i))) * per


class Monkey:
    def __init__(self, window, files: Path, seed: int = 0) -> None:
        self.window, self.rng = window, np.random.default_rng(seed)
        self.report = Report(rss_start_mb=rss_mb())
        self.good_image = files / "three.png"
        Image.fromarray(self._digit_picture()).save(self.good_image)
        self.bad_image = files / "photo.png"
        self.bad_image.write_bytes(b"not a picture at all")
        self.bad_model = files / "broken.pt"
        self.bad_model.write_bytes(b"not a model" * 30)
        self.empty_keras = files / "empty.keras"
        self.empty_keras.write_bytes(b"")
        self.models = [path for path, card in models.list_models() if card.bundled]
        weights = {
            "stroke": 30,
            "erase": 4,
            "undo": 6,
            "redo": 4,
            "clear": 8,
            "pen": 3,
            "eraser": 2,
            "model": 4,
            "image": 2,
            "bad_image": 1,
            "bad_model": 1,
            "train": 1,
            "cancel": 1,
            "dialog": 2,
            "close_dialogs": 2,
            "resize": 2,
        }
        self.actions = list(weights)
        self.weights = np.array(list(weights.values()), float) / sum(weights.values())

    def _digit_picture(self) -> np.ndarray:
        sheet = np.full((200, 200), 255, np.uint8)
        sheet[40:160, 95:110] = 0
        return sheet

    # --- the actions ------------------------------------------------------------------------
    def stroke(self, button_erase: bool = False) -> None:
        from PySide6.QtCore import Qt

        canvas = self.window.canvas
        side = canvas.width()
        t = np.linspace(0, 1, int(self.rng.integers(2, 30)))
        a, b, c = self.rng.uniform(0.1, 0.9, (3, 2))
        curve = (1 - t)[:, None] ** 2 * a + 2 * ((1 - t) * t)[:, None] * b + t[:, None] ** 2 * c
        button = Qt.MouseButton.RightButton if button_erase else Qt.MouseButton.LeftButton
        drag(canvas, [(x * side, y * side) for x, y in curve], button)

    def do(self, name: str) -> None:
        w = self.window
        if name in ("stroke", "erase"):
            self.stroke(name == "erase")
        elif name in ("undo", "redo", "clear"):
            getattr(w.commands, name).trigger()
        elif name == "pen":
            w.set_pen_width(int(self.rng.integers(2, 61)))
        elif name == "eraser":
            w.commands.eraser.trigger()
        elif name == "model":
            w.select_model(self.models[self.rng.integers(len(self.models))])
        elif name == "image":
            w.open_image(self.good_image)
        elif name == "bad_image":
            w.open_image(self.bad_image)
        elif name == "bad_model":
            w.select_model(self.bad_model if self.rng.random() < 0.5 else self.empty_keras)
        elif name == "train":
            self._train()
        elif name == "cancel":
            w.training.cancel()
        elif name == "dialog":
            self._open_dialog()
        elif name == "close_dialogs":
            for dialog in list(w._dialogs.values()):
                dialog.close()
            for box in QApplication.topLevelWidgets():
                if box.isVisible() and box.inherits("QMessageBox"):
                    box.close()
        elif name == "resize":
            w.resize(int(self.rng.integers(600, 1400)), int(self.rng.integers(450, 1000)))

    def _train(self) -> None:
        panel = self.window.open_training()
        panel.limit = (200, 200)
        form = panel.form
        form.backend.setCurrentIndex(int(self.rng.integers(form.backend.count())))
        form.arch.setCurrentIndex(form.arch.findData("mlp"))
        form.epochs.setValue(1)
        form.batch.setValue(32)
        if form.device.isEnabled():
            panel.start()

    def _open_dialog(self) -> None:
        choice = self.rng.integers(4)
        if choice == 0:
            dialog = self.window.open_evaluation()
            dialog.limit = 300
        elif choice == 1:
            self.window.open_model_manager()
        elif choice == 2:
            self.window.open_compare()  # reads every later stroke with its models too
        else:
            self.window.open_training()

    # --- running ----------------------------------------------------------------------------
    def warm_up(self, app: QApplication) -> None:
        """Do each heavy thing once (load every bundled model, so both frameworks come into
        memory; train once in each backend; evaluate), so that what the run measures
        afterwards is growth, not one-time costs arriving."""
        w = self.window
        for path in self.models:
            w.select_model(path)
            self._wait(app, lambda p=path: w.model_path == p)
        panel = w.open_training()
        for index in range(panel.form.backend.count()):
            self._train()
            panel.form.backend.setCurrentIndex(index)
            self._wait(app, panel.form.device.isEnabled)
            panel.start()
            self._wait(app, lambda: not panel.is_running())
        dialog = w.open_evaluation()
        self._wait(app, lambda: dialog.result is not None)
        self.finish(app)

    def _wait(self, app: QApplication, done, timeout: float = 180.0) -> None:
        end = time.time() + timeout
        while not done() and time.time() < end:
            app.processEvents()
            time.sleep(0.01)

    def run(
        self, app: QApplication, seconds: float = 0.0, actions: int = 0, warm_up: float = 0.2
    ) -> Report:
        """Act until `actions` are done or `seconds` have passed, from inside the event loop."""
        self.warm_up(app)
        report, last_beat = self.report, [time.perf_counter()]
        started = time.perf_counter()

        def beat() -> None:
            now = time.perf_counter()
            report.longest_block_s = max(report.longest_block_s, now - last_beat[0])
            last_beat[0] = now

        def tick() -> None:
            elapsed = time.perf_counter() - started
            done = (actions and report.actions >= actions) or (seconds and elapsed >= seconds)
            if done:
                runner.stop()
                return
            name = self.actions[self.rng.choice(len(self.actions), p=self.weights)]
            began = time.perf_counter()
            self.do(name)
            took = time.perf_counter() - began
            if took > report.slowest_action[1]:
                report.slowest_action = (name, took)
            report.actions += 1
            report.counts[name] = report.counts.get(name, 0) + 1
            share = report.actions / actions if actions else elapsed / seconds
            rss = rss_mb()
            if not report.rss_warm_mb and share >= warm_up:
                report.rss_warm_mb = rss
            if report.rss_warm_mb:
                report.rss_samples.append(rss)
            report.rss_peak_mb = max(report.rss_peak_mb, rss)

        heart, runner = QTimer(interval=HEARTBEAT_MS), QTimer(interval=5)
        heart.timeout.connect(beat)
        runner.timeout.connect(tick)
        heart.start()
        runner.start()
        while runner.isActive():
            app.processEvents()
            time.sleep(0.001)
        heart.stop()
        self.finish(app)
        report.rss_end_mb = rss_mb()
        return report

    def finish(self, app: QApplication, timeout: float = 120.0) -> None:
        """Stop what is running, close the dialogs, and wait for every worker to end."""
        w = self.window
        w.training.cancel()
        self.do("close_dialogs")
        self._wait(app, lambda: not (w.loads.running() or w.tasks.running()), timeout)
