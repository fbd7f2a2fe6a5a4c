#!/usr/bin/env bash
# Installs and configures Podman (with the runc runtime) on a Debian or Ubuntu machine
# that has no Docker engine, so scripts/image.sh can build and run the image.
# Needs root. Does nothing that is already done; run it again at no cost.
#
#   sudo scripts/podman-setup.sh
#
# runc rather than crun, and no default ulimits: crun fails on machines whose cgroups or
# rlimits it cannot set, and runc works once podman stops asking for default ulimits.
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then
  echo "podman-setup: needs root (sudo $0)" >&2
  exit 1
fi

packages=(podman buildah runc debootstrap)
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done
if ((${#missing[@]})); then
  echo "podman-setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  log=$(mktemp)
  trap 'rm -f "$log"' EXIT
  if ! { apt-get update -qq && apt-get install -y -qq "${missing[@]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    exit 1
  fi
fi

conf=/etc/containers/containers.conf
wanted=$'[containers]\ndefault_ulimits = []\n\n[engine]\nruntime = "runc"\n'
if [[ ! -f $conf ]]; then
  mkdir -p "$(dirname "$conf")"
  printf '%s' "$wanted" >"$conf"
  echo "podman-setup: wrote $conf" >&2
elif ! grep -qE '^[[:space:]]*runtime[[:space:]]*=[[:space:]]*"runc"' "$conf" \
  || ! grep -qE '^[[:space:]]*default_ulimits[[:space:]]*=[[:space:]]*\[\]' "$conf"; then
  echo "podman-setup: $conf exists but does not set runtime = \"runc\" and default_ulimits = []; set them:" >&2
  printf '%s' "$wanted" >&2
  exit 1
fi

podman info --format '{{.Host.OCIRuntime.Name}}' >/dev/null
