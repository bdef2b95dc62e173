#!/usr/bin/env bash
# Installs what the full test suite needs beyond npm: the real protocol peers from Debian
# (OpenSSH, ipmi_sim + ipmitool, Network UPS Tools, Chromium) and the Go-built Kubernetes
# control plane of the fidelity bed. Idempotent: skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

debs=(openssh-server openssh-client openipmi ipmitool nut-server nut-client chromium tmux iproute2 curl)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install -y ${missing[*]})" >&2
    exit 2
  fi
  echo "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
mkdir -p /run/sshd 2>/dev/null || true

# The fidelity bed's binaries (kubectl, kube-apiserver, kube-controller-manager, etcd),
# built from Go modules; the Go build and module caches live in the user's cache folder so
# later runs on the same machine are warm.
if [[ -x test/fidelity/build.sh ]]; then
  bash test/fidelity/build.sh
fi
