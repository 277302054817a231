#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium, for the browser test of the approval page
# (test/browser/, driven by playwright-core). Playwright's own browser download is not used: it
# needs network access to Playwright's CDN, while apt works from the distribution's mirrors.
# Idempotent: does nothing when Chromium is already there. CI runs it before `npm test`.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "ensure-chromium: $(/usr/bin/chromium --version 2>/dev/null || echo chromium) is installed"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: /usr/bin/chromium is missing and this is not a Debian/Ubuntu system (no apt-get)." >&2
  echo "ensure-chromium: install Chromium so that /usr/bin/chromium exists, then run the tests again." >&2
  exit 1
fi
sudo=''
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "ensure-chromium: installing Chromium needs root: run 'apt-get update && apt-get install -y chromium' as root." >&2
    exit 1
  fi
  sudo='sudo'
fi
echo "ensure-chromium: installing Debian's chromium with apt-get…"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
echo "ensure-chromium: $(/usr/bin/chromium --version 2>/dev/null || echo chromium) installed"
