"""`digitpad export`: a model in a format other programs run, checked before it is kept."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from digitpad.cli.common import fail
from digitpad.export import FORMATS
from digitpad.script_export import FORMAT as SCRIPT

EXIT_CHECK_FAILED = 1


def add_commands(sub) -> None:
    p = sub.add_parser("export", help="write a model as ONNX, TorchScript, TFLite, SavedModel "
                       "or the framework's own training script",
                       description="PyTorch models: onnx, torchscript. Keras models: onnx, "
                       "tflite, savedmodel. The export is loaded back with its own runtime and "
                       "checked against the model on 1,000 MNIST test images; one that differs "
                       "is deleted. Its model card goes beside it (NAME.json). Both: script, "
                       "the network and its training settings as a plain Keras or PyTorch "
                       "training script (FILE.py) that runs without digitpad: python FILE.py "
                       "MNIST_FOLDER.")
    p.add_argument("model", type=Path, help="the model file (.pt or .keras)")
    p.add_argument("--format", required=True, choices=(*FORMATS, SCRIPT), dest="fmt")
    p.add_argument("--out", type=Path,
                   help="where to write it, with the format's suffix, or a folder to write "
                   "into (default: beside the model, same name); checked before any work")
    p.add_argument("--json", action="store_true", help="the result as one JSON object")
    p.set_defaults(run=export)


def export(args: argparse.Namespace) -> int:
    from digitpad import export as exporting
    from digitpad.errors import ModelFileError, Unsupported

    if args.fmt == SCRIPT:
        from digitpad.script_export import write_script

        try:
            written = write_script(args.model, args.out)
        except (ModelFileError, OSError) as err:
            return fail(str(err))
        print(json.dumps({"path": str(written), "format": SCRIPT}) if args.json else
              f"Wrote {written}; run it with: python {written} MNIST_FOLDER")
        return 0
    try:
        report = exporting.export(args.model, args.fmt, args.out)
    except (ModelFileError, Unsupported, OSError) as err:
        return fail(str(err))
    except exporting.ExportFailed as err:
        fail(f"{args.model}: {err}")
        return EXIT_CHECK_FAILED
    if args.json:
        print(json.dumps({"path": str(report.path), "format": report.fmt,
                          "card": str(report.path) + ".json", "images": report.images,
                          "same_top1": report.same_top1,
                          "max_difference": report.max_difference}))
    else:
        print(report.summary())
    return 0
