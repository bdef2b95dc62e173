// NUT credentials: a user name and a password read from a file or an environment
// variable (never a flag, which would land in shell history). The password is held in a
// Secret that prints as "[secret]" in logs, JSON and util.inspect, so it cannot reach
// a log line, an error or the journal by accident.
import { readFile } from 'node:fs/promises';
import { Secret } from '../common/secret.js';
import { UsageError } from '../common/errors.js';

export { Secret };

export interface NutCredentials {
  username: string;
  password: Secret;
}

export interface CredentialSource {
  username: string;
  /** A file holding the password (first line; trailing newline ignored). */
  passwordFile?: string;
  /** An environment variable holding the password. */
  passwordEnv?: string;
}

/** Reads the password from exactly one of passwordFile / passwordEnv. */
export async function loadCredentials(src: CredentialSource, env: NodeJS.ProcessEnv = process.env): Promise<NutCredentials> {
  if (!src.username) throw new UsageError('NUT user name is empty', 'Set the user from upsd.users');
  if (/[\r\n]/.test(src.username)) throw new UsageError('NUT user name contains a line break', 'Fix the user name');
  if (src.passwordFile && src.passwordEnv) {
    throw new UsageError('Both a NUT password file and a password variable are set', 'Keep one of them');
  }
  let password: string;
  if (src.passwordFile) {
    try {
      password = (await readFile(src.passwordFile, 'utf8')).split(/\r?\n/)[0] ?? '';
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new UsageError(`Cannot read the NUT password file ${src.passwordFile} (${code})`, 'Create it (mode 600) with the password on its first line');
    }
  } else if (src.passwordEnv) {
    const v = env[src.passwordEnv];
    if (v === undefined) throw new UsageError(`NUT password variable ${src.passwordEnv} is not set`, 'Export it in the guard\'s environment (e.g. an EnvironmentFile in the systemd unit)');
    password = v;
  } else {
    throw new UsageError(`No NUT password given for user ${src.username}`, 'Give a password file or the name of an environment variable that holds it');
  }
  if (password === '') throw new UsageError(`NUT password for user ${src.username} is empty`, 'Put the password from upsd.users in the file or variable');
  if (/[\r\n]/.test(password)) throw new UsageError('NUT password contains a line break', 'Fix the password');
  return { username: src.username, password: new Secret(password) };
}
