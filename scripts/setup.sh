#!/usr/bin/env bash
# Makes a fresh checkout ready to run: npm packages, then a WebGPU adapter. On a machine without
# a GPU (or without a Vulkan driver), installs Mesa's software Vulkan (lavapipe) on Debian
# bookworm, or says exactly what to install elsewhere. Cheap when everything is already there.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}

if [ ! -d node_modules/webgpu ] || [ ! -d node_modules/vitest ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages"
  # onnxruntime-node (tests of the ONNX export) keeps the CPU binaries it ships: its install script
  # would fetch CUDA ones from outside the npm registry.
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error
fi

# The browser demo's end-to-end test (`setup.sh --browser`, from `npm test`) drives Debian's
# Chromium, never a downloaded browser.
if [ "${1:-}" = "--browser" ] && [ ! -x /usr/bin/chromium ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null; then
  echo "setup: installing Debian's chromium for the browser test"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi

# The sweep queue's tests (`setup.sh --browser`, from `npm test`) start a real Redis: Debian's
# redis-server, run by the tests themselves on a free loopback port.
if [ "${1:-}" = "--browser" ] && ! command -v redis-server >/dev/null && [ -f /etc/debian_version ] && command -v apt-get >/dev/null; then
  echo "setup: installing Debian's redis-server for the sweep queue's tests"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server >/dev/null
fi

if node scripts/probe-adapter.mjs >/dev/null 2>&1; then
  exit 0
fi
echo "setup: no WebGPU adapter found; installing a software Vulkan driver"
if [ -f /etc/debian_version ] && grep -q '^12' /etc/debian_version && command -v apt-get >/dev/null; then
  bash scripts/install-software-vulkan.sh
else
  cat >&2 <<'MSG'
setup: no WebGPU adapter. Install a Vulkan driver and loader:
  - with a GPU: its vendor's Vulkan driver and libvulkan1;
  - without one: Mesa's lavapipe >= 23 (Debian/Ubuntu package mesa-vulkan-drivers) and libvulkan1.
MSG
  exit 1
fi
if ! node scripts/probe-adapter.mjs; then
  echo "setup: still no WebGPU adapter after installing lavapipe; see the messages above" >&2
  exit 1
fi
