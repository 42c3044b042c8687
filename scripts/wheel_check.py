"""The install check of `make test`: build the sdist and, from it, the wheel; install that wheel
into a fresh virtual environment, away from the source tree; and use it from a folder outside
the clone as someone who ran `pip install digitpad` would: `--version`, `--self-test`, and
`predict` on a digit from the bundled data.

The heavy dependencies (torch, TensorFlow, Qt) are not installed again: the fresh environment
sees the development venv's site-packages through a .pth file, after its own: once without the
optional extras' packages (the base install: Keras on torch, the missing extras named), once
with all of them. digitpad itself comes only from the wheel, which the check proves by where the
imported package lives.
Usage: python scripts/wheel_check.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import sysconfig
import tempfile
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*cmd: str | Path, cwd: Path) -> str:
    """Run a command, echo it, and return its stdout; a failure stops the check with its output."""
    shown = " ".join(str(c) for c in cmd)
    print(f"+ {shown}", flush=True)
    done = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"wheel check: `{shown}` failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout


def build(out: Path) -> Path:
    """sdist first, then the wheel built from that sdist: so the sdist must carry the assets."""
    run(sys.executable, "-m", "build", "--no-isolation", "--outdir", out, ROOT, cwd=ROOT)
    wheels = sorted(out.glob("digitpad-*.whl"))
    if len(wheels) != 1 or not list(out.glob("digitpad-*.tar.gz")):
        sys.exit(f"wheel check: expected one wheel and one sdist in {out}")
    carried(wheels[0])
    return wheels[0]


def carried(wheel: Path) -> None:
    """The wheel holds every bundled file of the checkout, the type markers and the licences."""
    names = set(zipfile.ZipFile(wheel).namelist())
    bundled = {
        f"digitpad/assets/{p.relative_to(ROOT / 'assets').as_posix()}"
        for p in (ROOT / "assets").rglob("*")
        if p.is_file()
    }
    wanted = bundled | {"digitpad/py.typed", "trainers/py.typed"}
    missing = sorted(wanted - names)
    licences = [n for n in names if "/licenses/" in n]
    if missing or not any(n.endswith("/licenses/LICENSE") for n in licences):
        sys.exit(f"wheel check: {wheel.name} lacks {missing or 'the LICENSE'}")
    print(
        f"wheel check: {wheel.name} carries {len(bundled)} bundled files and "
        f"{len(licences)} licences"
    )


# The packages the optional extras ([tensorflow], [onnx], [export], [tensorboard]) bring.
EXTRAS = ("tensorflow", "tensorboard", "tf2onnx", "onnx")


def dependencies(where: Path, extras: bool) -> Path:
    """This interpreter's site-packages, or (extras=False) a view of it without the extras'
    packages: links to everything else, so the base install is tried as it would be."""
    installed = Path(sysconfig.get_paths()["purelib"])
    if extras:
        return installed
    where.mkdir(parents=True, exist_ok=True)
    for entry in installed.iterdir():
        name = entry.name.lower()
        if entry.suffix == ".pth" or name.startswith(EXTRAS + ("digitpad", "__editable__")):
            continue
        (where / entry.name).symlink_to(entry)
    return where


def fresh_env(where: Path, wheel: Path, packages: Path) -> Path:
    """A new venv that sees `packages` after its own, with the wheel installed in it."""
    venv.create(where, with_pip=False)
    python = where / "bin" / "python"
    own = Path(
        run(
            python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=where
        ).strip()
    )
    (own / "zz_digitpad_dependencies.pth").write_text(f"{packages}\n")
    # pip (seen through the .pth) run by the new interpreter: the `digitpad` script it writes
    # starts that interpreter, not this one.
    run(python, "-m", "pip", "install", "--quiet", "--no-deps", wheel, cwd=where)
    return where / "bin"


def from_the_wheel(bin_dir: Path, outside: Path) -> None:
    where = run(
        bin_dir / "python",
        "-c",
        "import digitpad, trainers; print(digitpad.__file__);print(trainers.__file__)",
        cwd=outside,
    ).split()
    if not all(p.startswith(str(bin_dir.parent)) for p in where):
        sys.exit(f"wheel check: digitpad imported from {where}, not from the wheel")


def a_test_digit(bin_dir: Path, outside: Path) -> tuple[Path, str]:
    """A picture of the bundled data's first test digit, written by the installed package."""
    picture = outside / "digit.png"
    label = run(
        bin_dir / "python",
        "-c",
        "from PIL import Image; from digitpad.data import "
        "load_mnist; d = load_mnist(); Image.fromarray(255 - d.test_x[0]).resize("
        f"(280, 280)).save({str(picture)!r}); print(int(d.test_y[0]))",
        cwd=outside,
    ).strip()
    return picture, label


def reads(bin_dir: Path, outside: Path, picture: Path, label: str, *options: str) -> None:
    out = run(bin_dir / "digitpad", "predict", picture, "--json", *options, cwd=outside)
    answer = json.loads(out.splitlines()[0])
    if str(answer["digit"]) != label:
        sys.exit(
            f"wheel check: predict {' '.join(options)} read {answer['digit']}, expected {label}"
        )


def says_which_extra(bin_dir: Path, outside: Path, extra: str, *command: str | Path) -> None:
    """A feature whose extra is missing fails in one line that names the extra to install."""
    done = subprocess.run(
        [str(bin_dir / "digitpad"), *map(str, command)], cwd=outside, capture_output=True, text=True
    )
    if (
        done.returncode == 0
        or f"digitpad[{extra}]" not in done.stderr
        or "Traceback" in (done.stderr)
    ):
        sys.exit(
            f"wheel check: `digitpad {' '.join(map(str, command))}` without the {extra} "
            f"extra gave {done.returncode}:\n{done.stderr}"
        )


def check_base(bin_dir: Path, outside: Path) -> None:
    """Only the base dependencies: torch, Keras on torch, Qt."""
    from_the_wheel(bin_dir, outside)
    version = run(bin_dir / "digitpad", "--version", cwd=outside).strip()
    run(bin_dir / "digitpad", "--self-test", cwd=outside)
    picture, label = a_test_digit(bin_dir, outside)
    for backend in ("torch", "keras"):
        reads(bin_dir, outside, picture, label, "--backend", backend)
    says_which_extra(bin_dir, outside, "onnx", "predict", picture, "--backend", "onnx")
    bundled = run(
        bin_dir / "python",
        "-c",
        "from digitpad import models; print(models.default_model('torch'))",
        cwd=outside,
    ).strip()
    says_which_extra(
        bin_dir,
        outside,
        "export",
        "export",
        bundled,
        "--format",
        "onnx",
        "--out",
        outside / "cnn.onnx",
    )
    print(f"wheel check: base install ok ({version}; reads the bundled {label})")


def check_all(bin_dir: Path, outside: Path) -> None:
    """Every extra: Keras on TensorFlow, ONNX Runtime."""
    from_the_wheel(bin_dir, outside)
    picture, label = a_test_digit(bin_dir, outside)
    for backend in ("torch", "keras", "onnx"):
        reads(bin_dir, outside, picture, label, "--backend", backend)
    print("wheel check: install with every extra ok")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, help="build and install here instead of a temp dir")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="digitpad-wheel-") as tmp:
        top = args.keep or Path(tmp)
        top.mkdir(parents=True, exist_ok=True)
        wheel = build(top / "dist")
        outside = top / "elsewhere"
        outside.mkdir(exist_ok=True)
        base = dependencies(top / "base-packages", extras=False)
        check_base(fresh_env(top / "base", wheel, base), outside)
        check_all(fresh_env(top / "all", wheel, dependencies(top, extras=True)), outside)


if __name__ == "__main__":
    main()
