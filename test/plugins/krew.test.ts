// plugins/krew/fallow.yaml: a krew Plugin manifest that tracks the package (version, the
// kubectl entry npm publishes, the Node.js it needs) and the archive layout
// plugins/krew/package.sh builds (everything under fallow/). package.sh itself builds and
// installs from npm: run by hand, see its header; it is too slow for the unit suite.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../helpers/cli.js';

interface Platform {
  selector: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values: string[] }[] };
  uri: string;
  sha256: string;
  bin: string;
  files?: { from: string; to: string }[];
}
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: { version: string; shortDescription: string; caveats: string; platforms: Platform[] };
}

const m = parse(readFileSync(join(repoRoot, 'plugins/krew/fallow.yaml'), 'utf8')) as Manifest;
const script = readFileSync(join(repoRoot, 'plugins/krew/package.sh'), 'utf8');
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string; files: string[]; bin: Record<string, string>; engines: { node: string } };

/** The operating systems a platform entry selects. */
function oses(p: Platform): string[] {
  if (p.selector.matchLabels?.os) return [p.selector.matchLabels.os];
  return (p.selector.matchExpressions ?? []).filter((e) => e.key === 'os' && e.operator === 'In').flatMap((e) => e.values);
}

describe('krew manifest', () => {
  it('is a krew Plugin named after its file, at the package version', () => {
    expect(m.apiVersion).toBe('krew.googlecontainertools.github.com/v1alpha2');
    expect(m.kind).toBe('Plugin');
    expect(m.metadata.name).toBe('fallow');
    expect(m.spec.version).toBe(`v${pkg.version}`);
    expect(m.spec.shortDescription.length).toBeLessThanOrEqual(64);
    expect(m.spec.caveats).toContain(pkg.engines.node.replace(/^>=\s*/, ''));
  });

  it('runs the kubectl entry npm publishes, on Linux and macOS', () => {
    expect(m.spec.platforms.flatMap(oses).sort()).toEqual(['darwin', 'linux']);
    for (const p of m.spec.platforms) {
      expect(p.bin).toBe(pkg.bin['kubectl-fallow']);
      expect(pkg.files.some((f) => p.bin.startsWith(`${f}/`))).toBe(true);
      expect(p.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    const entry = readFileSync(join(repoRoot, pkg.bin['kubectl-fallow']!), 'utf8');
    expect(entry.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(entry).toContain('asKubectlPlugin: true');
  });

  it('copies from the folder package.sh puts the package in', () => {
    const folder = /tar -czf "\$out\/\$archive" -C "\$stage" (\w+)\n/.exec(script)?.[1];
    expect(folder).toBe('fallow');
    for (const p of m.spec.platforms) expect(p.files).toEqual([{ from: `${folder}/*`, to: '.' }]);
  });
});
