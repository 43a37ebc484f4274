#!/usr/bin/env python3
"""Head-to-head with Prowler (issue 39 item 3): Prowler's access-key checks
and `iamkeys report` against the same moto, through the same 50 ms proxy as
bench/bench.py, for N users.

    python3 bench/prowler_bench.py                  # 1,000 users, 50 ms
    python3 bench/prowler_bench.py --users 200 --latency-ms 0

Makes a venv of its own (bench/.venv-prowler, or --venv) with a pinned
Prowler from PyPI. The order is the one an operator meets: `iamkeys report`
first (IAM generates the credential report for it), then Prowler (IAM hands
it the report it has: the proxy shows whether `GenerateCredentialReport`
answered COMPLETE at once), then `iamkeys report` again on that same cached
report, the like-for-like run. Both tools' findings are counted per check;
the counts must agree.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  (the proxy, seeding and iamkeys runner)

PROWLER_VERSION = "5.46.0"
# Prowler check -> the iamkeys finding that judges the same thing.
CHECKS = {
    "iam_user_no_setup_initial_access_key": "initial_setup_key",
    "iam_user_accesskey_unused": "unused_key",
    "iam_rotate_access_key_90_days": "key_not_rotated",
    "iam_no_root_access_key": "root_access_key",
}


def prowler_venv(path: Path) -> Path:
    """The venv's `prowler`, installed (pinned) if it is not there yet."""
    exe = path / "bin" / "prowler"
    python = path / "bin" / "python"
    if exe.exists():
        version = subprocess.run([python, "-c", "import importlib.metadata as m; print(m.version('prowler'))"],
                                 capture_output=True, text=True).stdout.strip()
        if version == PROWLER_VERSION:
            return exe
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
    print(f"installing prowler=={PROWLER_VERSION} into {path}", file=sys.stderr)
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    f"prowler=={PROWLER_VERSION}"], check=True)
    return exe


def run_prowler(exe: Path, endpoint: str, out_dir: Path, config: Path) -> tuple[float, dict]:
    """Prowler's four access-key checks in us-east-1: wall seconds and its
    failed findings per check (from its OCSF output)."""
    env = {**os.environ, **bench.CREDS, "AWS_ENDPOINT_URL": endpoint, "AWS_EC2_METADATA_DISABLED": "true",
           "HOME": str(out_dir)}
    env.pop("AWS_PROFILE", None)
    command = [str(exe), "aws", "--checks", *CHECKS, "--region", "us-east-1",
               "--output-formats", "json-ocsf", "--output-directory", str(out_dir / "out"),
               "--no-banner", "--ignore-exit-code-3", "--config-file", str(config)]
    start = time.perf_counter()
    run = subprocess.run(command, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if run.returncode != 0:
        raise SystemExit(f"prowler failed ({run.returncode}):\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}")
    files = list((out_dir / "out").glob("*.ocsf.json"))
    if not files:
        raise SystemExit(f"no OCSF output from prowler:\n{run.stdout[-3000:]}")
    failed = {check: 0 for check in CHECKS}
    for finding in json.loads(files[0].read_text()):
        check = finding["metadata"]["event_code"]
        if finding["status_code"] == "FAIL" and check in failed:
            failed[check] += 1
    return wall, failed


def prowler_config(path: Path, unused_days: int, rotation_days: int) -> Path:
    """Prowler's thresholds set to iamkeys' (the checks' own config keys)."""
    config = path / "prowler-config.yaml"
    config.write_text(f"aws:\n  max_unused_access_keys_days: {unused_days}\n  max_access_key_age_days: {rotation_days}\n")
    return config


def iamkeys_counts(report: dict) -> dict:
    counts = {check: 0 for check in CHECKS}
    for finding in report["findings"]:
        for check, ours in CHECKS.items():
            if finding["id"] == ours:
                counts[check] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--venv", type=Path, default=bench.ROOT / "bench" / ".venv-prowler")
    args = parser.parse_args()
    exe = prowler_venv(args.venv)
    if not bench.BIN.exists():
        subprocess.run(["cargo", "build", "--release"], cwd=bench.ROOT, check=True)
    moto, port = bench.start_moto()
    try:
        keys = bench.seed(f"http://127.0.0.1:{port}", args.users)
        proxy = bench.LatencyProxy(port, args.latency_ms / 1000)
        home = tempfile.mkdtemp()
        proxy.reset()
        fresh_s, fresh_rss, fresh = bench.report_run(proxy.endpoint, home)
        fresh_requests = proxy.count
        assert "generated for this run" in fresh["notes"][0], fresh["notes"]

        work = Path(tempfile.mkdtemp())
        # iamkeys' defaults (docs/configuration.md): unused after 45 days,
        # rotated within 90; Prowler's unused default is 45 as well.
        config = prowler_config(work, 45, 90)
        proxy.reset()
        prowler_s, prowler = run_prowler(exe, proxy.endpoint, work, config)
        prowler_requests, prowler_mix = proxy.count, proxy.mix()
        generate = proxy.actions.get("GenerateCredentialReport", 0)

        proxy.reset()
        cached_s, cached_rss, cached = bench.report_run(proxy.endpoint, home)
        cached_requests = proxy.count
        assert "already had" in cached["notes"][0], cached["notes"]
        ours = iamkeys_counts(cached)
        assert iamkeys_counts(fresh) == ours, "both iamkeys paths find the same"
    finally:
        moto.terminate()
    print(f"\n{args.users} users ({keys} keys), {args.latency_ms:g} ms a request; Prowler {PROWLER_VERSION}.\n")
    print(f"Prowler: {prowler_s:.2f} s, {prowler_requests} requests ({prowler_mix}); "
          f"GenerateCredentialReport asked {generate}× "
          f"({'the report IAM already had: COMPLETE at once' if generate == 1 else 'waited for a new report'})")
    print(f"iamkeys report, fresh report: {fresh_s:.2f} s, {fresh_requests} requests, {fresh_rss / 1024:.1f} MB")
    print(f"iamkeys report, cached report: {cached_s:.2f} s, {cached_requests} requests, {cached_rss / 1024:.1f} MB\n")
    print("| check | Prowler FAIL | iamkeys findings | agree |")
    print("|---|---|---|---|")
    for check in CHECKS:
        print(f"| {check} | {prowler[check]} | {ours[check]} | {'yes' if prowler[check] == ours[check] else 'NO'} |")
    print(f"\ncached iamkeys vs Prowler: {prowler_s / cached_s:.1f}× faster; fresh: {prowler_s / fresh_s:.1f}×")
    if prowler != ours:
        sys.exit("the findings counts differ")


if __name__ == "__main__":
    main()
