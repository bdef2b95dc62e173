#!/usr/bin/env bash
# Builds the fidelity bed's binaries from Go modules into .cache/fidelity/bin: kubectl first
# (others need it soonest), then kube-apiserver, kube-controller-manager, etcd, and our
# fidelity-kubelet (the exec endpoint, test/fidelity/go/k8s/cmd/fidelity-kubelet).
# Owns .cache/fidelity/ and the Go caches named below; reads the wrapper modules under
# test/fidelity/go/.
#
# Usage: test/fidelity/build.sh [kubectl|kube-apiserver|kube-controller-manager|etcd|fidelity-kubelet ...]
# Idempotent: a binary is rebuilt only when its stamp (pinned version, hash of the
# wrapper's go.mod/go.sum and of our own sources, Go version) differs; a warm run only
# compares stamps.
#
# Go caches: GOCACHE and GOMODCACHE live in the user's cache folder
# (${XDG_CACHE_HOME:-~/.cache}/fallow-fidelity), shared by every clone on the machine, so a
# fresh clone (CI) only links. FALLOW_FIDELITY_GO_CACHE moves them (e.g. into the repo's
# .cache/ for a CI cache step).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="${FALLOW_FIDELITY_BIN:-$ROOT/.cache/fidelity/bin}"
GO_CACHE="${FALLOW_FIDELITY_GO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fallow-fidelity}"
K8S_MOD="$ROOT/test/fidelity/go/k8s"
ETCD_MOD="$ROOT/test/fidelity/go/etcd"

export GOMODCACHE="$GO_CACHE/gomod"
export GOCACHE="$GO_CACHE/gocache"
# -modcacherw: a read-only module cache makes `rm -rf` of the cache fail.
export GOFLAGS="-modcacherw -trimpath"
# The machine's Go is the only one allowed; never let go.mod pull another toolchain.
export GOTOOLCHAIN=local
export PATH="/usr/local/go/bin:$PATH"
command -v go >/dev/null || { echo "build-fidelity: no Go toolchain (expected /usr/local/go/bin/go)" >&2; exit 2; }

# A module's pinned version in a wrapper go.mod (single-line or block require).
pinned() { awk -v m="$2" '$1 == m { print $2; exit } $1 == "require" && $2 == m { print $3; exit }' "$1/go.mod"; }

stamp_of() { # version, files to hash...
  local version="$1"; shift
  printf '%s src=%s %s\n' "$version" "$(cat "$@" | sha256sum | cut -c1-16)" "$(go env GOVERSION)"
}

# Every k8s binary must report the pinned version, not v0.0.0-master.
k8s_ldflags() {
  local v="$1" major minor flags="-s -w"
  major="$(echo "$v" | sed -E 's/^v([0-9]+)\..*/\1/')"
  minor="$(echo "$v" | sed -E 's/^v[0-9]+\.([0-9]+)\..*/\1/')"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X '$p.gitVersion=$v' -X '$p.gitMajor=$major' -X '$p.gitMinor=$minor'"
    flags+=" -X '$p.gitTreeState=clean' -X '$p.gitCommit=fallow-fidelity-$v'"
    flags+=" -X '$p.buildDate=1970-01-01T00:00:00Z'"
  done
  printf '%s' "$flags"
}

build_one() { # name
  local name="$1" mod version pkg ldflags want
  local -a srcs
  case "$name" in
    kubectl | kube-apiserver | kube-controller-manager)
      mod="$K8S_MOD"; version="$(pinned "$mod" k8s.io/kubernetes)"; pkg="k8s.io/kubernetes/cmd/$name"
      ldflags="$(k8s_ldflags "$version")"; srcs=("$mod/go.mod" "$mod/go.sum") ;;
    fidelity-kubelet)
      mod="$K8S_MOD"; version="$(pinned "$mod" k8s.io/kubernetes)"; pkg="./cmd/fidelity-kubelet"
      ldflags="-s -w"; srcs=("$mod/go.mod" "$mod/go.sum" "$mod"/cmd/fidelity-kubelet/*.go) ;;
    etcd)
      mod="$ETCD_MOD"; version="$(pinned "$mod" go.etcd.io/etcd/server/v3)"; pkg="go.etcd.io/etcd/server/v3"
      # etcd takes its version from its own source; nothing to stamp in.
      ldflags="-s -w"; srcs=("$mod/go.mod" "$mod/go.sum") ;;
    *) echo "build-fidelity: unknown binary '$name' (want kubectl, kube-apiserver, kube-controller-manager, etcd or fidelity-kubelet)" >&2; return 2 ;;
  esac
  [ -n "$version" ] || { echo "build-fidelity: cannot read the pinned version from $mod/go.mod" >&2; return 1; }
  want="$(stamp_of "$version" "${srcs[@]}")"
  if [ -x "$BIN/$name" ] && [ -f "$BIN/.$name.stamp" ] && [ "$(cat "$BIN/.$name.stamp")" = "$want" ]; then
    echo "build-fidelity: $name $version up to date"
    return 0
  fi
  echo "build-fidelity: building $name $version ..."
  local start=$SECONDS
  # Build to a temp name and rename, so a half-written binary never looks current.
  (cd "$mod" && go build -ldflags "$ldflags" -o "$BIN/.$name.tmp" "$pkg")
  mv -f "$BIN/.$name.tmp" "$BIN/$name"
  printf '%s\n' "$want" >"$BIN/.$name.stamp"
  echo "build-fidelity: built $name $version in $((SECONDS - start))s"
}

main() {
  mkdir -p "$BIN"
  local names=("$@")
  [ ${#names[@]} -gt 0 ] || names=(kubectl kube-apiserver kube-controller-manager etcd fidelity-kubelet)
  for n in "${names[@]}"; do build_one "$n"; done
}

main "$@"
