// runMain: the fallow CLI in this process (main() with captured stdout/stderr), for
// commands that need no cluster (explain, rbac) — much faster than a child process.
import { main } from '../../src/cli/main.js';

export interface MainResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runMain(args: string[], env: NodeJS.ProcessEnv = {}): Promise<MainResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'fallow', ...args], {
    io: { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env },
  });
  return { code, stdout, stderr };
}
