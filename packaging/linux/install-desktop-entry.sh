#!/bin/sh
# Add digitpad to the desktop's application menu (for this user): writes
# ~/.local/share/applications/digitpad.desktop pointing at this folder. Run it again after
# moving the folder; remove that file to take the entry away.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
apps="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
mkdir -p "$apps"
sed "s|@DIR@|$here|g" "$here/digitpad.desktop.in" > "$apps/digitpad.desktop"
chmod 644 "$apps/digitpad.desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$apps" || true
echo "digitpad added to the application menu ($apps/digitpad.desktop)"
