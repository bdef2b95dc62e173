// The pure protocol parts: tokenizing replies, quoting requests, VAR lines, ERR codes and
// what they map to, and UPS addresses.
import { describe, expect, it } from 'vitest';
import { ExitCode, UsageError, formatError } from '../../src/common/errors.js';
import { formatUpsTarget, parseUpsTarget } from '../../src/guard/nut-client.js';
import { NutError, NutProtocolError, errCode, parseVarLine, quoteArg, requestLine, tokenize } from '../../src/guard/nut-protocol.js';

describe('tokenize', () => {
  it.each([
    ['VAR ups1 ups.status "OB LB"', ['VAR', 'ups1', 'ups.status', 'OB LB']],
    ['VAR ups1 ups.mfr "say \\"hi\\" \\\\ ok"', ['VAR', 'ups1', 'ups.mfr', 'say "hi" \\ ok']],
    ['VAR ups1 x ""', ['VAR', 'ups1', 'x', '']],
    ['  OK   Goodbye ', ['OK', 'Goodbye']],
    ['BEGIN LIST VAR ups1', ['BEGIN', 'LIST', 'VAR', 'ups1']],
  ])('%s', (line, words) => {
    expect(tokenize(line)).toEqual(words);
  });

  it('rejects an unterminated quote', () => {
    expect(() => tokenize('VAR ups1 x "open')).toThrow(NutProtocolError);
  });

  it('round-trips what quoteArg writes', () => {
    for (const v of ['plain', 'two words', 'a "quote"', 'back\\slash', '', 'p@ss w0rd"\\']) {
      expect(tokenize(`X ${quoteArg(v)}`)).toEqual(['X', v]);
    }
  });
});

describe('requests', () => {
  it('quotes only what needs it and refuses line breaks', () => {
    expect(requestLine('GET', 'VAR', 'ups1', 'ups.status')).toBe('GET VAR ups1 ups.status');
    expect(requestLine('PASSWORD', 'has space')).toBe('PASSWORD "has space"');
    expect(() => requestLine('PASSWORD', 'a\nLOGOUT')).toThrow(/line break/);
  });
});

describe('parseVarLine', () => {
  it('reads name and value for the right UPS', () => {
    expect(parseVarLine('VAR ups1 battery.runtime "1800"', 'ups1')).toEqual(['battery.runtime', '1800']);
  });
  it.each(['VAR ups2 battery.runtime "1"', 'OK', 'VAR ups1 battery.runtime', 'VAR ups1 a "b" c'])('rejects %s', (l) => {
    expect(() => parseVarLine(l, 'ups1')).toThrow(NutProtocolError);
  });
});

describe('ERR codes', () => {
  const ctx = { target: 'ups1@127.0.0.1:3493', request: 'LOGIN' };
  it('finds the code', () => {
    expect(errCode('ERR ACCESS-DENIED')).toBe('ACCESS-DENIED');
    expect(errCode('ERR UNKNOWN-UPS extra words')).toBe('UNKNOWN-UPS');
    expect(errCode('OK')).toBeUndefined();
    expect(errCode('VAR ups1 x "ERR FOO"')).toBeUndefined();
  });
  it.each([
    ['ACCESS-DENIED', ExitCode.usage, /refused the user name or password for ups1@127\.0\.0\.1:3493.*upsd\.users/],
    ['UNKNOWN-UPS', ExitCode.usage, /does not know the UPS in ups1@127\.0\.0\.1:3493.*upsc -l/],
    ['DATA-STALE', ExitCode.unreachable, /stale on ups1@127\.0\.0\.1:3493.*driver/],
    ['DRIVER-NOT-CONNECTED', ExitCode.unreachable, /driver is not running/],
    ['PASSWORD-REQUIRED', ExitCode.usage, /wants a password/],
    ['SOMETHING-NEW', ExitCode.failed, /answered ERR SOMETHING-NEW to LOGIN/],
  ])('%s → exit %i with a message naming the UPS and what to do', (code, exit, text) => {
    const e = new NutError(code, ctx);
    expect(e.code).toBe(code);
    expect(e.exitCode).toBe(exit);
    expect(formatError(e)).toMatch(text);
    expect(e.isConfiguration).toBe(exit === ExitCode.usage);
  });
});

describe('parseUpsTarget', () => {
  it.each([
    ['ups1@127.0.0.1:13493', { ups: 'ups1', host: '127.0.0.1', port: 13493 }, 'ups1@127.0.0.1:13493'],
    ['ups1@127.0.0.1', { ups: 'ups1', host: '127.0.0.1', port: 3493 }, 'ups1@127.0.0.1:3493'],
    ['rack-a@ups.example:3493', { ups: 'rack-a', host: 'ups.example', port: 3493 }, 'rack-a@ups.example:3493'],
    ['ups1@[::1]:3493', { ups: 'ups1', host: '::1', port: 3493 }, 'ups1@[::1]:3493'],
    ['ups1', { ups: 'ups1', host: 'localhost', port: 3493 }, 'ups1@localhost:3493'],
  ])('%s', (spec, target, formatted) => {
    expect(parseUpsTarget(spec)).toEqual(target);
    expect(formatUpsTarget(parseUpsTarget(spec))).toBe(formatted);
  });
  it.each(['', '@host', 'ups1@', 'ups1@host:0', 'ups1@host:70000', 'ups1@host:x', 'a b@host', 'ups1@::1:3493'])('rejects "%s" as a usage error', (spec) => {
    expect(() => parseUpsTarget(spec)).toThrow(UsageError);
  });
});
