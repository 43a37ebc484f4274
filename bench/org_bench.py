#!/usr/bin/env python3
"""Organization benchmark: `iamkeys report --org` over an AWS Organization in
moto, against the loop operators script today (one account's audit after
another, here `iamkeys report` per account with that account's role
session), both through the same latency proxy; then the UI (`iamkeys
--org`) answering key presses while the accounts load.

Two loops are timed, each on its own identically seeded moto (so every
side meets credential reports generated for it, as on a first run): the
fastest loop (the role assumed in-process with boto3), and the shell loop
people write (`aws sts assume-role`, then the audit, per account).

    python3 bench/org_bench.py                      # 50 members x 40 users, 50 ms
    python3 bench/org_bench.py --members 100 --users 5 --skip-loop

Prints a Markdown table; BENCHMARKS.md holds a recorded run. Needs what
bench/bench.py needs, and `cargo build --release`.
"""

import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import BIN, CREDS, ROOT, LatencyProxy, start_moto, timed_report  # noqa: E402

ROLE = "OrganizationAccountAccessRole"


def organization(endpoint: str, members: int) -> list[str]:
    kw = dict(endpoint_url=endpoint, region_name="us-east-1",
              aws_access_key_id="AKIDBENCH", aws_secret_access_key="bench")
    org = boto3.client("organizations", **kw)
    org.create_organization(FeatureSet="ALL")
    ids = []
    for i in range(members):
        status = org.create_account(Email=f"m{i}@example.com", AccountName=f"member-{i:03d}")
        ids.append(status["CreateAccountStatus"]["AccountId"])
    return ids


def session(endpoint: str, account: str) -> dict:
    sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="AKIDBENCH", aws_secret_access_key="bench")
    c = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{ROLE}", RoleSessionName="bench")["Credentials"]
    return {"AWS_ACCESS_KEY_ID": c["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": c["SecretAccessKey"],
            "AWS_SESSION_TOKEN": c["SessionToken"]}


def seed_member(endpoint: str, account: str, users: int) -> None:
    creds = session(endpoint, account)
    iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id=creds["AWS_ACCESS_KEY_ID"],
                       aws_secret_access_key=creds["AWS_SECRET_ACCESS_KEY"],
                       aws_session_token=creds["AWS_SESSION_TOKEN"])
    for i in range(users):
        name = f"user-{i:03d}"
        iam.create_user(UserName=name)
        if i % 3:
            iam.create_login_profile(UserName=name, Password="Correct-Horse-1!")
        for _ in range(i % 3):
            iam.create_access_key(UserName=name)


def env_for(home: str, extra: dict | None = None) -> dict:
    env = {**os.environ, **CREDS, "HOME": home, "AWS_EC2_METADATA_DISABLED": "true",
           "XDG_CONFIG_HOME": str(Path(home) / ".config"), **(extra or {})}
    env.pop("AWS_PROFILE", None)
    return env


def tui_org(endpoint: str, home: str, timeout: float = 300) -> dict:
    timings = Path(home) / "timings.jsonl"
    timings.unlink(missing_ok=True)
    sock = f"iamkeys-orgbench-{os.getpid()}"
    env_args = []
    for k, v in {**CREDS, "HOME": home, "AWS_EC2_METADATA_DISABLED": "true", "IAMKEYS_TIMINGS": str(timings),
                 "TERM": "xterm-256color", "XDG_CONFIG_HOME": str(Path(home) / ".config")}.items():
        env_args += ["-e", f"{k}={v}"]
    subprocess.run(["tmux", "-L", sock, "-f", "/dev/null", "new-session", "-d", "-s", "b", "-x", "160", "-y", "50",
                    *env_args, "--", str(BIN), "--org", "--endpoint-url", endpoint], check=True)
    try:
        deadline = time.time() + timeout
        presses = 0
        while time.time() < deadline:
            # Move up and down the overview while it fills in: each answer time is recorded.
            subprocess.run(["tmux", "-L", sock, "send-keys", "-t", "b", "j" if presses % 2 else "k"], check=False)
            presses += 1
            text = timings.read_text() if timings.exists() else ""
            if "org_complete" in text:
                break
            time.sleep(0.05)
        events = {}
        for line in timings.read_text().splitlines():
            event = json.loads(line)
            events[event["event"]] = event["ms"]
        events["presses"] = presses
        return events
    finally:
        subprocess.run(["tmux", "-L", sock, "kill-server"], check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--users", type=int, default=40, help="users per member account")
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--concurrency", type=int, default=64, help="config `concurrency` (requests in flight across all accounts)")
    parser.add_argument("--accounts-at-once", type=int, default=32, help="config `[org] accounts_at_once`")
    parser.add_argument("--skip-loop", action="store_true", help="do not time the one-account-after-another loops")
    args = parser.parse_args()
    if not BIN.exists():
        subprocess.run(["cargo", "build", "--release"], cwd=ROOT, check=True)
    config_text = f"concurrency = {args.concurrency}\n[org]\naccounts_at_once = {args.accounts_at_once}\n"

    def fresh_org():
        moto, port = start_moto()
        direct = f"http://127.0.0.1:{port}"
        t = time.perf_counter()
        ids = organization(direct, args.members)
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda a: seed_member(direct, a, args.users), ids))
        print(f"seeded {args.members} members x {args.users} users in {time.perf_counter() - t:.1f}s", file=sys.stderr)
        proxy = LatencyProxy(port, args.latency_ms / 1000)
        home = tempfile.mkdtemp()
        config = Path(home) / ".config" / "iamkeys"
        config.mkdir(parents=True)
        (config / "config.toml").write_text(config_text)
        return moto, ids, proxy, home

    moto, ids, proxy, home = fresh_org()
    try:
        proxy.count = 0
        org_s, org_rss, report = timed_report(proxy.endpoint, env_for(home), ["--org"])
        org_requests = proxy.count
        audited = [a for a in report["accounts"] if not a["skipped"] and a["error"] is None]
        assert len(audited) == args.members + 1, [a["error"] for a in report["accounts"]]
        users = len(report["users"])
        assert users == args.members * args.users, users
        findings = len(report["findings"])
        proxy.count = 0
        tui = tui_org(proxy.endpoint, home)
        tui_requests = proxy.count
    finally:
        moto.terminate()

    loops = {}
    if not args.skip_loop:
        for kind in ("boto3", "cli"):
            moto, ids, proxy, home = fresh_org()
            try:
                proxy.count = 0
                start = time.perf_counter()
                loop_users = loop_findings = 0
                for account in ids:
                    if kind == "boto3":
                        creds = session(proxy.endpoint, account)
                    else:
                        out = subprocess.run(
                            ["aws", "sts", "assume-role", "--endpoint-url", proxy.endpoint,
                             "--role-arn", f"arn:aws:iam::{account}:role/{ROLE}",
                             "--role-session-name", "loop", "--output", "json"],
                            env=env_for(home), capture_output=True, text=True, check=True)
                        c = json.loads(out.stdout)["Credentials"]
                        creds = {"AWS_ACCESS_KEY_ID": c["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": c["SecretAccessKey"],
                                 "AWS_SESSION_TOKEN": c["SessionToken"]}
                    _, _, one = timed_report(proxy.endpoint, env_for(home, creds), [])
                    loop_users += len(one["users"])
                    loop_findings += len(one["findings"])
                # The management account is audited by the org report too.
                _, _, own = timed_report(proxy.endpoint, env_for(home), [])
                loop_users += len(own["users"])
                loop_findings += len(own["findings"])
                loops[kind] = (time.perf_counter() - start, proxy.count)
                assert loop_users == users, (loop_users, users)
                assert loop_findings == findings, (loop_findings, findings)
            finally:
                moto.terminate()
    ms = lambda k: f"{tui[k]:.0f} ms" if k in tui else "n/a"
    print(f"\n{args.members} member accounts (+ the management account) x {args.users} users; "
          f"{args.latency_ms:g} ms per request; concurrency {args.concurrency}, accounts_at_once {args.accounts_at_once}.\n")
    print("| report --org (wall) | peak RSS | requests | loop, boto3 AssumeRole (wall, requests) | speed-up | loop, `aws sts assume-role` (wall, requests) | speed-up | UI: every account settled | UI: slowest key→frame while loading (presses) | UI requests |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    cell = lambda k: f"{loops[k][0]:.1f} s ({loops[k][1]})" if k in loops else "not run"
    ratio = lambda k: f"{loops[k][0] / org_s:.1f}×" if k in loops else "n/a"
    print(f"| {org_s:.2f} s | {org_rss / 1024:.1f} MB | {org_requests} | {cell('boto3')} | {ratio('boto3')} | {cell('cli')} | {ratio('cli')} | "
          f"{ms('org_complete')} | {ms('slowest_key_to_frame')} ({tui['presses']}) | {tui_requests} |")


if __name__ == "__main__":
    main()
