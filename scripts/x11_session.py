"""Drive the real app in a real X server with real pointer events, like a person would.

Starts Xvfb (and openbox, if installed) unless DISPLAY is set, starts `python -m digitpad` with a
fresh DIGITPAD_HOME, finds its window with xdotool and replays real pen-drawn digits from the
UCI pendigits test file as mouse drags (XTest events: mousemove / mousedown / mouseup), stroke by
stroke, pressing Esc after each digit. After every digit it checks that the app is still alive;
it reads the prediction from the probability bars (the highlighted bar) when it can find them.
At the end it reports digits, strokes, time, survival, exit code / stderr, and resident memory.

    .venv/bin/python scripts/x11_session.py --digits 1000 --pace-ms 5 --shot-every 100

Needs: xvfb, xdotool, x11-apps (xwd), x11-utils (xwininfo); numpy and Pillow (the app's venv).
No Qt here: the app is driven from outside.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
PENDIGITS = ROOT.parent / "shared" / "pendigits" / "pendigits-orig.tes.gz"
TABLET = 500  # pendigits y grows upwards in a ~500x500 box: flip as TABLET - y
BACKGROUND_TOL = 2  # how far from the window colour a pixel may be and still be background
TRACK = (232, 236, 242)  # probability bar track (digitpad/ui/probabilities.py)
WINNER = (33, 118, 220)  # the highlighted, most likely digit's bar
ODD_ONE = (217, 72, 15)  # a compare column whose digit differs (digitpad/ui/compare_column.py)
COMPARED = 723  # a .tes 4 that the bundled PyTorch and Keras CNNs read differently
ODD_ONE = (217, 72, 15)  # a compare column whose digit differs (digitpad/ui/compare_column.py)
COMPARED = 723  # a .tes 4 that the bundled PyTorch and Keras CNNs read differently

Point = tuple[int, int]
Image3 = np.ndarray  # (H, W, 3) uint8


@dataclass(frozen=True)
class PenDigit:
    """One written digit from the pendigits file: label, writer and strokes (tablet units)."""

    label: int
    writer: int
    strokes: tuple[tuple[Point, ...], ...]


@dataclass(frozen=True)
class Rect:
    """An axis-aligned rectangle in pixels: left, top, width, height."""

    x: int
    y: int
    w: int
    h: int


@dataclass
class Report:
    """What a session measured; printed at the end and written as JSON."""

    digits: int = 0
    strokes: int = 0
    points: int = 0
    elapsed_s: float = 0.0
    survived: bool = True
    exit_code: int | None = None
    stderr_tail: str = ""
    stderr_lines: int = 0
    rss_mb: dict[str, float] = field(default_factory=dict)
    read: int = 0
    correct: int = 0
    not_read: int = 0
    clear_not_seen: int = 0
    time_to_ready_s: float | None = None
    quit_s: float | None = None
    screenshots: list[str] = field(default_factory=list)
    misread: list[dict] = field(default_factory=list)
    late_readings: list[dict] = field(default_factory=list)
    tour: dict = field(default_factory=dict)
    inside: dict = field(default_factory=dict)
    compare: dict = field(default_factory=dict)
    compare: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def read_pendigits(path: Path) -> Iterator[PenDigit]:
    """Every digit of a UNIPEN-style pendigits file (plain or gzip), in file order."""
    opener = gzip.open if path.suffix == ".gz" else open
    label = writer = -1
    strokes: list[tuple[Point, ...]] = []
    stroke: list[Point] | None = None
    with opener(path, "rt") as lines:
        for raw in lines:
            line = raw.strip()
            if line.startswith(".SEGMENT"):
                if strokes:
                    yield PenDigit(label, writer, tuple(strokes))
                strokes = []
                label = int(line.rsplit('"', 2)[-2])
            elif line.startswith(".COMMENT"):
                writer = int(line.split()[2])
            elif line.startswith(".PEN_DOWN"):
                stroke = []
            elif line.startswith(".PEN_UP"):
                if stroke:
                    strokes.append(tuple(stroke))
                stroke = None
            elif stroke is not None and line:
                x, y = line.split()[:2]
                stroke.append((int(x), int(y)))
    if strokes:
        yield PenDigit(label, writer, tuple(strokes))


def fit_to(digit: PenDigit, area: Rect, fill: float = 0.7) -> list[list[Point]]:
    """The digit's strokes in screen pixels: y flipped, scaled (aspect kept) to fill `fill` of
    the area and centred in it."""
    xs = [x for s in digit.strokes for x, _ in s]
    ys = [TABLET - y for s in digit.strokes for _, y in s]
    w, h = max(max(xs) - min(xs), 1), max(max(ys) - min(ys), 1)
    scale = min(area.w * fill / w, area.h * fill / h)
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    ox, oy = area.x + area.w / 2, area.y + area.h / 2
    return [
        [(round(ox + (x - cx) * scale), round(oy + (TABLET - y - cy) * scale)) for x, y in s]
        for s in digit.strokes
    ]


def run(cmd: list[str], env: dict[str, str], timeout: float = 30) -> str:
    """Run a command, return its stdout; raise with its stderr on failure."""
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])}… failed ({done.returncode}): {done.stderr}")
    return done.stdout


def parse_xwd(data: bytes) -> Image3:
    """An XWD dump (ZPixmap, 24/32 bits a pixel, as xwd writes on Xvfb) as an RGB array."""
    header = struct.unpack(">25I", data[:100])
    size, fmt, depth, width, height = header[0], header[2], header[3], header[4], header[5]
    byte_order, bpp, stride, ncolors = header[7], header[11], header[12], header[19]
    if fmt != 2 or bpp not in (24, 32) or depth < 24:
        raise ValueError(f"unsupported xwd image (format {fmt}, depth {depth}, bpp {bpp})")
    start, step = size + 12 * ncolors, bpp // 8
    pixels = np.frombuffer(data, np.uint8, height * stride, start).reshape(height, stride)
    pixels = pixels[:, : width * step].reshape(height, width, step)
    if byte_order == 0:  # LSBFirst: B, G, R(, pad)
        return pixels[..., [2, 1, 0]]
    return pixels[..., [step - 3, step - 2, step - 1]]


class Display:
    """An X display: xdotool, xwd and xwininfo against it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.env = dict(os.environ, DISPLAY=name)

    def xdo(self, *args: str, timeout: float = 60) -> str:
        return run(["xdotool", *args], self.env, timeout)

    def capture(self, window: str = "root") -> Image3:
        """The window's pixels (or the whole screen's) as an RGB array."""
        target = ["-root"] if window == "root" else ["-id", window]
        out = subprocess.run(
            ["xwd", "-silent", *target], env=self.env, capture_output=True, timeout=30, check=True
        ).stdout
        return parse_xwd(out)

    def geometry(self, window: str) -> Rect:
        """The window's client area on the screen (xwininfo; xdotool's is off by the frame)."""
        info = run(["xwininfo", "-id", window], self.env)
        values = {}
        for line in info.splitlines():
            key, _, value = line.strip().partition(":")
            values[key] = value.strip()
        return Rect(
            int(values["Absolute upper-left X"]),
            int(values["Absolute upper-left Y"]),
            int(values["Width"]),
            int(values["Height"]),
        )

    def screenshot(self, path: Path, windows: list[str] = ()) -> Path:
        """Save the whole screen as a PNG, with these windows' own contents pasted on top, in
        order. On this Xvfb a Qt window opened after the first one (a dialog, a menu) can read
        back black from the root window while `xwd -id` of the window itself has its pixels."""
        screen = self.capture().copy()
        for window in windows:
            try:
                where, pixels = self.geometry(window), self.capture(window)
            except (RuntimeError, ValueError, subprocess.SubprocessError):
                continue  # closed meanwhile
            x0, y0 = max(where.x, 0), max(where.y, 0)
            x1 = min(where.x + pixels.shape[1], screen.shape[1])
            y1 = min(where.y + pixels.shape[0], screen.shape[0])
            if x1 > x0 and y1 > y0:
                screen[y0:y1, x0:x1] = pixels[
                    y0 - where.y : y1 - where.y, x0 - where.x : x1 - where.x
                ]
        Image.fromarray(screen).save(path)
        return path

    def is_popup(self, window: str) -> bool:
        """An override-redirect window: a menu, a combo box list, a tooltip."""
        return "Override Redirect State: yes" in run(["xwininfo", "-id", window], self.env)


def start_xvfb(size: str, wm: bool, log_dir: Path) -> tuple[str, list[subprocess.Popen]]:
    """Start Xvfb on a free display (and openbox when asked and installed)."""
    for number in range(99, 140):
        if not Path(f"/tmp/.X{number}-lock").exists():
            break
    name = f":{number}"
    procs = [
        subprocess.Popen(
            ["Xvfb", name, "-screen", "0", f"{size}x24", "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL,
            stderr=open(log_dir / "xvfb.log", "w"),  # noqa: SIM115
        )
    ]
    deadline = time.time() + 20
    while not Path(f"/tmp/.X11-unix/X{number}").exists():
        if time.time() > deadline or procs[0].poll() is not None:
            raise RuntimeError(f"Xvfb {name} did not start; see {log_dir / 'xvfb.log'}")
        time.sleep(0.1)
    if wm and shutil.which("openbox"):
        procs.append(
            subprocess.Popen(
                ["openbox"],
                env=dict(os.environ, DISPLAY=name),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        time.sleep(1)
    return name, procs


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (VmRSS), or -1 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return -1.0


def longest_run(mask: np.ndarray) -> tuple[int, int]:
    """Start and length of the longest run of True in a 1-D mask."""
    padded = np.concatenate(([False], mask, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    if edges.size == 0:
        return 0, 0
    starts, ends = edges[::2], edges[1::2]
    best = int(np.argmax(ends - starts))
    return int(starts[best]), int(ends[best] - starts[best])


def first_tile(img: Image3) -> tuple[int, int] | None:
    """The top-left corner of the first feature-map tile in the Inside the network window:
    the first row of its left part (the layers; the input sits on the right) that is mostly
    dark tiles."""
    left = img[:, : img.shape[1] * 7 // 10].max(axis=2) < 70
    rows = np.flatnonzero(left.sum(axis=1) > left.shape[1] // 3)
    if not len(rows):
        return None
    y = int(rows[0])
    return int(np.flatnonzero(left[y])[0]), y


def find_canvas(img: Image3) -> Rect:
    """The canvas: the largest white area of the window (blank canvas), by its longest white
    column and its longest white row."""
    white = (img >= 252).all(axis=2)
    col_runs = [longest_run(white[:, x]) for x in range(white.shape[1])]
    row_runs = [longest_run(white[y]) for y in range(white.shape[0])]
    x_best = int(np.argmax([n for _, n in col_runs]))
    y_best = int(np.argmax([n for _, n in row_runs]))
    top, height = col_runs[x_best]
    left, width = row_runs[y_best]
    if width < 50 or height < 50:
        raise RuntimeError(f"no canvas found (largest white area {width}x{height})")
    return Rect(left, top, width, height)


@dataclass(frozen=True)
class Bars:
    """Where the ten probability bars are in the window: x range and one y band per digit."""

    x0: int
    x1: int
    bands: tuple[tuple[int, int], ...]


def find_bars(img: Image3, canvas: Rect) -> Bars | None:
    """The ten bar tracks right of the canvas (a blank reading: every track empty)."""
    right = img[:, canvas.x + canvas.w :]
    track = np.abs(right.astype(int) - TRACK).max(axis=2) <= 1
    rows = track.sum(axis=1) >= 20
    padded = np.concatenate(([False], rows, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    bands = tuple((int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True))
    if len(bands) != 10:
        return None
    cols = np.flatnonzero(track[bands[0][0] : bands[0][1]].any(axis=0))
    return Bars(canvas.x + canvas.w + int(cols[0]), canvas.x + canvas.w + int(cols[-1]) + 1, bands)


def read_bars(img: Image3, bars: Bars) -> tuple[int | None, float]:
    """The highlighted digit and its bar's share of the track (about the confidence)."""
    area = img[:, bars.x0 : bars.x1].astype(int)
    winner = np.abs(area - WINNER).max(axis=2) <= 2
    counts = [int(winner[a:b].sum()) for a, b in bars.bands]
    best = int(np.argmax(counts))
    if counts[best] < 4:
        return None, 0.0
    a, b = bars.bands[best]
    row = winner[(a + b) // 2]
    return best, float(row.sum()) / max(1, bars.x1 - bars.x0)


class Session:
    """The app under test and the pointer that draws into it."""

    def __init__(self, args: argparse.Namespace, display: Display, out: Path) -> None:
        self.args, self.display, self.out = args, display, out
        self.report = Report()
        home = Path(args.home) if args.home else Path(tempfile.mkdtemp(prefix="home.", dir=out))
        env = dict(display.env, DIGITPAD_HOME=str(home), PYTHONUNBUFFERED="1")
        self.stderr_path = out / "app.stderr.log"
        command = [args.program] if args.program else [args.python, "-m", "digitpad"]
        self.proc = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=open(out / "app.stdout.log", "w"),  # noqa: SIM115
            stderr=open(self.stderr_path, "w"),  # noqa: SIM115
        )
        self.window = self._find_window()
        self.home = home
        self.report.notes.append(f"DIGITPAD_HOME={home}")
        self.canvas = Rect(0, 0, 0, 0)
        self.bars: Bars | None = None

    def _find_window(self, timeout: float = 120) -> str:
        deadline = time.time() + timeout
        while time.time() < deadline:
            self.check_alive()
            try:
                found = self.display.xdo(
                    "search", "--onlyvisible", "--pid", str(self.proc.pid), "--name", "digitpad"
                ).split()
            except RuntimeError:
                found = []
            # the main window is titled "digitpad"; others "Inside the network — digitpad"
            main = [w for w in found if self.display.xdo("getwindowname", w) == "digitpad"]
            sized = [(self.display.geometry(w), w) for w in main or found]
            sized = [(r.w * r.h, w) for r, w in sized if r.w > 100]
            if sized:
                return max(sized)[1]
            time.sleep(0.25)
        raise RuntimeError("the app's window did not appear")

    def check_alive(self) -> bool:
        if self.proc.poll() is None:
            return True
        self.report.survived = False
        self.report.exit_code = self.proc.returncode
        raise RuntimeError(f"the app exited with code {self.proc.returncode}")

    def focus(self) -> None:
        try:
            self.display.xdo("windowactivate", "--sync", self.window, timeout=10)
        except (RuntimeError, subprocess.TimeoutExpired):
            self.display.xdo("windowfocus", self.window)

    def resize(self, size: str) -> None:
        w, h = size.lower().split("x")
        self.display.xdo("windowsize", "--sync", self.window, w, h, timeout=10)
        time.sleep(0.5)
        self.locate()

    def grab(self) -> Image3:
        return self.display.capture(self.window)

    def locate(self, timeout: float = 60) -> None:
        """Find the canvas and the bars; the canvas must be blank (waits for the first paint)."""
        deadline = time.time() + timeout
        while True:
            self.check_alive()
            img = self.grab()
            try:
                rect = find_canvas(img)
                break
            except RuntimeError:
                if time.time() > deadline:
                    raise
                time.sleep(0.5)
        where = self.display.geometry(self.window)
        self.canvas = Rect(where.x + rect.x, where.y + rect.y, rect.w, rect.h)
        self.window_rect = where
        self.canvas_local = rect
        self.bars = find_bars(img, rect)
        if self.bars is None:
            self.report.notes.append(
                f"probability bars not found at {where.w}x{where.h}: predictions are not read"
            )

    def stroke(self, points: list[Point]) -> None:
        """One pen stroke as one xdotool call: press, move through every point, release."""
        pause = ["sleep", f"{self.args.pace_ms / 1000:.4f}"] if self.args.pace_ms > 0 else []
        x, y = points[0]
        cmd = ["mousemove", str(x), str(y), "mousedown", "1"]
        for x, y in points[1:]:
            cmd += [*pause, "mousemove", str(x), str(y)]
        cmd += [*pause, "mouseup", "1"]
        self.display.xdo(*cmd)

    def draw(self, digit: PenDigit) -> None:
        for points in fit_to(digit, self.canvas, self.args.fill):
            self.stroke(points)
            self.report.strokes += 1
            self.report.points += len(points)

    def wait_reading(self, blank: bool, timeout: float) -> tuple[int | None, float, bool]:
        """Poll the bars until they show a reading (or, with blank, none). A reading counts
        only once the bars have not changed for --settle-ms: the app reads the drawing while it
        is drawn (once a frame), so the first reading seen can be that of a half-drawn digit."""
        if self.bars is None:
            return None, 0.0, False
        deadline = time.time() + timeout
        previous: np.ndarray | None = None
        since = 0.0
        while True:
            img = self.grab()
            digit, share = read_bars(img, self.bars)
            if (digit is None) == blank:
                if blank:
                    return digit, share, True
                crop = img[:, self.bars.x0 : self.bars.x1]
                if previous is None or not np.array_equal(crop, previous):
                    previous, since = crop, time.time()
                elif time.time() - since >= self.args.settle_ms / 1000:
                    return digit, share, True
            else:
                previous = None
            if time.time() > deadline:
                return digit, share, False
            time.sleep(0.03)

    def clear(self) -> None:
        self.display.xdo("key", "Escape")

    def wait_ready(self) -> None:
        """Draw a line until the model reads it (it loads in the background), then clear."""
        start = time.time()
        area = self.canvas
        line = [(area.x + area.w // 2, area.y + area.h * k // 10) for k in range(2, 9)]
        self.stroke(line)
        _, _, seen = self.wait_reading(blank=False, timeout=self.args.ready_timeout)
        self.report.time_to_ready_s = round(time.time() - start, 2)
        if not seen:
            self.report.notes.append("no reading seen for the warm-up line")
        self.clear()
        self.wait_reading(blank=True, timeout=5)

    def switch_model(self, name: str) -> None:
        """Click the model selector (the panel's first widget) and type the model's name."""
        img = self.grab()
        c = self.canvas_local
        panel = img[c.y :, c.x + c.w + 8 : img.shape[1] - 8].astype(int)
        background = img[c.y + c.h // 2, c.x - 4].astype(int)
        busy = (np.abs(panel - background).max(axis=2) > BACKGROUND_TOL).mean(axis=1) > 0.6
        top, height = longest_run(busy[:80])
        if height == 0:
            raise RuntimeError("model selector not found")
        x = self.window_rect.x + c.x + c.w + 8 + panel.shape[1] // 2
        y = self.window_rect.y + c.y + top + height // 2
        self.display.xdo("mousemove", str(x), str(y), "click", "1")
        time.sleep(1.0)
        self.display.xdo("type", "--delay", "40", name)
        self.display.xdo("key", "Return")
        self.report.notes.append(f"selector clicked at {x},{y}; typed {name!r}")

    def windows(self, name: str = "digitpad") -> list[str]:
        """The app's visible windows whose title matches `name` (every one of them ends in
        "digitpad"), stacked as a person sees them: the main window, dialogs, then popups."""
        try:
            found = self.display.xdo(
                "search", "--onlyvisible", "--pid", str(self.proc.pid), "--name", "digitpad"
            ).split()
            # by title here: `search --name "Your samples"` also finds the main window (seen
            # with xdotool 3.x once the dialog has been closed)
            found = [w for w in found if name in self.display.xdo("getwindowname", w)]
        except RuntimeError:  # xdotool exits 1 when nothing matches; a window went away
            return []
        popups = [w for w in found if self.display.is_popup(w)]
        rest = [w for w in found if w not in popups]
        return sorted(rest, key=lambda w: w != self.window) + popups

    def wait_window(self, name: str, present: bool = True, timeout: float = 10) -> float | None:
        """Seconds until a window titled `name` appears (or, present=False, is gone)."""
        start = time.time()
        while time.time() - start < timeout:
            if bool(self.windows(name)) == present:
                return round(time.time() - start, 2)
            time.sleep(0.1)
        return None

    def shot(self, tag: str) -> None:
        path = self.display.screenshot(self.out / f"shot_{tag}.png", self.windows())
        self.report.screenshots.append(str(path))

    def tour(self, data: Path) -> None:
        """What a new user tries next: teach a digit with its key, open Model > Your samples…
        from the keyboard (Alt+M, S), draw with Show why on (W), open Model > Export model…
        (Alt+M, X), open Model > Retrain… (Ctrl+T), closing each with Esc."""
        steps: dict[str, object] = {}
        self.report.tour = steps
        self.focus()
        seven = next(d for d in read_pendigits(data) if d.label == 7)
        self.draw(seven)
        steps["read_before_teaching"] = self.wait_reading(False, self.args.read_timeout)[0]
        self.shot("tour_1_drawn")
        self.display.xdo("key", "7")
        steps["canvas_cleared_by_key"] = self.wait_reading(True, self.args.read_timeout)[2]
        kept = sorted((self.home / "samples" / "7").glob("*"))
        steps["samples_of_7_on_disk"] = len(kept)
        self.shot("tour_2_taught")
        self.menu_dialog(steps, "s", "Your samples", "samples", menu_shot="tour_3_model_menu")
        self.focus()
        self.display.xdo("key", "w")  # View > Show why: the strokes and the preview coloured
        self.draw(seven)
        steps["read_with_show_why"] = self.wait_reading(False, self.args.read_timeout)[0]
        time.sleep(0.5)
        self.shot("tour_4b_show_why")
        self.display.xdo("key", "w")
        self.display.xdo("key", "Escape")
        self.menu_dialog(steps, "x", "Export model", "export")  # its mnemonic is x
        self.focus()
        self.display.xdo("key", "ctrl+t")
        steps["retrain_panel_s"] = self.wait_window("Retrain a model")
        time.sleep(1.0)
        self.shot("tour_5_retrain")
        if self.args.train_timeout:
            self.retrain(steps)
        self.display.xdo("key", "ctrl+q")  # from the panel: does Quit work from here too?
        time.sleep(1.0)
        steps["ctrl_q_from_retrain_panel_quits"] = self.proc.poll() is not None
        if self.proc.poll() is not None:  # quitting is not a crash
            self.report.exit_code = self.proc.returncode
            return
        self.display.xdo("key", "Escape")
        steps["retrain_closed_by_esc_s"] = self.wait_window("Retrain a model", present=False)
        self.check_alive()

    def inside(self, digit: PenDigit) -> None:
        """View > Inside the network (I): its window opens beside the main one and follows a
        drawn digit; the pointer resting on a feature-map tile brings its tooltip, a click
        lays that map over the input; I again hides the window."""
        steps = self.report.inside
        self.focus()
        self.display.xdo("key", "i")
        steps["window_s"] = self.wait_window("Inside the network")
        found = self.windows("Inside the network")
        if not found:
            return
        view = self.display.geometry(found[0])
        main = self.window_rect
        steps["window"] = asdict(view)
        steps["beside_main_window"] = view.x >= main.x + main.w or view.y >= main.y + main.h
        self.focus()
        self.draw(digit)
        steps["read"] = self.wait_reading(False, self.args.read_timeout)[0]
        time.sleep(1.0)
        self.shot("inside_1_drawn")
        tile = first_tile(self.display.capture(found[0]))
        steps["first_tile"] = tile
        if tile is not None:
            x, y = view.x + tile[0] + 12, view.y + tile[1] + 12
            self.display.xdo("mousemove", str(x), str(y))
            time.sleep(0.2)
            self.display.xdo("mousemove", str(x + 1), str(y))  # then rest: the tooltip's cue
            time.sleep(1.5)
            mine = self.display.xdo(
                "search", "--onlyvisible", "--pid", str(self.proc.pid), ""
            ).split()
            steps["tooltip_shown"] = any(self.display.is_popup(w) for w in mine)
            path = self.display.screenshot(
                self.out / "shot_inside_2_tooltip.png", self.windows() + mine
            )
            self.report.screenshots.append(str(path))
            self.display.xdo("click", "1")
            time.sleep(1.0)
            self.shot("inside_3_clicked")
        self.focus()
        self.display.xdo("key", "i")
        steps["hidden_s"] = self.wait_window("Inside the network", present=False)
        self.display.xdo("key", "Escape")
        self.check_alive()

    def compare(self, digits: list[PenDigit]) -> None:
        """View > Compare models (Alt+V, C) opens beside the main window with the PyTorch and
        Keras CNNs; both read each digit drawn on the main window (their highlighted bars, one
        per half of the view), a column whose digit differs is framed in orange (its pixels
        counted); Esc in the view closes it."""
        steps = self.report.compare
        before = rss_mb(self.proc.pid)
        self.focus()
        self.display.xdo("key", "alt+v")
        time.sleep(0.8)
        self.display.xdo("key", "c")
        steps["window_s"] = self.wait_window("Compare models")
        found = self.windows("Compare models")
        if not found:
            return
        view = found[0]
        steps["window"] = asdict(self.display.geometry(view))
        seen = []
        for n, digit in enumerate(digits):
            self.focus()
            self.draw(digit)
            read = self.wait_reading(False, self.args.read_timeout)[0]
            start, both, img = time.time(), False, None
            while not both and time.time() - start < self.args.ready_timeout:
                time.sleep(0.5)  # the first time, the Keras model loads in the background
                img = self.display.capture(view)
                winner = (np.abs(img.astype(int) - WINNER).sum(axis=2) < 20).any(axis=0)
                half = len(winner) // 2
                both = bool(winner[:half].any() and winner[half:].any())
            odd = int((np.abs(img.astype(int) - ODD_ONE).sum(axis=2) < 20).sum())
            seen.append(
                {
                    "label": digit.label,
                    "main_read": read,
                    "both_columns_read": both,
                    "s": round(time.time() - start, 1),
                    "orange_px": odd,
                }
            )
            self.shot(f"compare_{n}_{digit.label}")
            self.clear()
            self.wait_reading(True, self.args.read_timeout)
        steps["digits"] = seen
        steps["rss_added_mb"] = round(rss_mb(self.proc.pid) - before, 1)
        try:
            self.display.xdo("windowactivate", "--sync", view, timeout=10)
        except (RuntimeError, subprocess.TimeoutExpired):  # no window manager
            self.display.xdo("windowfocus", view)
        self.display.xdo("key", "Escape")
        steps["closed_by_esc_s"] = self.wait_window("Compare models", present=False)
        self.check_alive()

    def retrain(self, steps: dict[str, object]) -> None:
        """Start training with the panel's defaults (Return: Start is the default button), wait
        for the new model's card, the last file a finished run writes, then look for the run in
        Model > Training runs."""
        models = self.home / "models"
        self.display.xdo("key", "Return")
        start = time.time()
        cards: list[Path] = []
        while not cards and time.time() - start < self.args.train_timeout and self.check_alive():
            time.sleep(1.0)
            cards = sorted(models.glob("*.json")) if models.is_dir() else []
        steps["trained_model_cards"] = [c.name for c in cards]
        steps["training_s"] = round(time.time() - start, 1) if cards else None
        time.sleep(2.0)  # the panel's closing message and the model switch
        self.shot("tour_5b_trained")
        # The run is kept: close the panel, see it in Model > Training runs (Alt+M, T), reopen.
        self.display.xdo("key", "Escape")
        self.wait_window("Retrain a model", present=False)
        self.focus()
        self.menu_dialog(steps, "t", "Training runs", "runs")
        steps["runs_kept"] = sorted(p.name for p in (self.home / "runs").glob("*.json"))
        self.focus()
        self.display.xdo("key", "ctrl+t")
        self.wait_window("Retrain a model")

    def menu_dialog(
        self, steps: dict[str, object], key: str, title: str, tag: str, menu_shot: str = ""
    ) -> None:
        """Open a dialog from the Model menu by its mnemonic (Alt+M, `key`), screenshot it,
        close it with Esc; the seconds each took go into `steps`."""
        self.display.xdo("key", "alt+m")
        time.sleep(0.8)
        if menu_shot:
            self.shot(menu_shot)
        self.display.xdo("key", key)
        steps[f"{tag}_window_s"] = self.wait_window(title)
        time.sleep(1.0)
        self.shot(f"tour_{tag}")
        self.display.xdo("key", "Escape")
        steps[f"{tag}_closed_by_esc_s"] = self.wait_window(title, present=False)

    def quit(self) -> None:
        """Ctrl+Q, timing until the process has exited."""
        self.focus()
        start = time.time()
        self.display.xdo("key", "ctrl+q")
        try:
            self.proc.wait(timeout=60)
            self.report.quit_s = round(time.time() - start, 2)
            self.report.exit_code = self.proc.returncode
        except subprocess.TimeoutExpired:
            self.report.notes.append("Ctrl+Q: still running after 60 s; terminated")
            self.proc.terminate()
            self.proc.wait(timeout=30)

    def finish(self) -> None:
        text = self.stderr_path.read_text(errors="replace")
        self.report.stderr_lines = len(text.splitlines())
        self.report.stderr_tail = text[-3000:]


def replay(session: Session, args: argparse.Namespace) -> None:
    """Draw the digits, checking the app after each one."""
    report = session.report
    digits = read_pendigits(Path(args.data))
    for _ in range(args.skip):
        next(digits)
    start = time.time()
    for n, digit in enumerate(digits, start=1):
        if n > args.digits:
            break
        session.draw(digit)
        if not args.no_read:
            guess, _, seen = session.wait_reading(blank=False, timeout=args.read_timeout)
            if guess != digit.label:  # look again: a busy app may not have caught up yet
                time.sleep(0.5)
                again, _, seen = session.wait_reading(blank=False, timeout=args.read_timeout)
                if again != guess:
                    report.late_readings.append(
                        {"n": n + args.skip, "label": digit.label, "first": guess, "then": again}
                    )
                    guess = again
            if guess is None:
                report.not_read += 1
            else:
                report.read += 1
                report.correct += guess == digit.label
            if guess != digit.label:
                report.misread.append(
                    {
                        "n": n + args.skip,
                        "label": digit.label,
                        "read": guess,
                        "writer": digit.writer,
                        "stable": seen,
                    }
                )
                if len(report.misread) <= args.miss_shots:
                    session.shot(f"miss_{n:04d}_{digit.label}_as_{guess}")
        if args.shot_every and n % args.shot_every == 0:
            session.shot(f"{n:04d}")
        session.clear()
        if not args.no_read:
            _, _, cleared = session.wait_reading(blank=True, timeout=args.read_timeout)
            report.clear_not_seen += not cleared
        session.check_alive()
        report.digits = n
        report.elapsed_s = round(time.time() - start, 1)
        if n % 100 == 0 or n == args.switch_at:
            report.rss_mb[f"after_{n}"] = round(rss_mb(session.proc.pid), 1)
            print(
                f"{n} digits, {report.elapsed_s} s, RSS {report.rss_mb[f'after_{n}']} MB, "
                f"read {report.correct}/{report.read}",
                flush=True,
            )
        if args.switch_to and n == args.switch_at:
            session.shot(f"{n:04d}_before_switch")
            session.switch_model(args.switch_to)
            time.sleep(args.switch_wait)
            session.focus()
            session.shot(f"{n:04d}_after_switch")
            report.rss_mb[f"after_switch_{n}"] = round(rss_mb(session.proc.pid), 1)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--digits", type=int, default=1000, help="how many digits to draw")
    p.add_argument("--skip", type=int, default=0, help="start after this many digits")
    p.add_argument(
        "--pace-ms",
        type=float,
        default=5.0,
        help="pause between pen points (the tablet recorded one every 100 ms)",
    )
    p.add_argument("--fill", type=float, default=0.7, help="share of the canvas a digit takes")
    p.add_argument("--shot-every", type=int, default=0, help="screenshot every N digits")
    p.add_argument(
        "--miss-shots", type=int, default=10, help="screenshot the first N misread digits"
    )
    p.add_argument("--size", help="resize the window first, e.g. 1400x1000")
    p.add_argument("--screen", default="1920x1200", help="Xvfb screen size")
    p.add_argument("--no-wm", action="store_true", help="no window manager on a new Xvfb")
    p.add_argument("--no-read", action="store_true", help="do not read the predictions")
    p.add_argument("--read-timeout", type=float, default=2.0)
    p.add_argument(
        "--settle-ms",
        type=float,
        default=80.0,
        help="a reading counts once the bars have not changed for this long",
    )
    p.add_argument("--ready-timeout", type=float, default=180.0)
    p.add_argument("--switch-to", help='choose this model midway, e.g. "Keras CNN"')
    p.add_argument("--switch-at", type=int, default=0, help="after this many digits")
    p.add_argument(
        "--switch-wait", type=float, default=20.0, help="seconds to let the new model load"
    )
    p.add_argument(
        "--tour",
        action="store_true",
        help="at the end, teach a 7 with its key, open Your samples and Retrain",
    )
    p.add_argument(
        "--inside",
        action="store_true",
        help="after the digits, open View > Inside the network, draw a 4 with it "
        "shown, rest the pointer on a feature map and click it",
    )
    p.add_argument(
        "--compare",
        action="store_true",
        help="after the digits, open View > Compare models and draw digits with it "
        "shown (the first five of the data, then .tes digit 723)",
    )
    p.add_argument(
        "--compare",
        action="store_true",
        help="after the digits, open View > Compare models and draw digits with it "
        "shown (the first five of the data, then .tes digit 723)",
    )
    p.add_argument("--keep-open", action="store_true", help="leave the app running at the end")
    p.add_argument("--data", default=str(PENDIGITS))
    p.add_argument("--home", help="DIGITPAD_HOME (default: a fresh folder under --out)")
    p.add_argument("--out", default="/tmp/xtest/session", help="logs, screenshots, report")
    p.add_argument("--python", default=str(ROOT / ".venv" / "bin" / "python"))
    p.add_argument(
        "--program",
        help="run this built program (dist/digitpad-cpu/digitpad) "
        "instead of the app from the source tree",
    )
    p.add_argument(
        "--train-timeout",
        type=float,
        default=0.0,
        help="in the tour, also train from the Retrain panel with its defaults and "
        "wait this many seconds for the new model",
    )
    args = p.parse_args(argv)
    if args.switch_to and not args.switch_at:
        args.switch_at = max(1, args.digits // 2)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    helpers: list[subprocess.Popen] = []
    name = os.environ.get("DISPLAY", "")
    if not name:
        name, helpers = start_xvfb(args.screen, not args.no_wm, out)
    display = Display(name)
    session = Session(args, display, out)
    report = session.report
    try:
        session.focus()
        if args.size:
            session.resize(args.size)
        else:
            session.locate()
        session.wait_ready()
        report.rss_mb["start"] = round(rss_mb(session.proc.pid), 1)
        session.shot("start")
        replay(session, args)
        report.rss_mb["end"] = round(rss_mb(session.proc.pid), 1)
        session.shot("end")
        if args.inside:
            session.inside(next(d for d in read_pendigits(Path(args.data)) if d.label == 4))
        if args.compare:
            every = list(read_pendigits(Path(args.data)))
            session.compare(every[:5] + every[COMPARED : COMPARED + 1])
        if args.compare:
            every = list(read_pendigits(Path(args.data)))
            session.compare(every[:5] + every[COMPARED : COMPARED + 1])
        if args.tour:
            session.tour(Path(args.data))
        if not args.keep_open and session.proc.poll() is None:
            session.quit()
    except (RuntimeError, ValueError, subprocess.SubprocessError, OSError) as error:
        report.notes.append(f"stopped: {error}")
        if session.proc.poll() is not None:
            report.survived = False
            report.exit_code = session.proc.returncode
    finally:
        session.finish()
        if session.proc.poll() is None and not args.keep_open:
            session.proc.send_signal(signal.SIGTERM)
        for proc in reversed(helpers):
            if not args.keep_open:
                proc.terminate()
    summary = asdict(report)
    (out / "report.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps({k: v for k, v in summary.items() if k != "stderr_tail"}, indent=2))
    if report.stderr_tail:
        print("--- app stderr (tail) ---\n" + report.stderr_tail, file=sys.stderr)
    return 0 if report.survived and report.digits >= args.digits else 1


if __name__ == "__main__":
    raise SystemExit(main())
