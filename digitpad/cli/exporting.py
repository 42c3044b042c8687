"""`digitpad export`: a model in a format other programs run, checked before it is kept."""

from __future__ import annotations

import argparse
from pathlib import Path

from digitpad.cli.common import EXIT_CHECK_FAILED, add_json_arg, examples, fail, print_json
from digitpad.export import FORMATS
from digitpad.script_export import FORMAT as SCRIPT


def add_commands(sub) -> None:
    p = sub.add_parser(
        "export",
        help="write a model as ONNX, TorchScript, TFLite, SavedModel "
        "or the framework's own training script",
        description="PyTorch models: onnx, torchscript. Keras models: onnx, "
        "tflite, savedmodel. The export is loaded back with its own runtime and "
        "checked against the model on 1,000 MNIST test images; one that differs "
        "is deleted. Its model card goes beside it (NAME.json). Both: script, "
        "the network and its training settings as a plain Keras or PyTorch "
        "training script (FILE.py) that runs without digitpad: python FILE.py "
        "MNIST_FOLDER.",
        epilog=examples(
            "digitpad export mine.pt --format onnx --json",
            "digitpad export mine.keras --format tflite --out phone/",
            "digitpad export mine.pt --format script",
        ),
    )
    p.add_argument("model", type=Path, help="the model file (.pt or .keras)")
    p.add_argument(
        "--format",
        required=True,
        choices=(*FORMATS, SCRIPT),
        dest="fmt",
        help="what to write (which ones a model can be written as: see above)",
    )
    p.add_argument(
        "--out",
        type=Path,
        metavar="PATH",
        help="where to write it, with the format's suffix, or a folder to write "
        "into (default: beside the model, same name); checked before any work",
    )
    add_json_arg(p, "the file written and its check as one JSON object")
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
        if args.json:
            print_json({"path": str(written), "format": SCRIPT})
        else:
            print(f"Wrote {written}; run it with: python {written} MNIST_FOLDER")
        return 0
    try:
        report = exporting.export(args.model, args.fmt, args.out)
    except (ModelFileError, Unsupported, OSError) as err:
        return fail(str(err))
    except exporting.ExportFailed as err:
        fail(f"{args.model}: {err}")
        return EXIT_CHECK_FAILED
    if args.json:
        print_json(
            {
                "path": str(report.path),
                "format": report.fmt,
                "card": str(report.path) + ".json",
                "images": report.images,
                "same_top1": report.same_top1,
                "max_difference": report.max_difference,
            }
        )
    else:
        print(report.summary())
    return 0
