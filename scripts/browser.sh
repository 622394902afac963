#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed: the web app's end-to-end tests drive it with
# playwright-core (nothing is downloaded from outside Debian's and npm's registries).
set -euo pipefail
# `CHROMIUM` names another build to drive (e.g. a CI runner's preinstalled Chrome)
if [ -x "${CHROMIUM:-/usr/bin/chromium}" ]; then exit 0; fi
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
echo "browser: installing chromium"
as_root apt-get update -qq
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
