#!/usr/bin/env bash
# Installs a software Vulkan driver (Mesa's lavapipe >= 23) on a Debian bookworm machine with no
# GPU, so that Dawn (the `webgpu` npm package) finds an adapter. Bookworm's own Mesa (22.3) is too
# old for Dawn ("shaderUniform*ArrayDynamicIndexing required"), so Mesa comes from
# bookworm-backports. The backports stanza is derived from the system's own apt sources (same
# URIs and keyring, only the suite changes), so no mirror is written into this repository.
# Idempotent: does nothing when lavapipe >= 23 is already installed.
set -euo pipefail

have_mesa_version() {
  dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true
}
major=$(have_mesa_version | sed -E 's/^([0-9]+).*/\1/')
if [ -n "$major" ] && [ "$major" -ge 23 ] && dpkg-query -W libvulkan1 >/dev/null 2>&1; then
  echo "software Vulkan: mesa-vulkan-drivers $(have_mesa_version) already installed"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
src=/etc/apt/sources.list.d/debian.sources
dst=/etc/apt/sources.list.d/pathwise-backports.sources
if [ ! -f "$dst" ]; then
  if [ -f "$src" ]; then
    # Take the stanza that carries the main 'bookworm' suite and rewrite only its Suites line.
    awk -v RS= -v ORS='\n\n' '/Suites:[^\n]*[[:space:]]bookworm([[:space:]]|$)/ { sub(/Suites:[^\n]*/, "Suites: bookworm-backports"); print; exit }' "$src" \
      | $sudo tee "$dst" >/dev/null
  elif [ -f /etc/apt/sources.list ]; then
    grep -E '^deb [^#]* bookworm( |$)' /etc/apt/sources.list | head -n 1 \
      | sed -E 's/ bookworm( |$).*/ bookworm-backports main/' | $sudo tee /etc/apt/sources.list.d/pathwise-backports.list >/dev/null
  fi
  if [ ! -s "$dst" ] && [ ! -s /etc/apt/sources.list.d/pathwise-backports.list ]; then
    echo "could not derive a bookworm-backports source from the system's apt sources;" >&2
    echo "install mesa-vulkan-drivers >= 23 and libvulkan1 by hand" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null
echo "software Vulkan: mesa-vulkan-drivers $(have_mesa_version) installed"
