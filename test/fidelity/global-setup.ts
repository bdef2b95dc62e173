// vitest global setup of the fidelity project: makes sure the Go-built binaries exist
// (test/fidelity/build.sh is idempotent: a warm run only checks stamps).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'build.sh');
  const r = spawnSync('bash', [script], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`test/fidelity/build.sh failed (exit ${r.status}); the fidelity bed cannot start without its binaries`);
}
