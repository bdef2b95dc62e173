// plugins/krew/fallow.yaml: a krew Plugin manifest (template) whose every placeholder
// package.sh fills, whose bin is the kubectl entry npm publishes, for every platform
// Node runs fallow on. (package.sh itself builds and installs from npm: run by hand, see
// its header; it is too slow for the unit suite.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../helpers/cli.js';

interface Platform {
  selector: { matchLabels: { os: string; arch: string } };
  uri: string;
  sha256: string;
  bin: string;
  files?: { from: string; to: string }[];
}
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: { version: string; homepage: string; shortDescription: string; description: string; caveats: string; platforms: Platform[] };
}

const text = readFileSync(join(repoRoot, 'plugins/krew/fallow.yaml'), 'utf8');
const script = readFileSync(join(repoRoot, 'plugins/krew/package.sh'), 'utf8');
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { files: string[]; bin: Record<string, string> };
const m = parse(text) as Manifest;

describe('krew manifest', () => {
  it('is a krew Plugin named after its file', () => {
    expect(m.apiVersion).toBe('krew.googlecontainertools.github.com/v1alpha2');
    expect(m.kind).toBe('Plugin');
    expect(m.metadata.name).toBe('fallow');
    expect(m.spec.version).toBe('v${FALLOW_VERSION}');
    expect(m.spec.shortDescription.length).toBeLessThanOrEqual(64);
  });

  it('offers linux and darwin on amd64 and arm64, each the kubectl entry npm publishes', () => {
    const platforms = m.spec.platforms.map((p) => `${p.selector.matchLabels.os}/${p.selector.matchLabels.arch}`).sort();
    expect(platforms).toEqual(['darwin/amd64', 'darwin/arm64', 'linux/amd64', 'linux/arm64']);
    for (const p of m.spec.platforms) {
      expect(p.bin).toBe(pkg.bin['kubectl-fallow']);
      expect(pkg.files.some((f) => p.bin.startsWith(`${f}/`))).toBe(true);
      expect(p.uri).toBe('${FALLOW_URI}');
      expect(p.sha256).toBe('${FALLOW_SHA256}');
    }
    const entry = readFileSync(join(repoRoot, m.spec.platforms[0]!.bin), 'utf8');
    expect(entry.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(entry).toContain('asKubectlPlugin: true');
  });

  it('fills every placeholder from package.sh, and says Node is needed', () => {
    const used = new Set([...text.matchAll(/\$\{(FALLOW_[A-Z0-9_]+)\}/g)].map((x) => x[1]!));
    expect([...used].sort()).toEqual(['FALLOW_HOMEPAGE', 'FALLOW_NODE', 'FALLOW_SHA256', 'FALLOW_URI', 'FALLOW_VERSION']);
    for (const v of used) expect(script, `package.sh does not set ${v}`).toMatch(new RegExp(`\\b${v}=`));
    expect(m.spec.caveats).toContain('Node.js ${FALLOW_NODE}');
  });
});

