"""`digitpad runs`: the training runs kept (each `train` and each run of the window's training
panel), newest first; with --csv, their epochs as one spreadsheet to compare."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from digitpad.cli.common import add_json_arg, examples, fail, print_json


def add_commands(sub) -> None:
    p = sub.add_parser(
        "runs",
        help="the training runs kept: settings, each epoch's metrics, the outcome",
        description="List the training runs kept in the data folder's runs folder, newest "
        "first: finished ones with their test accuracy and model file, cancelled ones with "
        "the epochs they reached, failed ones with the reason. A damaged run file is named "
        "on stderr and left out.",
        epilog=examples(
            "digitpad runs",
            "digitpad runs --json",
            "digitpad runs --csv both.csv 20250301-101500-torch-cnn 20250301-102000-keras-cnn",
        ),
    )
    p.add_argument(
        "ids",
        nargs="*",
        metavar="RUN",
        help="only these runs (their ids, as the list shows them); default: every run",
    )
    p.add_argument(
        "--csv",
        type=Path,
        metavar="FILE",
        help="write the runs' epochs to FILE, one row per epoch of each run",
    )
    add_json_arg(
        p, "every run, with its settings and epochs, and the skipped files, as one JSON object"
    )
    p.set_defaults(run=list_runs)


def list_runs(args: argparse.Namespace) -> int:
    from digitpad import paths, runs
    from digitpad.backends import label

    skipped: list[tuple[Path, str]] = []
    try:
        chosen = [runs.find(i) for i in args.ids] if args.ids else runs.list_runs(skipped)
    except runs.RunError as err:
        return fail(str(err))
    for path, why in skipped:
        print(f"skipped {path.name}: {why}", file=sys.stderr)
    if args.csv:
        try:
            runs.write_csv(chosen, args.csv)
        except OSError as err:
            return fail(f"{args.csv}: cannot write it ({err.strerror or err})")
    if args.json:
        print_json(
            {
                "folder": str(paths.runs_dir()),
                "runs": [{"id": r.id, "path": str(r.path)} | r.to_json() for r in chosen],
                "skipped": [{"path": str(p), "reason": why} for p, why in skipped],
                "csv": str(args.csv) if args.csv else None,
            }
        )
        return 0
    if args.csv:
        rows = sum(len(r.epochs) for r in chosen)
        print(f"wrote {rows} epochs of {len(chosen)} runs to {args.csv}")
        return 0
    if not chosen:
        print(f"no training runs kept yet (they go in {paths.runs_dir()})")
        return 0
    print(
        f"{'run':<34} {'backend':<8} {'network':<20} {'status':<9} {'epochs':>6} "
        f"{'test acc.':>9} {'seconds':>8}"
    )
    for r in chosen:
        accuracy = f"{r.test_accuracy:.2%}" if r.test_accuracy is not None else "-"
        name = r.network_name if len(r.network_name) <= 20 else r.network_name[:19] + "…"
        print(
            f"{r.id:<34} {label(r.backend):<8} {name:<20} {r.status:<9} "
            f"{len(r.epochs):>6} {accuracy:>9} {r.seconds:>8.1f}"
        )
    return 0
