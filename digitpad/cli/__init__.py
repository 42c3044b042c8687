"""The `digitpad` command: the window by default, and predict / evaluate / train / devices /
samples / personalise / export.

Each command lives in a module of this package that adds its parser and its function; heavy
frameworks are imported only by the command that needs them.
"""

from __future__ import annotations

import argparse
import logging

from digitpad.cli import exporting, personal, reading, summary, training


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digitpad", description="Draw a digit and watch a network read it as you draw."
    )
    parser.add_argument("--self-test", action="store_true",
                        help="check every bundled model and one training step, then exit")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("gui", help="open the window (the default)")
    reading.add_commands(sub)
    training.add_commands(sub)
    personal.add_commands(sub)
    exporting.add_commands(sub)
    summary.add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from digitpad import logs, models

    logs.setup()
    try:
        models.recover()  # whatever a killed save left behind
    except OSError as err:
        logging.getLogger("digitpad").warning("could not tidy the models folder: %s", err)
    if args.self_test:
        from digitpad.self_test import run_self_test

        return run_self_test()
    if args.command in (None, "gui"):
        from digitpad.ui.app import run_app

        return run_app()
    return args.run(args)
