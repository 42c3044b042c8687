"""What every command shares: the exit status for bad input, and the model options."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from digitpad import backends

EXIT_BAD_INPUT = 2
DEFAULT_BACKEND = "torch"  # the bundled model read when no --model or --backend is given
log = logging.getLogger("digitpad.cli")


def fail(message: str) -> int:
    """Tell the user what is wrong (and log it, with the traceback if one is active)."""
    log.warning(message, exc_info=sys.exc_info()[0] is not None)
    print(f"digitpad: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def add_model_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--backend", choices=backends.names(),
                   help=f"backend of the bundled model (default: {DEFAULT_BACKEND}); "
                        "with --model, the file's suffix decides")
    p.add_argument("--model", type=Path, help="model file (default: the bundled CNN)")
    p.add_argument("--device", default="cpu")


def load_model(args):
    """The predictor the options ask for; a clear message and exit 2 if it cannot load, or if
    --backend contradicts the kind of the --model file (it was silently ignored)."""
    from digitpad.errors import DeviceUnavailable, ModelFileError
    from digitpad.predictors import load_any, load_predictor

    try:
        if args.model:
            found = backends.for_path(args.model)
            if args.backend and args.backend != found.name:
                raise SystemExit(fail(
                    f"--backend {args.backend} contradicts --model {args.model}, a "
                    f"{found.label} model (its suffix decides): drop one of them"))
            return load_any(args.model, args.device)
        return load_predictor(args.backend or DEFAULT_BACKEND, None, args.device)
    except (ModelFileError, DeviceUnavailable, ValueError) as err:
        raise SystemExit(fail(str(err))) from err
