#!/usr/bin/env bash
# Fuzzing, bounded: each target of tests/fuzz first replays its kept regressions (inputs that
# once crashed it), then runs for FUZZ_SECONDS (default 45) from its seed corpus. A crash fails
# CI; libFuzzer writes the input under tests/fuzz/artifacts/<target>/, to be moved into
# tests/fuzz/regressions/<target>/ with the fix.
# Stable Rust: `--sanitizer none` (no AddressSanitizer, which needs nightly); the targets are
# safe Rust, so what is sought is panics, overflows (debug assertions on), hangs and leaks of time.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked --version 0.13.2
fi

seconds=${FUZZ_SECONDS:-45}
fuzz_dir=tests/fuzz
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for target in stored_events command_bodies decp_file; do
  cargo fuzz build --fuzz-dir "$fuzz_dir" --sanitizer none --debug-assertions "$target"
  regressions="$fuzz_dir/regressions/$target"
  if compgen -G "$regressions/*" >/dev/null; then
    cargo fuzz run --fuzz-dir "$fuzz_dir" --sanitizer none --debug-assertions "$target" "$regressions"/* -- -runs=1
  fi
  # Fuzz from a scratch copy of the seeds: the repository is not written to.
  mkdir -p "$work/$target"
  cp -r "$fuzz_dir/seeds/$target/." "$work/$target/"
  cargo fuzz run --fuzz-dir "$fuzz_dir" --sanitizer none --debug-assertions "$target" "$work/$target" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1
done
