#!/usr/bin/env bash
# The one test command: installs what the tests need, then runs every check.
#   bash scripts/test.sh
# Needs: the Rust toolchain, Python 3 with pip, tmux (for the end-to-end
# tests in a pseudo-terminal). No AWS account: IAM is moto's server on
# 127.0.0.1, started by the tests themselves, one per test.
set -euo pipefail
cd "$(dirname "$0")/.."

MOTO_VERSION="5.2.1"
# Prowler's OCSF models: an implementation nobody here wrote checks the
# OCSF output (tests/data/validate_ocsf.py).
OCSF_MODELS_VERSION="0.10.0"
PYTHON="${IAMKEYS_TEST_PYTHON:-python3}"

# 1. moto's standalone server, pinned.
if ! "$PYTHON" -c "import moto, moto.server, flask, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
    echo "==> installing moto[server]==$MOTO_VERSION"
    "$PYTHON" -m pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
fi
if ! "$PYTHON" -c "import importlib.metadata as m, sys; sys.exit(m.version('py-ocsf-models') != '$OCSF_MODELS_VERSION')" 2>/dev/null; then
    echo "==> installing py-ocsf-models==$OCSF_MODELS_VERSION"
    "$PYTHON" -m pip install --quiet --disable-pip-version-check "py-ocsf-models==$OCSF_MODELS_VERSION"
fi
export IAMKEYS_TEST_PYTHON="$PYTHON"

# 2. tmux for the end-to-end tests.
if ! command -v tmux >/dev/null 2>&1; then
    echo "==> installing tmux"
    if command -v apt-get >/dev/null 2>&1; then
        (apt-get install -y -qq tmux >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq tmux; })
    else
        echo "tmux is required for the end-to-end tests" >&2
        exit 1
    fi
fi

# 3. Lints and formatting.
echo "==> cargo fmt --check"
cargo fmt --all -- --check
echo "==> cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --quiet -- -D warnings
echo "==> cargo clippy --no-default-features (the lean build) -- -D warnings"
cargo clippy --no-default-features --all-targets --quiet -- -D warnings

echo "==> cargo doc (warnings denied)"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --quiet

# 4. Tests (snapshots are checked, never written: INSTA_UPDATE=no).
export INSTA_UPDATE=no
# Tests must never reach AWS or the instance metadata service.
export AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_ENDPOINT_URL AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
echo "==> tests"
if cargo nextest --version >/dev/null 2>&1; then
    # (The crate has no doctests, which nextest would not run.)
    cargo nextest run --no-fail-fast
else
    cargo test --no-fail-fast
fi

# 5. The lean build (no Security Hub, hand-off or notices): it says what it
# lacks (tests/it/cli_lean.rs; these tests exist only in that build).
echo "==> tests of the lean build (--no-default-features)"
if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --no-fail-fast --no-default-features -E 'test(/^cli_lean::/)'
else
    cargo test --no-fail-fast --no-default-features --test it cli_lean::
fi
