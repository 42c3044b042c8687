"""`make soak`: the seeded monkey of tests/monkey.py on a real window for ten minutes (offscreen),
then the figures a user would care about: actions done, exceptions caught by the last-resort
handler, the longest the window stopped answering, peak memory and memory growth after warm-up.
Writes them to benchmarks/results.md ("Soak" section) and exits 1 if a target is missed.

    .venv/bin/python scripts/soak.py [--minutes 10] [--seed 0]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GROWTH_LIMIT_MB = 100
BLOCK_LIMIT_S = 2.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = tempfile.TemporaryDirectory(prefix="digitpad-soak-")
    os.environ["DIGITPAD_HOME"] = home.name  # the user's own models and settings stay untouched

    from PySide6.QtWidgets import QApplication

    from benchmarks.common import machine, write_results
    from digitpad.ui.last_resort import LastResort
    from digitpad.ui.main_window import MainWindow
    from tests.monkey import Monkey

    app = QApplication(sys.argv[:1])
    window = MainWindow()
    window.resize(900, 640)
    window.show()
    handler = LastResort(window)
    handler.install()
    files = Path(home.name) / "files"
    files.mkdir()
    print(f"soak: {args.minutes:g} minutes of random actions (seed {args.seed})…", flush=True)
    report = Monkey(window, files, seed=args.seed).run(app, seconds=args.minutes * 60)
    handler.uninstall()
    left = len(window.loads.running()) + len(window.tasks.running())
    failures = [
        text
        for bad, text in (
            (handler.caught > 0, f"{handler.caught} exceptions escaped"),
            (left > 0, f"{left} workers still running"),
            (
                report.longest_block_s > BLOCK_LIMIT_S,
                f"the event loop blocked {report.longest_block_s:.1f} s",
            ),
            (
                report.growth_mb() > GROWTH_LIMIT_MB,
                f"memory grew {report.growth_mb():.0f} MB after warm-up",
            ),
        )
        if bad
    ]
    counts = ", ".join(
        f"{name} {n}" for name, n in sorted(report.counts.items(), key=lambda item: -item[1])
    )
    text = "\n".join(
        [
            "## Soak (make soak: seeded random actions on a real window, offscreen)\n",
            f"{datetime.now():%Y-%m-%d %H:%M}, {machine()}; {args.minutes:g} minutes, seed "
            f"{args.seed}\n",
            "| measure | value | target |\n| --- | ---: | ---: |",
            f"| actions done | {report.actions:,} | |",
            f"| exceptions caught by the last-resort handler | {handler.caught} | 0 |",
            f"| workers left running | {left} | 0 |",
            f"| longest event-loop block | {report.longest_block_s:.2f} s | "
            f"< {BLOCK_LIMIT_S:g} s |",
            f"| slowest single action (run on the GUI thread) | {report.block_cause()} | |",
            f"| resident memory: start / after warm-up / end | {report.rss_start_mb:.0f} / "
            f"{report.rss_warm_mb:.0f} / {report.rss_end_mb:.0f} MB | |",
            f"| peak resident memory | {report.rss_peak_mb:.0f} MB | |",
            f"| growth after warm-up | {report.growth_mb():+.0f} MB | < {GROWTH_LIMIT_MB} MB |",
            f"\nActions: {counts}.\n",
            "Result: " + ("all targets met." if not failures else "; ".join(failures) + "."),
        ]
    )
    print(text)
    write_results(text)
    window.close()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
