"""Checking, before Qt starts, that Linux has the system libraries Qt's X11 plugin needs.

Without them Qt aborts the process with a message that names only the first missing library
(and only with QT_DEBUG_PLUGINS set). A minimal Linux install lacks several, so the window
could not open at all on a fresh machine. This module names every missing one, with the one
command that installs them, instead.
"""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path

# What Qt 6's xcb platform plugin links against, with the Debian/Ubuntu package of each.
XCB_LIBRARIES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
}
APT_LINE = "sudo apt-get install " + " ".join(XCB_LIBRARIES.values())
# The xcb-util family, which minimal systems lack: the packaged program carries these, beside
# Qt's own libraries (whose RUNPATH is $ORIGIN), so it opens without them installed. Graphics
# and font libraries stay the system's: they must match its drivers and configuration.
CARRIED = (
    "libxcb-cursor.so.0",
    "libxcb-icccm.so.4",
    "libxcb-keysyms.so.1",
    "libxcb-image.so.0",
    "libxcb-render-util.so.0",
    "libxcb-util.so.1",
)
CARRIED_DIR = ("PySide6", "Qt", "lib")


def uses_xcb(environ: dict[str, str] | None = None, platform: str = sys.platform) -> bool:
    """Whether Qt will try its X11 (xcb) plugin: on Linux, unless another platform is asked
    for or the session is Wayland (where Qt uses its Wayland plugin)."""
    env = os.environ if environ is None else environ
    if not platform.startswith("linux"):
        return False
    chosen = env.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if chosen:
        return chosen == "xcb"
    return not (env.get("WAYLAND_DISPLAY") and env.get("XDG_SESSION_TYPE") == "wayland")


def missing_packages(libraries: dict[str, str] | None = None) -> list[str]:
    """The packages whose libraries cannot be loaded here (a packaged build carries some)."""
    bundle = getattr(sys, "_MEIPASS", None)
    missing = []
    for soname, package in (XCB_LIBRARIES if libraries is None else libraries).items():
        candidates = [soname] + ([str(Path(bundle, *CARRIED_DIR, soname))] if bundle else [])
        if not any(_loadable(name) for name in candidates):
            missing.append(package)
    return missing


def _loadable(name: str) -> bool:
    try:
        ctypes.CDLL(name)
    except OSError:
        return False
    return True


def problem(
    libraries: dict[str, str] | None = None, environ: dict[str, str] | None = None
) -> str | None:
    """What keeps the window from opening, in words a user can act on, or None."""
    env = os.environ if environ is None else environ
    if not uses_xcb(env):
        return None
    missing = missing_packages(libraries)
    if missing:
        return (
            "the window cannot open: Qt's X11 plugin needs system libraries that are not "
            f"installed ({', '.join(missing)}).\nInstall them with:\n\n    {APT_LINE}\n\n"
            "(Fedora: sudo dnf install xcb-util-cursor xcb-util-wm xcb-util-keysyms "
            "xcb-util-image xcb-util-renderutil libxkbcommon-x11)\n"
            "The command line (digitpad predict, train, evaluate, ...) works without them."
        )
    if not env.get("DISPLAY"):
        return (
            "the window cannot open: there is no X display (DISPLAY is not set). "
            "Run digitpad from a desktop session, or use the command line."
        )
    return None
