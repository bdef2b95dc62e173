// Secrets of the power layer (BMC passwords, session tokens): read from a file or an
// environment variable, held in a wrapper that prints as "[secret]" everywhere (logs,
// JSON, util.inspect), and written to disk only with mode 0600.
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { Secret } from '../common/secret.js';
import { PowerMessages } from './messages.js';

export type SecretSource = { file: string } | { env: string };

export { Secret };

export function describeSource(source: SecretSource): string {
  return 'file' in source ? `file ${source.file}` : `environment variable ${source.env}`;
}

/** Reads a secret; one trailing newline of a file is dropped (editors add one). */
export async function readSecret(field: string, source: SecretSource, env: NodeJS.ProcessEnv = process.env): Promise<Secret> {
  if ('env' in source) {
    const v = env[source.env];
    if (v === undefined || v === '') throw PowerMessages.secretUnreadable(field, describeSource(source), 'it is not set');
    return new Secret(v);
  }
  let text: string;
  try {
    text = await readFile(source.file, 'utf8');
  } catch (err) {
    throw PowerMessages.secretUnreadable(field, describeSource(source), (err as NodeJS.ErrnoException).code ?? 'read error');
  }
  const value = text.replace(/\r?\n$/, '');
  if (value === '') throw PowerMessages.secretUnreadable(field, describeSource(source), 'it is empty');
  return new Secret(value);
}

/** Writes a secret file readable by its owner only (chmod too: the file may exist already). */
export async function writeSecretFile(path: string, value: string): Promise<void> {
  await writeFile(path, `${value}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
}
