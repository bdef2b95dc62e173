// A throwaway PKI for one twin API server: a CA and a server certificate for 127.0.0.1,
// localhost and the listen host. Keys come from node:crypto (native, fast); node-forge
// only builds and signs the X.509 certificates, which node:crypto cannot do.
import { generateKeyPair, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { promisify } from 'node:util';
import forge from 'node-forge';

const genKeyPair = promisify(generateKeyPair);

export interface ServerPki {
  caPem: string;
  certPem: string;
  keyPem: string;
}

async function rsaKey(): Promise<{ publicKey: string; privateKey: string }> {
  return genKeyPair('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

function serial(): string {
  // Positive, non-zero 16-byte serial (the high bit cleared keeps it positive in DER).
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x01;
  return b.toString('hex');
}

function validity(cert: forge.pki.Certificate): void {
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(now + 365 * 24 * 60 * 60 * 1000);
}

export async function createServerPki(host: string): Promise<ServerPki> {
  const [ca, srv] = await Promise.all([rsaKey(), rsaKey()]);
  const caKey = forge.pki.privateKeyFromPem(ca.privateKey);

  const caCert = forge.pki.createCertificate();
  caCert.publicKey = forge.pki.publicKeyFromPem(ca.publicKey);
  caCert.serialNumber = serial();
  validity(caCert);
  const caName = [{ name: 'commonName', value: 'fallow-twin-server-ca' }];
  caCert.setSubject(caName);
  caCert.setIssuer(caName);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  caCert.sign(caKey, forge.md.sha256.create());

  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(srv.publicKey);
  cert.serialNumber = serial();
  validity(cert);
  cert.setSubject([{ name: 'commonName', value: 'kube-apiserver' }]);
  cert.setIssuer(caName);
  const altNames: { type: number; value?: string; ip?: string }[] = [
    { type: 2, value: 'localhost' },
    { type: 2, value: 'kubernetes' },
    { type: 2, value: 'kubernetes.default.svc' },
    { type: 7, ip: '127.0.0.1' },
  ];
  if (host !== '127.0.0.1' && host !== 'localhost') altNames.push(isIP(host) ? { type: 7, ip: host } : { type: 2, value: host });
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());

  return { caPem: forge.pki.certificateToPem(caCert), certPem: forge.pki.certificateToPem(cert), keyPem: srv.privateKey };
}
