#!/usr/bin/env python3
"""Load-speed benchmark of iamkeys against moto, side by side with the two
ways operators audit keys today: the AWS CLI loop and a boto3 script with 8
threads.

    python3 bench/bench.py                       # N = 1000 and 5000, 50 ms latency
    python3 bench/bench.py --users 1000 --latency-ms 0

Starts moto's server, seeds N users (about 70% with a console password, 0-2
keys each, some inactive), and puts a loopback proxy in front of it that adds
a fixed latency to every request (modelling the round trip to IAM) and counts
requests. Prints a Markdown table; BENCHMARKS.md holds a recorded run.
Needs: moto[server], boto3, awscli (pip), tmux, and `cargo build --release`.
"""

import argparse
import asyncio
import concurrent.futures
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import boto3
from botocore.config import Config

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "target" / "release" / "iamkeys"
CREDS = {"AWS_ACCESS_KEY_ID": "AKIDBENCH", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_moto() -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen(
        # The suite's moto: moto's server with what IAM documents and moto
        # lacks (service-specific credentials, the report's GeneratedTime...).
        [sys.executable, str(ROOT / "tests" / "data" / "moto_server.py"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    raise SystemExit("moto did not start")


class LatencyProxy:
    """Adds `latency` seconds to every HTTP request and counts them."""

    def __init__(self, upstream: int, latency: float):
        self.upstream, self.latency, self.count = upstream, latency, 0
        self.actions: dict[str, int] = {}
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self._run, daemon=True).start()
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                return
            except OSError:
                time.sleep(0.02)

    def _run(self):
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(asyncio.start_server(self._client, "127.0.0.1", self.port))
        self.loop.run_forever()

    async def _client(self, reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1)) if re.search(rb"(?i)content-length:", head) else 0
                body = await reader.readexactly(length)
                self.count += 1
                action = re.search(rb"(?:^|&)Action=([A-Za-z]+)", body)
                name = action.group(1).decode() if action else head.split(b"\r\n", 1)[0].decode(errors="replace")[:60]
                self.actions[name] = self.actions.get(name, 0) + 1
                await asyncio.sleep(self.latency)
                if re.search(rb"(?i)x-amz-target:\s*\S*\.LookupEvents", head):
                    # moto has no CloudTrail history: answer as CloudTrail
                    # does for an account with no matching events.
                    self.actions["LookupEvents"] = self.actions.get("LookupEvents", 0) + 1
                    self.actions[name] -= 1
                    reply = b'{"Events": []}'
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: "
                                 + str(len(reply)).encode() + b"\r\n\r\n" + reply)
                    await writer.drain()
                    continue
                head = re.sub(rb"(?i)connection:[^\r]*\r\n", b"", head)
                head = head[:-2] + b"Connection: close\r\n\r\n"
                up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream)
                up_writer.write(head + body)
                await up_writer.drain()
                reply = await up_reader.read()
                up_writer.close()
                end = reply.index(b"\r\n\r\n")
                reply_head = re.sub(rb"(?i)connection:[^\r]*\r\n", b"", reply[: end + 2])
                writer.write(reply_head + b"\r\n" + reply[end + 4:])
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def reset(self) -> None:
        self.count, self.actions = 0, {}

    def mix(self) -> str:
        """The requests by action, most first."""
        return ", ".join(f"{n} {a}" for a, n in sorted(self.actions.items(), key=lambda kv: -kv[1]) if n)


def client(endpoint: str, pool: int = 10):
    return boto3.client(
        "iam", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="AKIDBENCH", aws_secret_access_key="bench",
        config=Config(max_pool_connections=pool, retries={"max_attempts": 3}),
    )


def seed(endpoint: str, n: int) -> int:
    rng = random.Random(42)
    iam = client(endpoint, pool=16)

    def one(i: int) -> int:
        name = f"user-{i:05d}"
        iam.create_user(UserName=name)
        if rng.random() < 0.7:
            iam.create_login_profile(UserName=name, Password="Correct-Horse-1!")
        keys = rng.choice([0, 1, 1, 2])
        for k in range(keys):
            key = iam.create_access_key(UserName=name)["AccessKey"]["AccessKeyId"]
            if rng.random() < 0.2:
                iam.update_access_key(UserName=name, AccessKeyId=key, Status="Inactive")
        return keys

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        return sum(pool.map(one, range(n)))


def boto3_listing(endpoint: str) -> tuple[float, int]:
    """The boto3 script people write: list users, then keys per user, 8 threads."""
    start = time.perf_counter()
    iam = client(endpoint, pool=8)
    users = [u["UserName"] for page in iam.get_paginator("list_users").paginate(PaginationConfig={"PageSize": 1000}) for u in page["Users"]]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        keys = sum(pool.map(lambda u: len(iam.list_access_keys(UserName=u)["AccessKeyMetadata"]), users))
    return time.perf_counter() - start, keys


def ceiling(endpoint: str, users: list[str], threads: int = 64) -> float:
    """The server's request ceiling through this proxy: `ListAccessKeys`
    (the cheapest per-user read) from `threads` threads, requests a second."""
    iam = client(endpoint, pool=threads)
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        n = sum(1 for _ in pool.map(lambda u: iam.list_access_keys(UserName=u), users))
    return n / (time.perf_counter() - start)


def cli_loop(endpoint: str, users: int, sample: int) -> tuple[float, int, bool]:
    """The shell loop: aws iam list-users, then list-access-keys per user."""
    env = {**os.environ, **CREDS}
    start = time.perf_counter()
    out = subprocess.run(["aws", "iam", "list-users", "--endpoint-url", endpoint, "--output", "json"], env=env, capture_output=True, check=True)
    names = [u["UserName"] for u in json.loads(out.stdout)["Users"]]
    measured = names[: min(sample, len(names))]
    for name in measured:
        subprocess.run(["aws", "iam", "list-access-keys", "--user-name", name, "--endpoint-url", endpoint], env=env, capture_output=True, check=True)
    elapsed = time.perf_counter() - start
    scaled = len(measured) < users
    return (elapsed * users / len(measured) if scaled else elapsed), len(measured) + 1, scaled


def timed_report(endpoint: str, env: dict, args: list[str]) -> tuple[float, int, dict]:
    """`iamkeys report <args> --format json` under /usr/bin/time: wall seconds, peak RSS (KiB), the JSON."""
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v", str(BIN), "report", *args, "--format", "json",
                           "--fail-on", "none", "--endpoint-url", endpoint],
                          env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"iamkeys report failed ({proc.returncode}): {proc.stderr[-2000:]}")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    return elapsed, rss, json.loads(proc.stdout)


def report_run(endpoint: str, home: str) -> tuple[float, int, dict]:
    env = {**os.environ, **CREDS, "HOME": home, "AWS_EC2_METADATA_DISABLED": "true", "XDG_CONFIG_HOME": str(Path(home) / ".config")}
    env.pop("AWS_PROFILE", None)
    return timed_report(endpoint, env, [])


def tui_run(endpoint: str, home: str, timeout: float = 120) -> dict:
    timings = Path(home) / "timings.jsonl"
    timings.unlink(missing_ok=True)
    socket_name = f"iamkeys-bench-{os.getpid()}"
    env_args = []
    for k, v in {**CREDS, "HOME": home, "AWS_EC2_METADATA_DISABLED": "true", "IAMKEYS_TIMINGS": str(timings), "TERM": "xterm-256color"}.items():
        env_args += ["-e", f"{k}={v}"]
    env_args += ["-e", "XDG_CONFIG_HOME=" + str(Path(home) / ".config")]
    subprocess.run(["tmux", "-L", socket_name, "-f", "/dev/null", "new-session", "-d", "-s", "b", "-x", "200", "-y", "50", *env_args,
                    "--", str(BIN), "--endpoint-url", endpoint], check=True)
    try:
        deadline = time.time() + timeout
        while time.time() < deadline:
            # Press a key now and then: the answer time is recorded.
            subprocess.run(["tmux", "-L", socket_name, "send-keys", "-t", "b", "j"], check=False)
            text = timings.read_text() if timings.exists() else ""
            if "keys_complete" in text:
                break
            time.sleep(0.05)
        events, keys = {}, []
        for line in timings.read_text().splitlines():
            event = json.loads(line)
            if event["event"] == "key":
                keys.append((event["ms"], event["handled_ms"], event["render_ms"], event["preempted_ms"]))
            else:
                events[event["event"]] = event["ms"]
        if keys:
            def percentile(values, q: int) -> float:
                ordered = sorted(values)
                return ordered[min(len(ordered) - 1, len(ordered) * q // 100)]
            waits = [k[0] for k in keys]
            slowest = max(keys)
            events["keys_pressed"] = len(keys)
            events["key_p50"] = percentile(waits, 50)
            events["key_p99"] = percentile(waits, 99)
            events["keys_over_16ms"] = sum(1 for ms in waits if ms > 16)
            events["slowest_key_handled"] = slowest[1]
            events["slowest_key_rendered"] = slowest[2]
            events["slowest_key_preempted"] = slowest[3]
            # A key's frame less the time its thread waited for a CPU (the
            # 2-core machine also runs moto, the proxy and tmux).
            own = [k[0] - max(k[3], 0) for k in keys]
            events["key_p99_own"] = percentile(own, 99)
            events["slowest_key_own"] = max(own)
            events["render_p99"] = percentile((k[2] for k in keys), 99)
        return events
    finally:
        subprocess.run(["tmux", "-L", socket_name, "kill-server"], check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--cli-sample", type=int, default=100, help="users the AWS CLI loop is timed on (scaled to N)")
    parser.add_argument("--concurrency", type=int, default=None, help="iamkeys' most background calls at once (config `concurrency`; default 64)")
    parser.add_argument("--skip-cli", action="store_true", help="do not time the AWS CLI loop")
    parser.add_argument("--skip-tui", action="store_true", help="do not time the TUI")
    parser.add_argument("--fresh-only", action="store_true", help="time only the fresh-report path (and boto3)")
    parser.add_argument("--tui-only", action="store_true", help="time only the TUI (first frame, key→frame, every key ID)")
    args = parser.parse_args()
    if not BIN.exists():
        subprocess.run(["cargo", "build", "--release"], cwd=ROOT, check=True)
    rows = []
    for n in args.users:
        moto, port = start_moto()
        try:
            t = time.perf_counter()
            keys = seed(f"http://127.0.0.1:{port}", n)
            print(f"seeded {n} users, {keys} keys in {time.perf_counter() - t:.1f}s", file=sys.stderr)
            proxy = LatencyProxy(port, args.latency_ms / 1000)
            home = tempfile.mkdtemp()
            if args.concurrency:
                config = Path(home) / ".config" / "iamkeys"
                config.mkdir(parents=True)
                (config / "config.toml").write_text(f"concurrency = {args.concurrency}\n")
            if args.tui_only:
                proxy.reset()
                tui = tui_run(proxy.endpoint, home)
                print(f"N = {n}: TUI {tui}, {proxy.count} requests")
                continue
            names = [f"user-{i:05d}" for i in range(n)]
            top = ceiling(proxy.endpoint, (names * 2)[:1200])
            print(f"server ceiling through the proxy: {top:.0f} requests/s (1,200 ListAccessKeys, 64 threads)", file=sys.stderr)
            # First run: IAM (moto) starts a credential report for it, so the
            # report is current and only users with key findings get their
            # keys listed. Second run: IAM hands back the report it has (as
            # it does for up to 4 hours), so every user's keys are listed.
            proxy.reset()
            report_s, rss_kb, report = report_run(proxy.endpoint, home)
            report_requests, report_mix = proxy.count, proxy.mix()
            print(f"fresh: {report_s:.2f} s, {report_requests} requests ({report_mix})", file=sys.stderr)
            assert len(report["users"]) == n, len(report["users"])
            assert "generated for this run" in report["notes"][0], report["notes"]
            cached_s, cached_rss_kb, cached_requests, cached_mix = float("nan"), 0, 0, ""
            if not args.fresh_only:
                proxy.reset()
                cached_s, cached_rss_kb, cached = report_run(proxy.endpoint, home)
                cached_requests, cached_mix = proxy.count, proxy.mix()
                print(f"cached: {cached_s:.2f} s, {cached_requests} requests ({cached_mix})", file=sys.stderr)
                assert "already had" in cached["notes"][0], cached["notes"]
                assert cached["findings"] == report["findings"], "both paths find the same"
            tui, tui_requests = {}, 0
            if not (args.skip_tui or args.fresh_only):
                proxy.reset()
                tui = tui_run(proxy.endpoint, home)
                tui_requests = proxy.count
            proxy.reset()
            boto_s, boto_keys = boto3_listing(proxy.endpoint)
            boto_requests = proxy.count
            assert boto_keys == keys, (boto_keys, keys)
            proxy.reset()
            cli_s, cli_measured, scaled = (float("nan"), 0, False) if args.skip_cli else cli_loop(proxy.endpoint, n, args.cli_sample)
            rows.append({
                "users": n, "keys": keys, "report_s": report_s, "rss_mb": rss_kb / 1024,
                "report_requests": report_requests, "tui": tui, "tui_requests": tui_requests,
                "cached_s": cached_s, "cached_rss_mb": cached_rss_kb / 1024, "cached_requests": cached_requests,
                "boto_s": boto_s, "boto_requests": boto_requests, "cli_s": cli_s, "cli_scaled": scaled,
                "cli_requests": n + 1, "ceiling": top, "report_mix": report_mix, "cached_mix": cached_mix,
                "findings": len(report["findings"]),
            })
        finally:
            moto.terminate()
    print(f"\nLatency per request: {args.latency_ms:g} ms. Times in seconds unless noted.\n")
    print("| N users (keys) | report, fresh credential report (requests, peak RSS) | report, cached credential report (requests, peak RSS) | boto3 8 threads, keys only (requests) | fresh vs boto3 | cached vs boto3 | server ceiling (req/s) | fresh req/s (% of ceiling) | cached req/s (% of ceiling) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        fresh_rate = r["report_requests"] / r["report_s"]
        cached_rate = r["cached_requests"] / r["cached_s"] if r["cached_requests"] else float("nan")
        print(f"| {r['users']} ({r['keys']}) | {r['report_s']:.3f} ({r['report_requests']}, {r['rss_mb']:.1f} MB) | {r['cached_s']:.3f} ({r['cached_requests']}, {r['cached_rss_mb']:.1f} MB) | {r['boto_s']:.2f} ({r['boto_requests']}) | {r['boto_s'] / r['report_s']:.1f}× | {r['boto_s'] / r['cached_s']:.2f}× | {r['ceiling']:.0f} | {fresh_rate:.0f} ({100 * fresh_rate / r['ceiling']:.0f}%) | {cached_rate:.0f} ({100 * cached_rate / r['ceiling']:.0f}%) |")
    print()
    for r in rows:
        print(f"N = {r['users']}: {r['findings']} findings; fresh: {r['report_mix']}; cached: {r['cached_mix']}")
    if any(r["tui"] for r in rows):
        print()
        print("| N users (keys) | TUI first frame | TUI all users listed | TUI full audit shown | TUI every key ID known | slowest key→frame while loading (less the wait for a CPU) | TUI requests | boto3 8 threads (keys) | AWS CLI loop | report vs CLI | all keys vs boto3 |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            tui = r["tui"]
            ms = lambda k: f"{tui[k]:.0f} ms" if k in tui else "n/a"
            keys_s = tui.get("keys_complete", float("nan")) / 1000
            cli = f"{r['cli_s']:.1f}" + (" (scaled from 100 users)" if r["cli_scaled"] else "")
            print(f"| {r['users']} ({r['keys']}) | {ms('first_frame')} | {ms('users_listed')} | {ms('audit_complete')} | {ms('keys_complete')} | {ms('slowest_key_to_frame')} ({ms('slowest_key_own')}) | {r['tui_requests']} | {r['boto_s']:.2f} | {cli} | {r['cli_s'] / r['report_s']:.0f}× | {r['boto_s'] / keys_s:.2f}× |")


if __name__ == "__main__":
    main()
