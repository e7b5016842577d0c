#!/usr/bin/env bash
# Installs what the kiosk needs to build, run and test on Debian or Ubuntu.
# Idempotent: packages already present are skipped; run it as often as you like.
set -euo pipefail

packages=(
  pkg-config gcc make
  # Fyne (OpenGL, X11, Wayland headers)
  libgl1-mesa-dev xorg-dev libxkbcommon-dev libwayland-dev
  # gousb and USB replays
  libusb-1.0-0-dev umockdev
  # real-window smoke test and screenshots
  xvfb x11-apps xdotool imagemagick
  # fonts for the printed receipts and screens
  fonts-noto-core
  # browser tests of the ops console
  chromium
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

go mod download
