#!/usr/bin/env bash
# Builds the real Kubernetes control plane the integration tests run against:
# kube-apiserver, kube-controller-manager and kubectl from the Go module k8s.io/kubernetes,
# and etcd from go.etcd.io/etcd/server/v3. Output is cached by version outside the repository,
# so a second run is a no-op that takes a moment.
#
#   ORDINAL_K8S_CACHE  cache root (default ~/.cache/ordinal/k8s)
#
# The layout matches what io.fabric8:kube-api-test expects in offline mode:
#   $ORDINAL_K8S_CACHE/k8s/<k8s version>-linux-amd64/{kube-apiserver,etcd,kubectl,kube-controller-manager}
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-1.35.4}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"
CACHE_ROOT="${ORDINAL_K8S_CACHE:-$HOME/.cache/ordinal/k8s}"
OS_ARCH="$(go env GOOS)-$(go env GOARCH)"
BIN_DIR="$CACHE_ROOT/k8s/$K8S_VERSION-$OS_ARCH"
STAMP="$BIN_DIR/.built-etcd-$ETCD_VERSION"

if [[ -f "$STAMP" && -x "$BIN_DIR/kube-apiserver" && -x "$BIN_DIR/kube-controller-manager" \
      && -x "$BIN_DIR/etcd" && -x "$BIN_DIR/kubectl" ]]; then
  echo "control plane $K8S_VERSION (etcd $ETCD_VERSION) already built in $BIN_DIR"
  exit 0
fi

command -v go >/dev/null || { echo "go is not installed: the control plane is built from Go modules" >&2; exit 1; }
mkdir -p "$BIN_DIR"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export GOFLAGS="-mod=mod -buildvcs=false"
export CGO_ENABLED=0
start=$(date +%s)

# --- kube-apiserver, kube-controller-manager, kubectl -------------------------------------------
# k8s.io/kubernetes replaces every k8s.io/* staging module with ./staging/...; a consumer must
# replace each of them with its published v0.x twin, which we read from kubernetes' own go.mod.
mkdir -p "$WORK/k8s"
cd "$WORK/k8s"
go mod init ordinal.dev/controlplane >/dev/null 2>&1
gomod=$(go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
staging_version="v0.${K8S_VERSION#1.}"
{
  echo "require k8s.io/kubernetes v$K8S_VERSION"
  grep -E '^\s*k8s.io/[a-z0-9-]+ => ./staging/' "$gomod" | awk -v v="$staging_version" '{print "replace " $1 " => " $1 " " v}'
} >> go.mod
cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
go mod tidy -e >/dev/null 2>&1 || true
for cmd in kube-apiserver kube-controller-manager kubectl; do
  t0=$(date +%s)
  go build -tags tools -trimpath -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=v$K8S_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${K8S_VERSION#1.} " \
    -o "$BIN_DIR/$cmd" "k8s.io/kubernetes/cmd/$cmd"
  echo "built $cmd v$K8S_VERSION in $(( $(date +%s) - t0 ))s"
done

# --- etcd ------------------------------------------------------------------------------------------
# Debian's etcd-server (3.4.23) predates the health endpoints kube-apiserver 1.31+ relies on.
mkdir -p "$WORK/etcd"
cd "$WORK/etcd"
go mod init ordinal.dev/etcd >/dev/null 2>&1
cat > main.go <<'GO'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >/dev/null 2>&1
go mod tidy >/dev/null 2>&1
t0=$(date +%s)
go build -trimpath -ldflags "-s -w" -o "$BIN_DIR/etcd" .
echo "built etcd $ETCD_VERSION in $(( $(date +%s) - t0 ))s"

touch "$STAMP"
echo "control plane $K8S_VERSION ready in $BIN_DIR after $(( $(date +%s) - start ))s"
