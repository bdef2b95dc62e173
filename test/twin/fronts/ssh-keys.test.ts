// The twin's key pairs are always readable: ssh2's generator alone drops the leading zero
// byte of about one ed25519 public key in 256 (mscdex/ssh2#1513), and a bed whose sshd
// cannot read its authorized key fails before any test runs.
import ssh2 from 'ssh2';
import { describe, expect, it } from 'vitest';
import { generateEd25519KeyPair, isUsableKeyPair, type SshKeyPair } from '../../../src/twin/fronts/ssh-keys.js';
const { utils } = ssh2;

// A public key as ssh2 1.17 wrote it, its first (zero) byte dropped: 31 bytes, not 32.
const strippedPublic = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAHy9nmOjtSLnwqEL0/vyyBc0rSuvNeWyWUdbh5fuueUs= fallow-twin-operator';

describe('generateEd25519KeyPair', () => {
  it('2,000 pairs in a row: each half parses, and the public key is 32 bytes', () => {
    // With the raw generator, 2,000 draws hold a bad pair with probability 1 − (255/256)^2000 > 99.9 %.
    for (let i = 0; i < 2000; i++) {
      const pair = generateEd25519KeyPair('fallow-twin-operator');
      const pub = utils.parseKey(pair.public);
      if (pub instanceof Error) throw new Error(`pair ${i}: ${pub.message}`);
      const blob = Buffer.from(pair.public.split(' ')[1]!, 'base64');
      expect(blob.readUInt32BE(15)).toBe(32); // after "ssh-ed25519" (4 + 11 bytes): the key's length
      expect(pair.public.endsWith(' fallow-twin-operator')).toBe(true);
      expect(utils.parseKey(pair.private)).not.toBeInstanceOf(Error);
    }
  });

  it('a pair ssh2 cannot read back is drawn again', () => {
    const good = utils.generateKeyPairSync('ed25519');
    const bad: SshKeyPair = { private: good.private, public: strippedPublic };
    expect(isUsableKeyPair(bad)).toBe(false);
    const draws = [bad, bad, good];
    expect(generateEd25519KeyPair(undefined, () => draws.shift()!)).toBe(good);
    expect(draws).toHaveLength(0);
  });

  it('ten unreadable pairs in a row: an error naming ssh2, not a loop', () => {
    let n = 0;
    const bad: SshKeyPair = { private: 'x', public: strippedPublic };
    expect(() => generateEd25519KeyPair(undefined, () => (n++, bad))).toThrow(/ssh2 produced 10 unreadable ed25519 key pairs/);
    expect(n).toBe(10);
  });
});
