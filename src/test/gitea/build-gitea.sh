#!/usr/bin/env bash
# Builds the Gitea that GiteaIT runs the forge adapter against, from the Go module
# code.gitea.io/gitea, with SQLite compiled in so the test needs no database server. Output is
# cached by version outside the repository, so a second run is a no-op that takes a moment.
#
#   ORDINAL_GITEA_CACHE  cache root (default ~/.cache/ordinal/gitea)
#
# Layout read by dev.ordinal.testkit.GiteaServer:
#   $ORDINAL_GITEA_CACHE/<gitea version>-<os>-<arch>/{gitea,options,templates}
# Without the bindata tag (which needs Gitea's npm and go generate steps) Gitea reads its locales,
# label sets and templates from disk at STATIC_ROOT_PATH, and refuses to start without the
# locales; the fixture points STATIC_ROOT_PATH at this directory.
# Prints that binary's path on its last line.
set -euo pipefail

GITEA_VERSION="${GITEA_VERSION:-1.27.3}"
# sqlite needs cgo (mattn/go-sqlite3); sqlite_unlock_notify is what Gitea's own release builds add
# to it so concurrent writers wait instead of failing with "database is locked".
GITEA_TAGS="sqlite sqlite_unlock_notify"
CACHE_ROOT="${ORDINAL_GITEA_CACHE:-$HOME/.cache/ordinal/gitea}"
OS_ARCH="$(go env GOOS)-$(go env GOARCH)"
BIN_DIR="$CACHE_ROOT/$GITEA_VERSION-$OS_ARCH"
BINARY="$BIN_DIR/gitea"
# Gitea prints the version and tags stamped in at link time, e.g.
#   gitea version 1.27.3 built with go1.26.8 : sqlite, sqlite_unlock_notify
EXPECTED_SUFFIX=" : ${GITEA_TAGS// /, }"

built_as_wanted() {
  [[ -x "$BINARY" ]] || return 1
  local version
  version="$("$BINARY" --version 2>/dev/null)" || return 1
  [[ "$version" == "gitea version $GITEA_VERSION built with "* && "$version" == *"$EXPECTED_SUFFIX" ]]
}

if built_as_wanted && [[ -d "$BIN_DIR/options/locale" && -d "$BIN_DIR/templates" ]]; then
  echo "gitea $GITEA_VERSION ($GITEA_TAGS) already built in $BIN_DIR"
  echo "$BINARY"
  exit 0
fi

for tool in go gcc; do
  command -v "$tool" >/dev/null || { echo "$tool is not installed: Gitea is built from its Go module with cgo (SQLite)" >&2; exit 1; }
done
start=$(date +%s)
mkdir -p "$BIN_DIR"
export GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=1

src="$(go mod download -json "code.gitea.io/gitea@v$GITEA_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')"
echo "downloaded code.gitea.io/gitea@v$GITEA_VERSION in $(( $(date +%s) - start ))s"

if ! built_as_wanted; then
  # The module cache is read-only and go may rewrite go.mod/go.sum, so build from a writable copy.
  WORK="$(mktemp -d)"
  trap 'rm -rf "$WORK"' EXIT
  cp -r "$src" "$WORK/gitea"
  chmod -R u+w "$WORK/gitea"
  cd "$WORK/gitea"
  t0=$(date +%s)
  go build -tags "$GITEA_TAGS" \
    -ldflags "-s -w -X 'main.Version=$GITEA_VERSION' -X 'main.Tags=$GITEA_TAGS'" \
    -o "$BINARY.tmp" .
  mv "$BINARY.tmp" "$BINARY"
  echo "built gitea $GITEA_VERSION in $(( $(date +%s) - t0 ))s"
  built_as_wanted || { echo "$BINARY does not report version $GITEA_VERSION with tags $GITEA_TAGS" >&2; exit 1; }
fi

for dir in options templates; do
  rm -rf "$BIN_DIR/$dir"
  cp -r "$src/$dir" "$BIN_DIR/$dir"
  chmod -R u+w "$BIN_DIR/$dir"
done
echo "gitea $GITEA_VERSION ready in $BIN_DIR after $(( $(date +%s) - start ))s"
echo "$BINARY"
