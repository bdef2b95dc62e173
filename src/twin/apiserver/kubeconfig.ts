// Writes a kubeconfig for the twin: the CA embedded, a bearer token, mode 0600 (it holds
// a credential), shaped like the one RKE2 writes so tools read it unchanged.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigInput {
  server: string;
  caPem: string;
  user: string;
  token: string;
  context: string;
}

export function renderKubeconfig(k: KubeconfigInput): string {
  const cluster = k.context;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: { server: k.server, 'certificate-authority-data': Buffer.from(k.caPem).toString('base64') } }],
    users: [{ name: k.user, user: { token: k.token } }],
    contexts: [{ name: k.context, context: { cluster, user: k.user } }],
    'current-context': k.context,
    preferences: {},
  });
}

export async function writeKubeconfigFile(path: string, k: KubeconfigInput): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, renderKubeconfig(k), { mode: 0o600 });
  await chmod(path, 0o600); // writeFile keeps the mode of an existing file
}
