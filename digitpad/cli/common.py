"""What every command shares: the exit statuses, the help layout, and the options that several
commands take (model, device, --json)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from digitpad import backends
from digitpad.comparison import MOST

# The exit statuses of every command (the README's table is written from these).
EXIT_OK = 0
EXIT_CHECK_FAILED = 1  # the work ran, but its result failed a check (an export, the self-test)
EXIT_BAD_INPUT = 2  # bad usage or input; argparse's own status for a bad command line
EXIT_NO_WINDOW = 3  # the window cannot open here (digitpad.ui.app says why)
EXIT_CANCELLED = 130  # stopped with Ctrl+C; nothing was saved
DEFAULT_BACKEND = "torch"  # the bundled model read when no --model or --backend is given
DEVICE_HELP = "where the network runs: cpu, cuda:N, gpu:N or mps; `digitpad devices` lists them"
log = logging.getLogger("digitpad.cli")


class HelpFormatter(argparse.HelpFormatter):
    """Every option's help ends with its default (unless the help names it already, or there is
    none worth showing); descriptions are wrapped, but examples (indented) keep their lines."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if (
            not action.option_strings
            or "default" in text
            or action.default is None
            or isinstance(action.default, bool)
            or action.default == argparse.SUPPRESS
        ):
            return text
        return f"{text} (default: %(default)s)"

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        fill = super()._fill_text
        return "\n\n".join(
            block
            if any(line.startswith(" ") for line in block.splitlines())
            else fill(block, width, indent)
            for block in text.split("\n\n")
        )


class Parser(argparse.ArgumentParser):
    """The parser of `digitpad` and of every command under it (argparse makes subparsers of the
    parser's own class), so that all of them lay out their help the same way."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)


def examples(*lines: str) -> str:
    """A command's epilog: how it is typically run."""
    return ("example:\n" if len(lines) == 1 else "examples:\n") + "\n".join(
        f"  {line}" for line in lines
    )


def add_json_arg(p: argparse.ArgumentParser, what: str = "the result as one JSON object") -> None:
    p.add_argument("--json", action="store_true", help=f"print {what} on stdout")


def print_json(record: Any) -> None:
    """One JSON document on stdout (progress and notes go to stderr)."""
    print(json.dumps(record), flush=True)


def add_device_arg(p: argparse.ArgumentParser, default: str = "cpu") -> None:
    p.add_argument("--device", default=default, help=DEVICE_HELP)


def fail(message: str) -> int:
    """Tell the user what is wrong (and log it, with the traceback if one is active)."""
    log.warning(message, exc_info=sys.exc_info()[0] is not None)
    print(f"digitpad: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def add_model_args(p: argparse.ArgumentParser, several: bool = False) -> None:
    """--backend, --model and --device; with `several`, --model may be given up to
    comparison.MOST times, to compare the models (see `load_models`)."""
    p.add_argument(
        "--backend",
        choices=backends.names(),
        help=f"backend of the bundled model (default: {DEFAULT_BACKEND}); "
        "with --model, the file's suffix decides",
    )
    p.add_argument(
        "--model",
        type=Path,
        metavar="PATH",
        action="append" if several else "store",
        help="model file (default: the bundled CNN)"
        + (f"; give it up to {MOST} times to compare models side by side" if several else ""),
    )
    add_device_arg(p)


def load_model(args):
    """The predictor the options ask for; a clear message and exit 2 if it cannot load, or if
    --backend contradicts the kind of the --model file (it was silently ignored)."""
    return _load(args.model, args.backend, args.device)


def load_models(args) -> list:
    """Every --model of a command that compares (`add_model_args(several=True)`), each loaded
    and refused as `load_model` does, or the one default model."""
    paths = args.model or [None]
    if len(paths) > MOST:
        raise SystemExit(fail(f"{len(paths)} models: at most {MOST} are compared at once"))
    return [_load(path, args.backend, args.device) for path in paths]


def _load(model: Path | None, backend: str | None, device: str):
    from digitpad.errors import DeviceUnavailable, ModelFileError
    from digitpad.predictors import load_any, load_predictor

    try:
        if model:
            found = backends.for_path(model)
            if backend and backend != found.name:
                raise SystemExit(
                    fail(
                        f"--backend {backend} contradicts --model {model}, a "
                        f"{found.label} model (its suffix decides): drop one of them"
                    )
                )
            return load_any(model, device)
        return load_predictor(backend or DEFAULT_BACKEND, None, device)
    except (ModelFileError, DeviceUnavailable, ValueError) as err:
        raise SystemExit(fail(str(err))) from err
