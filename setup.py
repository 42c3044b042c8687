"""Build hook: the wheel carries the repository's top-level `assets/` folder (bundled models and
their cards, the MNIST subset, the pen drawings, the icons) as `digitpad/assets`, where
`digitpad.resources` looks for it in an installed copy. An editable install reads the checkout's
own folder, so nothing is copied there."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ASSETS = Path(__file__).resolve().parent / "assets"


class BuildWithAssets(build_py):
    def run(self) -> None:
        super().run()
        if not self.editable_mode:
            shutil.copytree(
                ASSETS,
                Path(self.build_lib) / "digitpad" / "assets",
                dirs_exist_ok=True,
                ignore=shutil.ignore_patterns("__pycache__"),
            )


setup(cmdclass={"build_py": BuildWithAssets})
