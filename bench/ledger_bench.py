#!/usr/bin/env python3
"""Issue 32's speed target: the shared ledger of an organization's 500
members read through the 50 ms-a-request proxy.

Seeds moto's S3 with 500 accounts' ledgers (`s3://ledger/iamkeys/<account>/
ledger.jsonl`, 20 events each, as iamkeys writes them), then times
`iamkeys ledger show --format json` through bench.py's latency proxy: one
`ListObjectsV2` and one `GetObject` per account, 32 at once, every event
read strictly and folded (as each member's worker does in `report --org`,
where the same reads run beside the members' IAM calls). Prints the wall
time, the requests the proxy saw, and the server's ceiling at 0 ms.

    cargo build --release   # or a debug build: IAMKEYS_BIN=target/debug/iamkeys
    python3 bench/ledger_bench.py [--accounts 500] [--latency-ms 50]
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).parent))
from bench import LatencyProxy, start_moto  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BUCKET = "ledger"
WRITER = "arn:aws:sts::111111111111:assumed-role/SecurityAudit/bench"


def event(account: str, i: int) -> str:
    at = f"2026-12-{1 + i % 5:02d}T10:{i % 60:02d}:00.000Z"
    return json.dumps(
        {
            "schema": "iamkeys.ledger/v1",
            "id": f"{i:012x}{random.getrandbits(80):020x}",
            "at": at,
            "account_id": account,
            "user": f"user-{i}",
            "key_id": f"AKIABENCH{i:011d}",
            "by": WRITER,
            "event": "waiver.granted",
            "data": {"finding": "unused_key", "until": "2027-01-31", "reason": f"SEC-{i}"},
        },
        separators=(",", ":"),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=500)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--latency-ms", type=int, default=50)
    args = parser.parse_args()
    binary = os.environ.get("IAMKEYS_BIN", str(ROOT / "target/release/iamkeys"))
    moto, port = start_moto()
    try:
        s3 = boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{port}",
            region_name="us-east-1",
            aws_access_key_id="x",
            aws_secret_access_key="x",
            config=Config(s3={"addressing_style": "path"}),
        )
        s3.create_bucket(Bucket=BUCKET)
        accounts = [f"{100000000000 + n:012d}" for n in range(args.accounts)]
        for account in accounts:
            body = "".join(event(account, i) + "\n" for i in range(args.events))
            s3.put_object(Bucket=BUCKET, Key=f"iamkeys/{account}/ledger.jsonl", Body=body)
        rows = []
        for latency in (args.latency_ms, 0):
            proxy = LatencyProxy(port, latency / 1000)
            with tempfile.TemporaryDirectory() as home:
                Path(home, "config/iamkeys").mkdir(parents=True)
                Path(home, "config/iamkeys/config.toml").write_text(
                    f'[ledger]\nlocation = "s3://{BUCKET}/iamkeys"\n'
                )
                Path(home, "aws-config").write_text("[profile bench]\nregion = us-east-1\n")
                Path(home, "aws-credentials").write_text(
                    "[bench]\naws_access_key_id = AKIDBENCH\naws_secret_access_key = x\n"
                )
                env = {
                    "HOME": home,
                    "PATH": os.environ["PATH"],
                    "XDG_CONFIG_HOME": f"{home}/config",
                    "XDG_DATA_HOME": f"{home}/data",
                    "AWS_CONFIG_FILE": f"{home}/aws-config",
                    "AWS_SHARED_CREDENTIALS_FILE": f"{home}/aws-credentials",
                    "AWS_EC2_METADATA_DISABLED": "true",
                }
                start = time.monotonic()
                out = subprocess.run(
                    [binary, "ledger", "show", "--format", "json",
                     "--profile", "bench", "--endpoint-url", proxy.endpoint],
                    env=env, capture_output=True, check=False,
                )
                wall = time.monotonic() - start
                if out.returncode != 0:
                    sys.exit(f"ledger show failed: {out.stderr.decode()}")
                shown = json.loads(out.stdout)
                read = len(shown["accounts"])
                events = sum(len(a["events"]) for a in shown["accounts"])
                if read != args.accounts or events != args.accounts * args.events:
                    sys.exit(f"read {read} accounts and {events} events")
                rows.append((latency, wall, proxy.count))
        print(f"| accounts | events | latency | wall | requests | requests/s |")
        print("|---|---|---|---|---|---|")
        for latency, wall, count in rows:
            print(f"| {args.accounts} | {args.accounts * args.events} | {latency} ms "
                  f"| {wall:.2f} s | {count} | {count / wall:.0f} |")
    finally:
        moto.terminate()


if __name__ == "__main__":
    main()
