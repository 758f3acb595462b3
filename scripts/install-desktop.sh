#!/bin/sh
# Put Counter Desk in the desktop's application menu for the current user (or, as root, for everyone).
# Run after `pip install .` (or `make install`) so that `counter-desk` is on the PATH the menu uses.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" = 0 ]; then
    apps=/usr/share/applications
    icons=/usr/share/icons/hicolor
else
    apps=${XDG_DATA_HOME:-$HOME/.local/share}/applications
    icons=${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor
fi
mkdir -p "$apps" "$icons/scalable/apps" "$icons/256x256/apps"
cp "$here"/packaging/counter-desk*.desktop "$apps/"
cp "$here/resources/icons/counter-desk.svg" "$icons/scalable/apps/counter-desk.svg"
cp "$here/resources/icons/counter-desk.png" "$icons/256x256/apps/counter-desk.png"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$apps" || true
echo "installed: $apps/counter-desk*.desktop"
