#!/bin/sh
# Install the Debian packages the tests use, if any is missing: as root, or with passwordless
# sudo. Otherwise stop with one line naming them. Usage: scripts/system-deps.sh PACKAGE...
set -u
command -v dpkg-query >/dev/null 2>&1 || exit 0  # not Debian: tests skip for what is missing
missing=""
for package in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $package"
    fi
done
missing="${missing# }"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo="sudo"
else
    echo "missing Debian packages: $missing (install them with: sudo apt-get install $missing)" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "missing Debian packages: $missing (no apt-get on this machine: install their equivalents)" >&2
    exit 1
fi
echo "installing Debian packages: $missing" >&2
$sudo apt-get update -qq >/dev/null &&
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
    { echo "could not install Debian packages: $missing" >&2; exit 1; }
