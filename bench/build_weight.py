#!/usr/bin/env python3
"""What the release build costs, crate by crate (issue 39 item 2).

Runs `cargo build --release --locked --timings` into an empty target
directory, samples every rustc's resident memory twice a second (by the
crate it compiles), and prints the whole build's wall time, its peak
memory (all rustc processes at once, and the largest single one), the
binary's size, and each AWS SDK crate's share: the time cargo's timings
give it and its own peak memory.

    python3 bench/build_weight.py                       # the default build
    python3 bench/build_weight.py --features '' --label lean
    python3 bench/build_weight.py --json out.json

Run it alone on the machine: it measures what two cores can do.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def crate_of(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            args = f.read().split(b"\0")
    except OSError:
        return None
    if not args or not args[0].endswith(b"rustc") and b"rustc" not in os.path.basename(args[0]):
        return None
    for i, arg in enumerate(args[:-1]):
        if arg == b"--crate-name":
            return args[i + 1].decode()
    return None


class Sampler(threading.Thread):
    """Peak RSS per crate, and of all rustc processes at once."""

    def __init__(self):
        super().__init__(daemon=True)
        self.per_crate = {}
        self.peak_total = 0
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            total = 0
            for entry in os.listdir("/proc"):
                if not entry.isdigit():
                    continue
                crate = crate_of(entry)
                if crate is None:
                    continue
                rss = rss_kib(entry)
                total += rss
                self.per_crate[crate] = max(self.per_crate.get(crate, 0), rss)
            self.peak_total = max(self.peak_total, total)
            self.stop.wait(0.5)


def unit_times(timings_html):
    text = timings_html.read_text()
    match = re.search(r"const UNIT_DATA = (\[.*?\]);\n", text, re.S)
    if not match:
        sys.exit("no UNIT_DATA in cargo's timings report")
    units = json.loads(match.group(1))
    per_crate = {}
    for unit in units:
        name = unit["name"].replace("-", "_")
        per_crate[name] = per_crate.get(name, 0.0) + unit["duration"]
    return per_crate


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", help="build with --no-default-features --features F")
    parser.add_argument("--label", default="default")
    parser.add_argument("--json", help="write the figures here too")
    parser.add_argument("--keep", action="store_true", help="keep the target directory")
    args = parser.parse_args()

    target = Path(tempfile.mkdtemp(prefix="iamkeys-weight-"))
    command = ["cargo", "build", "--release", "--locked", "--timings", "--target-dir", str(target)]
    if args.features is not None:
        command += ["--no-default-features"]
        if args.features:
            command += ["--features", args.features]
    sampler = Sampler()
    sampler.start()
    started = time.monotonic()
    run = subprocess.run(command, cwd=ROOT)
    wall = time.monotonic() - started
    sampler.stop.set()
    sampler.join()
    if run.returncode != 0:
        sys.exit(f"cargo build failed ({run.returncode})")
    binary = target / "release" / "iamkeys"
    times = unit_times(target / "cargo-timings" / "cargo-timing.html")
    sdk = sorted(
        (name for name in times if name.startswith("aws_sdk_")),
        key=lambda name: -times[name],
    )
    figures = {
        "label": args.label,
        "wall_s": round(wall, 1),
        "peak_all_rustc_mb": round(sampler.peak_total / 1024),
        "peak_one_rustc_mb": round(max(sampler.per_crate.values(), default=0) / 1024),
        "binary_mb": round(binary.stat().st_size / 1e6, 1),
        "sdk": {
            name: {"s": round(times[name], 1), "peak_mb": round(sampler.per_crate.get(name, 0) / 1024)}
            for name in sdk
        },
        "top": {
            name: {"s": round(t, 1), "peak_mb": round(sampler.per_crate.get(name, 0) / 1024)}
            for name, t in sorted(times.items(), key=lambda kv: -kv[1])[:12]
        },
        "sum_of_units_s": round(sum(times.values()), 1),
    }
    print(f"{args.label}: {figures['wall_s']} s wall, peak {figures['peak_all_rustc_mb']} MB "
          f"(all rustc), {figures['peak_one_rustc_mb']} MB (one rustc), binary {figures['binary_mb']} MB")
    print(f"sum of cargo's unit times: {figures['sum_of_units_s']} s")
    print("| crate | time (s) | share of unit time | peak (MB) |")
    print("|---|---|---|---|")
    for name in sdk:
        share = 100 * times[name] / figures["sum_of_units_s"]
        print(f"| {name} | {times[name]:.1f} | {share:.1f}% | {figures['sdk'][name]['peak_mb']} |")
    print("largest units:")
    for name, t in figures["top"].items():
        print(f"  {name}: {t['s']} s, {t['peak_mb']} MB")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    if not args.keep:
        shutil.rmtree(target, ignore_errors=True)
    else:
        print(f"kept {target}")


if __name__ == "__main__":
    main()
