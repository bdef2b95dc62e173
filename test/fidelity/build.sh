#!/usr/bin/env bash
# Builds the fidelity bed's real Kubernetes binaries from Go modules into .cache/fidelity/bin:
# kubectl first (others need it soonest), then kube-apiserver, kube-controller-manager, etcd.
# Owns only .cache/fidelity/ (build output, Go build and module caches, all gitignored so CI
# can cache them) and reads the wrapper modules under test/fidelity/go/.
#
# Usage: scripts/build-fidelity.sh [kubectl|kube-apiserver|kube-controller-manager|etcd ...]
# Idempotent: a binary is rebuilt only when its stamp (pinned version + hash of the wrapper's
# go.mod/go.sum + Go version) differs, so a warm run does nothing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${FALLOW_FIDELITY_CACHE:-$ROOT/.cache/fidelity}"
BIN="$CACHE/bin"
K8S_MOD="$ROOT/test/fidelity/go/k8s"
ETCD_MOD="$ROOT/test/fidelity/go/etcd"

export GOMODCACHE="$CACHE/gomod"
export GOCACHE="$CACHE/gocache"
# -modcacherw: a read-only module cache makes `rm -rf .cache` fail for CI and developers.
export GOFLAGS="-modcacherw -trimpath"
# The machine's Go is the only one allowed; never let go.mod pull another toolchain.
export GOTOOLCHAIN=local
export PATH="/usr/local/go/bin:$PATH"

# The version every k8s binary reports must be the pinned one, not v0.0.0-master.
# Reads a module's pinned version from a wrapper go.mod (single-line or block require).
pinned() { awk -v m="$2" '$1 == m { print $2; exit } $1 == "require" && $2 == m { print $3; exit }' "$1/go.mod"; }
k8s_version() { pinned "$K8S_MOD" k8s.io/kubernetes; }
etcd_version() { pinned "$ETCD_MOD" go.etcd.io/etcd/server/v3; }

stamp_of() { # module dir, version
  local sum
  sum="$(cat "$1/go.mod" "$1/go.sum" | sha256sum | cut -c1-16)"
  printf '%s go.mod=%s %s\n' "$2" "$sum" "$(go env GOVERSION)"
}

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
  local name="$1" mod version pkg ldflags stamp_file want
  case "$name" in
    kubectl | kube-apiserver | kube-controller-manager)
      mod="$K8S_MOD"; version="$(k8s_version)"; pkg="k8s.io/kubernetes/cmd/$name"
      ldflags="$(k8s_ldflags "$version")" ;;
    etcd)
      mod="$ETCD_MOD"; version="$(etcd_version)"; pkg="go.etcd.io/etcd/server/v3"
      # etcd reads its version from its own source; nothing to stamp in.
      ldflags="-s -w" ;;
    *) echo "build-fidelity: unknown binary '$name' (want kubectl, kube-apiserver, kube-controller-manager or etcd)" >&2; return 2 ;;
  esac
  [ -n "$version" ] || { echo "build-fidelity: cannot read the pinned version from $mod/go.mod" >&2; return 1; }
  stamp_file="$BIN/.$name.stamp"
  want="$(cd "$mod" && stamp_of "$mod" "$version")"
  if [ -x "$BIN/$name" ] && [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$want" ]; then
    echo "build-fidelity: $name $version up to date"
    return 0
  fi
  echo "build-fidelity: building $name $version ..."
  local start=$SECONDS
  # Build to a temp name and rename so a half-written binary never looks current.
  (cd "$mod" && go build -ldflags "$ldflags" -o "$BIN/.$name.tmp" "$pkg")
  mv -f "$BIN/.$name.tmp" "$BIN/$name"
  printf '%s\n' "$want" >"$stamp_file"
  echo "build-fidelity: built $name $version in $((SECONDS - start))s"
}

main() {
  mkdir -p "$BIN"
  local names=("$@")
  [ ${#names[@]} -gt 0 ] || names=(kubectl kube-apiserver kube-controller-manager etcd)
  for n in "${names[@]}"; do build_one "$n"; done
}

main "$@"
