// One journal line: the record's JSON with a checksum as its last field,
//   {"v":1,"seq":3,"t":…,"type":"fact",…,"sum":"<16 hex>"}\n
// The sum is sha256 (first 64 bits) over the exact bytes of the JSON *without* the sum
// field, so the reader checks the bytes it read rather than a re-serialisation (which could
// reorder keys or reformat numbers).
import { createHash } from 'node:crypto';

const SUM_HEX = 16;
// `,"sum":"` + 16 hex + `"}` — fixed width, so the reader can slice it off by bytes.
export const SUFFIX_PREFIX = Buffer.from(',"sum":"');
export const SUFFIX_LEN = SUFFIX_PREFIX.length + SUM_HEX + 2;
const NEWLINE = 0x0a;

export function checksum(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, SUM_HEX);
}

/** Serialises a record (without sum) into a checksummed, newline-terminated line. */
export function encodeLine(record: object): Buffer {
  const body = Buffer.from(JSON.stringify(record));
  const sum = checksum(body);
  return Buffer.concat([body.subarray(0, body.length - 1), SUFFIX_PREFIX, Buffer.from(`${sum}"}\n`)]);
}

export type DecodedLine = { ok: true; value: unknown } | { ok: false; reason: string };

/** Checks one line's bytes (without its newline) and parses it. */
export function decodeLine(line: Buffer): DecodedLine {
  if (line.length === 0) return { ok: false, reason: 'empty line' };
  if (line.length <= SUFFIX_LEN) return { ok: false, reason: 'line too short to hold a record' };
  const suffix = line.subarray(line.length - SUFFIX_LEN);
  const sum = suffix.subarray(SUFFIX_PREFIX.length, SUFFIX_PREFIX.length + SUM_HEX).toString('latin1');
  const wellFormed =
    suffix.subarray(0, SUFFIX_PREFIX.length).equals(SUFFIX_PREFIX) &&
    /^[0-9a-f]{16}$/.test(sum) &&
    suffix[SUFFIX_LEN - 2] === 0x22 && // "
    suffix[SUFFIX_LEN - 1] === 0x7d; // }
  if (!wellFormed) return { ok: false, reason: 'no checksum at the end of the line' };
  const body = Buffer.concat([line.subarray(0, line.length - SUFFIX_LEN), Buffer.from('}')]);
  if (checksum(body) !== sum) return { ok: false, reason: 'checksum mismatch' };
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) as unknown };
  } catch (err) {
    return { ok: false, reason: `not valid JSON (${(err as Error).message})` };
  }
}

/** Splits file bytes into lines; `terminated` is false for a last line without newline. */
export function splitLines(data: Buffer): { bytes: Buffer; start: number; terminated: boolean }[] {
  const lines: { bytes: Buffer; start: number; terminated: boolean }[] = [];
  let start = 0;
  while (start < data.length) {
    const nl = data.indexOf(NEWLINE, start);
    if (nl < 0) {
      lines.push({ bytes: data.subarray(start), start, terminated: false });
      break;
    }
    lines.push({ bytes: data.subarray(start, nl), start, terminated: true });
    start = nl + 1;
  }
  return lines;
}
