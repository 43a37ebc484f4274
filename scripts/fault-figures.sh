#!/usr/bin/env bash
# The figures of the fault tests: runs each fault test RUNS times (default 10)
# and prints every run's line (requests sent, faults injected, result equal).
# Not part of the test command; run scripts/test.sh once first (moto, tmux).
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
export IAMKEYS_FAULT_RUNS="$runs"
# Each faulty load kind RUNS times inside one test.
cargo nextest run --no-capture -E 'test(=faults_load::loads_under_throttling_5xx_resets_end_in_the_fault_free_audit)' 2>&1 | grep -E ' on 1 in |PASS|FAIL'
# The other fault tests, RUNS times each.
passed=0
for run in $(seq "$runs"); do
    if cargo nextest run --no-capture -E 'test(/^faults_load::/) - test(=faults_load::loads_under_throttling_5xx_resets_end_in_the_fault_free_audit) | test(/^faults_moto::/)' >"/tmp/fault-run-$run.log" 2>&1; then
        passed=$((passed + 1))
    fi
    grep -E 'report --key-ids|on every ListUsers|PASS|FAIL' "/tmp/fault-run-$run.log" | sed "s/^/run $run: /"
done
echo "fault test runs passed: $passed of $runs"
