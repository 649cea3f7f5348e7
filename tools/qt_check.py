"""Say plainly what the machine lacks before the window is started.

Qt's X11 plugin aborts with "could not load the Qt platform plugin xcb" when
system libraries are missing; this names them and the command that installs them.
"""
from __future__ import annotations

import ctypes.util
import os
import sys

# shared library name -> Debian/Ubuntu package
XCB_LIBRARIES = {
    "xcb-cursor": "libxcb-cursor0",
    "xcb-icccm": "libxcb-icccm4",
    "xcb-keysyms": "libxcb-keysyms1",
    "xcb-image": "libxcb-image0",
    "xcb-render-util": "libxcb-render-util0",
    "xcb-xkb": "libxcb-xkb1",
    "xkbcommon-x11": "libxkbcommon-x11-0",
    "xcb-shape": "libxcb-shape0",
    "xcb-randr": "libxcb-randr0",
    "xcb-xinerama": "libxcb-xinerama0",
    "EGL": "libegl1",
    "fontconfig": "libfontconfig1",
}


def missing_packages() -> list[str]:
    return [pkg for lib, pkg in XCB_LIBRARIES.items() if ctypes.util.find_library(lib) is None]


def main() -> int:
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return 0
    if sys.platform != "linux":
        return 0
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        print("Arcmark needs a display: no DISPLAY or WAYLAND_DISPLAY is set "
              "(use a desktop session, ssh -X, or Xvfb).", file=sys.stderr)
        return 1
    if os.environ.get("WAYLAND_DISPLAY") and not os.environ.get("DISPLAY"):
        return 0
    missing = missing_packages()
    if missing:
        print("Qt's X11 plugin needs system libraries that are missing: " + " ".join(missing),
              file=sys.stderr)
        print("Install them with: sudo apt-get install " + " ".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
