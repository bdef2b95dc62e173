// Credentials of one fidelity bed, made fresh at start and written under its temp dir:
// the apiserver's serving PKI (reusing the twin's throwaway-PKI helper), the
// service-account signing key pair, and static bearer tokens for the users the bed knows.
// Tokens never leave the temp dir and the returned object; nothing here is logged.
import { generateKeyPair, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createServerPki, type ServerPki } from '../../../src/twin/apiserver/tls.js';

const genKeyPair = promisify(generateKeyPair);

export interface BedUser {
  name: string;
  groups: string[];
}

export interface BedCredentials {
  pki: ServerPki;
  /** Files the daemons read (all under the bed's dir). */
  files: { caCert: string; serverCert: string; serverKey: string; saPub: string; saKey: string; tokens: string };
  /** user name → bearer token */
  tokens: Map<string, string>;
}

/** The users every bed has: an admin, the controller-manager, and the twin's controllers. */
export const baseUsers: BedUser[] = [
  { name: 'fidelity-admin', groups: ['system:masters'] },
  // Bound by the bootstrap RBAC policy; its controllers then act as their own service accounts.
  { name: 'system:kube-controller-manager', groups: [] },
  { name: 'fallow-twin', groups: ['system:masters'] },
];

function csvField(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

export async function makeCredentials(dir: string, users: BedUser[]): Promise<BedCredentials> {
  const [pki, sa] = await Promise.all([
    createServerPki('127.0.0.1'),
    genKeyPair('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    }),
  ]);
  const files = {
    caCert: join(dir, 'ca.crt'),
    serverCert: join(dir, 'apiserver.crt'),
    serverKey: join(dir, 'apiserver.key'),
    saPub: join(dir, 'sa.pub'),
    saKey: join(dir, 'sa.key'),
    tokens: join(dir, 'tokens.csv'),
  };
  const tokens = new Map<string, string>();
  const lines: string[] = [];
  users.forEach((u, i) => {
    const token = randomBytes(24).toString('hex');
    tokens.set(u.name, token);
    lines.push([token, csvField(u.name), csvField(`uid-${i}`), csvField(u.groups.join(','))].join(','));
  });
  const secret = { mode: 0o600 } as const;
  await Promise.all([
    writeFile(files.caCert, pki.caPem),
    writeFile(files.serverCert, pki.certPem),
    writeFile(files.serverKey, pki.keyPem, secret),
    writeFile(files.saPub, sa.publicKey),
    writeFile(files.saKey, sa.privateKey, secret),
    writeFile(files.tokens, lines.join('\n') + '\n', secret),
  ]);
  return { pki, files, tokens };
}
