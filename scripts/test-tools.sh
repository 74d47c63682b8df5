#!/usr/bin/env bash
# Install the Debian packages the tests use besides the services, when they are missing:
# poppler-utils (pdftoppm renders the report PDFs' pages, tests/reports) and fonts-wqy-zenhei
# (the TrueType CJK font the PDFs embed; riskshare/reports/pdf.py). Safe to run again.
# Without root or apt-get it only says what is missing (those tests then skip or use the
# built-in STSong-Light).
set -euo pipefail

say() { printf 'test-tools: %s\n' "$*"; }

missing=()
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
[ -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || missing+=(fonts-wqy-zenhei)
if ((${#missing[@]} == 0)); then
    exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    say "missing ${missing[*]} (install them with apt-get as root)"
    exit 0
fi
say "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=300 update -qq
apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
