// Ed25519 key pairs for the twin's SSH fronts and the tests that talk to them.
//
// Why not ssh2's utils.generateKeyPairSync('ed25519') alone: ssh2 1.17 strips every
// leading zero byte of the raw public key (lib/keygen.js, mscdex/ssh2#1390, #1513, open),
// so about one pair in 256 comes out 31 bytes long and its own parseKey rejects it
// ("Malformed OpenSSH public key"). A twin bed generates a user key and a host key per
// node, so roughly one test run in a few dozen met it (CI, 2026-11-26). Such a pair is
// simply drawn again: the draws are independent, so two bad ones in a row are 1 in 65,536,
// and ten are never seen.
import ssh2 from 'ssh2'; // CommonJS: named imports fail under plain Node ESM
const { utils } = ssh2;

export interface SshKeyPair {
  /** OpenSSH private key (PEM-armoured, unencrypted). */
  private: string;
  /** `ssh-ed25519 AAAA… comment`, one line. */
  public: string;
}

/** Both halves of a pair ssh2 (and so OpenSSH) reads back. */
export function isUsableKeyPair(pair: SshKeyPair): boolean {
  return !(utils.parseKey(pair.public) instanceof Error) && !(utils.parseKey(pair.private) instanceof Error);
}

export function generateEd25519KeyPair(comment?: string, draw: () => SshKeyPair = () => utils.generateKeyPairSync('ed25519', comment ? { comment } : {})): SshKeyPair {
  for (let attempt = 1; attempt <= 10; attempt++) {
    const pair = draw();
    if (isUsableKeyPair(pair)) return pair;
  }
  throw new Error('ssh2 produced 10 unreadable ed25519 key pairs in a row; check the installed ssh2 version');
}
