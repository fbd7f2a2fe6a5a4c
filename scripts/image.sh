#!/usr/bin/env bash
# Builds TaskForge's container image (the repository's Dockerfile), with Podman when it is
# installed, else with Docker (CONTAINER_ENGINE chooses). Quiet unless the build fails or
# VERBOSE=1; prints the tag.
#
#   scripts/image.sh                                              # python:3.12-slim base
#   IMAGE_BASE=localhost/debian-python:bookworm scripts/image.sh  # no registry needed
#
# Environment:
#   IMAGE       the tag to build                  (default localhost/taskforge:dev)
#   IMAGE_BASE  the Dockerfile's BASE_IMAGE       (default python:3.12-slim)
#   CONTAINER_ENGINE  podman or docker            (default podman when installed)
#   VERBOSE=1   show the build's output
#
# localhost/debian-python:bookworm is a Debian bookworm base with python3 and its venv
# module (Python 3.11), for machines that cannot reach an image registry: when it is the
# base and is missing, it is bootstrapped from Debian's archive with debootstrap (needs
# root) and imported. With Podman the build runs on the host's network with the host's
# CA bundle mounted, which is what lets pip inside the build reach the package index.
# Podman itself: scripts/podman-setup.sh. Rebuilding without changes reuses every layer.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${IMAGE:-localhost/taskforge:dev}
IMAGE_BASE=${IMAGE_BASE:-python:3.12-slim}
LOCAL_BASE=localhost/debian-python:bookworm
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt

log() { echo "image: $*" >&2; }

if [[ -n ${CONTAINER_ENGINE:-} ]]; then
  engine=$CONTAINER_ENGINE
elif command -v podman >/dev/null 2>&1; then
  engine=podman
elif command -v docker >/dev/null 2>&1; then
  engine=docker
else
  log "neither podman nor docker is installed (scripts/podman-setup.sh installs podman)"
  exit 1
fi

# Runs a command, showing its output only when it fails or VERBOSE=1.
quietly() {
  if [[ ${VERBOSE:-0} == 1 ]]; then
    "$@"
    return
  fi
  local output
  output=$(mktemp)
  if ! "$@" >"$output" 2>&1; then
    cat "$output" >&2
    rm -f "$output"
    return 1
  fi
  rm -f "$output"
}

bootstrap_local_base() {
  if [[ $(id -u) -ne 0 ]]; then
    log "$LOCAL_BASE is missing and bootstrapping it needs root"
    exit 1
  fi
  if ! command -v debootstrap >/dev/null 2>&1; then
    log "$LOCAL_BASE is missing and debootstrap is not installed (scripts/podman-setup.sh installs it)"
    exit 1
  fi
  local root
  root=$(mktemp -d)
  # shellcheck disable=SC2064  # expand now: $root is local to this function
  trap "rm -rf '$root'" EXIT
  log "bootstrapping $LOCAL_BASE (Debian bookworm, python3)"
  quietly debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates bookworm "$root"
  # The downloaded packages and the package lists are a third of the tree, and unused.
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | quietly "$engine" import - "$LOCAL_BASE"
  rm -rf "$root"
  trap - EXIT
}

if [[ $IMAGE_BASE == "$LOCAL_BASE" ]] && ! "$engine" image inspect "$LOCAL_BASE" >/dev/null 2>&1; then
  bootstrap_local_base
fi

build=("$engine" build --build-arg "BASE_IMAGE=$IMAGE_BASE" --tag "$IMAGE" --file Dockerfile)
if [[ $(basename "$engine") == podman ]]; then
  build+=(--network host)
  if [[ -r $CA_BUNDLE ]]; then
    build+=(--volume "$CA_BUNDLE:$CA_BUNDLE:ro")
  fi
fi
quietly "${build[@]}" .
echo "$IMAGE"
