// fallow's own version, journaled with every run start and resume, so a journal tells
// which fallow wrote it. Found by walking up to fallow's package.json (from src/ or dist/).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function fallowVersion(): string {
  if (cached !== undefined) return cached;
  cached = 'unknown';
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'fallow' && pkg.version) {
        cached = pkg.version;
        break;
      }
    } catch {
      // no package.json here: keep walking up
    }
  }
  return cached;
}
