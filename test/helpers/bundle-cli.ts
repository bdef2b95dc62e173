// Bundles the CLI into one ES module with esbuild, once per test file, so tests that start
// dozens of fallow processes (crash storms) do not pay tsx's start-up in each of them.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { repoRoot } from './cli.js';

export async function bundleCli(): Promise<string> {
  // Inside the repo, so the bundle's imports of packages resolve from its node_modules.
  const cache = join(repoRoot, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const out = join(mkdtempSync(join(cache, 'fallow-bundle-')), 'fallow.mjs');
  await build({
    entryPoints: [join(repoRoot, 'src/cli/main.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external', // node_modules are loaded from the repo, as in a real install
    logLevel: 'error',
  });
  return out;
}
