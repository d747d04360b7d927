#!/usr/bin/env bash
# Installs the system packages Shirabe uses (Debian 12, as root): Chromium for PDF and browser tests, Japanese fonts
# for charts and PDF, poppler-utils to read PDFs back, PostgreSQL for production and its tests, aiosmtpd as a real
# SMTP server in tests, wrk for scripts/bench-web.sh, npm for axe-core. Idempotent: does nothing when everything is present.
set -euo pipefail
need=()
command -v chromium >/dev/null || need+=(chromium)
fc-list 2>/dev/null | grep -q "Noto Sans CJK" || need+=(fonts-noto-cjk)
fc-list 2>/dev/null | grep -q "IPAexGothic" || need+=(fonts-ipaexfont-gothic)
command -v pdftotext >/dev/null || need+=(poppler-utils)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
/usr/bin/python3 -c "import aiosmtpd" 2>/dev/null || need+=(python3-aiosmtpd)
command -v wrk >/dev/null || need+=(wrk)
command -v npm >/dev/null || need+=(npm) # axe-core for the browser tests' accessibility scan
if ((${#need[@]})); then
  echo "install: apt-get install ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
