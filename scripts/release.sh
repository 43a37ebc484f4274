#!/usr/bin/env bash
# Build and package one release binary, exactly as the release workflow
# does (.github/workflows/release.yml); run it here to check the host target.
#
#   bash scripts/release.sh                     # the host target
#   bash scripts/release.sh aarch64-unknown-linux-musl
#
# Writes dist/iamkeys-<version>-<target>.tar.gz and its .sha256.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:-$(rustc -vV | sed -n 's/^host: //p')}"
version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
name="iamkeys-${version}-${target}"
root="dist/${name}"
rm -rf "$root"
# The same command a user runs from the repository (`cargo install
# --locked`), for the named target: the lock file is honoured.
cargo install --locked --path . --root "$root" --target "$target" --target-dir target/install --no-track
cp README.md LICENSE* "$root/" 2>/dev/null || cp README.md "$root/"
tar -C dist -czf "dist/${name}.tar.gz" "$name"
# sha256sum on Linux; macOS has shasum (same output format).
if command -v sha256sum > /dev/null; then sum=(sha256sum); else sum=(shasum -a 256); fi
(cd dist && "${sum[@]}" "${name}.tar.gz" > "${name}.tar.gz.sha256" && "${sum[@]}" -c "${name}.tar.gz.sha256")
echo "dist/${name}.tar.gz"
cat "dist/${name}.tar.gz.sha256"
