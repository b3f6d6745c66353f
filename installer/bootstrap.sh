#!/usr/bin/env bash
# Creates or updates the project venv and installs what the workstation and its tests need.
# On Debian as root, installs the system libraries Qt needs when they are missing.
set -euo pipefail
VENV="${1:-.venv}"
cd "$(dirname "$0")/.."

DEB_PACKAGES=(
  libglib2.0-0 libgl1 libegl1 libxkbcommon0 libfreetype6 libfontconfig1 libdbus-1-3 fonts-noto-cjk
  xvfb xauth libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0
  zbar-tools poppler-utils
)

if command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for p in "${DEB_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" = "0" ]; then
      echo "Installing Debian packages: ${missing[*]}"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq --no-install-recommends "${missing[@]}"
    else
      echo "WARNING: missing Debian packages (run as root or install them): ${missing[*]}" >&2
    fi
  fi
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q -e ".[test]"
# The example third-party adapter is installed like any plugin a site would add.
"$VENV/bin/python" -m pip install -q -e adapters/examples/onewindow_example_adapter
echo "OneWindow environment ready in $VENV"
