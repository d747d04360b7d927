#!/usr/bin/env bash
# Installs the Debian packages Shirabe uses (Debian 12, as root). Idempotent and quiet when all is present.
#
#   scripts/install.sh run     what running Shirabe needs (./shirabe demo): Chromium for the PDFs, Japanese fonts
#                              for charts and PDF
#   scripts/install.sh [test]  (the default) that and what the test suite needs (scripts/test.sh): poppler-utils to
#                              read PDFs back, PostgreSQL for its tests, wrk for benchmarks, npm for the axe-core
#                              accessibility scan, python3-aiosmtpd for the mail tests' SMTP server, dovecot-imapd for
#                              their IMAP mailbox of bounces (run by scripts/dovecot.sh, never as a system service)
set -euo pipefail
profile="${1:-test}"
run=(chromium fonts-noto-cjk fonts-ipaexfont-gothic)
case "$profile" in
  run) packages=("${run[@]}") ;;
  test) packages=("${run[@]}" poppler-utils postgresql wrk python3-aiosmtpd dovecot-imapd) ;;
  *) echo "install: 使い方: scripts/install.sh [run|test]（run: 実行に必要なもの、test: テストに必要なものも。既定は test）" >&2; exit 2 ;;
esac
need=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
# npm may come with Node.js from outside Debian: ask for the Debian package only when there is none.
if [[ "$profile" == test ]]; then command -v npm >/dev/null || need+=(npm); fi
if ((${#need[@]})); then
  # apt needs root: say what is missing and how to get it instead of failing inside apt-get.
  if ((EUID != 0)); then
    echo "install: 次のパッケージがありません: ${need[*]}" >&2
    echo "install: root で scripts/install.sh $profile を実行してください（例: sudo scripts/install.sh $profile）。" >&2
    exit 1
  fi
  echo "install: apt-get install ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
