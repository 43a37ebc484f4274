#!/usr/bin/env bash
# Dependency policy (deny.toml): licenses, banned crates, sources.
#   bash scripts/deny.sh
# Installs cargo-deny if missing (takes a few minutes). The advisories check
# needs the RustSec database from GitHub, which machines with only the
# package registries cannot fetch: it is run only when asked
# (DENY_ADVISORIES=1), and says so otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! cargo deny --version >/dev/null 2>&1; then
    echo "==> installing cargo-deny"
    cargo install cargo-deny --locked --quiet
fi
echo "==> cargo deny check bans licenses sources"
cargo deny check bans licenses sources
if [[ "${DENY_ADVISORIES:-0}" == 1 ]]; then
    cargo deny check advisories
else
    echo "(advisories not checked: they need the RustSec database from GitHub; DENY_ADVISORIES=1 runs them where it can be fetched)"
fi
