"""The `digitpad` command: the window by default, and predict / evaluate / train / devices /
samples / personalise / export / summary / runs.

Each command lives in a module of this package that adds its parser and its function; heavy
frameworks are imported only by the command that needs them. `digitpad FILE...` (what a desktop
entry's `Exec=digitpad %f` runs) opens the window with that picture.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from digitpad import __version__
from digitpad.cli import (
    activations,
    exporting,
    personal,
    reading,
    runs,
    samples,
    summary,
    training,
)
from digitpad.cli.common import Parser, examples, fail

GUI = "gui"


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="digitpad",
        description="Draw a digit and watch a network read it as you draw.",
        epilog=examples(
            "digitpad                     # the window",
            "digitpad digit.png           # the window, reading that picture",
            "digitpad predict digit.png --json",
            "digitpad COMMAND --help      # a command's options",
        ),
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"digitpad {__version__}",
        help="print the version and exit",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check every bundled model and one training step, then exit",
    )
    sub = parser.add_subparsers(
        dest="command",
        title="commands",
        metavar="COMMAND",
        help="what to do (default: open the window)",
    )
    gui = sub.add_parser(
        GUI,
        help="open the window (the default)",
        description="Open the window; with a picture, read that picture "
        "first (as File > Open image does).",
        epilog=examples("digitpad gui", "digitpad gui digit.png"),
    )
    gui.add_argument(
        "pictures",
        nargs="*",
        type=Path,
        metavar="PICTURE",
        help="a picture to open in the window (the first one given)",
    )
    reading.add_commands(sub)
    training.add_commands(sub)
    samples.add_commands(sub)
    personal.add_commands(sub)
    exporting.add_commands(sub)
    summary.add_commands(sub)
    activations.add_commands(sub)
    runs.add_commands(sub)
    return parser


def with_command(argv: list[str], parser: argparse.ArgumentParser) -> list[str]:
    """`digitpad FILE...` means `digitpad gui FILE...`: a first word that is neither an option
    nor a command is taken for a picture."""
    if argv and not argv[0].startswith("-") and argv[0] not in commands(parser):
        return [GUI, *argv]
    return argv


def commands(parser: argparse.ArgumentParser) -> list[str]:
    """The names of the commands, in the order `--help` lists them."""
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return list(sub.choices)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(with_command(sys.argv[1:] if argv is None else argv, parser))
    from digitpad import logs, models

    logs.setup()
    try:
        models.recover()  # whatever a killed save left behind
    except OSError as err:
        logging.getLogger("digitpad").warning("could not tidy the models folder: %s", err)
    if args.self_test:
        from digitpad.self_test import run_self_test

        return run_self_test()
    if args.command in (None, GUI):
        return open_window(getattr(args, "pictures", []), parser)
    return args.run(args)


def open_window(pictures: list[Path], parser: argparse.ArgumentParser) -> int:
    """The window, with the first picture read; a missing file is refused before it opens."""
    for path in pictures:
        if not path.is_file():
            what = "no such file" if not path.exists() else "not a file"
            if path.name == str(path) and not path.suffix:  # a mistyped command, perhaps
                what += f" (nor a command: {', '.join(commands(parser))})"
            return fail(f"{path}: {what}")
    from digitpad.ui.app import run_app

    return run_app(pictures=pictures)
