#!/usr/bin/env bash
# Makes sure Chromium and its WebDriver (Debian's `chromium` and `chromium-driver`) are installed:
# the browser tests (tests/browser) drive them and fail, saying so, when they are missing.
# Idempotent: does nothing when both are there. Needs root (or sudo) only to install.
set -euo pipefail

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
install() { as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi
echo "ensure-browser: installing chromium and chromium-driver from Debian's packages"
# The package lists may be missing or stale on a fresh machine: update them once, then retry.
if ! install; then
  as_root apt-get update -qq
  install
fi
echo "ensure-browser: $(/usr/bin/chromedriver --version)"
