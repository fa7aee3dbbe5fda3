#!/usr/bin/env bash
# Install the load generator the benchmarks use (hey), when it is missing. Not needed by the tests.
set -euo pipefail

if ! command -v hey >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing: hey (apt-get install hey, or run as root)" >&2
    exit 1
  fi
  echo "Installing hey"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hey >/dev/null
fi
