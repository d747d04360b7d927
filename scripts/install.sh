#!/usr/bin/env bash
# Installs the Debian packages Shirabe uses (Debian 12, as root): Chromium for PDF and browser tests, Japanese fonts
# for charts and PDF, poppler-utils to read PDFs back, PostgreSQL for production and its tests, wrk for benchmarks,
# npm for the axe-core accessibility scan, python3-aiosmtpd for the mail tests' SMTP server, dovecot-imapd for their
# IMAP mailbox of bounces (run by scripts/dovecot.sh, never as a system service). Idempotent and quiet when all is present.
set -euo pipefail
packages=(chromium fonts-noto-cjk fonts-ipaexfont-gothic poppler-utils postgresql wrk python3-aiosmtpd dovecot-imapd)
need=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
# npm may come with Node.js from outside Debian: ask for the Debian package only when there is none.
command -v npm >/dev/null || need+=(npm)
if ((${#need[@]})); then
  # apt needs root: say what is missing and how to get it instead of failing inside apt-get.
  if ((EUID != 0)); then
    echo "install: 次のパッケージがありません: ${need[*]}" >&2
    echo "install: root で scripts/install.sh を実行してください（例: sudo scripts/install.sh）。" >&2
    exit 1
  fi
  echo "install: apt-get install ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
