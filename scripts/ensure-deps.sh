#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks for iso-cycle: npm dependencies, Chromium (documents,
# browser tests), poppler-utils (PDF and signature checks in tests), libnss3-tools and openssl (signature tests) and fonts. Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1 || need_apt+=(chromium)
if [ "${ISO_CYCLE_WITH_TEST_TOOLS:-0}" = 1 ]; then
  command -v pdftotext >/dev/null 2>&1 && command -v pdfsig >/dev/null 2>&1 || need_apt+=(poppler-utils)
  # Signature tests: certutil makes the NSS database in which pdfsig trusts the test CA; openssl cms checks the CMS.
  command -v certutil >/dev/null 2>&1 || need_apt+=(libnss3-tools)
  command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "==> installing Debian packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# npm dependencies: install when node_modules is missing or older than the lock file.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> installing npm dependencies"
  npm ci --no-audit --no-fund
fi
