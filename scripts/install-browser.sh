#!/usr/bin/env bash
# 브라우저 테스트(tests/browser)에 필요한 것: Debian의 chromium과 한글 글꼴 fonts-noto-cjk.
# Installs them with apt when missing (root, or sudo); does nothing when both are there.
# Playwright's own browser download is not used: the tests drive this system Chromium.
set -euo pipefail
have_browser() {
  [ -n "${CHROMIUM:-}" ] && [ -x "${CHROMIUM}" ] && return 0
  command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
    || command -v google-chrome >/dev/null 2>&1
}
have_korean_font() {
  command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=ko family 2>/dev/null | head -1)" ]
}
if have_browser && have_korean_font; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-browser.sh: need root (or sudo) to apt-get install chromium fonts-noto-cjk" >&2
    exit 1
  fi
fi
packages="fonts-noto-cjk fontconfig"
have_browser || packages="chromium $packages"
echo "install-browser.sh: apt-get install $packages"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $packages >/dev/null
have_browser || { echo "install-browser.sh: no chromium after install" >&2; exit 1; }
have_korean_font || { echo "install-browser.sh: no Korean font after install" >&2; exit 1; }
