"""A Linux machine without the libraries Qt's X11 plugin needs gets told which to install,
instead of Qt aborting the process with a message that names only one of them."""

import subprocess
import sys

from digitpad.ui import system_libraries as syslibs

PRESENT = {"libc.so.6": "libc6"}
ABSENT = {"libdigitpad-not-here.so.7": "libdigitpad-not-here7"}


def test_missing_libraries_are_named_by_package():
    assert syslibs.missing_packages(PRESENT) == []
    assert syslibs.missing_packages(PRESENT | ABSENT) == ["libdigitpad-not-here7"]


def test_the_message_carries_one_install_command():
    env = {"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":0"}
    text = syslibs.problem(PRESENT | ABSENT, env)
    assert "libdigitpad-not-here7" in text
    assert "sudo apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1" in text
    assert syslibs.problem(PRESENT, env) is None


def test_no_display_is_explained():
    text = syslibs.problem(PRESENT, {"QT_QPA_PLATFORM": "xcb"})
    assert "DISPLAY" in text


def test_only_the_x11_plugin_is_checked():
    assert not syslibs.uses_xcb({"QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert not syslibs.uses_xcb({"QT_QPA_PLATFORM": "wayland"}, "linux")
    assert syslibs.uses_xcb({"QT_QPA_PLATFORM": "xcb:foo"}, "linux")
    assert syslibs.uses_xcb({}, "linux")
    assert not syslibs.uses_xcb(
        {"WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}, "linux"
    )
    assert not syslibs.uses_xcb({}, "darwin")
    assert syslibs.problem(ABSENT, {"QT_QPA_PLATFORM": "offscreen"}) is None


def test_the_app_exits_with_the_message_instead_of_a_qt_abort():
    code = (
        "from digitpad.ui import app, system_libraries as s\n"
        f"s.XCB_LIBRARIES.update({ABSENT!r})\n"
        "raise SystemExit(app.run_app([]))\n"
    )
    env = {"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":0", "PATH": "/usr/bin:/bin"}
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env
    )
    assert run.returncode == 3, run.stderr
    assert "libdigitpad-not-here7" in run.stderr and "sudo apt-get install" in run.stderr
    assert "Aborted" not in run.stderr and "qt.qpa" not in run.stderr
