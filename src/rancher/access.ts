// How fallow reaches Rancher Manager: --rancher-url, the API token from a file or an
// environment variable (never a flag value, so it stays out of shell history), and either
// a CA file or an explicit --rancher-insecure. The token is registered with the journal's
// secret registry as soon as it is read, so no journal line, error or report can carry it.
import { readFile } from 'node:fs/promises';
import { UsageError } from '../common/errors.js';
import { secrets as defaultSecrets, type SecretRegistry } from '../journal/secrets.js';
import { readSecret, type Secret, type SecretSource } from '../power/secrets.js';

/** Default environment variable for the token when no file is named. */
export const DefaultTokenEnv = 'FALLOW_RANCHER_TOKEN';

export interface RancherAccessOptions {
  /** https://rancher.example.com (the Rancher server URL, as in the browser). */
  url: string;
  tokenFile?: string;
  /** Name of the environment variable holding the token (default FALLOW_RANCHER_TOKEN). */
  tokenEnv?: string;
  /** PEM file of the CA that signed Rancher's certificate (default: the system's CAs). */
  caFile?: string;
  /** Skip TLS verification; must be asked for explicitly. */
  insecure?: boolean;
}

export interface RancherAccess {
  /** Normalised server URL, no trailing slash. */
  url: string;
  token: Secret;
  caPem?: string;
  insecure: boolean;
}

export function parseRancherUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UsageError(`--rancher-url "${raw}" is not a URL`, 'Pass the Rancher server URL, like https://rancher.example.com');
  }
  if (u.protocol !== 'https:') throw new UsageError(`--rancher-url must be https, got ${u.protocol}//${u.host}`, 'Rancher Manager serves its API over HTTPS only');
  if (u.username || u.password) {
    throw new UsageError('--rancher-url must not carry credentials', 'Put the API token in a file (--rancher-token-file) or an environment variable (--rancher-token-env)');
  }
  if (u.search || u.hash) throw new UsageError(`--rancher-url must not have a query or fragment: ${u.origin}${u.pathname}`, 'Pass only the server URL');
  return `${u.origin}${u.pathname}`.replace(/\/+$/, '');
}

export async function loadRancherAccess(o: RancherAccessOptions, env: NodeJS.ProcessEnv = process.env, registry: SecretRegistry = defaultSecrets): Promise<RancherAccess> {
  const url = parseRancherUrl(o.url);
  if (o.tokenFile && o.tokenEnv) throw new UsageError('give the Rancher token either as a file or as an environment variable, not both', 'Drop --rancher-token-file or --rancher-token-env');
  if (o.caFile && o.insecure) throw new UsageError('--rancher-ca and --rancher-insecure contradict each other', 'Keep --rancher-ca to verify Rancher\'s certificate');
  const source: SecretSource = o.tokenFile ? { file: o.tokenFile } : { env: o.tokenEnv ?? DefaultTokenEnv };
  const token = await readSecret('the Rancher Manager API token', source, env);
  registerToken(token.reveal(), registry);
  let caPem: string | undefined;
  if (o.caFile) {
    try {
      caPem = await readFile(o.caFile, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read the Rancher CA file ${o.caFile}: ${(err as NodeJS.ErrnoException).code ?? 'read error'}`, 'Fix --rancher-ca');
    }
    if (!caPem.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`${o.caFile} holds no PEM certificate`, 'Pass the CA certificate (PEM) that signed Rancher\'s certificate');
  }
  return { url, token, ...(caPem ? { caPem } : {}), insecure: o.insecure === true };
}

/**
 * Rancher API tokens are "token-xxxxx:<secret>"; the secret half alone is what a careless
 * message would quote, so both spellings are registered.
 */
export function registerToken(token: string, registry: SecretRegistry): void {
  registry.register(token, 'Rancher Manager API token');
  const colon = token.indexOf(':');
  if (colon > 0 && token.length - colon - 1 >= 8) registry.register(token.slice(colon + 1), 'Rancher Manager API token');
}
