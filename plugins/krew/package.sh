#!/usr/bin/env bash
# Builds the krew archive of fallow and renders plugins/krew/fallow.yaml for it:
#   plugins/krew/package.sh <base-url> [homepage]
# writes dist/krew/fallow-v<version>.tar.gz (the files npm would publish, built, with the
# production node_modules, everything at the archive's root) and dist/krew/fallow.yaml
# whose uri is <base-url>/fallow-v<version>.tar.gz and whose sha256 is the archive's.
# Install from the two files without publishing anything:
#   kubectl krew install --manifest=dist/krew/fallow.yaml --archive=dist/krew/fallow-v<version>.tar.gz
set -euo pipefail
cd "$(dirname "$0")/../.."

base=${1:?usage: plugins/krew/package.sh <base-url> [homepage]}
homepage=${2:-$base}
version=$(node -p 'require("./package.json").version')
node_range=$(node -p 'require("./package.json").engines.node')
out=dist/krew
archive=fallow-v$version.tar.gz
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# The published file set (package.json "files") under package/; npm pack runs "prepare",
# which builds dist/.
npm pack --silent --pack-destination "$stage" >/dev/null
tar -xzf "$stage"/fallow-"$version".tgz -C "$stage"
cp package-lock.json "$stage/package/"
(cd "$stage/package" && npm ci --omit=dev --ignore-scripts --prefer-offline --no-audit --no-fund --silent)

mkdir -p "$out"
tar -czf "$out/$archive" -C "$stage/package" .
sha=$(sha256sum "$out/$archive" | cut -d' ' -f1)

FALLOW_VERSION=$version FALLOW_HOMEPAGE=$homepage FALLOW_NODE=$node_range \
FALLOW_URI=$base/$archive FALLOW_SHA256=$sha \
  node -e '
    const fs = require("node:fs");
    const text = fs.readFileSync("plugins/krew/fallow.yaml", "utf8").replace(/\$\{(FALLOW_[A-Z0-9_]+)\}/g, (m, k) => {
      if (process.env[k] === undefined) throw new Error(`no value for ${m}`);
      return process.env[k];
    });
    fs.writeFileSync(process.argv[1], text);
  ' "$out/fallow.yaml"
echo "$out/fallow.yaml"
echo "$out/$archive (sha256 $sha)"
