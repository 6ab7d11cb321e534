#!/usr/bin/env bash
# The domain (services/domain) is pure: no clock, no randomness, no ids minted inside it.
# 1. Its dependency graph, resolved on its own, does not enable chrono's `clock` (nor `now`):
#    neither the domain's Cargo.toml nor anything it depends on asks for `Utc::now()`.
# 2. services/domain/clippy.toml really rejects what it lists: a probe crate calling each entry
#    that is only reachable with extra features (so marked `allow-invalid`, where a typo would go
#    silent) is linted with that file, and every call must be reported.
# Usage: .ci/domain-purity.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

features=$(cargo tree --locked -p suivi-domain -e features,normal -i chrono --prefix none)
if grep -E '^chrono feature "(clock|now)"' <<<"$features"; then
  echo "domain-purity: suivi-domain's dependency graph enables chrono's clock (above); only crates that read the time may" >&2
  exit 1
fi

probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
mkdir "$probe/src"
cp Cargo.lock "$probe/"
cat >"$probe/Cargo.toml" <<'TOML'
[package]
name = "domain-purity-probe"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
chrono = { version = "0.4", default-features = false, features = ["clock", "std"] }
rand = "0.9"
uuid = { version = "1", features = ["v4", "v7"] }

[workspace]
TOML
cat >"$probe/src/lib.rs" <<'RUST'
#![allow(deprecated, unused_imports)]
pub fn utc() { let _ = chrono::Utc::now(); }
pub fn local() { let _ = chrono::Local::now(); }
pub fn local_type(_: chrono::DateTime<chrono::Local>) {}
pub fn system_time() { let _ = std::time::SystemTime::now(); }
pub fn instant() { let _ = std::time::Instant::now(); }
pub fn v7() { let _ = uuid::Uuid::now_v7(); }
pub fn v4() { let _ = uuid::Uuid::new_v4(); }
pub fn thread_rng() { let _ = rand::thread_rng(); }
pub fn rng() { let _ = rand::rng(); }
pub fn random() { let _: u8 = rand::random(); }
pub fn random_range() { let _ = rand::random_range(0..10); }
pub fn thread_rng_type(_: rand::rngs::ThreadRng) {}
pub fn os_rng_type(_: rand::rngs::OsRng) {}
RUST
# Lint the probe with the domain's clippy.toml (the domain itself finds it in its package directory).
out=$(cd "$probe" && CLIPPY_CONF_DIR="$root/services/domain" \
  CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}" \
  cargo clippy --quiet --offline -- -W clippy::disallowed_methods -W clippy::disallowed_types 2>&1 || true)
missing=0
for item in chrono::Utc::now chrono::Local::now chrono::Local std::time::SystemTime::now \
  std::time::Instant::now uuid::Uuid::now_v7 uuid::Uuid::new_v4 rand::thread_rng rand::rng \
  rand::random rand::random_range rand::rngs::ThreadRng rand::rngs::OsRng; do
  if ! grep -qF "disallowed" <<<"$(grep -F "\`$item\`" <<<"$out")"; then
    echo "domain-purity: services/domain/clippy.toml does not reject \`$item\`" >&2
    missing=1
  fi
done
if [ "$missing" -ne 0 ]; then
  echo "$out" >&2
  exit 1
fi
echo "domain-purity: ok"
