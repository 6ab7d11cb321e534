#!/usr/bin/env bash
# Makes sure the programs the tests drive are installed, from Debian's packages: Chromium and its
# WebDriver (`chromium`, `chromium-driver`) for the browser tests (tests/browser), `curl` and
# `jq` for the user guides' examples (tests/guides.rs plays them as their readers would).
# Idempotent: does nothing when all are there. Needs root (or sudo) only to install.
set -euo pipefail

packages=(chromium chromium-driver curl jq)
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
install() { as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null; }

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && command -v curl >/dev/null && command -v jq >/dev/null; then
  exit 0
fi
echo "ensure-test-tools: installing ${packages[*]} from Debian's packages"
# The package lists may be missing or stale on a fresh machine: update them once, then retry.
if ! install; then
  as_root apt-get update -qq
  install
fi
echo "ensure-test-tools: $(/usr/bin/chromedriver --version), $(jq --version)"
