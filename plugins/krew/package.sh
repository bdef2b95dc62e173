#!/usr/bin/env bash
# Builds the krew archive of fallow and the manifest for it:
#   plugins/krew/package.sh <base-url>
# writes dist/krew/fallow-v<version>.tar.gz (the files npm would publish, built, with the
# production node_modules, under a top-level fallow/ folder as plugins/krew/fallow.yaml's
# `files` expects) and dist/krew/fallow.yaml: that manifest with this version, and with
# uri <base-url>/fallow-v<version>.tar.gz and the archive's sha256 on every platform.
# Install from the two files without publishing anything:
#   kubectl krew install --manifest=dist/krew/fallow.yaml --archive=dist/krew/fallow-v<version>.tar.gz
set -euo pipefail
cd "$(dirname "$0")/../.."

base=${1:?usage: plugins/krew/package.sh <base-url>}
version=$(node -p 'require("./package.json").version')
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
mv "$stage/package" "$stage/fallow"
tar -czf "$out/$archive" -C "$stage" fallow
sha=$(sha256sum "$out/$archive" | cut -d' ' -f1)

# The checked-in manifest with this release's version, uri and sha256 (comments dropped).
node --input-type=module -e '
  import { readFileSync, writeFileSync } from "node:fs";
  import { parse, stringify } from "yaml";
  const [version, uri, sha256, dest] = process.argv.slice(1);
  const m = parse(readFileSync("plugins/krew/fallow.yaml", "utf8"));
  m.spec.version = `v${version}`;
  for (const p of m.spec.platforms) Object.assign(p, { uri, sha256 });
  writeFileSync(dest, stringify(m));
' "$version" "$base/$archive" "$sha" "$out/fallow.yaml"
echo "$out/fallow.yaml"
echo "$out/$archive (sha256 $sha)"
