#!/usr/bin/env python3
"""Regenerate the README's screenshots from the demo account.

    python3 scripts/screenshot.py        # needs tmux and `pip install rich`

Runs `iamkeys --demo` (the release build, built if missing) in a 100x30
tmux pane (a laptop terminal or a tmux split), presses the keys for each shot, and saves what the terminal shows
as SVG in assets/ (rich renders the captured ANSI text).
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.text import Text

ROOT = Path(__file__).resolve().parent.parent
# IAMKEYS_BIN: another build (a debug one draws the same screens).
BIN = Path(os.environ.get("IAMKEYS_BIN", ROOT / "target" / "release" / "iamkeys"))
WIDTH, HEIGHT = 100, 30
SOCKET = f"iamkeys-shot-{os.getpid()}"


def tmux(*args: str) -> str:
    return subprocess.run(
        ["tmux", "-L", SOCKET, *args], check=True, capture_output=True, text=True
    ).stdout


def shot(name: str, title: str, keys: list[str], wait_for: str, width: int = WIDTH, height: int = HEIGHT) -> None:
    home = tempfile.mkdtemp()
    tmux("-f", "/dev/null", "new-session", "-d", "-s", "s", "-x", str(width), "-y", str(height),
         "-e", f"HOME={home}", "-e", "TERM=xterm-256color", "--", str(BIN), "--demo")
    try:
        deadline = time.time() + 20
        # Loaded: every user listed and no IAM call left in flight (a cut
        # line's `…` is no sign of loading at this width).
        while "Users (36)" not in tmux("capture-pane", "-p", "-t", "s") or "in flight" in tmux("capture-pane", "-p", "-t", "s"):
            if time.time() > deadline:
                sys.exit(f"the demo did not load: {tmux('capture-pane', '-p', '-t', 's')}")
            time.sleep(0.1)
        for key in keys:
            tmux("send-keys", "-t", "s", key)
            time.sleep(0.2)
        deadline = time.time() + 10
        while wait_for not in tmux("capture-pane", "-p", "-t", "s"):
            if time.time() > deadline:
                sys.exit(f"{name}: never saw {wait_for!r}")
            time.sleep(0.1)
        time.sleep(0.3)
        ansi = tmux("capture-pane", "-p", "-e", "-t", "s")
    finally:
        tmux("kill-server")
    console = Console(record=True, width=width, force_terminal=True, color_system="truecolor", file=open(os.devnull, "w"))
    console.print(Text.from_ansi(ansi.rstrip("\n")), end="")
    path = ROOT / "assets" / f"{name}.svg"
    console.save_svg(str(path), title=title)
    print(f"wrote {path.relative_to(ROOT)}")


def main() -> None:
    if not BIN.exists():
        subprocess.run(["cargo", "build", "--release"], cwd=ROOT, check=True)
    # 120x30: the list and the key pane side by side, a user selected.
    shot("main-screen", "iamkeys --demo", ["j"] * 18, "Access keys of svc-alice-09", 120, 30)
    shot("help", "iamkeys --demo: help (?)", ["?"], "cycle the sort column")
    # alice.00: a console user whose key was made with her and never used.
    shot("confirm-inactive", "iamkeys --demo: make a key inactive (Enter, i)", ["Enter", "i"], "Make key inactive")
    shot("findings", "iamkeys --demo: a key's findings (Enter on a key)", ["Enter", "Enter"], "Remedy")
    # svc-ivan-08: a rotation in progress, its new key in use since the day it was made.
    # The old key is still used after the new key's first use: wait.
    shot("rotation", "iamkeys --demo: a rotation in progress (R)", ["/", "ivan-08", "Enter", "Enter"], "rotating →")
    # The same key's CloudTrail history (the demo's).
    shot("usage", "iamkeys --demo: who uses a key (u)", ["/", "ivan-08", "Enter", "Enter", "u"], "APIs:")
    # Filters as k9s reads them: console users without MFA.
    shot("filter", "iamkeys --demo: /password:yes mfa:no", ["/", "password:yes mfa:no", "Enter"], "filter \"password:yes mfa:no\"")
    # Triage by risk: users with findings, worst risk first (F).
    shot("risk", "iamkeys --demo: findings by risk (F)", ["F"], "sorted by Risk")
    # heidi.07: AWS caught her key exposed; u opens on what it wrote.
    shot("exposed", "iamkeys --demo: a key AWS caught (u on an exposed key)", ["/", "heidi.07", "Enter", "Enter", "u"], "Write events")
    # The command line, completing a sort column.
    shot("command-line", "iamkeys --demo: the command line (:)", [":", "sort r", "Tab"], ":sort risk")
    # The account's own findings: the root user's row.
    shot("root", "iamkeys --demo: the root user's row (g, Enter)", ["g", "Enter"], "root_access_key")


if __name__ == "__main__":
    main()
