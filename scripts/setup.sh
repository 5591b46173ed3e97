#!/usr/bin/env bash
# Install the Debian packages Copra's build and tests need (list: deps/debian-packages.txt).
# Idempotent and fast when everything is present: it only calls apt-get for what is missing.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
list="$top/deps/debian-packages.txt"

mapfile -t pkgs < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$list" | grep -v '^$')
missing=()
for p in "${pkgs[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
