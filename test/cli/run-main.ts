// runMain: the fallow CLI in this process (main() with captured stdout/stderr), for
// commands that need no cluster (explain, rbac) and for runs against a twin in this
// process — much faster than a child process. Like runCli, HOME is a scratch dir unless
// given, so a developer's own ~/.kube/config never leaks into a test.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';

export interface MainResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runMain(args: string[], env: NodeJS.ProcessEnv = {}): Promise<MainResult> {
  let stdout = '';
  let stderr = '';
  const home = env.HOME ?? mkdtempSync(join(tmpdir(), 'fallow-home-'));
  const code = await main(['node', 'fallow', ...args], {
    io: { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env: { ...env, HOME: home } },
  });
  return { code, stdout, stderr };
}
